package cli_test

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jobmail/jobmail/e2e/e2eenv"
)

// leakUser is a mailpeer mailbox whose password is a marker: it must never
// appear in anything jobmail writes (.ci/run adds it via e2e/mailpeer-users.txt).
const (
	leakUser   = "leak@example.test"
	leakMarker = "Leak-Marker-Q7x9Z-do-not-print"
)

func e2eenv_requireKeyring(t *testing.T) { e2eenv.RequireKeyring(t) }

// TestNoSecretInAnyOutput runs every command, passing and failing, with
// the marker password through env:, file: and stdin, then greps stdout,
// stderr, transcripts (in --json) and every file in the work directory
// for the marker and its base64 forms.
func TestNoSecretInAnyOutput(t *testing.T) {
	r := newRunner(t)
	users, _ := os.ReadFile("../mailpeer-users.txt")
	if !strings.Contains(r.mp.Get("MAILPEER_EXTRA_USERS", ""), leakUser) && !strings.Contains(string(users), leakUser) {
		t.Fatal("e2e/mailpeer-users.txt must define the leak user")
	}
	pwFile := filepath.Join(t.TempDir(), "pw") // outside r.dir: the file itself holds the secret
	if err := os.WriteFile(pwFile, []byte(leakMarker+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ca := r.mp.Get("MAILPEER_CA_FILE", "")
	port := r.mp.Get("MAILPEER_SUBMISSION_PORT", "12587")
	mk := func(name, user, ref, p, sec string) string {
		return r.setup(name, map[string]string{"address": user, "host": "localhost", "port": p, "security": sec, "password": ref, "ca_file": ca})
	}
	env := []string{"JOBMAIL_LEAK_PW=" + leakMarker}
	var outputs []string
	for _, c := range []struct {
		name  string
		cfg   string
		stdin string
		args  []string
		exit  int
	}{
		{"env pass", mk("env", leakUser, "env:JOBMAIL_LEAK_PW", port, "starttls"), "", []string{"--json"}, 0},
		{"file pass", mk("file", leakUser, "file:"+pwFile, port, "starttls"), "", []string{"--json"}, 0},
		{"stdin pass", mk("stdin", leakUser, "stdin", port, "starttls"), leakMarker + "\n", []string{"--json"}, 0},
		{"wrong user fails auth", mk("wrong", "jobs@example.test", "env:JOBMAIL_LEAK_PW", port, "starttls"), "", []string{"--json"}, 4},
		{"untrusted cert", mk("untrusted", leakUser, "env:JOBMAIL_LEAK_PW", port, "starttls"), "", []string{"--json"}, -1},
		{"clear refused", mk("clear", leakUser, "env:JOBMAIL_LEAK_PW", r.mp.Get("MAILPEER_SMTP_PORT", "12525"), "none"), "", []string{"--json"}, 3},
		{"clear allowed", mk("clear2", leakUser, "env:JOBMAIL_LEAK_PW", r.mp.Get("MAILPEER_SMTP_PORT", "12525"), "none"), "", []string{"--json", "--allow-insecure"}, 0},
		{"test command", mk("testcmd", leakUser, "env:JOBMAIL_LEAK_PW", port, "starttls"), "", []string{"test", "--json"}, 0},
		{"timeout", mk("timeout", leakUser, "env:JOBMAIL_LEAK_PW", r.mp.Get("MAILPEER_SMTPS_PORT", "12465"), "starttls"), "", []string{"--json", "--timeout", "1s"}, 4},
	} {
		args := append([]string{}, c.args...)
		if args[0] == "test" {
			args = append(args, "--config", c.cfg)
		} else {
			args = append([]string{"--config", c.cfg, "--export", filepath.Join(r.dir, c.name+".json")}, args...)
		}
		res := r.run(env, c.stdin, args...)
		if c.exit >= 0 && res.Code != c.exit {
			t.Errorf("%s: exit %d, want %d\n%s", c.name, res.Code, c.exit, res.Stderr)
		}
		outputs = append(outputs, res.Stdout, res.Stderr)
	}
	// every file written in the work dir: setup files, exports
	_ = filepath.Walk(r.dir, func(p string, fi os.FileInfo, err error) error {
		if err == nil && fi.Mode().IsRegular() && !strings.HasSuffix(p, "/jobmail") {
			b, _ := os.ReadFile(p)
			outputs = append(outputs, string(b))
		}
		return nil
	})
	forms := []string{leakMarker, base64.StdEncoding.EncodeToString([]byte(leakMarker)),
		base64.StdEncoding.EncodeToString([]byte("\x00" + leakUser + "\x00" + leakMarker))}
	for i, o := range outputs {
		for _, f := range forms {
			if strings.Contains(o, f) {
				t.Errorf("output %d contains the secret (form %q):\n%s", i, f, o)
			}
		}
	}
	if len(outputs) < 18 {
		t.Fatalf("only %d outputs checked", len(outputs))
	}
}
