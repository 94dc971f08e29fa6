package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"

	"github.com/jobmail/jobmail/providers/smtp/smtptest"
	"github.com/jobmail/jobmail/secrets"
	"github.com/jobmail/jobmail/tui/i18n"
	"github.com/jobmail/jobmail/wizard"
	"github.com/jobmail/jobmail/wizard/setupfile"
)

// -update rewrites the golden files; defined here unless another test
// file of the package already did.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite testdata/*.golden")
	}
}

func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

var reportNow = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

// Passwords of the in-process servers' accounts; they must never reach
// the report, in clear or in base64.
const (
	pwCompany = "Company-Secret-Q1"
	pwItalia  = "Italia-Secret-Q2"
)

// noKeyring is a machine without a Secret Service: every call fails the
// way the real keyring does then.
type noKeyring struct{}

func (noKeyring) Get(context.Context, string) (secrets.Secret, error) {
	return secrets.Secret{}, secrets.ErrUnavailable
}
func (noKeyring) Set(context.Context, string, secrets.Secret) error { return secrets.ErrUnavailable }
func (noKeyring) Delete(context.Context, string) error              { return secrets.ErrUnavailable }

type reportRig struct {
	dir, cfg       string
	env            map[string]string
	stdout, stderr *bytes.Buffer
}

