package tui

import (
	"bytes"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jobmail/jobmail/providers/google"
	"github.com/jobmail/jobmail/providers/oauth"
	"github.com/jobmail/jobmail/providers/oauth/oauthtest"
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
		// the platform's own service sends as the inbound address, sends nothing, claims no code (issue 12)
		"Done: Personio sends as acme-jobs@m-personio.de with its own mail service.", "Setup file written: jobmail.yaml",
		"Nothing was sent: the Personio mail service needs no test"} {
		if !strings.Contains(o, want) {
			t.Errorf("output lacks %q:\n%s", want, o)
		}
	}
	for _, wrong := range []string{"can send as jobs@acme.test", "The test message carries the code"} {
		if strings.Contains(o, wrong) {
			t.Errorf("the platform service's end claims %q:\n%s", wrong, o)
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

// TestAccessiblePasteSignIn: in accessible mode the sign-in page is told
// as a plain line and the redirected address is asked with a plain
// prompt; a paste without a code is refused with the reason and asked
// again.
func TestAccessiblePasteSignIn(t *testing.T) {
	r := prepareOAuth(t, "google", oauth.ModePaste, nil, oauthtest.Options{})
	cfg := r.cfg
	cfg.Accessible = true
	in, feed := io.Pipe()
	out := &lockedBuffer{}
	cfg.In, cfg.Out, cfg.Environ = in, out, []string{"TERM=dumb"}
	done := make(chan Result, 1)
	go func() {
		res, _ := Run(t.Context(), cfg)
		done <- res
	}()
	t.Cleanup(func() { _ = feed.Close() })
	seen := 0
	wait := func(prompt string) string {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			o := out.String()
			if i := strings.Index(o[seen:], prompt); i >= 0 {
				before := o[seen : seen+i]
				seen += i + len(prompt)
				return before
			}
			if time.Now().After(deadline) {
				t.Fatalf("no prompt %q; output:\n%s", prompt, o)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	say := func(prompt, line string) string {
		t.Helper()
		before := wait(prompt)
		if _, err := io.WriteString(feed, line+"\n"); err != nil {
			t.Fatal(err)
		}
		return before
	}
	say("Custom e-mail address", "")
	say("Personio account name", "")
	say("Enter a number between 1 and 2", "")
	say("Enter a number between 1 and 2", "")
	say("Enter a number between 1 and 4", "")
	say("Google", "") // the client id, prefilled
	say("[Y/n]", "")
	say("[Y/n]", "")
	before := say("Address the browser ended on", "nonsense")
	url := ""
	for _, l := range strings.Split(before, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), r.auth.AuthURL()) {
			url = strings.TrimSpace(l)
		}
	}
	if url == "" || !strings.Contains(before, "Open this sign-in page on any device") {
		t.Fatalf("no sign-in page told before the prompt:\n%s", before)
	}
	loc, err := r.browser.Redirected(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	if b := say("Address the browser ended on", loc); !strings.Contains(b, "holds no sign-in code") {
		t.Errorf("the refused paste is not explained:\n%s", b)
	}
	var res Result
	select {
	case res = <-done:
	case <-time.After(20 * time.Second):
		t.Fatalf("accessible run did not end; output:\n%s", out.String())
	}
	if res.Outcome != OutcomeDone || res.Account != google.KeyringAccount(oauthAddress) {
		t.Fatalf("result %+v; output:\n%s", res, out.String())
	}
	if tok, ok := r.store.Value(res.Account); !ok || !r.auth.ValidRefresh(tok) {
		t.Fatal("no valid refresh token in the keyring")
	}
}
