package main

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/jobmail/jobmail/tui/i18n"
	"github.com/jobmail/jobmail/wizard/setupfile"
)

// TestReplayRunsOneWorkerInline: a single connection, or --parallel 1,
// is tested on the caller's goroutine (no goroutine, channel or thread
// wake-up for the common `jobmail test`). The proof: replayAll's own
// frame is on the stack where each mailbox's password is read; a worker
// goroutine's stack starts at its closure (replayAll.func1). Outcomes
// stay in setup order.
func TestReplayRunsOneWorkerInline(t *testing.T) {
	r := newReportRig(t)
	full, err := os.ReadFile(r.cfg)
	if err != nil {
		t.Fatal(err)
	}
	head, _, ok := strings.Cut(string(full), "\nentities:")
	if !ok {
		t.Fatal("the rig's setup has no entities")
	}
	single := filepath.Join(r.dir, "single.yaml")
	if err := os.WriteFile(single, []byte(head+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, cfg string
		parallel  int
		mailboxes []string
	}{
		{"one mailbox, --parallel 8", single, 8, []string{"company"}},
		{"several mailboxes, --parallel 1", r.cfg, 1, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			opts := r.options(i18n.English)
			opts.Config, opts.Parallel = tc.cfg, tc.parallel
			var mu sync.Mutex
			reads, elsewhere := 0, 0
			lookup := opts.f.LookupEnv
			opts.f.LookupEnv = func(k string) (string, bool) {
				if strings.HasPrefix(k, "PW_") {
					buf := make([]byte, 64<<10)
					stack := string(buf[:runtime.Stack(buf, false)])
					mu.Lock()
					reads++
					if !strings.Contains(stack, "jobmail.replayAll(") {
						elsewhere++
					}
					mu.Unlock()
				}
				return lookup(k)
			}
			loaded, err := setupfile.LoadFile(tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			outs := replayAll(context.Background(), opts, opts.env(), loaded.Setup, loaded.Warnings)
			if reads == 0 {
				t.Fatal("no password was read: the test proves nothing")
			}
			if elsewhere > 0 {
				t.Errorf("%d of %d password reads ran on another goroutine", elsewhere, reads)
			}
			ems := loaded.Setup.Effective()
			if len(outs) != len(ems) {
				t.Fatalf("%d outcomes for %d mailboxes", len(outs), len(ems))
			}
			for i, em := range ems {
				if outs[i].Entity != em.Name {
					t.Errorf("outcome %d is %q, want %q (setup order)", i, outs[i].Entity, em.Name)
				}
			}
			if outs[0].ExitCode != ExitOK {
				t.Errorf("the company's test: exit %d, %v", outs[0].ExitCode, outs[0].Err)
			}
		})
	}
}
