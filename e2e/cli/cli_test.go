// Package cli_test drives the real jobmail binary against the real mail
// server (mailpeer) and, where marked, a real Secret Service: every row is
// a command line, its exit code, its diagnosis code and what must (not)
// appear in its outputs.
package cli_test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jobmail/jobmail/e2e/e2eenv"
)

type result struct {
	Code   int
	Stdout string
	Stderr string
	JSON   map[string]any
	Took   time.Duration
}

type runner struct {
	t   *testing.T
	bin string
	dir string
	mp  e2eenv.Mailpeer
}

func newRunner(t *testing.T) *runner {
	mp := e2eenv.Require(t)
	dir := t.TempDir()
	return &runner{t: t, bin: e2eenv.Binary(t, dir), dir: dir, mp: mp}
}

// setup writes a setup file for the mailpeer SMTP channel.
func (r *runner) setup(name string, smtp map[string]string) string {
	r.t.Helper()
	var b strings.Builder
	b.WriteString("version: 1\nplatform:\n  account: acme\ncompany:\n")
	addr := smtp["address"]
	if addr == "" {
		addr = r.mp.Get("MAILPEER_USER", "jobs@example.test")
	}
	delete(smtp, "address")
	b.WriteString("  address: " + addr + "\n  channel: smtp\n  smtp:\n")
	for _, k := range []string{"host", "port", "security", "username", "password", "ca_file"} {
		if v, ok := smtp[k]; ok {
			b.WriteString("    " + k + ": " + v + "\n")
		}
	}
	p := filepath.Join(r.dir, name+".yaml")
	if err := os.WriteFile(p, []byte(b.String()), 0o600); err != nil {
		r.t.Fatal(err)
	}
	return p
}

