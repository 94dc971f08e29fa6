package cli_test

import (
	"bytes"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// TestInterruptDuringLiveTest sends SIGINT and SIGTERM while the live test
// waits on a server that accepts and never greets: the run must stop at
// once with exit 130, print no stack trace, and write no export.
func TestInterruptDuringLiveTest(t *testing.T) {
	r := newRunner(t)
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
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	cfg := r.setup("silent", map[string]string{"host": "127.0.0.1", "port": port, "security": "starttls", "password": "env:PW"})
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			export := filepath.Join(r.dir, "interrupted.json")
			cmd := exec.Command(r.bin, "--config", cfg, "--export", export, "--timeout", "60s")
			cmd.Env = append(os.Environ(), "PW=x", "LANG=C")
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			time.Sleep(700 * time.Millisecond)
			start := time.Now()
			_ = cmd.Process.Signal(sig)
			err := cmd.Wait()
			took := time.Since(start)
			ee, ok := err.(*exec.ExitError)
			if !ok || ee.ExitCode() != 130 {
				t.Fatalf("exit %v, want 130\n%s", err, stderr.String())
			}
			if took > 2*time.Second {
				t.Fatalf("took %s to stop after %s", took, sig)
			}
			if bytes.Contains(stderr.Bytes(), []byte("goroutine ")) {
				t.Fatalf("stack trace:\n%s", stderr.String())
			}
			if _, err := os.Stat(export); !os.IsNotExist(err) {
				t.Fatalf("an export was written after an interrupt: %v", err)
			}
			matches, _ := filepath.Glob(filepath.Join(r.dir, ".*tmp*"))
			if len(matches) > 0 {
				t.Fatalf("partial files left: %v", matches)
			}
		})
	}
}
