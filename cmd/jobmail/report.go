package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/jobmail/jobmail/providers/discover"
	"github.com/jobmail/jobmail/wizard"
	"github.com/jobmail/jobmail/wizard/setupfile"
)

func init() { extraCommands = append(extraCommands, newReportCmd) }

// detectTimeout bounds the MX lookups of `report --test`: the provider
// only picks which forwarding instructions are shown.
const detectTimeout = 5 * time.Second

// providerDetector names who runs an address's mail (google | microsoft
// | other) from DNS; `report --test` asks it where the setup says nothing.
type providerDetector func(ctx context.Context, address string) (string, error)

func dnsDetector(ctx context.Context, address string) (string, error) {
	p, err := discover.DetectProvider(ctx, nil, address)
	return string(p.ID), err
}

func newReportCmd(opts *Options) *cobra.Command {
	var test bool
	cmd := &cobra.Command{
		Use:  "report",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runReport(cmd.Context(), opts, test, dnsDetector)
		},
	}
	cmd.Flags().StringVar(&opts.Config, "config", "", "")
	cmd.Flags().StringVar(&opts.Output, "output", "", "")
	cmd.Flags().BoolVar(&test, "test", false, "")
	cmd.Flags().IntVar(&opts.Parallel, "parallel", 8, "")
	return cmd
}

// jsonReport is `report --json`: where the report went and its content
// as codes and data (wizard.Report). The command succeeds when the report
// is written, whatever the live test found: a failing test is what the
// report is for. test_exit_code is the worst result of the test, as
// `jobmail test` would have exited.
type jsonReport struct {
	OK           bool           `json:"ok"`
	Report       string         `json:"report"`
	Tested       bool           `json:"tested"`
	TestExitCode int            `json:"test_exit_code"`
	Handoff      *wizard.Report `json:"handoff"`
	ExitCode     int            `json:"exit_code"`
}

// runReport is `jobmail report`: the IT hand-off report from the setup
// file, after a live test of every connection when test is set.
func runReport(ctx context.Context, opts *Options, test bool, detect providerDetector) error {
	if opts.Config == "" { // checked here, not by cobra: a usage error is exit 2, in words
		return withExit(ExitUsage, errNoConfig)
	}
	if opts.Output == "-" && opts.JSON {
		return usage("cli.usage.output_json", nil)
	}
	loaded, err := setupfile.LoadFile(opts.Config)
	if err != nil {
		return reportSetupError(opts, err)
	}
	rep, outs, err := buildReport(ctx, opts, loaded, test, detect)
	if err != nil {
		return err
	}
	words := reportWords(opts.words, loaded.Setup)
	md := renderReport(words, rep, opts.Config)
	path := opts.reportPath()
	if path == "-" {
		_, err = opts.f.Stdout.Write(md)
	} else {
		err = setupfile.WriteFileAtomic(path, md, 0o600, opts.Config)
	}
	if err != nil {
		return fmt.Errorf("write report %s: %w", path, err)
	}
	testCode := ExitOK
	if test {
		testCode = worstExit(outs)
		printSummary(opts, outs)
	}
	if opts.JSON {
		writeJSON(opts, jsonReport{OK: true, Report: path, Tested: test, TestExitCode: testCode, Handoff: rep, ExitCode: ExitOK})
	}
	if path != "-" {
		fmt.Fprintln(opts.f.Stderr, opts.words.T("report.written", map[string]string{"path": path}))
	}
	return nil
}

// buildReport runs the live test (when asked) and the MX lookups side by
// side, then builds the report's model. An interrupted test writes no
// report: half the results would read as failures.
func buildReport(ctx context.Context, opts *Options, loaded *setupfile.Loaded, test bool, detect providerDetector) (*wizard.Report, []outcome, error) {
	setup := loaded.Setup
	ro := wizard.ReportOptions{Now: opts.f.Now, Getenv: opts.f.Getenv, Warnings: loaded.Warnings}
	if !test {
		return wizard.NewReport(setup, ro), nil, nil
	}
	var providers map[string]string
	var wg sync.WaitGroup
	if detect != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			providers = detectProviders(ctx, setup, detect, opts.Parallel)
		}()
	}
	outs := replayAll(ctx, opts, opts.env(), setup, loaded.Warnings)
	wg.Wait()
	if ctx.Err() != nil {
		return nil, nil, withExit(ExitInterrupted, ctx.Err())
	}
	ro.Tests, ro.Providers = reportTests(outs), providers
	return wizard.NewReport(setup, ro), outs, nil
}

// reportTests turns outcomes into the report's view of a test: the
// diagnosis of a failed test, of a blocked prerequisite or of an error
// that stopped the run (a secret, the setup) alike.
func reportTests(outs []outcome) map[string]wizard.ReportTest {
	tests := make(map[string]wizard.ReportTest, len(outs))
	for _, o := range outs {
		t := wizard.ReportTest{OK: o.ExitCode == ExitOK, TestedWith: o.SharedWith}
		if s := o.Session; s != nil && s.Result != nil {
			r := s.Result
			t.At, t.Duration, t.Stages, t.Transcript, t.Diagnosis = r.Started, r.Duration, r.Stages, r.Transcript, r.Diagnosis
		}
		switch {
		case o.Step.Blocked != nil:
			d := *o.Step.Blocked
			t.Diagnosis = &d
		case o.Err != nil:
			d := diagnosisOfError(o.Err)
			t.Diagnosis = &d
		}
		if t.OK {
			t.Diagnosis = nil
		}
		tests[o.key()] = t
	}
	return tests
}

// detectProviders looks up the MX records of every distinct domain of
// the setup, at most parallel at a time, within detectTimeout. A failed
// lookup leaves the mailbox's provider unknown.
func detectProviders(ctx context.Context, setup *setupfile.Setup, detect providerDetector, parallel int) map[string]string {
	ctx, cancel := context.WithTimeout(ctx, detectTimeout)
	defer cancel()
	byDomain := map[string][]string{} // domain → mailbox keys
	var domains []string
	for _, m := range setup.Effective() {
		_, d, ok := strings.Cut(strings.ToLower(m.Address), "@")
		if !ok || d == "" {
			continue
		}
		if _, seen := byDomain[d]; !seen {
			domains = append(domains, d)
		}
		byDomain[d] = append(byDomain[d], m.Key)
	}
	if parallel < 1 {
		parallel = 1
	}
	var mu sync.Mutex
	out := map[string]string{}
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	for _, d := range domains {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			p, err := detect(ctx, d)
			if err != nil || p == "" {
				return
			}
			mu.Lock()
			defer mu.Unlock()
			for _, k := range byDomain[d] {
				out[k] = p
			}
		}()
	}
	wg.Wait()
	return out
}

// reportPath is where the report goes: --output (- is stdout); without
// it, stdout when stdout is piped or redirected (and not needed by
// --json), else DefaultReportName beside the setup file.
func (o *Options) reportPath() string {
	if o.Output != "" {
		return o.Output
	}
	if !o.JSON && (o.f.StdoutIsTerminal == nil || !o.f.StdoutIsTerminal()) {
		return "-"
	}
	return filepath.Join(filepath.Dir(o.Config), DefaultReportName)
}
