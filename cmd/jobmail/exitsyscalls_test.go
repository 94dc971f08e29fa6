package main

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestExitStopsNoSignalHandling: once jobmail has said its last word it
// exits at once, without first stopping its SIGINT/SIGTERM handlers
// (issue 15): signal.Stop makes the runtime's signal thread change its
// signal mask, one hand-off between threads per signal, ~0.2-1 ms of
// every run's exit, for a process that ends the next instant anyway.
// Watched under strace (skipped where it is missing, as
// TestStartLooksUpNoPrograms): after the last write to stderr no thread
// sets a mask naming SIGINT or SIGTERM.
func TestExitStopsNoSignalHandling(t *testing.T) {
	strace, bin := straceAndJobmail(t)
	dir := t.TempDir()
	trace := filepath.Join(dir, "trace")
	// A run whose handlers are long in place when it says its last word
	// (they are set up beside the start, which a run failing at once can
	// outpace): a test of a server that never greets, ended by --timeout.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close() // hold it open, say nothing
		}
	}()
	setup := filepath.Join(dir, "silent.yaml")
	yaml := "version: 1\nplatform:\n  account: acme\ncompany:\n  address: jobs@example.test\n  channel: smtp\n  smtp:\n" +
		"    host: 127.0.0.1\n    port: " + strconv.Itoa(ln.Addr().(*net.TCPAddr).Port) + "\n    security: starttls\n    password: env:PW\n"
	if err := os.WriteFile(setup, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(strace, "-f", "-qq", "-o", trace, "-e", "trace=execve,write,rt_sigprocmask",
		bin, "test", "--config", setup, "--timeout", "400ms")
	cmd.Env = append(os.Environ(), "PW=x", "LANG=C")
	if out, err := cmd.CombinedOutput(); err != nil {
		if _, ok := err.(*exec.ExitError); !ok {
			t.Fatalf("strace: %v\n%s", err, out)
		}
	}
	b, err := os.ReadFile(trace)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	if countContaining(lines, "execve(") == 0 {
		t.Skip("strace traced nothing (no ptrace here?)")
	}
	last := -1
	for i, l := range lines {
		if strings.Contains(l, "write(2,") {
			last = i
		}
	}
	if last < 0 {
		t.Fatalf("jobmail wrote nothing to stderr:\n%s", b)
	}
	for _, l := range lines[last+1:] {
		// the signal thread's mask names the signals it handles; a new
		// thread's names none of them
		if strings.Contains(l, "rt_sigprocmask(SIG_SETMASK") && (strings.Contains(l, " INT ") || strings.Contains(l, " TERM ")) {
			t.Errorf("jobmail changed a signal mask after its last word (signal handlers stopped before exit): %s", l)
		}
	}
}
