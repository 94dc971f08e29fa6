package tui

import (
	"bytes"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jobmail/jobmail/wizard"
)

// lockedBuffer is the accessible wizard's output, read while it writes.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestAccessibleRun answers the platform-service path in accessible mode:
// plain prompts, one static form per question, a line typed only after
// its prompt is shown (huh reads each prompt with its own scanner, so
// input piped ahead would be lost: STACK.md).
func TestAccessibleRun(t *testing.T) {
	cfg, _ := testConfig(t, "")
	cfg.Accessible = true
	in, feed := io.Pipe()
	out := &lockedBuffer{}
	cfg.In, cfg.Out, cfg.Environ = in, out, []string{"TERM=dumb"}
	var summary bytes.Buffer
	cfg.Err = &summary

	type ended struct {
		res Result
		err error
	}
	done := make(chan ended, 1)
	go func() {
		r, err := Run(t.Context(), cfg)
		done <- ended{r, err}
	}()
	t.Cleanup(func() { _ = feed.Close() })

	seen := 0
	say := func(prompt, line string) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			o := out.String()
			if i := strings.Index(o[seen:], prompt); i >= 0 {
				seen += i + len(prompt)
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("no prompt %q; output:\n%s", prompt, o)
			}
			time.Sleep(5 * time.Millisecond)
		}
		if _, err := io.WriteString(feed, line+"\n"); err != nil {
			t.Fatal(err)
		}
	}
	say("Custom e-mail address", "not-an-address")
	say("Custom e-mail address", "jobs@acme.test") // asked again after the error
	say("Personio account name", "acme")
	say("Enter a number between 1 and 2", "")  // sender name: the company
	say("Enter a number between 1 and 2", "2") // forwarding: later
	say("Enter a number between 1 and 4", "1") // channel: the platform's service

	var e ended
	select {
	case e = <-done:
	case <-time.After(15 * time.Second):
		t.Fatalf("accessible run did not end; output:\n%s", out.String())
	}
	if e.err != nil || e.res.Outcome != OutcomeDone {
		t.Fatalf("result %+v, %v; output:\n%s", e.res, e.err, out.String())
	}
	o := out.String()
	for _, want := range []string{"Step 1 of 4: Forwarding", "Step 2 of 4: Connection", "acme-jobs@m-personio.de",
		"Done: Personio can send as jobs@acme.test.", "Setup file written: jobmail.yaml"} {
		if !strings.Contains(o, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if strings.Contains(o, "\x1b[") {
		t.Errorf("TERM=dumb output has escape sequences:\n%q", o)
	}
	l, err := wizard.LoadFile(cfg.SetupPath)
	if err != nil {
		t.Fatal(err)
	}
	if c := l.Setup.Company; c.Address != "jobs@acme.test" || c.Channel != "platform" || c.Forwarding != "later" {
		t.Errorf("setup company = %+v", c)
	}
	if !strings.Contains(summary.String(), "Setup file written") {
		t.Errorf("summary: %q", summary.String())
	}
}
