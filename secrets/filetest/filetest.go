// Package filetest makes the files the secret-reading tests feed in: a
// file with an exact mode, a named pipe, the config of a private D-Bus
// session bus. It imports only the standard library, so the tests of
// secrets and safefile themselves can use it too.
package filetest

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// File writes content to dir/name and sets mode after the write, so the
// umask cannot narrow it (a 0644 secret file must really be 0644).
func File(t testing.TB, dir, name, content string, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
	return p
}

// FIFO makes a named pipe dir/name with no writer: a read that opens it
// blindly blocks for ever.
func FIFO(t testing.TB, dir, name string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := syscall.Mkfifo(p, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// busConfig is a session bus with no activatable services, so nothing
// provides org.freedesktop.secrets unless the test starts it.
const busConfig = `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir=%s</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`

// PrivateBus is the command prefix that runs a program on a session bus
// of its own, listening in a temporary directory, with no Secret Service
// unless the program starts one.
func PrivateBus(t testing.TB) []string {
	t.Helper()
	dir := t.TempDir()
	conf := filepath.Join(dir, "bus.conf")
	if err := os.WriteFile(conf, []byte(fmt.Sprintf(busConfig, dir)), 0o600); err != nil {
		t.Fatal(err)
	}
	return []string{"dbus-run-session", "--config-file=" + conf, "--"}
}
