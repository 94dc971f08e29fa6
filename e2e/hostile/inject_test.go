package hostile_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jobmail/jobmail/e2e/e2eenv"
)

// injSetup fills a setup file that sends through mailpeer as
// jobs@example.test and, with entity, also as an entity's own mailbox.
// Values are written as YAML double-quoted strings, so Go's escapes
// (\r, \n, \x00) become the characters themselves once parsed.
type injSetup struct {
	account, mailDomain, platformName     string
	address, senderName, host, username   string
	entity                                bool
	entityName, entityAddress, entityUser string
	caFile, port                          string
}

func (s injSetup) yaml() string {
	q := strconv.Quote
	var b strings.Builder
	fmt.Fprintf(&b, "version: 1\nplatform:\n  account: %s\n  mail_domain: %s\n  name: %s\ncompany:\n", q(s.account), q(s.mailDomain), q(s.platformName))
	fmt.Fprintf(&b, "  address: %s\n  sender_name: %s\n  channel: smtp\n  smtp:\n", q(s.address), q(s.senderName))
	fmt.Fprintf(&b, "    host: %s\n    port: %s\n    security: starttls\n    username: %s\n    password: env:JOBMAIL_PW\n    ca_file: %s\n",
		q(s.host), s.port, q(s.username), q(s.caFile))
	if s.entity {
		fmt.Fprintf(&b, "entities:\n  - name: %s\n    address: %s\n    channel: smtp\n    smtp:\n", q(s.entityName), q(s.entityAddress))
		fmt.Fprintf(&b, "      host: localhost\n      port: %s\n      security: starttls\n      username: %s\n      password: env:JOBMAIL_ENTITY_PW\n      ca_file: %s\n",
			s.port, q(s.entityUser), q(s.caFile))
	}
	return b.String()
}

