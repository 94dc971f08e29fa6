package tui

import (
	"context"
	"errors"
	"fmt"
	"io/fs"

	tea "charm.land/bubbletea/v2"
	"github.com/jobmail/jobmail/wizard/setupfile"
)

// Run runs the wizard in the terminal until the person is done or quits,
// then prints where things were written (the screen itself is gone by
// then). The error is for failures of the terminal itself; how the run
// ended is in Result.
func Run(ctx context.Context, cfg Config) (Result, error) {
	setup, resume, note := LoadForResume(cfg)
	if cfg.Accessible {
		return runAccessible(ctx, cfg, setup, resume, note)
	}
	m := newModel(ctx, cfg, setup, resume, note)
	opts := []tea.ProgramOption{tea.WithContext(ctx)}
	if cfg.In != nil {
		opts = append(opts, tea.WithInput(cfg.In))
	}
	if cfg.Out != nil {
		opts = append(opts, tea.WithOutput(cfg.Out))
	}
	if cfg.Environ != nil {
		opts = append(opts, tea.WithEnvironment(cfg.Environ))
	}
	p := tea.NewProgram(m, opts...)
	// Closing the terminal window sends SIGHUP, which would end the
	// process before anything is saved: it ends the program instead, like
	// SIGTERM (bubbletea's own handler) and a cancelled ctx.
	stop := onHangup(p.Quit)
	final, err := p.Run()
	stop()
	if fm, ok := final.(*Model); ok && fm != nil {
		m = fm
	}
	if m.run != nil { // the program ended under a running action
		m.run.cancel()
		<-m.run.done
	}
	m.writes.close() // a commit or save still running ends first
	m.saveOnExit()
	res := m.Result()
	if err != nil && res.Outcome == "" {
		if !errors.Is(err, tea.ErrInterrupted) && !errors.Is(err, context.Canceled) && !errors.Is(err, tea.ErrProgramKilled) {
			return res, fmt.Errorf("run the wizard: %w", err)
		}
		res.Outcome = OutcomeQuit
	}
	m.printSummary(cfg.Err, true)
	return res, nil
}

// LoadForResume reads the setup file when there is one: its answers
// prefill the questions, and its saved progress is offered for resuming.
// A file that cannot be used is not an error: the wizard starts afresh
// and says why (note) on its first screen.
func LoadForResume(cfg Config) (setup *setupfile.Setup, resume *setupfile.Progress, note string) {
	path := cfg.SetupPath
	if path == "" {
		path = DefaultSetupPath
	}
	l, err := setupfile.Load(path, setupfile.LoadOptions{Partial: true})
	switch {
	case err == nil:
		setup = l.Setup
		resume = setup.Progress
		setup.Progress = nil
		return setup, resume, ""
	case errors.Is(err, fs.ErrNotExist):
		return &setupfile.Setup{}, nil, ""
	}
	words := cfg.Words
	if words == nil {
		return &setupfile.Setup{}, nil, err.Error()
	}
	var fe *setupfile.FieldError
	detail := err.Error()
	if errors.As(err, &fe) {
		detail = words.Field(fe)
	}
	return &setupfile.Setup{}, nil, words.T("tui.load.failed", map[string]string{"path": path, "error": detail})
}
