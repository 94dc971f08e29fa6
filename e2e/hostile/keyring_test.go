package hostile_test

import (
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jobmail/jobmail/e2e/e2eenv"
	"github.com/jobmail/jobmail/secrets/filetest"
)

// keyringTimeout is secrets.DefaultTimeout: no keyring call may take
// longer, however the Secret Service behaves.
const keyringTimeout = 3 * time.Second

// fakeBus listens on a unix socket and plays a broken session bus with
// handle; it returns a DBUS_SESSION_BUS_ADDRESS value.
func fakeBus(t *testing.T, handle func(net.Conn)) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "jm-bus-") // short: unix socket paths are limited to 108 bytes
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	path := filepath.Join(dir, "bus")
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	var conns []net.Conn
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
			go handle(c)
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		<-done
		for _, c := range conns {
			_ = c.Close()
		}
	})
	return "unix:path=" + path
}

// TestKeyringFaults runs `jobmail --config` with `password: keyring`
// against each way a Secret Service can fail: none at all, a bus that
// never answers, a bus that speaks garbage, a bus without a Secret
// Service, and gnome-keyring with its collection locked. Each must end
// with exit 5 and secrets.keyring_unavailable within the keyring timeout,
// offering the other ways to give the password.
func TestKeyringFaults(t *testing.T) {
	e2eenv.Require(t)
	for _, tool := range []string{"dbus-run-session", "dbus-daemon", "dbus-send", "gnome-keyring-daemon"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("JOBMAIL_E2E=1 but %s is missing (apt-get install dbus-daemon gnome-keyring)", tool)
		}
	}
	work := t.TempDir()
	home := filepath.Join(work, "home")
	if err := os.MkdirAll(filepath.Join(home, "tmp"), 0o700); err != nil {
		t.Fatal(err)
	}
	cfg := writeFile(t, filepath.Join(work, "keyring.yaml"), "version: 1\nplatform:\n  account: acme\ncompany:\n"+
		"  address: jobs@example.test\n  channel: smtp\n  smtp:\n    host: localhost\n    port: 12587\n    password: keyring\n", 0o600)
	cases := []struct {
		name string
		bus  func(t *testing.T) string
		wrap []string
	}{
		{"no daemon", func(t *testing.T) string { return "unix:path=" + filepath.Join(work, "no-such-bus") }, nil},
		{"a daemon that never answers", func(t *testing.T) string {
			return fakeBus(t, func(c net.Conn) { _, _ = io.Copy(io.Discard, c) }) // reads, never says a word
		}, nil},
		{"a daemon that speaks garbage", func(t *testing.T) string {
			return fakeBus(t, func(c net.Conn) { _, _ = c.Write([]byte("HTTP/1.1 400 Bad Request\r\n\r\n\x00\xff")); _ = c.Close() })
		}, nil},
		{"a bus without a Secret Service", nil, filetest.PrivateBus(t)},
		{"keyring never set up (no collection, no prompter)", nil, []string{"dbus-run-session", "--", "sh", "-c",
			`gnome-keyring-daemon --start --components=secrets >/dev/null 2>&1; exec "$0" "$@"`}},
		// The login collection is created unlocked, then locked over
		// D-Bus: reading it needs a prompt nobody can answer.
		{"locked keyring", nil, []string{"dbus-run-session", "--", "sh", "-c",
			`echo -n pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1 &&
			dbus-send --session --dest=org.freedesktop.secrets --print-reply /org/freedesktop/secrets \
				org.freedesktop.Secret.Service.Lock array:objpath:/org/freedesktop/secrets/collection/login 2>&1 |
				grep -q collection/login || exit 99
			exec "$0" "$@"`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := []string{"XDG_RUNTIME_DIR=" + home}
			if tc.bus != nil {
				env = append(env, "DBUS_SESSION_BUS_ADDRESS="+tc.bus(t))
			}
			for _, args := range [][]string{{"--config", cfg, "--json"}, {"test", "--config", cfg}} {
				o := run(t, home, inv{args: args, env: env, wrap: tc.wrap, dir: work, limit: 20 * time.Second})
				if o.code != 5 {
					t.Fatalf("%v: exit %d, want 5\nstdout: %s\nstderr: %s", args, o.code, o.stdout, o.stderr)
				}
				if o.took > keyringTimeout+2*time.Second {
					t.Errorf("%v: took %v, the keyring timeout is %v", args, o.took, keyringTimeout)
				}
				for _, alt := range []string{"env:", "file:", "stdin"} {
					if !strings.Contains(o.stderr, alt) {
						t.Errorf("%v: stderr does not offer %s:\n%s", args, alt, o.stderr)
					}
				}
				if args[0] == "--config" {
					if code, _, _ := diagnosis(oneJSON(t, o)); code != "secrets.keyring_unavailable" {
						t.Errorf("code %q, want secrets.keyring_unavailable", code)
					}
				}
			}
		})
	}
}