// newReportRig starts two real SMTP servers (STARTTLS with a throwaway
// CA): one that accepts the company's login, one that refuses every
// login as Microsoft 365 does when SMTP AUTH is off. The setup file has
// a mailbox of every kind the report tells apart.
func newReportRig(t *testing.T) *reportRig {
	t.Helper()
	pki, err := smtptest.NewPKI("report test CA")
	if err != nil {
		t.Fatal(err)
	}
	tlsCfg, err := pki.ServerTLS(smtptest.Leaf{Names: []string{"localhost"}})
	if err != nil {
		t.Fatal(err)
	}
	ok := smtptest.NewServer(t, smtptest.Options{TLS: tlsCfg, RequireAuth: true, Users: map[string]string{"jobs@acme.test": pwCompany}})
	off := smtptest.NewServer(t, smtptest.Options{TLS: tlsCfg, RequireAuth: true, Users: map[string]string{"jobs@acme-it.test": pwItalia},
		AuthError: &gosmtp.SMTPError{Code: 535, EnhancedCode: gosmtp.EnhancedCode{5, 7, 139},
			Message: "Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox."}})
	dir := t.TempDir()
	ca, err := pki.WriteCA(dir)
	if err != nil {
		t.Fatal(err)
	}
	yaml := `version: 1
platform:
  account: acme
company:
  address: jobs@acme.test
  channel: smtp
  smtp:
    host: localhost
    port: ` + itoa(ok.Port) + `
    password: env:PW_COMPANY
    ca_file: ` + ca + `
entities:
  - name: Acme Logistics
  - name: Acme Italia S.r.l.
    address: jobs@acme-it.test
    forwarding: done
    smtp:
      host: localhost
      port: ` + itoa(off.Port) + `
      password: env:PW_ITALIA
      ca_file: ` + ca + `
  - name: Acme UK
    address: jobs@acme-uk.test
    channel: microsoft
    microsoft:
      tenant: acme.onmicrosoft.com
      client_id: 11111111-2222-3333-4444-555555555555
  - name: "Acme *Ireland* | Ltd"
    address: jobs@acme-ie.test
    channel: platform
  - name: Acme Spain
    address: jobs@acme-es.test
    channel: smtp
    smtp:
      host: smtp-relay.gmail.com
      password: env:PW_COMPANY
`
	cfg := filepath.Join(dir, "jobmail.yaml")
	if err := os.WriteFile(cfg, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	return &reportRig{dir: dir, cfg: cfg, env: map[string]string{"PW_COMPANY": pwCompany, "PW_ITALIA": pwItalia},
		stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func (r *reportRig) factory() *Factory {
	return &Factory{
		Stdin: strings.NewReader(""), Stdout: r.stdout, Stderr: r.stderr,
		IsTerminal: func() bool { return false },
		Getenv:     func(k string) string { return r.env[k] },
		LookupEnv:  func(k string) (string, bool) { v, ok := r.env[k]; return v, ok },
		ReadFile:   os.ReadFile,
		Now:        time.Now, // the TLS check uses it: the throwaway certificates are valid now
		Keyring:    func() secrets.Store { return noKeyring{} },
	}
}

// options: Parallel 1 because replayAll's sessions share the Setup and
// each answers platform.account on it, which -race reports (found here,
// reported to the lead); the e2e suite runs the binary in parallel.
func (r *reportRig) options(lang i18n.Lang) *Options {
	return &Options{Config: r.cfg, Timeout: 10 * time.Second, Parallel: 1, f: r.factory(), words: i18n.New(lang)}
}

// normalize fixes what differs from run to run: random ports, times.
func normalize(rep *wizard.Report) {
	rep.GeneratedAt = reportNow
	for i := range rep.Mailboxes {
		m := &rep.Mailboxes[i]
		if m.Settings.Host == "localhost" {
			m.Settings.Port = 2587
		}
		if t := m.Test; t != nil {
			if !t.At.IsZero() {
				t.At = reportNow
			}
			if t.Duration > 0 {
				t.Duration = 250 * time.Millisecond
			}
			for j := range t.Stages {
				t.Stages[j].Duration = 2 * time.Millisecond
			}
		}
	}
}

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if updating() {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s differs (run with -update if intended):\n--- got\n%s", path, got)
	}
}

// noSecrets fails when a password shows up in clear or in the base64 of
// an AUTH PLAIN or LOGIN exchange.
func noSecrets(t *testing.T, where string, data []byte) {
	t.Helper()
	for _, pw := range []string{pwCompany, pwItalia} {
		for _, v := range []string{pw, base64.StdEncoding.EncodeToString([]byte(pw)),
			base64.StdEncoding.EncodeToString([]byte("\x00jobs@acme-it.test\x00" + pw))} {
			if bytes.Contains(data, []byte(v)) {
				t.Errorf("%s carries a password (%q)", where, v)
			}
		}
	}
}

func TestReportGolden(t *testing.T) {
	cases := []struct {
		golden string
		lang   i18n.Lang
		test   bool
	}{
		{"report.en.golden", i18n.English, true},
		{"report.de.golden", i18n.German, false},
	}
	for _, tc := range cases {
		t.Run(tc.golden, func(t *testing.T) {
			r := newReportRig(t)
			opts := r.options(tc.lang)
			loaded, err := setupfile.LoadFile(r.cfg)
			if err != nil {
				t.Fatal(err)
			}
			rep, outs, err := buildReport(context.Background(), opts, loaded, tc.test, nil)
			if err != nil {
				t.Fatal(err)
			}
			if tc.test && len(outs) != 6 {
				t.Fatalf("%d outcomes", len(outs))
			}
			normalize(rep)
			md := renderReport(reportWords(opts.words, loaded.Setup), rep, r.cfg)
			noSecrets(t, tc.golden, md)
			checkGolden(t, tc.golden, md)
		})
	}
}

// TestReportFromLiveTest checks what the live test put into the report
// against what the real servers did, independent of the golden file.
func TestReportFromLiveTest(t *testing.T) {
	r := newReportRig(t)
	opts := r.options(i18n.English)
	loaded, err := setupfile.LoadFile(r.cfg)
	if err != nil {
		t.Fatal(err)
	}
	rep, _, err := buildReport(context.Background(), opts, loaded, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		name, code, failedAction string
		ok, transcript           bool
		testedWith               string
	}{
		{name: "company", ok: true},
		{name: "Acme Logistics", ok: true, testedWith: "company"},
		{name: "Acme Italia S.r.l.", code: "auth.smtp_auth_disabled", failedAction: "smtp_auth_enabled", transcript: true},
		{name: "Acme UK", code: "secrets.keyring_unavailable"},
		{name: "Acme *Ireland* | Ltd", ok: true},
		{name: "Acme Spain", code: "config.unsupported_host"},
	}
	for i, w := range want {
		m := rep.Mailboxes[i]
		t.Run(w.name, func(t *testing.T) {
			tt := m.Test
			if m.Name != w.name || tt == nil || tt.OK != w.ok || tt.TestedWith != w.testedWith {
				t.Fatalf("mailbox %+v test %+v", m, tt)
			}
			code := ""
			if tt.Diagnosis != nil {
				code = string(tt.Diagnosis.Code)
			}
			if code != w.code {
				t.Errorf("code %q, want %q", code, w.code)
			}
			if (len(tt.Transcript) > 0) != w.transcript && !w.ok {
				t.Errorf("transcript %q", tt.Transcript)
			}
			for _, a := range m.Actions {
				if (a.Status == wizard.StatusFailed) != (a.ID == w.failedAction) {
					t.Errorf("action %s is %s", a.ID, a.Status)
				}
			}
		})
	}
	if d := rep.Mailboxes[2].Test.Diagnosis; !strings.Contains(d.Reply, "5.7.139") {
		t.Errorf("server reply lost: %q", d.Reply)
	}
}

func TestReportCommand(t *testing.T) {
	cases := []struct {
		name     string
		args     []string
		exit     int
		file     string // where the report must be, relative to the rig's dir
		stdoutMD bool
		terminal bool // stdout is a terminal
		wantJSON bool
		want     string // in the report
	}{
		{name: "default path beside the setup", args: []string{"report"}, terminal: true, file: DefaultReportName, want: "# Recruiting e-mail with Personio"},
		{name: "piped stdout is the default", args: []string{"report"}, stdoutMD: true, want: "# Recruiting e-mail with Personio"},
		{name: "json keeps stdout for itself", args: []string{"report", "--json"}, file: DefaultReportName, want: "# Recruiting e-mail with Personio"},
		{name: "output and language", args: []string{"report", "--lang", "it", "--output", "{dir}/it.md"}, file: "it.md", want: "Cosa fare"},
		{name: "stdout", args: []string{"report", "--output", "-"}, stdoutMD: true, want: "Set-CASMailbox"},
		{name: "json with test", args: []string{"report", "--test", "--parallel", "1", "--json", "--output", "{dir}/t.md"}, file: "t.md", wantJSON: true,
			want: "535 5.7.139"},
		{name: "json to stdout twice", args: []string{"report", "--json", "--output", "-"}, exit: ExitUsage},
		{name: "no config", args: []string{"report", "--output", "-"}, exit: ExitUsage},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := newReportRig(t)
			args := []string{}
			for _, a := range tc.args {
				args = append(args, strings.ReplaceAll(a, "{dir}", r.dir))
			}
			if tc.name != "no config" {
				args = append(args, "--config", r.cfg)
			}
			f := r.factory()
			f.StdoutIsTerminal = func() bool { return tc.terminal }
			code := Main(context.Background(), args, f)
			if code != tc.exit {
				t.Fatalf("exit %d, want %d\nstderr: %s", code, tc.exit, r.stderr)
			}
			if tc.exit != ExitOK {
				return
			}
			var md []byte
			switch {
			case tc.stdoutMD:
				md = r.stdout.Bytes()
			default:
				p := filepath.Join(r.dir, tc.file)
				fi, err := os.Stat(p)
				if err != nil || fi.Mode().Perm() != 0o600 {
					t.Fatalf("report file %s: %v %v", p, fi, err)
				}
				md, _ = os.ReadFile(p)
				if !strings.Contains(r.stderr.String(), p) {
					t.Errorf("stderr does not name %s: %s", p, r.stderr)
				}
			}
			if !bytes.Contains(md, []byte(tc.want)) {
				t.Errorf("report lacks %q:\n%s", tc.want, md)
			}
			noSecrets(t, "report", md)
			noSecrets(t, "stdout", r.stdout.Bytes())
			noSecrets(t, "stderr", r.stderr.Bytes())
			if tc.wantJSON {
				var j jsonReport
				if err := json.Unmarshal(r.stdout.Bytes(), &j); err != nil {
					t.Fatalf("stdout: %v\n%s", err, r.stdout)
				}
				if !j.OK || !j.Tested || j.TestExitCode != ExitSecrets || j.ExitCode != ExitOK || len(j.Handoff.Mailboxes) != 6 {
					t.Errorf("json: %+v", j)
				}
			}
		})
	}
}

