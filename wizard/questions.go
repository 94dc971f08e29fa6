package wizard

import (
	"cmp"
	"strconv"
	"strings"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/providers/discover"
	"github.com/jobmail/jobmail/wizard/setupfile"
)

// Kind is how a question is asked.
type Kind string

const (
	KindInput    Kind = "input"
	KindSelect   Kind = "select"
	KindConfirm  Kind = "confirm"
	KindPassword Kind = "password"
)

// Question is one answer the machine needs, as data. Key is the full
// setup-file key ("company.smtp.host"); Field is the same without the
// mailbox prefix ("smtp.host") and names the catalogue entries
// (question.<Field>.title|help, option.<Field>.<value>). Value is the
// current answer or the default, for prefilling.
type Question struct {
	Key      string
	Field    string
	State    State
	Kind     Kind
	Options  []string
	Value    string
	Optional bool
	// Open marks a select whose options are only the common values: any
	// value its validator accepts is an answer (a port: 587, 465, 25,
	// 2525 offered, any port valid). Drivers offer "another value".
	Open bool
	Args map[string]string
}

// field defines one question: where it lives in the model, how it is
// validated, when it is asked. One definition serves both drivers.
type field struct {
	name     string // key below the mailbox ("smtp.host") or absolute ("platform.account")
	absolute bool
	state    State
	kind     Kind
	options  func(s *Session) []string
	open     bool // options are suggestions, see Question.Open
	def      func(s *Session) string
	// inherit, in an entity session, reads the company's setting the
	// question offers as its default from the inherited mailbox; it takes
	// precedence over def.
	inherit  func(m *setupfile.Mailbox) string
	optional bool
	// confirms marks a prerequisite a person confirms: a replay whose
	// file says nothing records nothing (the live test is the proof).
	confirms bool
	// keepsRest: "Change X" from a diagnosis asks this field again and
	// then only its dependents (fix.go); without it, everything after it.
	keepsRest  bool
	dependents []string // field names asked again when this answer changes
	// covers names fields this question answers together (smtp.transport:
	// smtp.security and smtp.port): BackTo one of them asks this one.
	covers []string
	// source says where the shown value comes from when it is a prefill
	// (see prefill.go): extra question arguments, nil for none.
	source func(s *Session, shown string) map[string]string
	when   func(s *Session) bool
	get    func(s *Session) (string, bool)
	set    func(s *Session, v string) error
}

// buildFields is the field list of the session's present shape; fields
// (field_memo.go) keeps it until that shape changes.
func (s *Session) buildFields() []field {
	m := s.Mailbox()
	fs := append(s.entityFields(),
		field{name: FieldAddress, state: StateForwarding, kind: KindInput, optional: s.IsEntity(),
			get: func(*Session) (string, bool) { return m.Address, m.Address != "" },
			set: func(s *Session, v string) error {
				if s.IsEntity() {
					return s.setEntityAddress(v)
				}
				return setWith(&m.Address, v, s.valid(setupfile.RuleAddress))
			}})
	if s.Inherits() {
		return fs // the company's settings: nothing more to ask
	}
	fs = append(fs,
		field{name: "platform.account", absolute: true, state: StateForwarding, kind: KindInput,
			def: func(*Session) string { return SuggestAccount(m.Address) },
			get: func(s *Session) (string, bool) { return s.Setup.Platform.Account, s.Setup.Platform.Account != "" },
			set: func(s *Session, v string) error {
				return setWith(&s.Setup.Platform.Account, v, s.valid(setupfile.RuleAccount))
			}},
		field{name: "sender_name", state: StateForwarding, kind: KindSelect, optional: true,
			options: constOptions("company", "employee"), def: constDefault(setupfile.DefaultSenderName),
			inherit: func(m *setupfile.Mailbox) string { return m.SenderName },
			get:     func(*Session) (string, bool) { return m.SenderName, m.SenderName != "" },
			set:     func(_ *Session, v string) error { return setWith(&m.SenderName, v, s.valid(setupfile.RuleSenderName)) }},
		field{name: FieldForwarding, state: StateForwarding, kind: KindSelect, optional: true,
			options: constOptions("done", "later"), def: constDefault("later"),
			get: func(*Session) (string, bool) { return m.Forwarding, m.Forwarding != "" },
			set: func(_ *Session, v string) error { return setWith(&m.Forwarding, v, s.valid(setupfile.RuleForwarding)) }},
		field{name: FieldChannel, state: StateChannel, kind: KindSelect, optional: true,
			options: func(*Session) []string { return channelOptions() }, def: suggestedChannel,
			inherit: func(m *setupfile.Mailbox) string { return m.Channel },
			get:     func(*Session) (string, bool) { return m.Channel, m.Channel != "" },
			set:     func(_ *Session, v string) error { return setWith(&m.Channel, v, s.valid(setupfile.RuleChannel)) }},
	)
	return append(fs, channelOf(m.ChannelID()).fields(s)...)
}

// questions is the current branch as data, in order.
func (s *Session) questions() []Question {
	var qs []Question
	for _, f := range s.fields() {
		if !s.asks(f) {
			continue
		}
		qs = append(qs, s.questionOf(f))
	}
	return qs
}

