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
	loaded, err := wizard.LoadFile(opts.Config)
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
	if write && code == ExitOK {
		exportPath = opts.exportPath()
		if err := writeExport(exportPath, setup, outs, opts.f.Now()); err != nil {
			outs[0].Err, outs[0].ExitCode = err, ExitUnexpected
			exportPath, code = "", ExitUnexpected
		}
	}
	if opts.SaveSecret && code == ExitOK {
		if err := saveSecret(ctx, opts, env, setup); err != nil {
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
func usePasswordStdin(setup *wizard.Setup) error {
	c := setup.Company
	if c.ChannelID() != providers.ChannelSMTP || c.SMTP == nil {
		return errors.New("--password-stdin needs company.channel: smtp")
	}
	c.SMTP.Password = "stdin"
	return nil
}

// saveSecret stores the password that passed the test in the keyring,
// under the account later replays look up.
func saveSecret(ctx context.Context, opts *Options, env *wizard.Env, setup *wizard.Setup) error {
	c := setup.Company
	user := c.SMTP.Username
	if user == "" {
		user = c.Address
	}
	account := wizard.KeyringAccount(providers.ChannelSMTP, user)
	pw, err := env.Secrets.Resolve(ctx, secrets.Ref{Kind: secrets.RefStdin}, account)
	if err != nil {
		return fmt.Errorf("read password from stdin: %w", err)
	}
	if err := opts.f.Keyring().Set(ctx, account, pw); err != nil {
		return fmt.Errorf("store password in keyring: %w", err)
	}
	opts.savedSecret = account
	return nil
}

func (o *Options) env() *wizard.Env {
	store := lazyStore{open: o.f.Keyring}
	resolver := &secrets.Resolver{Store: store, LookupEnv: o.f.LookupEnv, ReadFile: o.f.ReadFile, Stdin: o.f.Stdin}
	return &wizard.Env{
		Secrets: resolver,
		OAuth: &wizard.OAuth{Getenv: o.f.Getenv, Secrets: resolver, Store: store,
			Mode: oauth.Mode(o.SignIn), Opener: o.f.Browser},
		Timeout:       o.Timeout,
		TLSSessions:   tls.NewLRUClientSessionCache(64),
		AllowInsecure: o.AllowInsecure,
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
