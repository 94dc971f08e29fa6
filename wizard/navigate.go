package wizard

import (
	"context"
	"errors"
	"slices"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/secrets"
	"github.com/jobmail/jobmail/wizard/setupfile"
)

// RemedyKind is a way out of a blocked step the machine offers.
type RemedyKind string

const (
	// RemedyFixField asks the question Remedy.Field again (the field the
	// diagnosis names), and everything after it.
	RemedyFixField RemedyKind = "fix_field"
	// RemedyRetry runs the failed action again with the same answers.
	RemedyRetry RemedyKind = "retry"
	// RemedyBack returns to the start of step Remedy.Step.
	RemedyBack RemedyKind = "back"
)

// Remedy is one way out of a blocked step, as data: drivers render it and
// hand the chosen one back to Session.Apply.
type Remedy struct {
	Kind  RemedyKind
	Field string // RemedyFixField: the setup key ("company.smtp.password")
	Step  State  // RemedyBack: the step to return to
}

// failure is an action that could not run at all (a secret that could not
// be resolved, a sign-in that failed, the context ended).
type failure struct {
	action Action
	d      providers.Diagnosis
}

// RecordFailure stores that action a could not run, with its diagnosis
// (DiagnosisOf the error). Next returns it as Blocked, with a retry among
// its remedies, until a remedy is applied or an answer changes.
func (s *Session) RecordFailure(a Action, d providers.Diagnosis) {
	s.failed = &failure{action: a, d: d}
}

// remedies are the ways out of a diagnosis d that blocked step st: the
// field that fixes it first (usually the way out), a retry where running
// again can help (a live test, an action that could not run), else back
// to the step before.
func (s *Session) remedies(d providers.Diagnosis, st State, couldNotRun bool) []Remedy {
	var rs []Remedy
	if d.Field != "" {
		// the question that asks it: smtp.port is asked as smtp.transport
		rs = append(rs, Remedy{Kind: RemedyFixField, Field: s.coveringKey(s.questions(), d.Field)})
	}
	if st == StateTest || couldNotRun {
		rs = append(rs, Remedy{Kind: RemedyRetry})
	}
	if d.Field == "" {
		if prev, ok := stepBefore(st); ok {
			rs = append(rs, Remedy{Kind: RemedyBack, Step: prev})
		}
	}
	return rs
}

// stepBefore is the step that going back from st returns to: the one
// before it, and from the test (which has no questions) its prerequisites.
func stepBefore(st State) (State, bool) {
	if st == StateTest {
		return StatePrerequisites, true
	}
	i := st.Index()
	if i <= 0 {
		return "", false
	}
	return States[i-1], true
}

// Apply performs remedy r of a blocked step; the driver then asks Next.
func (s *Session) Apply(r Remedy) {
	failed := s.failed
	s.failed = nil
	switch r.Kind {
	case RemedyFixField:
		if !s.Fix(r.Field) {
			s.Back(StatePrerequisites)
		}
	case RemedyRetry:
		if failed == nil && s.Result != nil {
			s.Retry()
		}
	case RemedyBack:
		s.Back(r.Step)
	}
}

// PrevStep returns to the start of the step before cur (a driver's "back
// a step"); false when cur is the first step.
func (s *Session) PrevStep(cur State) bool {
	prev, ok := stepBefore(cur)
	if !ok {
		return false
	}
	s.failed = nil
	s.Back(prev)
	return true
}

// Prev returns to the question answered last (a driver's "back"): it and
// everything after it is asked again, every answer kept as the prefill.
// False when nothing was answered in this session.
func (s *Session) Prev() bool {
	as := s.Answers()
	if len(as) == 0 {
		return false
	}
	s.failed = nil
	return s.BackTo(as[len(as)-1].Key)
}

// CanPrev reports whether Prev has a question to return to.
func (s *Session) CanPrev() bool { return len(s.Answers()) > 0 }

// Answers are the questions of the current branch answered in this
// session, in the order they were answered, each with its value.
func (s *Session) Answers() []Question {
	qs := s.questions()
	out := make([]Question, 0, len(s.order))
	for _, k := range s.order {
		if !s.answered[k] {
			continue
		}
		if i := slices.IndexFunc(qs, func(q Question) bool { return q.Key == k }); i >= 0 {
			out = append(out, qs[i])
		}
	}
	return out
}

// Recap is what a step's recap lists: the answers of state st, as
// Answers gives them, less a choice that only led to further questions
// once they are answered: "another port or encryption", followed by the
// encryption and the port chosen (the recap shows those, not the menu
// label above them).
func (s *Session) Recap(st State) []Question {
	var out []Question
	for _, q := range s.Answers() {
		if q.State != st {
			continue
		}
		if q.Field == FieldSMTPTransport && q.Value == TransportOther &&
			s.answered[s.prefix()+"."+FieldSMTPSecurity] {
			continue
		}
		out = append(out, q)
	}
	return out
}

// markAnswered records key as answered, last in the order.
func (s *Session) markAnswered(key string) {
	if i := slices.Index(s.order, key); i >= 0 {
		s.order = slices.Delete(s.order, i, i+1)
	}
	s.order = append(s.order, key)
	s.answered[key] = true
	s.trace("answer " + key)
}

func (s *Session) trace(event string) {
	if s.Trace != nil {
		s.Trace(event)
	}
}

// DiagnosisOf turns any error that ended an action or a run (not a failed
// check or test, which the session records) into a diagnosis: the one
// mapping the TUI, cmd's output and its exit code share. Reply is the
// error's own text where no finer code explains it.
func DiagnosisOf(err error) providers.Diagnosis {
	var pe *providers.Error
	var me *setupfile.MissingError
	var fe *setupfile.FieldError
	if d, ok := providers.SecretsDiagnosis(err); ok {
		d.Reply = err.Error()
		return d
	}
	switch {
	case errors.As(err, &pe):
		return pe.Diagnosis
	case errors.Is(err, context.Canceled):
		return providers.Diagnosis{Code: providers.CodeCanceled, Actor: providers.ActorUser}
	case errors.Is(err, secrets.ErrTooLarge):
		return providers.Diagnosis{Code: providers.CodeSecretsTooLarge, Actor: providers.ActorUser}
	case errors.Is(err, secrets.ErrUnavailable), errors.Is(err, secrets.ErrNotFound):
		return providers.Diagnosis{Code: providers.CodeSecretsUnavailable, Actor: providers.ActorUser, Reply: err.Error()}
	case errors.As(err, &me):
		return providers.Diagnosis{Code: providers.CodeConfigMissing, Actor: providers.ActorUser, Field: me.Key}
	case errors.As(err, &fe):
		code := providers.CodeConfigInvalid
		if fe.Code != "" {
			code = fe.Code
		}
		return providers.Diagnosis{Code: code, Actor: providers.ActorUser, Field: fe.Key, Args: fe.Args}
	}
	return providers.Diagnosis{Code: providers.CodeUnknown, Reply: err.Error()}
}