// firstUnanswered is the first question of the current branch not yet
// answered in this session: Next builds that one question only.
func (s *Session) firstUnanswered() (Question, bool) {
	fs, keys := s.fields(), s.memo.keys
	for i, f := range fs {
		if !s.answered[keys[i]] && s.asks(f) {
			return s.questionOf(f), true
		}
	}
	return Question{}, false
}

func (s *Session) question(key string) (field, bool) {
	fs, keys := s.fields(), s.memo.keys
	for i, f := range fs {
		if keys[i] == key && s.asks(f) {
			return f, true
		}
	}
	return field{}, false
}

// asks reports whether f is part of the current branch: its condition
// holds, and platform-wide fields belong to the company's session only.
func (s *Session) asks(f field) bool {
	if f.absolute && !s.isCompany() {
		return false
	}
	return f.when == nil || f.when(s)
}

func (s *Session) keyOf(f field) string {
	if f.absolute {
		return f.name
	}
	return s.prefix() + "." + f.name
}

func (s *Session) prefix() string { return s.key }

func (s *Session) questionOf(f field) Question {
	q := Question{Key: s.keyOf(f), Field: f.name, State: f.state, Kind: f.kind, Optional: f.optional, Open: f.open, Args: s.args()}
	if f.options != nil {
		q.Options = f.options(s)
	}
	if v, ok := f.get(s); ok {
		q.Value = v
	} else {
		q.Value = s.defaultOf(f)
	}
	if f.kind == KindPassword {
		q.Value = "" // never prefill a secret
	}
	if f.source != nil {
		for k, v := range f.source(s, q.Value) {
			q.Args[k] = v
		}
	}
	return q
}

// apply validates and stores v through the field's setter. An empty value
// for an optional question means its default.
func (s *Session) apply(f field, v string) error {
	v = strings.TrimSpace(v)
	if v == "" {
		v = s.defaultOf(f)
	}
	if v == "" && !f.optional {
		return &setupfile.FieldError{Key: s.keyOf(f), Reason: "required"}
	}
	if err := f.set(s, v); err != nil {
		return withKey(err, s.keyOf(f))
	}
	return nil
}

// defaultOf is what an empty answer to f means: in an entity session the
// company's setting it inherits, else the question's own default.
func (s *Session) defaultOf(f field) string {
	if v := s.inheritedDefault(f); v != "" {
		return v
	}
	if f.def != nil {
		return f.def(s)
	}
	return ""
}

// args are the placeholders every question's help text may use.
func (s *Session) args() map[string]string {
	m := s.Mailbox()
	return map[string]string{
		"address":  m.Address,
		"inbound":  s.Setup.InboundAddress(),
		"provider": s.Provider,
		"platform": s.Setup.PlatformName(),
		"app":      s.appChoice[m.ChannelID()], // where the OAuth app comes from, once asked
		// "no" when nothing but this mailbox's own client id names an app:
		// leaving it empty would leave none (the texts never offer it)
		"platform_app": s.platformApp(m),
		"direct":       string(directFor(derefOr(m.SMTP).Host)),
	}
}

func setWith(dst *string, v string, validate func(string) error) error {
	if validate != nil {
		if err := validate(v); err != nil {
			return err
		}
	}
	if *dst != v { // replays share the Setup: an unchanged answer is no write
		*dst = v
	}
	return nil
}

func setInt(dst *int, v string, validate func(string) error) error {
	if err := validate(v); err != nil {
		return err
	}
	n, _ := strconv.Atoi(v) // validated above
	if *dst != n {
		*dst = n
	}
	return nil
}

func constOptions(vs ...string) func(*Session) []string { return func(*Session) []string { return vs } }
func constDefault(v string) func(*Session) string       { return func(*Session) string { return v } }

func channelOptions() []string {
	out := make([]string, len(providers.Channels))
	for i, c := range providers.Channels {
		out[i] = string(c)
	}
	return out
}

// suggestedChannel follows the seeds: Google users must use the direct
// integration, Microsoft users should; everyone else sends over SMTP. With
// nothing detected the platform's own service is the safe default.
func suggestedChannel(s *Session) string {
	p := s.Provider
	if p == "" { // nothing detected (no DNS): the built-in table may know the domain
		if k, ok := discover.LookupKnown(s.Mailbox().Address, nil); ok {
			p = cmp.Or(k.Family, "other")
		}
	}
	switch p {
	case "google":
		return string(providers.ChannelGoogle)
	case "microsoft":
		return string(providers.ChannelMicrosoft)
	case "other":
		return string(providers.ChannelSMTP)
	}
	return string(providers.ChannelPlatform)
}

// withKey puts key on a *FieldError that has none (validators don't know
// where their value came from).
func withKey(err error, key string) error {
	if fe, ok := err.(*setupfile.FieldError); ok {
		if fe.Key == "" {
			fe.Key = key
		}
		return fe
	}
	return &setupfile.FieldError{Key: key, Reason: "invalid", Err: err}
}

// derefOr is *p, or the zero value for nil: a settings block read without
// allocating it (reading is pure).
func derefOr[T any](p *T) T {
	var v T
	if p != nil {
		v = *p
	}
	return v
}

// valid is rule's validator on s's setup: a value the loader (or an
// earlier answer) found valid is not judged again (setupfile.Setup.Valid).
func (s *Session) valid(rule setupfile.Rule) func(string) error {
	return func(v string) error { return s.Setup.Valid(rule, v) }
}
