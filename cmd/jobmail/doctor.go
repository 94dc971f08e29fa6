package main

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/providers/discover"
	"github.com/jobmail/jobmail/providers/probe"
	"github.com/jobmail/jobmail/secrets/safefile"
	"github.com/jobmail/jobmail/tui/i18n"
	"github.com/jobmail/jobmail/wizard/setupfile"
)

func init() { extraCommands = append(extraCommands, newDoctorCmd) }

// doctorOptions are `jobmail doctor`'s own inputs.
type doctorOptions struct {
	Address string
	CAFile  string        // extra trust anchor (an internal CA)
	DNS     string        // host[:port] of the DNS server to ask; "": the system's
	Timeout time.Duration // the whole run
}

func newDoctorCmd(opts *Options) *cobra.Command {
	var d doctorOptions
	cmd := &cobra.Command{
		Use:  "doctor ADDRESS",
		Args: cobra.MaximumNArgs(1), // a missing address is reported like any invalid one
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				d.Address = args[0]
			}
			// The probe budget, not the live test's 30 s: like Thunderbird,
			// 10 s unless --timeout says otherwise.
			d.Timeout = probe.DefaultTimeout
			if cmd.Flags().Changed("timeout") {
				d.Timeout = opts.Timeout
			}
			return runDoctor(cmd.Context(), opts, d, discover.Options{})
		},
	}
	cmd.Flags().StringVar(&d.CAFile, "ca-file", "", "")
	cmd.Flags().StringVar(&d.DNS, "dns", "", "")
	return cmd
}

// runDoctor is `jobmail doctor ADDRESS`: everything that can be learnt
// without credentials, as a table on stdout (results as they come; on
// stderr with --json) and, with --json, one object on stdout. base carries injected dependencies (tests);
// flags fill in the rest. Exit 0 when a server is ready to use, 3 when not.
func runDoctor(ctx context.Context, opts *Options, d doctorOptions, base discover.Options) error {
	if err := setupfile.ValidateAddress(d.Address); err != nil {
		var fe *setupfile.FieldError
		if errors.As(err, &fe) && fe.Key == "" {
			fe.Key = "ADDRESS"
		}
		return withExit(ExitUsage, err)
	}
	do := base
	do.ProbeTimeout = d.Timeout
	if do.OutgoingIPs == nil {
		do.OutgoingIPs = setupfile.DefaultOutgoingIPs
	}
	if d.CAFile != "" {
		roots, err := doctorRoots(d.CAFile)
		if err != nil {
			return withExit(ExitUsage, err)
		}
		do.RootCAs = roots
	}
	if d.DNS != "" {
		server := d.DNS
		if _, _, err := net.SplitHostPort(server); err != nil {
			server = net.JoinHostPort(server, "53")
		}
		do.Resolver = discover.NewServerResolver(server)
	}
	o := opts
	fmt.Fprintf(o.doctorOut(), "%-40s %-10s %-8s %s\n", o.words.T("cli.col.server"), o.words.T("cli.col.security"),
		o.words.T("cli.col.result"), o.words.T("cli.col.code"))
	rep, err := discover.RunStream(ctx, d.Address, do, func(ev discover.Event) { o.doctorProgress(ev) })
	if err != nil {
		return withExit(ExitUsage, err)
	}
	if ctx.Err() != nil {
		return withExit(ExitInterrupted, nil)
	}
	code := ExitOK
	if !rep.Verdict.Ready {
		code = ExitPrereq
	}
	o.doctorSummary(rep)
	if o.JSON {
		writeJSON(o, o.doctorJSON(rep, code))
	}
	if code != ExitOK {
		return withExit(code, nil)
	}
	return nil
}

func doctorRoots(path string) (*x509.CertPool, error) {
	b, err := safefile.Read(context.Background(), path, safefile.ReadOptions{Max: safefile.MaxCA})
	if err != nil {
		return nil, &setupfile.FieldError{Key: "--ca-file", Reason: setupfile.ReasonCAFileUnreadable,
			Args: map[string]string{"path": path}, Err: err}
	}
	if !x509.NewCertPool().AppendCertsFromPEM(b) {
		return nil, &setupfile.FieldError{Key: "--ca-file", Reason: setupfile.ReasonCAFileNoCert, Args: map[string]string{"path": path}}
	}
	return probe.LoadRoots(path)
}

