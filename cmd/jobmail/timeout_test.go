package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/jobmail/jobmail/secrets/secretstest"
)

// silentServers accept connections and never say a word.
func silentServers(t *testing.T, n int) []int {
	t.Helper()
	var ports []int
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = ln.Close() })
		go func() {
			var held []net.Conn
			defer func() {
				for _, c := range held {
					_ = c.Close()
				}
			}()
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				held = append(held, c)
			}
		}()
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
	}
	return ports
}

// TestTimeoutBoundsTheRun: --timeout is the whole run's limit. Five
// silent servers one at a time under --timeout 1s: the first test uses
// the second and times out; the four that could not start are
// run.time_limit (not a server timeout), and the run ends near the
// limit, not after five of them. The wall-time bound is a hang guard
// (4× the limit), not a speed measurement.
func TestTimeoutBoundsTheRun(t *testing.T) {
	ports := silentServers(t, 5)
	var b strings.Builder
	fmt.Fprintf(&b, "version: 1\nplatform:\n  account: acme\ncompany:\n  address: jobs@acme.de\n  channel: smtp\n  smtp:\n    host: 127.0.0.1\n    port: %d\n    security: smtps\n    password: env:PW\nentities:\n", ports[0])
	for i, p := range ports[1:] {
		fmt.Fprintf(&b, "  - name: e%d\n    address: jobs@e%d.acme.de\n    smtp:\n      host: 127.0.0.1\n      port: %d\n      security: smtps\n      password: env:PW\n", i, i, p)
	}
	r := &mainRig{env: map[string]string{"LANG": "C", "PW": "pw-123456"}, store: secretstest.NewMemStore(nil)}
	start := time.Now()
	code := Main(context.Background(), []string{"--config", writeSetup(t, b.String()), "--json", "--parallel", "1", "--timeout", "1s"}, r.factory())
	took := time.Since(start)
	if code != ExitTestFailed {
		t.Fatalf("exit %d, want %d\n%s", code, ExitTestFailed, r.stderr.String())
	}
	if took > 4*time.Second {
		t.Fatalf("the run took %v under --timeout 1s", took)
	}
	var j struct {
		Entities []struct {
			Diagnosis *struct{ Code string }
		}
	}
	if err := json.Unmarshal(r.stdout.Bytes(), &j); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout.String())
	}
	limited := 0
	for _, e := range j.Entities {
		if e.Diagnosis != nil && e.Diagnosis.Code == "run.time_limit" {
			limited++
		}
	}
	if len(j.Entities) != 5 || limited < 3 {
		t.Fatalf("want 5 entities, at least 3 of them run.time_limit:\n%s", r.stdout.String())
	}
	if !strings.Contains(r.stderr.String(), "--timeout 1s") {
		t.Errorf("stderr does not say the run's limit ran out:\n%s", r.stderr.String())
	}
}
