package wizard

import "github.com/jobmail/jobmail/wizard/setupfile"

// Adding a subsidiary (legal entity) in the wizard is a session of its
// own, on the machine like the company's: the entity's name first (an
// entity is shown under it on the platform), then its address. Left
// empty, the entity uses the company's settings (the seeds: "the
// parent's settings apply") and nothing more is asked. With an address,
// the mailbox's own steps follow; each question that has a company
// setting to inherit offers it as the default, by the rule of
// Setup.Effective (setupfile.Inherit), and the checks, the sign-in and the
// live test use the mailbox with that rule applied, exactly as a replay
// of the written file will.

// NewEntitySession starts the session that asks for setup.Entities[i]
// (usually just appended, empty). The session keeps a pointer into the
// slice: do not grow setup.Entities while it runs.
func NewEntitySession(setup *setupfile.Setup, i int, interactive bool) *Session {
	s := NewMailboxSession(setup, setupfile.EntityKey(i), &setup.Entities[i].Mailbox, interactive)
	s.entity = i
	return s
}

// IsEntity reports whether the session adds a subsidiary (NewEntitySession).
func (s *Session) IsEntity() bool { return s.entity >= 0 }

// Inherits reports whether the entity's address was answered empty: it
// uses the company's settings, and the session is done without a test of
// its own (the company's connection is the one that sends).
func (s *Session) Inherits() bool {
	return s.IsEntity() && s.answered[s.key+".address"] && s.mb.Address == ""
}

// connection is the mailbox the checks, the sign-in and the live test
// use: for an entity being added, its answers with the company's
// settings inherited; else the mailbox itself.
func (s *Session) connection() *setupfile.Mailbox {
	if !s.IsEntity() {
		return s.mb
	}
	m := setupfile.Inherit(s.mb, &s.Setup.Company)
	return &m
}

// inheritedDefault is the company's setting a question of an entity
// session offers as its default ("" when there is none to inherit).
func (s *Session) inheritedDefault(f field) string {
	if !s.IsEntity() || f.inherit == nil {
		return ""
	}
	return f.inherit(s.connection())
}

// entityFields are the questions only an entity session asks before the
// mailbox's own: its name, unique among the entities.
func (s *Session) entityFields() []field {
	if !s.IsEntity() {
		return nil
	}
	i := s.entity
	return []field{{name: FieldName, state: StateForwarding, kind: KindInput,
		get: func(s *Session) (string, bool) { n := s.Setup.Entities[i].Name; return n, n != "" },
		set: func(s *Session, v string) error {
			if err := s.Setup.ValidateEntityNameAt(v, i); err != nil {
				return err
			}
			return setWith(&s.Setup.Entities[i].Name, v, nil)
		}}}
}

// setEntityAddress stores an entity's address; empty means the company's
// settings: whatever was answered for a mailbox of its own goes (a
// setup file refuses connection settings on an entity without address),
// and so do those answers, to be asked afresh if an address is given again.
func (s *Session) setEntityAddress(v string) error {
	if v != "" {
		return setWith(&s.mb.Address, v, s.valid(setupfile.RuleAddress))
	}
	*s.mb = setupfile.Mailbox{}
	name := s.key + ".name"
	for k := range s.answered {
		if k != name {
			delete(s.answered, k)
		}
	}
	return nil
}
