package tui

import (
	"bytes"
	"io"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jobmail/jobmail/providers/google"
	"github.com/jobmail/jobmail/providers/oauth"
	"github.com/jobmail/jobmail/providers/oauth/oauthtest"
	"github.com/jobmail/jobmail/wizard/setupfile"
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
	say("Personio account name [acme]: ", "acme")  // suggested from the domain, read out
	say("Sender name [1. The company]: ", "")      // the default, read out
	say("E-mail forwarding to Personio [", "2")    // later, by its number
	say("Send e-mails via [", "1")                 // the platform's service

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
	l, err := setupfile.LoadFile(cfg.SetupPath)
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
	say("Sender name [", "")
	say("E-mail forwarding to Personio [", "")
	say("Send e-mails via [", "")
	say("Google", "") // the client id, prefilled
	say("(yes/no) [yes]: ", "")
	say("(yes/no) [yes]: ", "")
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

// TestAccessiblePipedSMTP pipes every answer in at once, before any
// prompt (as `jobmail --accessible < answers.txt` does): the plain line
// reader keeps each line for its question, the defaults are read out,
// each list is printed once, the stages and checks say passed in words,
// and the run ends with a passed live test, the password in the keyring
// and never in the output.
func TestAccessiblePipedSMTP(t *testing.T) {
	cfg, store := testConfig(t, "other")
	srv := startMailServer(t, "jobs@acme.test", "s3cret-pass")
	cfg.Accessible = true
	out := &lockedBuffer{}
	answers := []string{
		"jobs@acme.test", "", "", "", "", // address; account acme (suggested); sender, forwarding, channel: defaults
		"127.0.0.1", "other", "", strconv.Itoa(srv.addr.Port), // host; another port → encryption (default), port
		"", "s3cret-pass", srv.caFile, // account (the address), password, CA file
		"", "", "", // prerequisites: yes, allowed, yes
		"1", // the end: Finish
	}
	cfg.In, cfg.Out, cfg.Environ = strings.NewReader(strings.Join(answers, "\n")+"\n"), out, []string{"TERM=dumb"}
	res, err := Run(t.Context(), cfg)
	o := out.String()
	if err != nil || res.Outcome != OutcomeDone {
		t.Fatalf("result %+v, %v; output:\n%s", res, err, o)
	}
	for _, want := range []string{"Personio account name [acme]: ", "Account [jobs@acme.test]: ", "Port and encryption [1. 587",
		"Sign-in: passed (", "Message (DATA): passed (", "The mailbox is not a shared mailbox: passed"} {
		if !strings.Contains(o, want) {
			t.Errorf("output lacks %q:\n%s", want, o)
		}
	}
	if testing.Verbose() {
		t.Log(o)
	}
	if n := strings.Count(o, "2. 465 – SMTPS"); n != 1 {
		t.Errorf("the port list is printed %d times:\n%s", n, o)
	}
	if strings.Contains(o, "s3cret-pass") {
		t.Errorf("the password reached the output:\n%s", o)
	}
	if pw, ok := store.Value("smtp:jobs@acme.test"); !ok || pw != "s3cret-pass" {
		t.Errorf("keyring holds %q, %v", pw, ok)
	}
	if got := srv.messages(); len(got) != 1 {
		t.Errorf("server got %d messages", len(got))
	}
}

// TestAccessibleInputEnds: answers that run out end the run with a
// sentence that says so, and the answers given are saved.
func TestAccessibleInputEnds(t *testing.T) {
	cfg, _ := testConfig(t, "")
	cfg.Accessible = true
	out := &lockedBuffer{}
	cfg.In, cfg.Out, cfg.Environ = strings.NewReader("jobs@acme.test\n"), out, []string{"TERM=dumb"}
	res, _ := Run(t.Context(), cfg)
	if res.Outcome == OutcomeDone || !strings.Contains(out.String(), "The input ended before the setup was complete") {
		t.Fatalf("result %+v; output:\n%s", res, out.String())
	}
	l, err := setupfile.Load(cfg.SetupPath, setupfile.LoadOptions{Partial: true})
	if err != nil || l.Setup.Company.Address != "jobs@acme.test" {
		t.Fatalf("progress not saved: %v %+v", err, l)
	}
}

// TestAccessiblePipedDiagnosisMenu: a failed sign-in's menu is a plain
// line prompt too: its choices printed once, a refused number asked again
// without reprinting them, "1" (change the password) asks only the
// password, and the run ends done — every answer piped in.
func TestAccessiblePipedDiagnosisMenu(t *testing.T) {
	cfg, _ := testConfig(t, "other")
	srv := startMailServer(t, "jobs@acme.test", "s3cret-pass")
	cfg.Accessible = true
	out := &lockedBuffer{}
	answers := []string{
		"jobs@acme.test", "", "", "", "",
		"127.0.0.1", "other", "", strconv.Itoa(srv.addr.Port),
		"", "wrong-pass", srv.caFile,
		"", "", "",
		"9",           // the diagnosis menu: no such choice
		"1",           // change the password
		"s3cret-pass", // asked alone
		"1",           // the end: Finish
	}
	cfg.In, cfg.Out, cfg.Environ = strings.NewReader(strings.Join(answers, "\n")+"\n"), out, []string{"TERM=dumb"}
	res, err := Run(t.Context(), cfg)
	o := out.String()
	if err != nil || res.Outcome != OutcomeDone {
		t.Fatalf("result %+v, %v; output:\n%s", res, err, o)
	}
	menu := o[strings.Index(o, "What now?")-200:]
	if n := strings.Count(o, "Try again"); n != 1 {
		t.Errorf("the diagnosis menu's list is printed %d times, want once:\n%s", n, menu)
	}
	if n := strings.Count(o, "What now? [1. "); n != 2 {
		t.Errorf("the diagnosis menu is asked %d times, want 2 (a refused number asks again):\n%s", n, menu)
	}
	if !strings.Contains(o, "Please type a number from 1 to") || strings.Contains(o, "Enter a number between") {
		t.Errorf("the refused number is not answered in the catalogue's words:\n%s", menu)
	}
	if strings.Contains(o, "s3cret-pass") || strings.Contains(o, "wrong-pass") {
		t.Errorf("a password reached the output")
	}
	if got := srv.messages(); len(got) != 1 {
		t.Errorf("server got %d messages", len(got))
	}
}
