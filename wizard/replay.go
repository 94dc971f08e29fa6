package wizard

import (
	"context"
	"sort"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/secrets"
	"github.com/jobmail/jobmail/wizard/setupfile"
)

// ReplayMailbox drives a session from the setup file instead of a
// person: each question is answered with the file's value through the
// same validators, each action runs in line through env. It stops at the
// first step that needs a person (a missing required key: *MissingError),
// at a blocked step (returned in the Step, with the session), or when
// done. file names the setup file in errors; obs receives live-test
// stages.
//
// It replays one effective mailbox (the company's or an
// entity's, with inheritance applied) as its own session.
func ReplayMailbox(ctx context.Context, env *Env, setup *setupfile.Setup, em setupfile.EffectiveMailbox, file string, obs providers.Observer) (*Session, Step, error) {
	mb := &setupfile.Mailbox{Address: em.Address, SenderName: em.SenderName, Forwarding: em.Forwarding, Channel: string(em.Channel),
		SMTP: em.SMTP, Google: em.Google, Microsoft: em.Microsoft, Prerequisites: em.Prerequisites}
	s := NewMailboxSession(setup, em.Key, mb, false)
	st, err := s.replay(ctx, env, file, obs)
	return s, st, err
}

func (s *Session) replay(ctx context.Context, env *Env, file string, obs providers.Observer) (Step, error) {
	if s.Trace == nil {
		s.Trace = env.Trace
	}
	for {
		if err := ctx.Err(); err != nil {
			return Step{}, err
		}
		st := s.Next()
		switch {
		case st.Done, st.Blocked != nil:
			return st, nil
		case st.Question != nil:
			f, _ := s.question(st.Question.Key)
			v, ok := f.get(s)
			if !ok && !f.optional {
				return st, &setupfile.MissingError{Key: st.Question.Key, File: file}
			}
			if !ok && f.confirms {
				// Nobody confirmed it: record nothing; the live test is the proof.
				s.markAnswered(st.Question.Key)
				continue
			}
			if !ok {
				v = "" // the question's default
			}
			if err := s.Answer(st.Question.Key, v); err != nil {
				if fe, isFE := err.(*setupfile.FieldError); isFE && fe.File == "" {
					fe.File = file
				}
				return st, err
			}
		case st.Action != nil:
			if err := env.Run(ctx, s, *st.Action, obs); err != nil {
				return st, err
			}
		}
	}
}

func secretOf(v string) secrets.Secret { return secrets.New(v) }

func sortedKeys(m map[string]bool) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
