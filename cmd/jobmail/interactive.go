package main

import (
	"context"
	"path/filepath"

	"github.com/jobmail/jobmail/tui"
	"github.com/jobmail/jobmail/wizard"
	"github.com/jobmail/jobmail/wizard/setupfile"
)

// runTUI is `jobmail` in a terminal: the wizard. It writes the setup file
// to --output (default ./jobmail.yaml; the next `jobmail` offers to resume
// it) and the export to --export (default beside the setup file).
func runTUI(ctx context.Context, opts *Options) error {
	setupPath := opts.Output
	if setupPath == "" {
		setupPath = tui.DefaultSetupPath
	}
	exportPath := opts.Export
	if exportPath == "" {
		exportPath = filepath.Join(filepath.Dir(setupPath), "recruiting-email.json")
	}
	cfg := tui.Config{
		Words:      opts.words,
		Env:        opts.env(),
		Keyring:    opts.f.Keyring,
		SetupPath:  setupPath,
		ExportPath: exportPath,
		WriteExport: func(path string, setup *setupfile.Setup, tested []*wizard.Session) error {
			done := wizard.Step{State: wizard.StateDone, Done: true}
			outs := make([]outcome, 0, len(tested))
			for _, s := range tested {
				outs = append(outs, outcome{Key: s.Key(), Session: s, Step: done})
			}
			return writeExport(path, setupPath, setup, outs, opts.f.Now())
		},
		Getenv:     opts.f.Getenv,
		Accessible: opts.Accessible || opts.f.Getenv("ACCESSIBLE") != "" || opts.f.Getenv("TERM") == "dumb",
		Now:        opts.f.Now,
		Err:        opts.f.Stderr,
	}
	// The wizard reads keys in raw mode, so ctrl+c is a key it handles
	// (ask, save, quit); SIGTERM still cancels ctx.
	res, err := tui.Run(ctx, cfg)
	if err != nil {
		return err
	}
	// tui.Run has already told the person how it ended, on stderr.
	switch res.Outcome {
	case tui.OutcomeDone:
		if res.Err != nil {
			return withExit(ExitUnexpected, nil)
		}
		return nil
	case tui.OutcomeTestFailed:
		return withExit(ExitTestFailed, nil)
	case tui.OutcomePrereqFail:
		return withExit(ExitPrereq, nil)
	case tui.OutcomeSecretsFail:
		return withExit(ExitSecrets, nil)
	}
	return withExit(ExitInterrupted, nil)
}
