package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/providers/oauth"
	"github.com/jobmail/jobmail/secrets"
	"github.com/jobmail/jobmail/wizard"
	"github.com/jobmail/jobmail/wizard/setupfile"
)

var errNoConfig = errors.New("missing --config FILE")

// outcome is the result of one mailbox's run, ready to print.
type outcome struct {
	Entity     string
	Key        string // mailbox key: "company", "entities[2]"
	SharedWith string // entity whose identical connection was tested instead
	Session    *wizard.Session
	Step       wizard.Step
	Err        error
	ExitCode   int
	// Address and Channel name a mailbox that has no Session (its test
	// could not start before the run's time limit).
	Address string
	Channel providers.Channel
}

// runReplay is `jobmail --config` (write=true) and `jobmail test`
// (write=false): validate, prerequisites, live test, then the export.
func runReplay(ctx context.Context, opts *Options, write bool) error {
	if opts.Config == "" {
		return withExit(ExitUsage, errNoConfig)
	}
	if opts.SaveSecret && !opts.PasswordStdin {
		return usage("cli.usage.save_secret", nil)
	}
	loaded, err := setupfile.LoadFile(opts.Config)
	if err != nil {
		return reportSetupError(opts, err)
	}
	setup := loaded.Setup
	if opts.PasswordStdin {
		if err := usePasswordStdin(setup); err != nil {
			return withExit(ExitUsage, err)
		}
	}
	env := opts.env()
	outs := replayAll(ctx, opts, env, setup, loaded.Warnings)
	code := worstExit(outs)

	var exportPath string
	if code == ExitOK && (write || opts.SaveSecret) {
		if exportPath, err = commitReplay(ctx, opts, env, setup, outs, write); err != nil {
			outs[0].Err, outs[0].ExitCode = err, exitCodeOf(err)
			code = outs[0].ExitCode
		}
	}
	printOutcomes(opts, outs, exportPath, code)
	if code == ExitOK {
		return nil
	}
	return withExit(code, nil)
}

// outcomeExit applies the exit-code table to a finished replay.
func outcomeExit(ctx context.Context, o outcome) int {
	switch {
	case ctx.Err() != nil:
		return ExitInterrupted
	case o.Err != nil:
		return exitCodeOf(o.Err)
	case o.Step.Blocked != nil:
		return exitCodeForDiagnosis(o.Step.Blocked.Code, o.Step.State == wizard.StatePrerequisites)
	case o.Step.Done:
		return ExitOK
	}
	return ExitUnexpected
}

// usePasswordStdin points the SMTP password at stdin for this run.
func usePasswordStdin(setup *setupfile.Setup) error {
	c := wizard.PasswordBlock(&setup.Company)
	if c == nil {
		return errors.New("--password-stdin needs company.channel: smtp")
	}
	c.Password = "stdin"
	return nil
}

// commitReplay is the machine's commit step for a replay that passed: the
// password read from stdin into the keyring (--save-secret), under the
// account later replays look up, then the export (write). The setup file
// it ran from is left as it is. It returns the export written.
func commitReplay(ctx context.Context, opts *Options, env *wizard.Env, setup *setupfile.Setup, outs []outcome, write bool) (string, error) {
	s := outs[0].Session
	d := wizard.CommitDeps{SkipSecret: !opts.SaveSecret}
	if opts.SaveSecret {
		account := s.PasswordAccount()
		pw, err := env.Secrets.Resolve(ctx, secrets.Ref{Kind: secrets.RefStdin}, account)
		if err != nil {
			return "", fmt.Errorf("read password from stdin: %w", err)
		}
		s.Password = pw
		d.Store = lazyStore{open: opts.f.Keyring}
	}
	if write {
		d.ExportPath = opts.exportPath()
		d.WriteExport = func(path string, setup *setupfile.Setup) error {
			return writeExport(path, opts.Config, setup, outs, opts.f.Now())
		}
	}
	c := wizard.Commit(ctx, s, d)
	if c.Account != "" {
		opts.savedSecret = c.Account
	}
	if c.ExportErr != nil {
		return "", errors.Unwrap(c.ExportErr) // writeExport names the file already
	}
	if err := c.Err(); err != nil {
		return "", err
	}
	return d.ExportPath, nil
}

func (o *Options) env() *wizard.Env {
	store := lazyStore{open: o.f.Keyring}
	resolver := &secrets.Resolver{Store: store, LookupEnv: o.f.LookupEnv, ReadFile: o.f.ReadFile, Stdin: o.f.Stdin,
		AllowOpenFiles: o.AllowOpenSecrets}
	return &wizard.Env{
		Secrets: resolver,
		OAuth: &wizard.OAuth{Getenv: o.f.Getenv, Secrets: resolver, Store: store,
			Mode: oauth.Mode(o.SignIn), Opener: o.f.Browser},
		Timeout:       o.Timeout,
		TLSSessions:   tls.NewLRUClientSessionCache(64),
		AllowInsecure: o.AllowInsecure,
		Detect:        o.f.Detector,
		Now:           o.f.Now,
		Message: func(token string) (string, string) {
			args := map[string]string{"token": token}
			return o.words.T("testmail.subject", args), o.words.T("testmail.body", args)
		},
	}
}

func (o *Options) exportPath() string {
	if o.Export != "" {
		return o.Export
	}
	return filepath.Join(filepath.Dir(o.Config), "recruiting-email.json")
}

// lazyStore opens the keyring on first use, so runs that never need it
// never touch D-Bus.
type lazyStore struct{ open func() secrets.Store }

func (l lazyStore) Get(ctx context.Context, account string) (secrets.Secret, error) {
	return l.open().Get(ctx, account)
}
func (l lazyStore) Set(ctx context.Context, account string, s secrets.Secret) error {
	return l.open().Set(ctx, account, s)
}
func (l lazyStore) Delete(ctx context.Context, account string) error {
	return l.open().Delete(ctx, account)
}