// doctorOut is where the doctor's report for people goes: stdout, the
// command's output, unless --json claims stdout for the machine object;
// then the report is the talk on stderr beside it.
func (o *Options) doctorOut() io.Writer {
	if o.JSON {
		return o.f.Stderr
	}
	return o.f.Stdout
}

// doctorProgress prints each probe result, and each host that cannot
// work, the moment it is known.
func (o *Options) doctorProgress(ev discover.Event) {
	row := func(server, sec string, ok bool, code providers.Code) {
		result := o.words.T("cli.result.ok")
		if !ok {
			result = o.words.T("cli.result.failed")
		}
		fmt.Fprintf(o.doctorOut(), "%-40s %-10s %-8s %s\n", i18n.Escape(server), sec, result, code) // server: from DNS
	}
	switch ev.Kind {
	case discover.EventResult:
		r := ev.Result
		row(r.Target.Addr(), string(r.Target.Security), r.OK, r.Code())
	case discover.EventFailure:
		row(ev.Failure.Host, "-", false, ev.Failure.Diagnosis.Code)
	case discover.EventUnsupported:
		row(ev.Unsupported.Host, "-", false, ev.Unsupported.Diagnosis.Code)
	}
}

// doctorSummary explains the codes seen, then the provider, the verdict,
// the notices and the mail-domain checks.
func (o *Options) doctorSummary(rep *discover.Report) {
	w := o.doctorOut()
	seen := map[providers.Code]bool{}
	explain := func(d providers.Diagnosis) {
		if d.Code != "" && !seen[d.Code] {
			seen[d.Code] = true
			fmt.Fprintf(w, "  %s: %s\n", d.Code, o.words.Diagnosis(d).Title)
		}
	}
	fmt.Fprintln(w)
	for _, f := range rep.Verdict.Failed {
		explain(f.Diagnosis)
	}
	for _, u := range rep.Unsupported {
		t := o.words.Diagnosis(u.Diagnosis)
		fmt.Fprintf(w, "  %s: %s %s\n", i18n.Escape(u.Host), t.Explain, t.Remedy)
	}

	fmt.Fprintln(w)
	p := rep.Provider
	mx := strings.Join(p.MX, ", ")
	if p.Name != "" {
		mx = p.Name
	}
	args := map[string]string{"domain": rep.Domain, "mx": mx}
	if p.ID == discover.ProviderOther && len(p.MX) == 0 && p.Name == "" {
		fmt.Fprintln(w, o.words.T("tui.detect.found.unknown", args))
	} else {
		fmt.Fprintln(w, o.words.T("tui.detect.found."+string(p.ID), args))
	}
	fmt.Fprintln(w, o.words.T("tui.detect.suggest", map[string]string{"channel": o.words.Channel(p.Channel)}))

	fmt.Fprintln(w)
	v := rep.Verdict
	switch c := v.Recommended; {
	case c == nil:
		fmt.Fprintln(w, o.words.T("doctor.none"))
	default:
		args := map[string]string{"host": c.Host, "port": strconv.Itoa(c.Port), "security": o.words.Security(c.Security), "username": c.Username}
		if v.Ready {
			fmt.Fprintln(w, o.words.T("doctor.recommended", args))
		} else {
			fmt.Fprintln(w, o.words.T("doctor.not_ready", args))
		}
		fmt.Fprintln(w, "  "+o.words.T("doctor.reasons"))
		for _, r := range c.Reasons {
			fmt.Fprintf(w, "    - %s\n", o.words.T(string(r.Code), r.Args))
		}
		if c.Diagnosis != nil {
			t := o.words.Diagnosis(*c.Diagnosis)
			fmt.Fprintf(w, "  ✗ %s: %s\n    %s %s\n", t.Title, t.Explain, o.words.T("cli.what_to_do"), t.Remedy)
		}
	}
	for _, n := range rep.Notices {
		o.printFinding(n)
	}
	if len(rep.Hygiene) > 0 {
		fmt.Fprintln(w)
		fmt.Fprintln(w, o.words.T("doctor.checks", map[string]string{"domain": rep.Domain}))
		for _, h := range rep.Hygiene {
			o.printFinding(h)
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, o.words.N("doctor.tested", len(rep.Results), map[string]string{
		"duration": o.words.Duration(time.Duration(rep.DurationMS) * time.Millisecond)}))
}

func (o *Options) printFinding(f discover.Finding) {
	t := o.words.Diagnosis(providers.Diagnosis{Code: f.Code, Args: f.Args})
	if f.Severity == discover.SeverityWarning {
		fmt.Fprintf(o.doctorOut(), "  ⚠ %s: %s %s\n", t.Title, t.Explain, t.Remedy)
		return
	}
	fmt.Fprintf(o.doctorOut(), "  · %s\n", t.Title)
}

// jsonDoctor is `doctor --json`: the report's codes and data, with the
// localized words next to each diagnosis like every other --json object.
type jsonDoctor struct {
	OK          bool                 `json:"ok"`
	Address     string               `json:"address"`
	Domain      string               `json:"domain"`
	Provider    discover.Provider    `json:"provider"`
	WellKnown   *discover.WellKnown  `json:"well_known"`
	Ready       bool                 `json:"ready"`
	Recommended *jsonChoice          `json:"recommended"`
	Failed      []jsonFailure        `json:"failed"`
	Unsupported []jsonFailure        `json:"unsupported"`
	Notices     []jsonFinding        `json:"notices"`
	Hygiene     []jsonFinding        `json:"hygiene"`
	Candidates  []discover.Candidate `json:"candidates"`
	Results     []probe.Result       `json:"results"`
	DurationMS  int64                `json:"duration_ms"`
	ExitCode    int                  `json:"exit_code"`
}

type jsonChoice struct {
	Host      string            `json:"host"`
	Port      int               `json:"port"`
	Security  string            `json:"security"`
	Username  string            `json:"username"`
	Sources   []discover.Source `json:"sources"`
	Reasons   []jsonReason      `json:"reasons"`
	Diagnosis *jsonDiagnosis    `json:"diagnosis"`
}

type jsonReason struct {
	Code string            `json:"code"`
	Args map[string]string `json:"args,omitempty"`
	Text string            `json:"text"`
}

type jsonFailure struct {
	Host      string         `json:"host"`
	Port      int            `json:"port,omitempty"`
	Security  string         `json:"security,omitempty"`
	Source    string         `json:"source,omitempty"`
	Inferred  bool           `json:"inferred,omitempty"`
	Diagnosis *jsonDiagnosis `json:"diagnosis"`
}

type jsonFinding struct {
	Severity  string         `json:"severity"`
	Diagnosis *jsonDiagnosis `json:"diagnosis"`
}

func (o *Options) doctorJSON(rep *discover.Report, code int) jsonDoctor {
	j := jsonDoctor{OK: code == ExitOK, Address: rep.Address, Domain: rep.Domain, Provider: rep.Provider, WellKnown: rep.WellKnown,
		Ready: rep.Verdict.Ready, Failed: []jsonFailure{}, Unsupported: []jsonFailure{}, Notices: []jsonFinding{},
		Hygiene: []jsonFinding{}, Candidates: rep.Candidates, Results: rep.Results, DurationMS: rep.DurationMS, ExitCode: code}
	if c := rep.Verdict.Recommended; c != nil {
		jc := &jsonChoice{Host: c.Host, Port: c.Port, Security: string(c.Security), Username: c.Username, Sources: c.Sources,
			Reasons: []jsonReason{}, Diagnosis: o.jsonDiag(c.Diagnosis)}
		for _, r := range c.Reasons {
			jc.Reasons = append(jc.Reasons, jsonReason{Code: string(r.Code), Args: r.Args, Text: o.words.T(string(r.Code), r.Args)})
		}
		j.Recommended = jc
	}
	for _, f := range rep.Verdict.Failed {
		j.Failed = append(j.Failed, jsonFailure{Host: f.Host, Port: f.Port, Security: string(f.Security), Inferred: f.Inferred, Diagnosis: o.jsonDiag(&f.Diagnosis)})
	}
	for _, u := range rep.Unsupported {
		j.Unsupported = append(j.Unsupported, jsonFailure{Host: u.Host, Source: string(u.Source), Diagnosis: o.jsonDiag(&u.Diagnosis)})
	}
	finding := func(f discover.Finding) jsonFinding {
		return jsonFinding{Severity: string(f.Severity), Diagnosis: o.jsonDiag(&providers.Diagnosis{Code: f.Code, Args: f.Args})}
	}
	for _, n := range rep.Notices {
		j.Notices = append(j.Notices, finding(n))
	}
	for _, h := range rep.Hygiene {
		j.Hygiene = append(j.Hygiene, finding(h))
	}
	return j
}
