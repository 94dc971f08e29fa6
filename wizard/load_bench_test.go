package wizard

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jobmail/jobmail/wizard/setupfile"
)

// entitiesFile writes the setup file bench/entities replays: the company
// on SMTP with a ca_file, and n-1 entities with addresses and logins of
// their own that inherit its server.
func entitiesFile(tb testing.TB, n int) string {
	tb.Helper()
	ca, err := filepath.Abs("setupfile/testdata/certs/ca.pem")
	if err != nil {
		tb.Fatal(err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "version: 1\nplatform:\n  account: acme\ncompany:\n  address: e01@example.test\n  channel: smtp\n"+
		"  smtp:\n    host: localhost\n    port: 587\n    security: starttls\n    password: env:E01_PW\n    ca_file: %s\nentities:\n", ca)
	for i := 1; i < n; i++ {
		u := i%24 + 1
		fmt.Fprintf(&b, "  - name: Bench Entity %03d\n    address: b%03d@example.test\n    smtp:\n      username: e%02d@example.test\n      password: env:E%02d_PW\n", i, i, u, u)
	}
	path := filepath.Join(tb.TempDir(), "jobmail.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		tb.Fatal(err)
	}
	return path
}

// BenchmarkEntities: the setup file bench/entities replays (300
// mailboxes), loaded and validated with its effective mailboxes, as
// `jobmail test` starts ("load"), and then each mailbox replayed up to its
// live test (no secrets: "replay"), the setup-file side of the run.
func BenchmarkEntities(b *testing.B) {
	path := entitiesFile(b, 300)
	for _, replay := range []bool{false, true} {
		b.Run(map[bool]string{false: "load", true: "replay"}[replay], func(b *testing.B) {
			b.ReportAllocs()
			defer reportCPU(b)()
			for b.Loop() {
				l, err := setupfile.Load(path, setupfile.LoadOptions{})
				if err != nil {
					b.Fatal(err)
				}
				ems := l.Setup.Effective()
				if len(ems) != 300 {
					b.Fatalf("%d mailboxes", len(ems))
				}
				for _, em := range ems {
					if !replay {
						break
					}
					if s, _, _ := ReplayMailbox(b.Context(), &Env{}, l.Setup, em, path, nil); !s.Answered(em.Key + ".smtp.ca_file") {
						b.Fatalf("%s: the replay stopped early", em.Key)
					}
				}
			}
		})
	}
}

// reportCPU adds the process's CPU time (user+system, the garbage
// collector's included) per operation to b's results: wall time alone
// hides work done on the other core.
func reportCPU(b *testing.B) func() {
	cpu := func() time.Duration {
		var ru syscall.Rusage
		_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	start := cpu()
	return func() { b.ReportMetric(float64(cpu()-start)/float64(b.N), "cpu-ns/op") }
}
