package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/jobmail/jobmail/wizard"
	"github.com/jobmail/jobmail/wizard/setupfile"
)

var errNoOutput = errors.New("missing --output FILE")

func newExportCmd(opts *Options) *cobra.Command {
	cmd := &cobra.Command{
		Use:  "export",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runExport(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Config, "config", "", "")
	cmd.Flags().StringVar(&opts.Output, "output", "", "")
	return cmd
}

// runExport is `jobmail export`: the export from the setup file alone,
// without a live test (last_test stays null).
func runExport(_ context.Context, opts *Options) error {
	if opts.Config == "" {
		return withExit(ExitUsage, errNoConfig)
	}
	if opts.Output == "" {
		return withExit(ExitUsage, errNoOutput)
	}
	if opts.Output == "-" && opts.JSON {
		return usage("cli.usage.export_output_json", nil)
	}
	loaded, err := setupfile.LoadFile(opts.Config)
	if err != nil {
		return reportSetupError(opts, err)
	}
	if opts.Output == "-" {
		data, err := wizard.MarshalExport(buildExport(loaded.Setup, nil, opts.f.Now()))
		if err == nil {
			_, err = opts.f.Stdout.Write(data)
		}
		if err != nil {
			return fmt.Errorf("write export to standard output: %w", err)
		}
		return nil
	}
	if err := writeExport(opts.Output, opts.Config, loaded.Setup, nil, opts.f.Now()); err != nil {
		return err
	}
	if opts.JSON {
		writeJSON(opts, map[string]any{"ok": true, "export": opts.Output, "exit_code": ExitOK})
	}
	fmt.Fprintln(opts.f.Stderr, opts.words.T("cli.export_written", map[string]string{"path": opts.Output}))
	return nil
}

// writeExport writes the platform export with the live-test results of
// the outcomes (keyed by their mailbox), atomically and 0600, never onto
// the setup file setupPath (compared by identity).
func writeExport(path, setupPath string, setup *setupfile.Setup, outs []outcome, now time.Time) error {
	if err := wizard.WriteExport(path, buildExport(setup, outs, now), setupPath); err != nil {
		return fmt.Errorf("write export %s: %w", path, err)
	}
	return nil
}

// buildExport is the platform export with the live-test results of outs.
func buildExport(setup *setupfile.Setup, outs []outcome, now time.Time) *wizard.Export {
	tests := map[string]wizard.TestSummary{}
	for _, o := range outs {
		if o.Session == nil || o.Session.Result == nil {
			continue
		}
		tests[o.key()] = wizard.SummaryOf(*o.Session.Result, o.Session.Token)
	}
	return wizard.NewExport(setup, tests, wizard.ExportOptions{Now: func() time.Time { return now }})
}

// key is the mailbox key of the export ("company", "entities[2]").
func (o outcome) key() string {
	if o.Key != "" {
		return o.Key
	}
	return "company"
}
