// Package entities_test replays a setup with many subsidiaries (legal
// entities) through the real jobmail binary against the real mail server
// (mailpeer, whose e01…e24@example.test logins each have a Maildir):
// every distinct connection is tested, identical ones once, the failures
// planted on purpose get their own codes and nothing else is affected.
package entities_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jobmail/jobmail/e2e/e2eenv"
)

// entity is one mailbox of the generated setup and what its run must give.
type entity struct {
	name    string
	address string // "" inherits the company
	smtp    string // the smtp block's extra lines (YAML, indented 6)
	env     string // NAME=value for its password reference
	code    string // expected diagnosis code, "" for a pass
	exit    int
	with    string // expected tested_with
}

type suite struct {
	t      *testing.T
	mp     e2eenv.Mailpeer
	bin    string
	dir    string
	start  time.Time
	closed int // a port nobody listens on
}

func newSuite(t *testing.T) *suite {
	mp := e2eenv.Require(t)
	dir := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	return &suite{t: t, mp: mp, bin: e2eenv.Binary(t, dir), dir: dir, start: time.Now().Add(-time.Second), closed: closed}
}

func pw(n int) string { return fmt.Sprintf("entity-pw-%02d", n) }

// mailboxes: the company (e01) and 24 entities: e02…e20 pass, one
// inherits the company, one spells the company's connection its own way
// (identical: tested once), and three fail on purpose.
func (s *suite) mailboxes(withFailures bool) []entity {
	var es []entity
	for n := 2; n <= 20; n++ {
		es = append(es, entity{name: fmt.Sprintf("Acme %02d GmbH", n), address: fmt.Sprintf("e%02d@example.test", n),
			smtp: fmt.Sprintf("      password: env:E%02d_PW\n", n), env: fmt.Sprintf("E%02d_PW=%s", n, pw(n))})
	}
	es = append(es,
		entity{name: "Acme Logistics", with: "company"},
		entity{name: "Acme Holding", address: "E01@Example.test", with: "company",
			smtp: "      host: LOCALHOST\n      username: e01@example.test\n      password: env:E01_PW\n      port: " +
				s.mp.Get("MAILPEER_SUBMISSION_PORT", "12587") + "\n      security: starttls\n      ca_file: " + s.mp.Get("MAILPEER_CA_FILE", "") + "\n"},
	)
	if withFailures {
		es = append(es,
			entity{name: "Acme Wrong Password", address: "e21@example.test", smtp: "      password: env:E21_PW\n",
				env: "E21_PW=" + pw(21) + "-wrong", code: "auth.rejected", exit: 4},
			entity{name: "Acme Closed Port", address: "e22@example.test", smtp: fmt.Sprintf("      port: %d\n      password: env:E22_PW\n", s.closed),
				env: "E22_PW=" + pw(22), code: "net.refused", exit: 4},
			entity{name: "Acme Relay", address: "e23@example.test", smtp: "      host: smtp-relay.gmail.com\n      password: env:E23_PW\n",
				env: "E23_PW=" + pw(23), code: "config.unsupported_host", exit: 3},
		)
	}
	return es
}

// write writes the setup file: the company on mailpeer's required-STARTTLS
// port with its CA, every entity inheriting that server.
func (s *suite) write(name string, es []entity) (string, []string) {
	var b strings.Builder
	fmt.Fprintf(&b, "version: 1\nplatform:\n  account: acme\ncompany:\n  address: e01@example.test\n  channel: smtp\n  smtp:\n")
	fmt.Fprintf(&b, "    host: localhost\n    port: %s\n    security: starttls\n    password: env:E01_PW\n    ca_file: %s\nentities:\n",
		s.mp.Get("MAILPEER_SUBMISSION_PORT", "12587"), s.mp.Get("MAILPEER_CA_FILE", ""))
	env := []string{"E01_PW=" + pw(1)}
	for _, e := range es {
		fmt.Fprintf(&b, "  - name: %s\n", e.name)
		if e.address != "" {
			fmt.Fprintf(&b, "    address: %s\n    smtp:\n%s", e.address, e.smtp)
		}
		if e.env != "" {
			env = append(env, e.env)
		}
	}
	p := filepath.Join(s.dir, name)
	if err := os.WriteFile(p, []byte(b.String()), 0o600); err != nil {
		s.t.Fatal(err)
	}
	return p, env
}

