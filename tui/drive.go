package tui

import (
	"context"
	"errors"
	"sync"

	tea "charm.land/bubbletea/v2"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/wizard"
)

// The wizard's two interactive modes (the full screen and the accessible
// lines) run one driver loop: drive asks the machine for its next step and
// hands it to the mode's frontend, runAction runs an action through the
// configured runners and records what came of it. The modes differ only in
// how they show a step and read an answer: the full screen returns a
// tea.Cmd from each handler and is called again from Update when a message
// arrives; the accessible mode returns whether to go on and calls drive in
// a plain loop. Neither decides what comes next: that is the Step.

// frontend shows the machine's steps, each handler returning what the
// mode's loop needs next (R).
type frontend[R any] interface {
	// enter is told every step the machine hands out, before its handler
	// (the accessible mode names a step when it begins).
	enter(st wizard.Step)
	// question shows q and takes its answer (Session.Answer).
	question(q wizard.Question) R
	// detect runs the machine's ActionDetect (the provider lookup and the
	// server discovery, within the machine's bounds).
	detect() R
	// action runs a check, the sign-in or the live test (runAction).
	action(a wizard.Action) R
	// blocked shows a failed check, test or action with its remedies.
	blocked(st wizard.Step) R
	// done commits (keyring, setup file, export) and shows the end.
	done() R
}

// drive advances the machine one step: the detection a resumed run still
// owes first (its fast-forward answered the address past ActionDetect),
// else the machine's Next, handed to f. It returns the step it handed on
// (the zero Step for the owed detection) and f's result.
func drive[R any](m *Model, f frontend[R]) (wizard.Step, R) {
	if m.detectAfterResume {
		m.detectAfterResume = false
		return wizard.Step{State: wizard.StateForwarding}, f.detect()
	}
	st := m.s.Next()
	f.enter(st)
	switch {
	case st.Question != nil:
		return st, f.question(*st.Question)
	case st.Action != nil && st.Action.Kind == wizard.ActionDetect:
		m.s.StartDetect()
		return st, f.detect()
	case st.Action != nil:
		return st, f.action(*st.Action)
	case st.Blocked != nil:
		return st, f.blocked(st)
	}
	// Done (a step with nothing set is no step the machine hands out)
	return st, f.done()
}

// errNoEnv: the configuration gave no runners; an action cannot run.
var errNoEnv = errors.New("no environment to run actions")

// execute runs action a of session s through env (the checks, the OAuth
// sign-in and the live test live there, once for every driver); it may
// run off the UI goroutine, which owns nothing of the model meanwhile.
func execute(ctx context.Context, env *wizard.Env, s *wizard.Session, a wizard.Action, obs providers.Observer) error {
	if env == nil {
		return errNoEnv
	}
	return env.Run(ctx, s, a, obs)
}

// actionEnded takes the session back from a finished action: the checks
// it ran are kept for the screens, and an action that could not run is
// recorded as the machine's Blocked step (canceled: the person stopped it).
func (m *Model) actionEnded(a wizard.Action, err error, canceled bool) {
	if a.Kind == wizard.ActionCheck {
		m.checks = append([]providers.Check(nil), m.s.Checks...)
	}
	if err != nil {
		m.s.RecordFailure(a, diagnosisOf(err, canceled))
	}
}

// remedyOf is the machine's remedy a menu choice stands for; false for
// the driver's own choices (reports, quit).
func remedyOf(rs []wizard.Remedy, choice string) (wizard.Remedy, bool) {
	for _, r := range rs {
		if string(r.Kind) == choice {
			return r, true
		}
	}
	return wizard.Remedy{}, false
}

// writes are the full screen's commands that write files (the commit,
// the progress, a subsidiary's save). bubbletea does not wait for a
// command still running when the program ends; Run (and a test's end)
// does, so nothing is written after the caller went on — relative paths
// would otherwise land wherever the process's directory is by then.
type writes struct {
	mu     sync.Mutex
	wg     sync.WaitGroup
	closed bool
}

// do wraps fn: it runs unless the writes were closed before it started.
func (w *writes) do(fn func() tea.Msg) tea.Cmd {
	return func() tea.Msg {
		w.mu.Lock()
		if w.closed {
			w.mu.Unlock()
			return nil
		}
		w.wg.Add(1)
		w.mu.Unlock()
		defer w.wg.Done()
		return fn()
	}
}

// close waits for the writes that started; later ones do not run.
func (w *writes) close() {
	w.mu.Lock()
	w.closed = true
	w.mu.Unlock()
	w.wg.Wait()
}
