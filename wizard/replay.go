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
	f := &replayer{ctx: ctx, env: env, s: s, file: file, obs: obs}
	defer s.closeAhead()
	for {
		if err := ctx.Err(); err != nil {
			return Step{}, err
		}
		if st, r := Drive[replayed](s, f); r.stop || r.err != nil {
			return st, r.err
		}
	}
}

// replayer is replay's frontend of the driver step (drive.go): each
// question is answered with the file's value, each action (detection
// included) runs in line through env, and a blocked or done step ends the
// replay.
type replayer struct {
	ctx  context.Context
	env  *Env
	s    *Session
	file string
	obs  providers.Observer
}

// replayed is what a step of replay came to: go on, stop there, or the
// error that ended it.
type replayed struct {
	stop bool
	err  error
}

func (*replayer) Enter(Step) {}

// Question answers q with the file's value; a required key the file
// lacks needs a person (*MissingError).
func (r *replayer) Question(q Question) replayed {
	s := r.s
	f, _ := s.question(q.Key)
	v, ok := f.get(s)
	if !ok && !f.optional {
		return replayed{err: &setupfile.MissingError{Key: q.Key, File: r.file}}
	}
	if !ok && f.confirms {
		// Nobody confirmed it: record nothing; the live test is the proof.
		s.markAnswered(q.Key)
		return replayed{}
	}
	if !ok {
		v = "" // the question's default
	}
	if err := s.Answer(q.Key, v); err != nil {
		if fe, isFE := err.(*setupfile.FieldError); isFE && fe.File == "" {
			fe.File = r.file
		}
		return replayed{err: err}
	}
	return replayed{}
}

// Detect runs the lookups in line, within the machine's bounds, while the
// live test's opening runs (ahead.go).
func (r *replayer) Detect() replayed {
	r.s.openAhead(r.ctx, r.env)
	return r.Action(Action{Kind: ActionDetect, State: StateForwarding})
}

func (r *replayer) Action(a Action) replayed {
	return replayed{err: r.env.Run(r.ctx, r.s, a, r.obs)}
}

func (*replayer) Blocked(Step) replayed { return replayed{stop: true} }

func (*replayer) Done() replayed { return replayed{stop: true} }

func secretOf(v string) secrets.Secret { return secrets.New(v) }

func sortedKeys(m map[string]bool) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
