package tui_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jobmail/jobmail/e2e/e2eenv"
	"github.com/jobmail/jobmail/providers/microsoft"
	"github.com/jobmail/jobmail/providers/oauth/oauthtest"
	"github.com/jobmail/jobmail/secrets"
)

// checkHandoff reads the hand-off report the wizard wrote beside the
// setup file: the diagnosis code and the server's words are in it, the
// password is not.
func (r *run) checkHandoff(want ...string) {
	r.t.Helper()
	md, err := os.ReadFile(filepath.Join(r.dir, "jobmail-report.md"))
	if err != nil {
		r.t.Fatalf("hand-off report: %v", err)
	}
	for _, w := range append(want, "# Recruiting e-mail with Personio: hand-off for IT", "`"+r.user+"`") {
		if !strings.Contains(string(md), w) {
			r.t.Errorf("hand-off report lacks %q:\n%s", w, md)
		}
	}
	if strings.Contains(string(md), r.pass) {
		r.t.Fatal("the password reached the hand-off report")
	}
}

// replay runs the written setup file headless and returns its JSON.
func (r *run) replay() []byte {
	r.t.Helper()
	cmd := exec.Command(r.bin, "--config", "jobmail.yaml", "--json")
	cmd.Dir, cmd.Env = r.dir, append(os.Environ(), "HOME="+filepath.Dir(r.dir))
	out, err := cmd.Output()
	if err != nil {
		r.t.Fatalf("headless replay: %v\n%s", err, out)
	}
	return out
}

// TestWizardSubsidiary completes the company's SMTP path, then adds one
// subsidiary that uses the company's settings and one with a mailbox of
// its own on the same server (prefilled from the company, its own login
// and password). Both logins end up in the real keyring; the headless
// replay of the written file passes for every entity.
func TestWizardSubsidiary(t *testing.T) {
	e2eenv.RequireKeyring(t)
	r := newRun(t)
	const entUser, entPass = "e01@example.test", "entity-pw-01"
	t.Cleanup(func() { _ = secrets.NewKeyring().Delete(context.Background(), "smtp:"+entUser) })
	p := startPane(t, r.dir, r.env, r.bin)
	p.waitFor(10*time.Second, "┃ Custom e-mail address")
	r.wizardUpToPassword(p)
	p.answer("Password", r.pass)
	p.answer("CA certificate file", r.mp.Get("MAILPEER_CA_FILE", ""))
	p.confirmAll()
	p.waitFor(30*time.Second, doneLocal)

	p.choose("Add a subsidiary")
	p.answer("Name of the subsidiary", "Acme Logistics")
	p.answer("Custom e-mail address", "") // empty: the company's settings
	p.waitFor(10*time.Second, "Acme Logistics uses the company's settings")

	p.choose("Add a subsidiary")
	p.answer("Name of the subsidiary", "Acme Italia S.r.l.")
	p.answer("Custom e-mail address", entUser)
	p.answer("Sender name", "")
	p.answer("E-mail forwarding to", "")
	p.waitFor(10*time.Second, "> SMTP (your own mail server)") // the company's channel
	p.answer("Send e-mails via", "")
	p.waitFor(10*time.Second, "> "+r.mp.Get("MAILPEER_SERVER_NAME", "localhost")) // and server
	p.answer("SMTP server (host)", "")
	p.waitFor(10*time.Second, "> "+r.mp.Get("MAILPEER_SUBMISSION_PORT", "12587")+" – SMTP with STARTTLS") // the company's pair
	p.answer("Port and encryption", "")
	p.waitFor(10*time.Second, "> "+entUser) // its own login
	p.answer("Account", "")
	p.answer("Password", entPass)
	p.answer("CA certificate file", "")
	p.confirmAll()
	p.waitFor(30*time.Second, doneLocal+" "+entUser)
	s := p.screen()
	if !strings.Contains(s, "smtp:"+entUser) {
		t.Errorf("done screen does not name the subsidiary's keyring entry:\n%s", s)
	}
	p.send("Enter") // Finish
	p.waitFor(10*time.Second, "EXIT=0")

	got, err := secrets.NewKeyring().Get(context.Background(), "smtp:"+entUser)
	if err != nil || got.Reveal() != entPass {
		t.Fatalf("keyring entry smtp:%s: %v", entUser, err)
	}
	setup, _ := os.ReadFile(filepath.Join(r.dir, "jobmail.yaml"))
	for _, want := range []string{"entities:", "name: Acme Logistics", "name: Acme Italia S.r.l.", "address: " + entUser} {
		if !strings.Contains(string(setup), want) {
			t.Errorf("setup file lacks %q:\n%s", want, setup)
		}
	}
	if strings.Contains(string(setup), entPass) {
		t.Fatal("the subsidiary's password reached the setup file")
	}
	var res struct {
		OK       bool `json:"ok"`
		Entities []struct {
			Name string `json:"entity"`
			OK   bool   `json:"ok"`
		} `json:"entities"`
	}
	out := r.replay()
	if err := json.Unmarshal(out, &res); err != nil || !res.OK || len(res.Entities) != 3 {
		t.Fatalf("replay %+v (%v):\n%s", res, err, out)
	}
	for _, e := range res.Entities {
		if !e.OK {
			t.Errorf("replay: %s failed:\n%s", e.Name, out)
		}
	}
}

