// Package filetest makes the files the secret-reading tests feed in: a
// file with an exact mode, a named pipe. It imports only the standard
// library, so safefile's own tests can use it too.
package filetest

import (
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
