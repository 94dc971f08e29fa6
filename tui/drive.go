package tui

import (
	"context"
	"errors"
	"sync"

	tea "charm.land/bubbletea/v2"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/wizard"
)

// The wizard's two interactive modes run the machine's one driver step
// (wizard.Drive), as replay does: each mode is a wizard.Frontend (the full
// screen in model.go, the accessible lines in accessible.go). The full
// screen returns a tea.Cmd from each handler and is driven again from
// Update when a message arrives; the accessible mode returns whether to go
// on and calls Drive in a plain loop. Neither decides what comes next:
// that is the Step. What is left here is what both modes do around an
// action: run it through the configured runners and record what came of it.

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
