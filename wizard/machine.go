package wizard

import (
	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/providers/oauth"
	"github.com/jobmail/jobmail/providers/smtp"
	"github.com/jobmail/jobmail/secrets"
	"github.com/jobmail/jobmail/wizard/setupfile"
)

// State is a step of the wizard. The values appear in saved progress and
// in the TUI's header; never rename one.
type State string

const (
	StateForwarding    State = "forwarding"
	StateChannel       State = "channel"
	StatePrerequisites State = "prerequisites"
	StateTest          State = "test"
	StateDone          State = "done"
)

// States are the four steps and the end, in order.
var States = []State{StateForwarding, StateChannel, StatePrerequisites, StateTest, StateDone}

// Index is the position of st in States (-1 if unknown).
func (st State) Index() int {
	for i, s := range States {
		if s == st {
			return i
		}
	}
	return -1
}

// ActionKind names work the driver must run for the machine: it may take
// network time, so the TUI runs it off the UI goroutine and Replay runs it
// in line. Results come back through Session.Record*.
type ActionKind string

const (
	ActionDetect    ActionKind = "detect"    // provider (MX) and server discovery for the address
	ActionCheck     ActionKind = "check"     // automatic prerequisites
	ActionAuthorize ActionKind = "authorize" // OAuth sign-in (interactive only)
	ActionTest      ActionKind = "test"      // the live test
)

// Action is a unit of work the machine asks for.
type Action struct {
	Kind  ActionKind
	State State
}

// Step is what the machine wants next: exactly one of Question, Action or
// Done is set. Blocked carries a failed check or test that stops the run
// until an answer changes (the driver shows it and lets the user go back).
type Step struct {
	State    State
	Question *Question
	Action   *Action
	Done     bool
	Blocked  *providers.Diagnosis
	// Remedies are the ways out of a Blocked step (fix field K, retry,
	// back to step S), first the likeliest; hand one to Session.Apply.
	Remedies []Remedy
}

// Session is the state of one run for one mailbox: the answers so far
// (held in the setup model itself, so nothing is written twice) and the
// results of actions. Interactive sessions keep the typed password in
// Password (never in Setup); headless ones resolve Setup's reference.
type Session struct {
	Setup       *setupfile.Setup
	Interactive bool
	Provider    string // detected from MX: google | microsoft | other | "" (unknown)
	// Suggested is the server autodetection recommends (jobmail doctor's
	// verdict); it only prefills the SMTP questions.
	Suggested setupfile.SMTP
	// MX are the address domain's MX hosts, when the driver looked them
	// up: the built-in provider table also matches by MX (prefill.go).
	MX []string

	Password secrets.Secret // typed in the wizard; goes to the keyring on save
	Grant    *oauth.Grant   // OAuth sign-in of this session (refresh token → keyring on save)
	Checks   []providers.Check
	Result   *providers.Result
	Token    string // verification token of this session's test message
	Warnings []setupfile.Warning
	// Trace, when set, observes the machine in the order things happen:
	// "answer <key>" for each accepted answer, "action <kind>" for each
	// action a driver runs. Tests compare it across drivers (they must
	// take the same path for the same answers).
	Trace func(event string)
	// Getenv reads the environment for the OAuth app ids (JOBMAIL_*_CLIENT_ID)
	// when the machine decides whether to ask where the app comes from;
	// nil reads nothing.
	Getenv func(string) string

	appChoice  map[providers.Channel]string // <channel>.app answered in this session
	direct     map[string]string            // smtp.direct kept, by mailbox key
	mb         *setupfile.Mailbox           // the mailbox configured: the company's or an entity's
	key        string                       // its setup-file key prefix: "company", "entities[2]"
	entity     int                          // index of the entity being added (NewEntitySession), else -1
	answered   map[string]bool
	order      []string // answered keys, in the order answered (for Prev)
	failed     *failure // an action that could not run
	detect     detectState
	checked    bool
	authorized bool
	// transportOther: the person chose "another" port/encryption, so
	// smtp.security and smtp.port are asked one by one.
	transportOther bool
	fixing         *fixing     // the field changed from a diagnosis (fix.go)
	memo           *fieldMemo  // the field list of the present shape (field_memo.go)
	ahead          *smtp.Ahead // the live test's opening, started by replay (ahead.go)
}

// NewSession starts a session on setup (which may be empty or loaded from
// a file). A fresh verification token is drawn.
func NewSession(setup *setupfile.Setup, interactive bool) *Session {
	if setup == nil {
		setup = &setupfile.Setup{}
	}
	if setup.Version == 0 {
		setup.Version = setupfile.SetupVersion
	}
	return &Session{Setup: setup, Interactive: interactive, Token: NewToken(), answered: map[string]bool{},
		mb: &setup.Company, key: companyKey, entity: -1}
}

// NewMailboxSession starts a session for another mailbox of setup: an
// entity's (key "entities[2]"), whose questions are the mailbox's own;
// platform-wide answers are the company session's business.
func NewMailboxSession(setup *setupfile.Setup, key string, mb *setupfile.Mailbox, interactive bool) *Session {
	s := NewSession(setup, interactive)
	s.mb, s.key = mb, key
	return s
}

// Mailbox is the mailbox this session configures.
func (s *Session) Mailbox() *setupfile.Mailbox { return s.mb }

// companyKey is the company mailbox's key prefix.
const companyKey = "company"

// isCompany reports whether the session configures the company's mailbox
// (platform-wide answers and the company's own secret references are its
// business alone).
func (s *Session) isCompany() bool { return s.key == companyKey }

