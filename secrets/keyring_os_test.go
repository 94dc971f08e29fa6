//go:build linux

package secrets

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	dbus "github.com/godbus/dbus/v5"

	"github.com/jobmail/jobmail/secrets/filetest"
)

// These tests call the real go-keyring against real D-Bus situations.
// godbus keeps one session-bus connection per process, so each situation
// runs in a child process (this test binary again) with its own
// environment; TestOSKeyringChild is the child's side.

const childEnv = "JOBMAIL_SECRETS_CHILD"

// runChild runs TestOSKeyringChild in mode, under wrap (e.g.
// dbus-run-session) when given, and fails unless the child passed.
func runChild(t *testing.T, mode string, wrap []string, env ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	args := append(append([]string(nil), wrap...), os.Args[0], "-test.run=^TestOSKeyringChild$", "-test.v", "-test.count=1")
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "DBUS_SESSION_BUS_ADDRESS=") && !strings.HasPrefix(kv, childEnv+"=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, childEnv+"="+mode)
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: TestOSKeyringChild") {
		t.Fatalf("child %q: %v\n%s", mode, err, out)
	}
	for _, l := range strings.Split(string(out), "\n") {
		if strings.Contains(l, "keyring_os_test.go") {
			t.Log(strings.TrimSpace(l))
		}
	}
}

// No session bus at all: deterministic and fast, so not gated.
func TestOSKeyringNoBus(t *testing.T) {
	tests := []struct {
		name string
		env  []string
	}{
		{"socket missing", []string{"DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent/jobmail-test-bus"}},
		// No address and no dbus-launch to start a bus with.
		{"no dbus-launch", []string{"PATH=" + t.TempDir(), "JOBMAIL_CHILD_NOLAUNCH=1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.name == "no dbus-launch" {
				if _, err := os.Stat(fmt.Sprintf("/run/user/%d/bus", os.Getuid())); err == nil {
					t.Skip("a user bus exists at /run/user: godbus would find it")
				}
			}
			runChild(t, "unavailable", nil, append(tt.env, "JOBMAIL_CHILD_REASON="+ReasonNoBus)...)
		})
	}
}

func needTools(t *testing.T, tools ...string) {
	t.Helper()
	// Not e2eenv.RequireKeyring: these tests start their own buses and
	// need no session bus around them.
	if os.Getenv("JOBMAIL_E2E_KEYRING") != "1" {
		t.Skip("set JOBMAIL_E2E_KEYRING=1 to run the D-Bus keyring tests")
	}
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("JOBMAIL_E2E_KEYRING=1 but %s is missing: apt-get install -y --no-install-recommends gnome-keyring dbus-daemon libsecret-tools", tool)
		}
	}
}

// Situations that need a real bus daemon (gated).
func TestOSKeyringBus(t *testing.T) {
	t.Run("bus without a secret service", func(t *testing.T) {
		needTools(t, "dbus-run-session")
		runChild(t, "unavailable", filetest.PrivateBus(t), "JOBMAIL_CHILD_REASON="+ReasonNoService)
	})
	t.Run("unlock prompt never answered", func(t *testing.T) {
		needTools(t, "dbus-run-session")
		runChild(t, "hang", filetest.PrivateBus(t))
	})
	t.Run("gnome-keyring without a login keyring", func(t *testing.T) {
		needTools(t, "dbus-run-session", "gnome-keyring-daemon")
		home := t.TempDir()
		runChild(t, "unavailable", []string{"dbus-run-session", "--"},
			"HOME="+home, "XDG_DATA_HOME="+home+"/data", "XDG_CACHE_HOME="+home+"/cache",
			"XDG_CONFIG_HOME="+home+"/config", "JOBMAIL_CHILD_REASON="+ReasonLocked)
	})
}

func TestOSKeyringChild(t *testing.T) {
	switch os.Getenv(childEnv) {
	case "":
		t.Skip("runs only as a child of the OS keyring tests")
	case "unavailable":
		if os.Getenv("JOBMAIL_CHILD_NOLAUNCH") == "1" {
			os.Unsetenv("DBUS_SESSION_BUS_ADDRESS")
		}
		childUnavailable(t, os.Getenv("JOBMAIL_CHILD_REASON"))
	case "hang":
		childHang(t)
	default:
		t.Fatalf("unknown child mode %q", os.Getenv(childEnv))
	}
}

func childUnavailable(t *testing.T, reason string) {
	k := &Keyring{Timeout: 2 * time.Second}
	ctx := context.Background()
	ops := map[string]func() error{
		"get":    func() error { _, err := k.Get(ctx, "jobmail-test"); return err },
		"set":    func() error { return k.Set(ctx, "jobmail-test", New("never-stored")) },
		"delete": func() error { return k.Delete(ctx, "jobmail-test") },
	}
	for _, op := range []string{"get", "set", "delete"} {
		start := time.Now()
		err := ops[op]()
		el := time.Since(start)
		var ke *KeyringError
		if !errors.Is(err, ErrUnavailable) || !errors.As(err, &ke) {
			t.Fatalf("%s: %v, want ErrUnavailable", op, err)
		}
		if ke.Reason != reason {
			t.Fatalf("%s: reason %q (%v), want %q", op, ke.Reason, err, reason)
		}
		if el >= k.Timeout {
			t.Fatalf("%s took %v: the real error should come before the timeout", op, el)
		}
		t.Logf("%s: %v after %v", op, err, el.Round(time.Microsecond))
	}
}

// fakeSecretService answers Unlock with a prompt and never completes it:
// what gnome-keyring does while a password dialog waits for a person.
type fakeSecretService struct{ prompted chan struct{} }

func (f *fakeSecretService) Unlock(objs []dbus.ObjectPath) ([]dbus.ObjectPath, dbus.ObjectPath, *dbus.Error) {
	return nil, "/org/freedesktop/secrets/prompt/p1", nil
}

func (f *fakeSecretService) Prompt(windowID string) *dbus.Error {
	select {
	case f.prompted <- struct{}{}:
	default:
	}
	return nil
}

func childHang(t *testing.T) {
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		t.Fatalf("connect to the private bus: %v", err)
	}
	defer conn.Close()
	f := &fakeSecretService{prompted: make(chan struct{}, 1)}
	if err := conn.Export(f, "/org/freedesktop/secrets", "org.freedesktop.Secret.Service"); err != nil {
		t.Fatal(err)
	}
	if err := conn.Export(f, "/org/freedesktop/secrets/prompt/p1", "org.freedesktop.Secret.Prompt"); err != nil {
		t.Fatal(err)
	}
	if r, err := conn.RequestName("org.freedesktop.secrets", dbus.NameFlagDoNotQueue); err != nil || r != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("own org.freedesktop.secrets: %v %v", r, err)
	}
	k := &Keyring{Timeout: 500 * time.Millisecond}
	start := time.Now()
	_, err = k.Get(context.Background(), "jobmail-test")
	el := time.Since(start)
	var ke *KeyringError
	if !errors.Is(err, ErrUnavailable) || !errors.As(err, &ke) || ke.Reason != ReasonTimeout {
		t.Fatalf("Get: %v, want ErrUnavailable (timeout)", err)
	}
	if el < k.Timeout || el > k.Timeout+time.Second {
		t.Fatalf("Get returned after %v, want about %v", el, k.Timeout)
	}
	select {
	case <-f.prompted:
	default:
		t.Fatal("go-keyring never reached the unlock prompt: the test did not test the hang")
	}
	t.Logf("get: %v after %v", err, el.Round(time.Millisecond))
}
