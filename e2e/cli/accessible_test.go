package cli_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jobmail/jobmail/e2e/e2eenv"
	"github.com/jobmail/jobmail/secrets"
)

// TestAccessiblePipedAnswers runs `jobmail --accessible < answers` — the
// real binary, every answer piped in at once, the real mail server
// (required STARTTLS with its CA file): the plain line reader keeps each
// line for its question, the test passes in words, the setup file is
// written, the test message arrives, and the password is in no output.
func TestAccessiblePipedAnswers(t *testing.T) {
	r := newRunner(t)
	user, pass := r.mp.Get("MAILPEER_USER", "jobs@example.test"), r.mp.Get("MAILPEER_PASSWORD", "")
	useKeyring := os.Getenv("JOBMAIL_E2E_KEYRING") == "1"
	if useKeyring {
		t.Cleanup(func() { _ = secrets.NewKeyring().Delete(context.Background(), "smtp:"+user) })
	}
	answers := []string{
		user, "acme", "", "", "4", // address, account, sender and forwarding: defaults; channel: SMTP
		r.mp.Get("MAILPEER_SERVER_NAME", "localhost"), "other", "", r.mp.Get("MAILPEER_SUBMISSION_PORT", "12587"),
		"", pass, r.mp.Get("MAILPEER_CA_FILE", ""), // account (the address), password, CA file
		"", "", "", // prerequisites
	}
	if useKeyring {
		answers = append(answers, "1") // the end: Finish
	} else {
		answers = append(answers, "2", "1") // no keyring: don't store it (env:), then Finish
	}
	dir := t.TempDir()
	cmd := exec.Command(r.bin, "--accessible", "--lang", "en")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "HOME="+dir, "TERM=dumb")
	cmd.Stdin = strings.NewReader(strings.Join(answers, "\n") + "\n")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("jobmail --accessible: %v\nstdout:\n%s\nstderr:\n%s", err, out.String(), errb.String())
	}
	o := out.String()
	for _, want := range []string{"Custom e-mail address: " + user, "Port and encryption [1. 587", "Sign-in: passed (",
		"Message (DATA): passed (", "Setup file written"} {
		if !strings.Contains(o, want) {
			t.Errorf("output lacks %q:\n%s", want, o)
		}
	}
	if strings.Contains(o+errb.String(), pass) {
		t.Fatal("the password reached the output")
	}
	setup, err := os.ReadFile(filepath.Join(dir, "jobmail.yaml"))
	if err != nil || !strings.Contains(string(setup), "port: "+r.mp.Get("MAILPEER_SUBMISSION_PORT", "12587")) ||
		strings.Contains(string(setup), pass) {
		t.Fatalf("setup file (%v):\n%s", err, setup)
	}
	exp, _ := os.ReadFile(filepath.Join(dir, "recruiting-email.json"))
	token := regexp.MustCompile(`jm-[A-Za-z0-9_-]{10,}`).FindString(string(exp))
	if token == "" {
		t.Fatalf("no verification token in the export:\n%s", exp)
	}
	if _, ok := e2eenv.Delivered(r.mp.Get("MAILPEER_MAILDIR", ""), token, 10*time.Second); !ok {
		t.Errorf("the test message (token %s) did not arrive", token)
	}
}