// Key is the mailbox's setup-file key prefix ("company", "entities[2]").
func (s *Session) Key() string { return s.key }

// Next returns the next step: the first question of the current branch
// not yet answered in this session, else the next action, else Done.
func (s *Session) Next() Step {
	if s.needsDetect() {
		return Step{State: StateForwarding, Action: &Action{Kind: ActionDetect, State: StateForwarding}}
	}
	if q, ok := s.firstUnanswered(); ok {
		return Step{State: q.State, Question: &q}
	}
	if s.Inherits() {
		return Step{State: StateDone, Done: true}
	}
	if f := s.failed; f != nil {
		d := f.d
		return Step{State: f.action.State, Blocked: &d, Remedies: s.remedies(d, f.action.State, true)}
	}
	if !s.checked {
		return Step{State: StatePrerequisites, Action: &Action{Kind: ActionCheck, State: StatePrerequisites}}
	}
	for _, c := range s.Checks {
		if !c.OK && !c.Warning && c.Diagnosis != nil {
			d := *c.Diagnosis
			return Step{State: StatePrerequisites, Blocked: &d, Remedies: s.remedies(d, StatePrerequisites, false)}
		}
	}
	if s.needsAuthorize() && !s.authorized {
		return Step{State: StatePrerequisites, Action: &Action{Kind: ActionAuthorize, State: StatePrerequisites}}
	}
	if s.Result == nil {
		return Step{State: StateTest, Action: &Action{Kind: ActionTest, State: StateTest}}
	}
	if !s.Result.OK() {
		d := providers.Diagnosis{Code: providers.CodeUnknown}
		if s.Result.Diagnosis != nil {
			d = *s.Result.Diagnosis
		}
		return Step{State: StateTest, Blocked: &d, Remedies: s.remedies(d, StateTest, false)}
	}
	return Step{State: StateDone, Done: true}
}

// Answer validates value for the question key and stores it. An invalid
// value is a *FieldError tied to key; nothing is stored then. Answering
// a question again invalidates later results (checks, test).
func (s *Session) Answer(key, value string) error {
	q, ok := s.question(key)
	if !ok {
		return &setupfile.FieldError{Key: key, Reason: "unknown_key"}
	}
	if err := s.apply(q, value); err != nil {
		return err
	}
	defer s.fixed(q)
	s.markAnswered(key)
	s.invalidate()
	return nil
}

// Back returns to state st: every answer of st and later states is asked
// again (values are kept as defaults), and results are cleared.
func (s *Session) Back(st State) {
	for _, q := range s.questions() {
		if q.State.Index() >= st.Index() {
			delete(s.answered, q.Key)
		}
	}
	s.invalidate()
}

// BackTo returns to the question with key (e.g. from a diagnosis's field),
// asking it and everything after it again. It reports false when no
// question has that key in the current branch.
func (s *Session) BackTo(key string) bool {
	qs := s.questions()
	key = s.coveringKey(qs, key)
	for i, q := range qs {
		if q.Key == key {
			for _, later := range qs[i:] {
				delete(s.answered, later.Key)
			}
			s.invalidate()
			return true
		}
	}
	return false
}

// Answered reports whether key was answered in this session.
func (s *Session) Answered(key string) bool { return s.answered[key] }

// RecordChecks stores the outcome of ActionCheck.
func (s *Session) RecordChecks(cs []providers.Check) {
	s.Checks, s.checked = cs, true
	s.Warnings = s.Warnings[:0]
	for _, c := range cs {
		if c.Warning && c.Diagnosis != nil {
			s.Warnings = append(s.Warnings, setupfile.Warning{Key: c.Diagnosis.Field, Diagnosis: *c.Diagnosis})
		}
	}
	if w := s.basicAuthRetiring(); w != nil {
		s.Warnings = append(s.Warnings, *w)
	}
}

// RecordAuthorized marks the OAuth sign-in done.
func (s *Session) RecordAuthorized() { s.authorized = true }

// RecordResult stores the outcome of ActionTest.
//
// What a passed test cannot prove for the platform (Limits: "tested from
// this machine only") joins the warnings only with a passed test: before
// one, or after a failed one, those words would claim a test that did not
// pass. A retried test replaces them.
func (s *Session) RecordResult(r providers.Result) {
	s.Result = &r
	ws := s.Warnings[:0:0]
	for _, w := range s.Warnings {
		if !isLimit(w.Diagnosis.Code) {
			ws = append(ws, w)
		}
	}
	if r.OK() {
		ws = append(ws, s.Limits()...)
	}
	s.Warnings = ws
}

// Retry forgets the last test result so that Next asks for the test again.
func (s *Session) Retry() { s.Result = nil }

func (s *Session) invalidate() {
	s.checked, s.Checks, s.Result, s.failed = false, nil, nil, nil
}

func (s *Session) needsAuthorize() bool {
	return s.Interactive && providers.SpecOf(s.connection().ChannelID()).SignIn
}

// coveringKey is key, or the question that answers it together with
// others (a diagnosis names smtp.port; the wizard asked smtp.transport).
func (s *Session) coveringKey(qs []Question, key string) string {
	for _, q := range qs {
		if q.Key == key {
			return key
		}
	}
	for _, f := range s.fields() {
		if !s.asks(f) {
			continue
		}
		for _, c := range f.covers {
			if s.prefix()+"."+c == key {
				return s.keyOf(f)
			}
		}
	}
	return key
}
