package cli_test

import (
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// serverLog reads what Postfix logged of the submission service's
// connections from an offset on: for each smtpd process that connected
// after it, the line it logged at disconnect (its own count of each
// command it was given).
type serverLog struct {
	t    *testing.T
	path string
}

func newServerLog(t *testing.T, r *runner) serverLog {
	dir := r.mp.Get("MAILPEER_LOG_DIR", filepath.Join(r.mp.Get("MAILPEER_DIR", "/tmp/mailpeer/state"), "log"))
	return serverLog{t: t, path: filepath.Join(dir, "postfix.log")}
}

func (l serverLog) offset() int64 {
	fi, err := os.Stat(l.path)
	if err != nil {
		l.t.Fatalf("server log: %v", err)
	}
	return fi.Size()
}

var smtpdLine = regexp.MustCompile(`/submission/smtpd\[(\d+)\]: (connect|disconnect) from \S+(.*)$`)

// sessions waits (a while: Postfix logs as it goes) until every
// connection begun after from has ended, and returns their command counts.
func (l serverLog) sessions(from int64) []string {
	l.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		f, err := os.Open(l.path)
		if err != nil {
			l.t.Fatal(err)
		}
		_, _ = f.Seek(from, io.SeekStart)
		data, err := io.ReadAll(io.LimitReader(f, 16<<20))
		f.Close()
		if err != nil {
			l.t.Fatal(err)
		}
		open, ended := map[string]bool{}, []string{}
		for _, line := range strings.Split(string(data), "\n") {
			m := smtpdLine.FindStringSubmatch(line)
			switch {
			case m == nil:
			case m[2] == "connect":
				open[m[1]] = true
			case open[m[1]]:
				delete(open, m[1])
				ended = append(ended, strings.TrimSpace(m[3]))
			}
		}
		if len(open) == 0 || time.Now().After(deadline) {
			return ended
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestTheTestConnectsOnce: against real Postfix, a passed `jobmail test`
// makes one connection, which signs in and sends: the test takes over the
// connection replay opened while it looked up the address's MX records
// (were the opening left beside the test's own, Postfix would count two).
// And a replay blocked before its test never signs in on what it opened.
// Not parallel: the server's log must hold this test's connections only.
func TestTheTestConnectsOnce(t *testing.T) {
	r := newRunner(t)
	log := newServerLog(t, r)
	pwEnv := "JOBMAIL_TEST_PW=" + r.mp.Get("MAILPEER_PASSWORD", "jobs-Secret-123")
	smtp := map[string]string{"host": "localhost", "port": r.mp.Get("MAILPEER_SUBMISSION_PORT", "12587"), "security": "starttls",
		"password": "env:JOBMAIL_TEST_PW", "ca_file": r.mp.Get("MAILPEER_CA_FILE", "")}

	from := log.offset()
	res := r.run([]string{pwEnv}, "", "test", "--config", r.setup("once", smtp), "--json")
	if res.Code != 0 {
		t.Fatalf("exit %d: %s\n%s", res.Code, res.Stdout, res.Stderr)
	}
	got := log.sessions(from)
	if len(got) != 1 || !strings.Contains(got[0], "auth=1") || !strings.Contains(got[0], "data=1") {
		t.Errorf("the server saw %d connections %q, want one that signed in and sent", len(got), got)
	}

	blocked := r.setup("blocked", smtp)
	data, err := os.ReadFile(blocked)
	if err != nil {
		t.Fatal(err)
	}
	data = append(data, "  prerequisites:\n    not_shared_mailbox: false\n"...)
	if err := os.WriteFile(blocked, data, 0o600); err != nil {
		t.Fatal(err)
	}
	from = log.offset()
	res = r.run([]string{pwEnv}, "", "test", "--config", blocked, "--json")
	if code := diagCode(res.JSON); res.Code == 0 || code != "config.shared_mailbox" {
		t.Fatalf("exit %d, code %q, want blocked on config.shared_mailbox\n%s", res.Code, code, res.Stderr)
	}
	for _, s := range log.sessions(from) {
		if strings.Contains(s, "auth=") || strings.Contains(s, "mail=") {
			t.Errorf("a blocked replay signed in or sent: %q", s)
		}
	}
}
