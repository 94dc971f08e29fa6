package e2eenv

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// RequireUp is Require for tests that talk to mailpeer themselves: it also
// fails when MAILPEER_HOST, MAILPEER_SUBMISSION_PORT or one of keys is
// unset, or when nothing answers on the submission port, so that a stopped
// server reads as such and not as a failure deep inside the test.
func RequireUp(t testing.TB, keys ...string) Mailpeer {
	t.Helper()
	mp := Require(t)
	for _, k := range append([]string{"MAILPEER_HOST", "MAILPEER_SUBMISSION_PORT"}, keys...) {
		if mp[k] == "" {
			t.Fatalf("JOBMAIL_E2E=1 but mailpeer setting %s is missing (start ../shared/mailpeer/start-mailpeer.sh)", k)
		}
	}
	c, err := net.DialTimeout("tcp", net.JoinHostPort(mp["MAILPEER_HOST"], mp["MAILPEER_SUBMISSION_PORT"]), 3*time.Second)
	if err != nil {
		t.Fatalf("JOBMAIL_E2E=1 but mailpeer is not reachable: %v", err)
	}
	_ = c.Close()
	return mp
}

// Port returns the setting key (e.g. MAILPEER_SMTPS_PORT) as a port number.
func (m Mailpeer) Port(t testing.TB, key string) int {
	t.Helper()
	p, err := strconv.Atoi(m[key])
	if err != nil {
		t.Fatalf("mailpeer setting %s: %v", key, err)
	}
	return p
}

// tokensMu keeps this process's appends to the tokens file whole.
var tokensMu sync.Mutex

// AddOAuthToken makes token valid for user: it appends a line to
// MAILPEER_OAUTH_TOKENS_FILE, which mailpeer re-reads on every request.
// Lines are never removed, since rewriting the file could drop lines that
// other tests append meanwhile. It returns an error rather than failing the
// test because it is often called from an OAuth server's goroutine.
func (m Mailpeer) AddOAuthToken(token, user string) error {
	tokensMu.Lock()
	defer tokensMu.Unlock()
	f, err := os.OpenFile(m["MAILPEER_OAUTH_TOKENS_FILE"], os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("register token at mailpeer: %w", err)
	}
	defer f.Close()
	// The leading newline ends a last line written without one.
	if _, err := f.WriteString("\n" + token + " " + user + "\n"); err != nil {
		return fmt.Errorf("register token at mailpeer: %w", err)
	}
	return nil
}

// Delivered waits up to within for a message containing marker in the
// Maildir maildir (its new/ or cur/) and returns its text; ok is false when
// none arrived in time. Postfix delivers asynchronously, hence the wait.
func Delivered(maildir, marker string, within time.Duration) (msg []byte, ok bool) {
	deadline := time.Now().Add(within)
	for {
		for _, sub := range []string{"new", "cur"} {
			files, _ := filepath.Glob(filepath.Join(maildir, sub, "*"))
			for _, f := range files {
				if b, err := os.ReadFile(f); err == nil && strings.Contains(string(b), marker) {
					return b, true
				}
			}
		}
		if time.Now().After(deadline) {
			return nil, false
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// AddOAuthTokenFunc is AddOAuthToken as an OAuth test server's OnIssue:
// a token it cannot register fails the test (from any goroutine).
func (m Mailpeer) AddOAuthTokenFunc(t testing.TB) func(token, user string) {
	return func(token, user string) {
		if err := m.AddOAuthToken(token, user); err != nil {
			t.Error(err)
		}
	}
}

// WaitDelivered is Delivered for MAILPEER_MAILDIR with 15 s to spare; it
// fails the test when no message containing marker arrives.
func (m Mailpeer) WaitDelivered(t testing.TB, marker string) []byte {
	t.Helper()
	msg, ok := Delivered(m["MAILPEER_MAILDIR"], marker, 15*time.Second)
	if !ok {
		t.Fatalf("no message with %s delivered to %s within 15 s", marker, m["MAILPEER_MAILDIR"])
	}
	return msg
}