func TestReportDetectsProviders(t *testing.T) {
	r := newReportRig(t)
	opts := r.options(i18n.English)
	loaded, err := setupfile.LoadFile(r.cfg)
	if err != nil {
		t.Fatal(err)
	}
	asked := map[string]int{}
	detect := func(_ context.Context, domain string) (string, error) {
		asked[domain]++ // one goroutine per domain: no two writes to one key, but guard the map anyway
		if domain == "acme-ie.test" {
			return "google", nil
		}
		return "", context.DeadlineExceeded
	}
	got := detectProviders(context.Background(), loaded.Setup, serial(detect), 4)
	if got["entities[3]"] != "google" || len(got) != 1 {
		t.Errorf("providers %v", got)
	}
	if asked["acme.test"] != 1 || len(asked) != 5 {
		t.Errorf("domains asked %v: each distinct domain once", asked)
	}
	rep, _, err := buildReport(context.Background(), opts, loaded, false, serial(detect))
	if err != nil || rep.Mailboxes[4].ProviderFrom != "" {
		t.Errorf("without --test no DNS: %+v %v", rep.Mailboxes[4], err)
	}
}

// serial makes a detector safe for concurrent calls by a test's map.
func serial(d providerDetector) providerDetector {
	ch := make(chan struct{}, 1)
	return func(ctx context.Context, a string) (string, error) {
		ch <- struct{}{}
		defer func() { <-ch }()
		return d(ctx, a)
	}
}