// TestWizardMicrosoftDevice signs in to Microsoft 365 with the device
// code (an in-process authorization server standing in for Entra): the
// pane shows the code and a countdown that runs; the test approves the
// code as a person on another device would; the live test sends through
// the real mail server with XOAUTH2; the refresh token lands in the real
// keyring and the headless replay uses it.
func TestWizardMicrosoftDevice(t *testing.T) {
	e2eenv.RequireKeyring(t)
	r := newRun(t)
	tokens := r.mp.Get("MAILPEER_OAUTH_TOKENS_FILE", "")
	if tokens == "" {
		t.Fatal("JOBMAIL_E2E=1 but mailpeer settings lack MAILPEER_OAUTH_TOKENS_FILE")
	}
	auth := oauthtest.New(t, oauthtest.Options{Account: r.user, Rotate: true, AccessTokenLen: 2600,
		Claims: map[string]any{"email": nil, "preferred_username": r.user}, DeviceScript: []string{"authorization_pending"},
		OnIssue: r.mp.AddOAuthTokenFunc(t)})
	account := microsoft.KeyringAccount(r.user)
	t.Cleanup(func() { _ = secrets.NewKeyring().Delete(context.Background(), account) })
	setup := fmt.Sprintf(`version: 1
platform:
  account: acme
company:
  address: %s
  channel: microsoft
  microsoft:
    client_id: %s
    authority_url: %s
    smtp_host: %s
    smtp_port: %s
    ca_file: %s
`, r.user, auth.ClientID(), auth.URL, r.mp.Get("MAILPEER_SERVER_NAME", "localhost"),
		r.mp.Get("MAILPEER_SUBMISSION_PORT", "12587"), r.mp.Get("MAILPEER_CA_FILE", ""))
	if err := os.WriteFile(filepath.Join(r.dir, "jobmail.yaml"), []byte(setup), 0o600); err != nil {
		t.Fatal(err)
	}
	p := startPane(t, r.dir, r.env, r.bin+" --sign-in device")
	p.answer("Custom e-mail address", "")
	p.answer("Personio account name", "")
	p.answer("Sender name", "")
	p.answer("E-mail forwarding to", "")
	p.waitFor(10*time.Second, "> Microsoft 365")
	p.answer("Send e-mails via", "")
	p.answer("Microsoft 365 tenant", "")
	p.answer("Microsoft application (client) ID", "")
	p.confirmAll()

	p.waitFor(20*time.Second, "Time left to enter the code:")
	s := p.screen()
	m := regexp.MustCompile(`│ (\S+) │`).FindStringSubmatch(s)
	if m == nil || !strings.Contains(s, auth.URL+"/device") {
		t.Fatalf("no device code and page on screen:\n%s", s)
	}
	left := regexp.MustCompile(`Time left to enter the code: (\d+:\d\d)`)
	first := left.FindStringSubmatch(s)[1]
	deadline := time.Now().Add(5 * time.Second)
	for cur := first; cur == first; cur = left.FindStringSubmatch(p.screen())[1] {
		if time.Now().After(deadline) {
			t.Fatalf("the countdown stands at %s", first)
		}
		time.Sleep(200 * time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := (&oauthtest.Browser{}).EnterDeviceCode(ctx, auth.URL+"/device", m[1], "approve"); err != nil {
		t.Fatal(err)
	}
	// mailpeer stands in for Microsoft's server on localhost: the end says
	// the proof holds for this machine only (wizard.Limits)
	p.waitFor(60*time.Second, doneLocal)
	p.send("Enter")
	p.waitFor(10*time.Second, "EXIT=0")

	tok, err := secrets.NewKeyring().Get(context.Background(), account)
	if err != nil || !auth.ValidRefresh(tok.Reveal()) {
		t.Fatalf("keyring %s: %v (valid refresh token: %v)", account, err, err == nil && auth.ValidRefresh(tok.Reveal()))
	}
	var res struct {
		OK      bool   `json:"ok"`
		Channel string `json:"channel"`
	}
	out := r.replay()
	if err := json.Unmarshal(out, &res); err != nil || !res.OK || res.Channel != "microsoft" {
		t.Fatalf("replay %+v (%v):\n%s", res, err, out)
	}
}