type run struct {
	code           int
	stdout, stderr string
	json           jsonRun
}

type jsonRun struct {
	OK       bool         `json:"ok"`
	Entities []jsonEntity `json:"entities"`
	Export   string       `json:"export"`
	ExitCode int          `json:"exit_code"`
}

type jsonEntity struct {
	OK         bool   `json:"ok"`
	Entity     string `json:"entity"`
	Key        string `json:"key"`
	TestedWith string `json:"tested_with"`
	Address    string `json:"address"`
	Channel    string `json:"channel"`
	Stages     []struct {
		Name string `json:"name"`
		OK   bool   `json:"ok"`
	} `json:"stages"`
	Diagnosis *struct {
		Code string `json:"code"`
	} `json:"diagnosis"`
	Token      string   `json:"verification_token"`
	Transcript []string `json:"transcript"`
	ExitCode   int      `json:"exit_code"`
}

func (e jsonEntity) code() string {
	if e.Diagnosis == nil {
		return ""
	}
	return e.Diagnosis.Code
}

func (s *suite) run(env []string, args ...string) run {
	s.t.Helper()
	cmd := exec.Command(s.bin, args...)
	cmd.Env = append(append(os.Environ(), "LANG=C"), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := run{stdout: out.String(), stderr: errb.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		s.t.Fatalf("run %v: %v", args, err)
	}
	if strings.Contains(r.stderr, "panic:") || strings.Contains(r.stderr, "goroutine ") {
		s.t.Fatalf("stack trace on stderr:\n%s", r.stderr)
	}
	for i := 1; i <= 24; i++ { // no password, in any output
		if strings.Contains(r.stdout+r.stderr, pw(i)) {
			s.t.Fatalf("password %s printed by %v", pw(i), args)
		}
	}
	if strings.Contains(strings.Join(args, " "), "--json") {
		if err := json.Unmarshal(out.Bytes(), &r.json); err != nil {
			s.t.Fatalf("stdout is not one JSON object: %v\n%s\nstderr: %s", err, r.stdout, r.stderr)
		}
	}
	return r
}

// waitForToken waits until a message carrying tok is in the Maildir of
// the login local@example.test: Postfix delivers asynchronously.
func (s *suite) waitForToken(local, tok string) {
	s.t.Helper()
	maildir := filepath.Join(filepath.Dir(s.mp.Get("MAILPEER_MAILDIR", "/tmp/mailpeer/state/mail/example.test/jobs")), local)
	deadline := time.Now().Add(15 * time.Second)
	seen := map[string]bool{}
	for time.Now().Before(deadline) {
		for _, sub := range []string{"new", "cur"} {
			files, _ := filepath.Glob(filepath.Join(maildir, sub, "*"))
			for _, f := range files {
				fi, err := os.Stat(f)
				if err != nil || seen[filepath.Base(f)] || fi.ModTime().Before(s.start) {
					continue
				}
				seen[filepath.Base(f)] = true
				if b, err := os.ReadFile(f); err == nil && bytes.Contains(b, []byte("X-Jobmail-Verification: "+tok)) {
					return
				}
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.t.Errorf("no message with token %s arrived in %s", tok, maildir)
}

// byKey indexes a run's entities by setup-file key.
func byKey(j jsonRun) map[string]jsonEntity {
	m := map[string]jsonEntity{}
	for _, e := range j.Entities {
		m[e.Key] = e
	}
	return m
}