func (r *runner) run(env []string, stdin string, args ...string) result {
	r.t.Helper()
	cmd := exec.Command(r.bin, args...)
	cmd.Env = append(append(os.Environ(), "LANG=C"), env...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	err := cmd.Run()
	res := result{Stdout: out.String(), Stderr: errb.String(), Took: time.Since(start)}
	if ee, ok := err.(*exec.ExitError); ok {
		res.Code = ee.ExitCode()
	} else if err != nil {
		r.t.Fatalf("run %v: %v", args, err)
	}
	if strings.Contains(strings.Join(args, " "), "--json") {
		if err := json.Unmarshal(out.Bytes(), &res.JSON); err != nil {
			r.t.Fatalf("stdout is not one JSON object: %v\n%s\nstderr: %s", err, out.String(), errb.String())
		}
	}
	if strings.Contains(res.Stderr, "goroutine ") || strings.Contains(res.Stderr, "panic:") {
		r.t.Fatalf("stack trace on stderr:\n%s", res.Stderr)
	}
	return res
}

func diagCode(j map[string]any) string {
	d, _ := j["diagnosis"].(map[string]any)
	c, _ := d["code"].(string)
	return c
}

func stageNames(j map[string]any) []string {
	var out []string
	st, _ := j["stages"].([]any)
	for _, s := range st {
		m := s.(map[string]any)
		out = append(out, m["name"].(string))
	}
	return out
}

func TestLiveTestAgainstMailpeer(t *testing.T) {
	r := newRunner(t)
	ca := r.mp.Get("MAILPEER_CA_FILE", "")
	pwEnv := "JOBMAIL_TEST_PW=" + r.mp.Get("MAILPEER_PASSWORD", "jobs-Secret-123")
	sub, smtps, opt, plain := r.mp.Get("MAILPEER_SUBMISSION_PORT", "12587"), r.mp.Get("MAILPEER_SMTPS_PORT", "12465"),
		r.mp.Get("MAILPEER_OPTTLS_PORT", "12526"), r.mp.Get("MAILPEER_SMTP_PORT", "12525")
	base := func(port, sec string) map[string]string {
		return map[string]string{"host": "localhost", "port": port, "security": sec, "password": "env:JOBMAIL_TEST_PW", "ca_file": ca}
	}
	without := func(m map[string]string, k string) map[string]string { delete(m, k); return m }
	with := func(m map[string]string, k, v string) map[string]string { m[k] = v; return m }
	cases := []struct {
		name     string
		smtp     map[string]string
		env      []string
		flags    []string
		exit     int
		code     string
		maxTook  time.Duration
		delivers bool
	}{
		{"starttls 587 with ca_file", base(sub, "starttls"), nil, nil, 0, "", 0, true},
		{"smtps 465", base(smtps, "smtps"), nil, nil, 0, "", 0, true},
		{"starttls on optional-TLS port", base(opt, "starttls"), nil, nil, 0, "", 0, true},
		{"wrong password", base(sub, "starttls"), []string{"JOBMAIL_TEST_PW=wrong-password"}, nil, 4, "auth.rejected", 0, false},
		{"system roots only", without(base(sub, "starttls"), "ca_file"), nil, nil, 4, "tls.untrusted_cert", 0, false},
		{"smtps against the STARTTLS port", base(sub, "smtps"), nil, []string{"--timeout", "3s"}, 4, "tls.not_tls", 4 * time.Second, false},
		{"starttls against the SMTPS port", base(smtps, "starttls"), nil, []string{"--timeout", "3s"}, 4, "smtp.no_greeting", 4 * time.Second, false},
		{"closed port", base("12999", "starttls"), nil, nil, 4, "net.refused", 0, false},
		{"credentials in clear refused", without(base(plain, "none"), "ca_file"), nil, nil, 3, "config.insecure", 0, false},
		{"credentials in clear allowed", without(base(plain, "none"), "ca_file"), nil, []string{"--allow-insecure"}, 0, "", 0, true},
		{"unsupported host", with(base(sub, "starttls"), "host", "smtp-relay.gmail.com"), nil, nil, 3, "config.unsupported_host", time.Second, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r.t = t
			cfg := r.setup(strings.ReplaceAll(tc.name, " ", "_"), tc.smtp)
			env := append([]string{pwEnv}, tc.env...)
			args := append([]string{"--config", cfg, "--json", "--export", filepath.Join(r.dir, "export.json")}, tc.flags...)
			res := r.run(env, "", args...)
			if res.Code != tc.exit {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", res.Code, tc.exit, res.Stdout, res.Stderr)
			}
			if got := diagCode(res.JSON); got != tc.code {
				t.Fatalf("diagnosis %q, want %q\n%s", got, tc.code, res.Stdout)
			}
			if res.JSON["exit_code"].(float64) != float64(tc.exit) {
				t.Fatalf("exit_code in JSON %v, want %d", res.JSON["exit_code"], tc.exit)
			}
			if tc.maxTook > 0 && res.Took > tc.maxTook {
				t.Fatalf("took %s, want within %s", res.Took, tc.maxTook)
			}
			if tc.delivers {
				names := strings.Join(stageNames(res.JSON), ",")
				for _, want := range []string{"connect", "auth", "mail", "rcpt", "data"} {
					if !strings.Contains(names, want) {
						t.Fatalf("stages %s lack %s", names, want)
					}
				}
				tok, _ := res.JSON["verification_token"].(string)
				if tok == "" {
					t.Fatal("no verification token in the JSON")
				}
				waitForToken(t, r.mp.Get("MAILPEER_MAILDIR", ""), tok)
			}
		})
	}
}

// waitForToken waits until a message carrying tok (header and subject)
// is in the Maildir: Postfix delivers asynchronously.
func waitForToken(t *testing.T, maildir, tok string) {
	t.Helper()
	b, ok := e2eenv.Delivered(maildir, "X-Jobmail-Verification: "+tok, 10*time.Second)
	if !ok {
		t.Fatalf("no message with token %s arrived in %s", tok, maildir)
	}
	if !bytes.Contains(b, []byte("Subject:")) {
		t.Fatalf("message without subject:\n%s", b)
	}
}
