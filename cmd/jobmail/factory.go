package main

import (
	"context"
	"io"
	"os"
	"time"

	"github.com/jobmail/jobmail/providers/oauth"
	"github.com/jobmail/jobmail/secrets"
	"github.com/jobmail/jobmail/wizard"
	"golang.org/x/term"
)

// Factory holds the outside world every command depends on. Tests build
// their own; main uses systemFactory. Nothing here is a package global.
type Factory struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// IsTerminal reports whether stdin and stdout are both terminals
	// (the wizard needs both).
	IsTerminal func() bool
	// StdoutIsTerminal reports whether stdout alone is a terminal (nil:
	// it is not): `jobmail report` writes to a piped stdout.
	StdoutIsTerminal func() bool
	Getenv           func(string) string
	LookupEnv        func(string) (string, bool)
	ReadFile         func(string) ([]byte, error) // nil: secrets.Resolver reads file: secrets through safefile.Read (bounded, private)
	Now              func() time.Time
	// Keyring opens the OS keyring lazily: a replay that uses env: or
	// file: secrets never touches D-Bus.
	Keyring func() secrets.Store
	// RunTUI starts the interactive wizard; nil where there is none.
	RunTUI func(ctx context.Context, opts *Options) error
	// Browser opens the OAuth sign-in page; the URL is always shown too.
	Browser oauth.Opener
	// Detector runs the machine's ActionDetect (MX lookup, server
	// discovery) in replays and the wizard; nil: detection off.
	Detector *wizard.Detector
}

func systemFactory() *Factory {
	return &Factory{
		Stdin:  os.Stdin,
		Stdout: os.Stdout,
		Stderr: os.Stderr,
		IsTerminal: func() bool {
			return term.IsTerminal(int(os.Stdin.Fd())) && term.IsTerminal(int(os.Stdout.Fd()))
		},
		StdoutIsTerminal: func() bool { return term.IsTerminal(int(os.Stdout.Fd())) },
		Getenv:           os.Getenv,
		LookupEnv:        os.LookupEnv,
		Now:              time.Now,
		Keyring:          func() secrets.Store { return secrets.NewKeyring() },
		RunTUI:           runTUI,
		Browser:          oauth.OpenerFunc(openBrowser),
		Detector:         &wizard.Detector{Provider: wizard.MemoProvider(nil)}, // one MX lookup per domain and run
	}
}
