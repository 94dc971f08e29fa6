package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/jobmail/jobmail/providers/oauth"
	"github.com/jobmail/jobmail/tui/i18n"
)

// Options are the parsed flags of every command (each uses what it needs).
type Options struct {
	Config        string
	JSON          bool
	Lang          string
	Accessible    bool
	Timeout       time.Duration
	AllowInsecure bool
	// AllowOpenSecrets accepts file: secrets that other users can read.
	AllowOpenSecrets bool
	Export           string // root: where the export goes
	Output           string // export: where the export goes
	PasswordStdin    bool
	SaveSecret       bool
	Parallel         int
	SignIn           string // loopback | paste | device (OAuth sign-in in the wizard)
	ShowVersion      bool   // root --version: the same as `jobmail version`

	// resolved at run time
	words       *i18n.Localizer
	f           *Factory
	savedSecret string // keyring account written by --save-secret
}

// Main runs jobmail with args and returns the exit code. A panic becomes
// exit 1 with one line for people: never a stack trace on their terminal
// (the value is not printed: it could hold anything, a secret included).
func Main(ctx context.Context, args []string, f *Factory) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintln(f.Stderr, "jobmail: "+i18n.New(i18n.Detect(langArg(args), f.Getenv)).T("cli.error.internal"))
			code = ExitUnexpected
		}
	}()
	opts := &Options{f: f}
	if isVersionProbe(args) {
		// the commonest probe of packagers and scripts, answered without
		// building the command tree (the same words as the command)
		printVersion(opts)
		return ExitOK
	}
	root := newRootCmd(opts)
	// Help is printed before any hook runs, so the language comes from
	// the raw arguments here; the tree gets its words only when a run
	// shows them.
	lazyHelp(root, func() *i18n.Localizer { return i18n.New(i18n.Detect(langArg(args), f.Getenv)) }, args)
	completionOnDemand(root, args)
	root.SetArgs(args)
	root.SetIn(f.Stdin)
	root.SetOut(f.Stdout) // help, as asked for, is the output; errors stay on stderr
	root.SetErr(f.Stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	if opts.words == nil { // flags were not parsed: --lang from the raw arguments
		lang := opts.Lang
		if lang == "" {
			lang = langArg(args)
		}
		opts.words = i18n.New(i18n.Detect(lang, f.Getenv))
	}
	code = exitCodeOf(err)
	if ctx.Err() != nil && code != ExitOK {
		code = ExitInterrupted
	}
	if _, ok := asUsageError(err); ok && wantsJSON(opts, args) {
		writeJSON(opts, jsonResult{Stages: []jsonStage{}, Warnings: []jsonDiagnosis{}, Diagnosis: opts.errorDiagnosis(err), ExitCode: code})
	}
	var ee *exitError
	if !(errors.As(err, &ee) && ee.err == nil) {
		printError(opts, err)
	}
	return code
}

func newRootCmd(opts *Options) *cobra.Command {
	root := &cobra.Command{
		Use:           "jobmail",
		Args:          noArgs,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			opts.words = i18n.New(i18n.Detect(opts.Lang, opts.f.Getenv))
			switch oauth.Mode(opts.SignIn) {
			case oauth.ModeLoopback, oauth.ModePaste, oauth.ModeDevice:
			default:
				return usage("cli.usage.sign_in", map[string]string{"value": opts.SignIn})
			}
			if opts.Timeout <= 0 {
				return usage("cli.usage.timeout", map[string]string{"value": opts.Timeout.String()})
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.ShowVersion {
				printVersion(opts)
				return nil
			}
			return runRoot(cmd.Context(), opts)
		},
	}
	// Every parse error is a usage error (exit 2), however cobra found it.
	root.SetFlagErrorFunc(flagUsage)
	pf := root.PersistentFlags()
	pf.BoolVar(&opts.JSON, "json", false, "")
	pf.StringVar(&opts.Lang, "lang", "", "")
	pf.BoolVar(&opts.Accessible, "accessible", false, "")
	pf.DurationVar(&opts.Timeout, "timeout", 30*time.Second, "")
	pf.BoolVar(&opts.AllowInsecure, "allow-insecure", false, "")
	pf.BoolVar(&opts.AllowOpenSecrets, "allow-open-secret-files", false, "")
	pf.StringVar(&opts.SignIn, "sign-in", "loopback", "")

	fl := root.Flags()
	fl.StringVar(&opts.Config, "config", "", "")
	fl.StringVar(&opts.Export, "export", "", "")
	fl.BoolVar(&opts.PasswordStdin, "password-stdin", false, "")
	fl.BoolVar(&opts.SaveSecret, "save-secret", false, "")
	fl.IntVar(&opts.Parallel, "parallel", 8, "")
	fl.BoolVar(&opts.ShowVersion, "version", false, "")

	root.AddCommand(newTestCmd(opts), newExportCmd(opts), newVersionCmd(opts))
	for _, add := range extraCommands {
		root.AddCommand(add(opts))
	}
	return root
}

// extraCommands lets feature files (doctor, report) register themselves
// without editing this file.
var extraCommands []func(*Options) *cobra.Command

func newTestCmd(opts *Options) *cobra.Command {
	cmd := &cobra.Command{
		Use:  "test",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runReplay(cmd.Context(), opts, false)
		},
	}
	cmd.Flags().StringVar(&opts.Config, "config", "", "")
	cmd.Flags().BoolVar(&opts.PasswordStdin, "password-stdin", false, "")
	cmd.Flags().IntVar(&opts.Parallel, "parallel", 8, "")
	return cmd
}

func runRoot(ctx context.Context, opts *Options) error {
	if opts.Config != "" {
		return runReplay(ctx, opts, true)
	}
	// --accessible asks in plain lines and may read its answers piped in,
	// line by line (issue 12); the full-screen wizard needs a terminal.
	if opts.f.RunTUI == nil || !opts.f.IsTerminal() && !opts.Accessible {
		return withExit(ExitUsage, errNoTerminal)
	}
	return opts.f.RunTUI(ctx, opts)
}

var errNoTerminal = errors.New("no terminal: run interactively in a terminal, or pass --config FILE to replay a setup file headless")