// TestHeaderInjectionRefused puts a line break (CRLF, LF, CR, an empty
// line that would end the headers) or a NUL into each value that reaches
// a mail header or an SMTP command, and checks through the binary that
// the file is refused naming that key, that no stage ran, and that no
// message carrying the injected text reached any mailpeer Maildir. A
// control row with clean values delivers, so the refusals are the line
// breaks' doing and the Maildir check can see a delivery.
func TestHeaderInjectionRefused(t *testing.T) {
	mp := e2eenv.Require(t)
	start := time.Now().Add(-time.Second)
	work := t.TempDir()
	maildir := mp.Get("MAILPEER_MAILDIR", "")
	mailRoot := filepath.Dir(filepath.Dir(maildir)) // …/mail: every domain, every mailbox, outbound and catch-all
	if maildir == "" {
		t.Fatal("MAILPEER_MAILDIR not set")
	}
	clean := injSetup{account: "acme", mailDomain: "m-personio.de", platformName: "Acme Recruiting",
		address: "jobs@example.test", senderName: "company", host: "localhost", username: "jobs@example.test",
		entityName: "Acme Italia", entityAddress: "e24@example.test", entityUser: "e24@example.test",
		caFile: mp.Get("MAILPEER_CA_FILE", ""), port: mp.Get("MAILPEER_SUBMISSION_PORT", "12587")}
	env := []string{"JOBMAIL_PW=" + mp.Get("MAILPEER_PASSWORD", "jobs-Secret-123"), "JOBMAIL_ENTITY_PW=entity-pw-24"}

	fields := []struct {
		key    string
		entity bool
		set    func(s *injSetup, v string)
		base   string
		smugg  string // what the break tries to smuggle in; %s is the row's id
	}{
		{"company.address", false, func(s *injSetup, v string) { s.address = v }, "jobs@example.test", "Bcc: %s@evil.test"},
		{"company.sender_name", false, func(s *injSetup, v string) { s.senderName = v }, "company", "Bcc: %s@evil.test"},
		{"platform.name", false, func(s *injSetup, v string) { s.platformName = v }, "Acme Recruiting", "Bcc: %s@evil.test"},
		{"platform.account", false, func(s *injSetup, v string) { s.account = v }, "acme", "Bcc: %s@evil.test"},
		{"platform.mail_domain", false, func(s *injSetup, v string) { s.mailDomain = v }, "m-personio.de", "Bcc: %s@evil.test"},
		{"company.smtp.host", false, func(s *injSetup, v string) { s.host = v }, "localhost", "RCPT TO:<%s@evil.test>"},
		{"company.smtp.username", false, func(s *injSetup, v string) { s.username = v }, "jobs@example.test", "RCPT TO:<%s@evil.test>"},
		{"entities[0].name", true, func(s *injSetup, v string) { s.entityName = v }, "Acme Italia", "Bcc: %s@evil.test"},
		{"entities[0].address", true, func(s *injSetup, v string) { s.entityAddress = v }, "e24@example.test", "Bcc: %s@evil.test"},
		{"entities[0].smtp.username", true, func(s *injSetup, v string) { s.entityUser = v }, "e24@example.test", "RCPT TO:<%s@evil.test>"},
	}
	breaks := []struct{ name, s string }{{"CRLF", "\r\n"}, {"LF", "\n"}, {"CR", "\r"}, {"CRLFCRLF", "\r\n\r\n"}, {"NUL", "\x00"}}

	var ids []string
	n := 0
	for _, f := range fields {
		for _, br := range breaks {
			n++
			id := fmt.Sprintf("inj%d-%02d", time.Now().UnixNano()%1e9, n)
			ids = append(ids, id)
			t.Run(f.key+" "+br.name, func(t *testing.T) {
				s := clean
				s.entity = f.entity
				f.set(&s, f.base+br.s+fmt.Sprintf(f.smugg, id))
				p := writeFile(t, filepath.Join(work, id+".yaml"), s.yaml(), 0o600)
				for _, args := range [][]string{
					{"--config", p, "--json", "--export", filepath.Join(work, id+".json")},
					{"test", "--config", p},
				} {
					o := run(t, "", inv{args: args, env: env, dir: work, limit: 10 * time.Second})
					if o.code != 2 {
						t.Fatalf("%v: exit %d, want 2 (the value must be refused)\nstdout: %s\nstderr: %s", args, o.code, o.stdout, o.stderr)
					}
					if !strings.Contains(o.stderr, f.key) {
						t.Errorf("%v: stderr does not name %s:\n%s", args, f.key, o.stderr)
					}
					if args[0] == "test" {
						continue
					}
					j := oneJSON(t, o)
					code, field, _ := diagnosis(j)
					if !strings.HasPrefix(code, "config.") || field != f.key {
						t.Errorf("diagnosis %s at %q, want config.* at %s", code, field, f.key)
					}
					if st, _ := j["stages"].([]any); len(st) != 0 {
						t.Errorf("stages ran: %v", st)
					}
					if _, err := os.Stat(filepath.Join(work, id+".json")); !os.IsNotExist(err) {
						t.Errorf("an export was written for a refused file: %v", err)
					}
				}
			})
		}
	}

	// The one address taken from the command line.
	for _, br := range breaks[:4] { // no NUL: argv cannot carry one
		t.Run("doctor ADDRESS "+br.name, func(t *testing.T) {
			o := run(t, "", inv{args: []string{"doctor", "jobs@example.test" + br.s + "RCPT TO:<x@evil.test>", "--json", "--timeout", "2s"}, dir: work})
			if o.code != 2 {
				t.Fatalf("exit %d, want 2\n%s\n%s", o.code, o.stdout, o.stderr)
			}
		})
	}

	// The controls: the same files, clean, do send (so a missing
	// delivery above means a refusal, and the Maildir check can see mail).
	for _, withEntity := range []bool{false, true} {
		t.Run(fmt.Sprintf("control clean values entity=%v", withEntity), func(t *testing.T) {
			s := clean
			s.entity = withEntity
			p := writeFile(t, filepath.Join(work, fmt.Sprintf("control-%v.yaml", withEntity)), s.yaml(), 0o600)
			o := run(t, "", inv{args: []string{"--config", p, "--json", "--export", filepath.Join(work, "control.json")}, env: env, dir: work})
			if o.code != 0 {
				t.Fatalf("clean setup does not pass: exit %d\n%s\n%s", o.code, o.stdout, o.stderr)
			}
			if withEntity {
				return
			}
			tok, _ := oneJSON(t, o)["verification_token"].(string)
			if tok == "" || !waitForMail(mailRoot, start, []byte(tok), 10*time.Second) {
				t.Fatalf("the control message (token %q) never reached a Maildir under %s", tok, mailRoot)
			}
		})
	}

	// Whatever a refused file might have sent has arrived by now: Postfix
	// delivered the control after it.
	for _, id := range ids {
		if waitForMail(mailRoot, start, []byte(id), 0) {
			t.Errorf("a message carrying %s reached a Maildir: a line break got through", id)
		}
	}
}

// waitForMail reports whether a Maildir file under root, delivered after
// since, contains needle, polling until wait has passed.
func waitForMail(root string, since time.Time, needle []byte, wait time.Duration) bool {
	deadline := time.Now().Add(wait)
	for {
		found := false
		_ = filepath.Walk(root, func(p string, fi os.FileInfo, err error) error {
			if found || err != nil || !fi.Mode().IsRegular() || fi.ModTime().Before(since) {
				return nil
			}
			if b, err := os.ReadFile(p); err == nil && bytes.Contains(b, needle) {
				found = true
			}
			return nil
		})
		if found || time.Now().After(deadline) {
			return found
		}
		time.Sleep(50 * time.Millisecond)
	}
}
