// Package e2eenv finds the real peers of the end-to-end suites: the
// mailpeer mail server (../shared/mailpeer) and the jobmail binary. Tests
// run only with JOBMAIL_E2E=1 and then fail, not skip, when a peer is
// missing: CI must not go green on a suite that did not run.
package e2eenv

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// Mailpeer holds the MAILPEER_* settings.
type Mailpeer map[string]string

// Require skips without JOBMAIL_E2E=1 and fails when mailpeer is absent.
func Require(t testing.TB) Mailpeer {
	t.Helper()
	if os.Getenv("JOBMAIL_E2E") != "1" {
		t.Skip("end-to-end test: set JOBMAIL_E2E=1 (CI does)")
	}
	mp, err := Load()
	if err != nil {
		t.Fatalf("JOBMAIL_E2E=1 but mailpeer is not running (start ../shared/mailpeer/start-mailpeer.sh): %v", err)
	}
	return mp
}

// RequireKeyring skips without JOBMAIL_E2E_KEYRING=1 (a Secret Service on
// the session bus, as CI provides with dbus-run-session + gnome-keyring).
// The bus is checked only where the keyring is a Secret Service: macOS and
// Windows have their own.
func RequireKeyring(t testing.TB) {
	t.Helper()
	if os.Getenv("JOBMAIL_E2E_KEYRING") != "1" {
		t.Skip("keyring test: set JOBMAIL_E2E_KEYRING=1 under dbus-run-session with gnome-keyring (CI does)")
	}
	if runtime.GOOS != "darwin" && runtime.GOOS != "windows" && os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		t.Fatal("JOBMAIL_E2E_KEYRING=1 but no D-Bus session bus")
	}
}

// Load reads MAILPEER_* from the environment, else from mailpeer.env.
func Load() (Mailpeer, error) {
	mp := Mailpeer{}
	dir := os.Getenv("MAILPEER_DIR")
	if dir == "" {
		dir = "/tmp/mailpeer/state"
	}
	f, err := os.Open(filepath.Join(dir, "mailpeer.env"))
	if err != nil {
		// The variables alone are enough when they name the peer.
		if mp.fromEnviron(); mp["MAILPEER_HOST"] != "" {
			return mp, nil
		}
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), "=")
		if ok && strings.HasPrefix(k, "MAILPEER_") {
			mp[k] = strings.Trim(v, `"'`)
		}
	}
	mp.fromEnviron()
	return mp, sc.Err()
}

// fromEnviron lets MAILPEER_* variables override the file.
func (m Mailpeer) fromEnviron() {
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok && strings.HasPrefix(k, "MAILPEER_") {
			m[k] = v
		}
	}
}

// Get returns a setting or a default.
func (m Mailpeer) Get(key, def string) string {
	if v, ok := m[key]; ok && v != "" {
		return v
	}
	return def
}

// Binary builds cmd/jobmail into dir and returns its path.
func Binary(t testing.TB, dir string) string {
	t.Helper()
	_, here, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(here), "..", "..")
	bin := filepath.Join(dir, "jobmail")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/jobmail")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build jobmail: %v\n%s", err, out)
	}
	return bin
}
