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
	"github.com/jobmail/jobmail/providers/google"
	"github.com/jobmail/jobmail/providers/microsoft"
	"github.com/jobmail/jobmail/secrets"
	"github.com/jobmail/jobmail/secrets/leaktest"
)

// noAppJourney is one whole new-user journey in the TUI against the real
// authorization server (../shared/oauthpeer): no app configured, so the
// channel step asks where it comes from; the person picks the
// organisation's own app and types its id; the sign-in runs (device code
// entered by the peer's device helper, or the loopback redirect through
// the peer's scripted browser as xdg-open); the live test sends through
// mailpeer with the peer's token. Proven: the message arrived, the setup
// file, the export, the keyring entry (gnome-keyring), a headless replay,
// and no token the peer issued in any of them or on screen.
func noAppJourney(t *testing.T, channel string) {
	e2eenv.RequireKeyring(t)
	peer := e2eenv.RequireOAuthPeer(t)
	r := newRun(t)
	var block, account string
	switch channel {
	case "microsoft":
		block = "  microsoft:\n    authority_url: " + peer["OAUTHPEER_MS_AUTHORITY"] + "\n"
		account = microsoft.KeyringAccount(r.user)
	case "google":
		block = "  google:\n    auth_url: " + peer["OAUTHPEER_GOOGLE_AUTH_URL"] + "\n    token_url: " + peer["OAUTHPEER_GOOGLE_TOKEN_URL"] + "\n"
		account = google.KeyringAccount(r.user)
	}
	t.Cleanup(func() { _ = secrets.NewKeyring().Delete(context.Background(), account) })
	block += fmt.Sprintf("    smtp_host: %s\n    smtp_port: %s\n    ca_file: %s\n", r.mp.Get("MAILPEER_SERVER_NAME", "localhost"),
		r.mp.Get("MAILPEER_SUBMISSION_PORT", "12587"), r.mp.Get("MAILPEER_CA_FILE", ""))
	setup := "version: 1\nplatform:\n  account: acme\ncompany:\n  address: " + r.user + "\n  channel: " + channel + "\n" + block
	if err := os.WriteFile(filepath.Join(r.dir, "jobmail.yaml"), []byte(setup), 0o600); err != nil {
		t.Fatal(err)
	}
	env := append([]string{}, r.env...)
	cmd := r.bin
	switch channel {
	case "microsoft":
		cmd += " --sign-in device"
	case "google":
		// the peer's scripted browser is the xdg-open jobmail calls
		bin := filepath.Join(r.dir, "..", "bin")
		if err := os.MkdirAll(bin, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(peer["OAUTHPEER_BROWSER"], filepath.Join(bin, "xdg-open")); err != nil {
			t.Fatal(err)
		}
		env = append(env, "PATH="+bin+":"+os.Getenv("PATH"), "OAUTHPEER_BROWSER_USER="+r.user,
			"OAUTHPEER_BROWSER_PASSWORD="+peer.Password(r.user), "OAUTHPEER_BROWSER_BACKGROUND=1",
			"JOBMAIL_GOOGLE_CLIENT_SECRET="+peer["OAUTHPEER_GOOGLE_CLIENT_SECRET"])
	}
	p := startPane(t, r.dir, env, cmd)
	p.answer("Custom e-mail address", "")
	p.answer("Personio account name", "")
	p.answer("Sender name", "")
	p.answer("E-mail forwarding to", "")
	p.answer("Send e-mails via", "")
	// no app anywhere: said at the channel step, before any prerequisite
	switch channel {
	case "microsoft":
		p.waitFor(10*time.Second, "┃ Which Microsoft app should the sign-in use?")
		chooseUntil(p, "Our organisation's own app: IT registers it in Microsoft Entra ID", "┃ Microsoft 365 tenant")
		p.answer("Microsoft 365 tenant", "") // organizations
		p.waitFor(10*time.Second, "┃ Your organisation's application (client) ID", "Allow public client flows")
		p.text("not-a-guid")
		p.send("Enter")
		p.waitFor(5*time.Second, "is a GUID")
		p.send("C-u")
		p.answer("Your organisation's application (client) ID", peer["OAUTHPEER_MS_CLIENT_ID"])
	case "google":
		p.waitFor(10*time.Second, "┃ Which Google app should the sign-in use?")
		if s := p.screen(); strings.Contains(strings.ToLower(s), "tenant") {
			t.Fatalf("Google speaks of a tenant:\n%s", s)
		}
		chooseUntil(p, "Our organisation's own app: IT registers it in Google Cloud", "┃ Your organisation's Google OAuth client ID")
		p.answer("Your organisation's Google OAuth client ID", peer["OAUTHPEER_GOOGLE_CLIENT_ID"])
	}
	p.confirmAll()

	if channel == "microsoft" {
		p.waitFor(20*time.Second, "Time left to enter the code:")
		s := p.screen()
		m := regexp.MustCompile(`│ (\S+) │`).FindStringSubmatch(s)
		if m == nil || !strings.Contains(s, peer["OAUTHPEER_DEVICE_VERIFICATION_URL"]) {
			t.Fatalf("no device code and page on screen:\n%s", s)
		}
		out, err := exec.Command(peer["OAUTHPEER_DEVICE_HELPER"], m[1], r.user, peer.Password(r.user)).CombinedOutput()
		if err != nil || !strings.Contains(string(out), "approved") {
			t.Fatalf("device helper: %v\n%s", err, out)
		}
	}
	// mailpeer on localhost stands in for the provider's server (the block's
	// smtp_host): the test proved that server, not the provider's, so the
	// end says "tested from this machine only", as on the smtp channel
	got := p.waitFor(60*time.Second, doneLocal, "Done: Personio can send as", "✗ ")
	screenAtEnd := p.screen()
	if got != doneLocal {
		t.Fatalf("the journey did not end delivered:\n%s", screenAtEnd)
	}
	p.send("Enter")
	p.waitFor(10*time.Second, "EXIT=0")

	tok, err := secrets.NewKeyring().Get(context.Background(), account)
	if err != nil || tok.Empty() {
		t.Fatalf("keyring %s: %v", account, err)
	}
	written, err := os.ReadFile(filepath.Join(r.dir, "jobmail.yaml"))
	if err != nil || !strings.Contains(string(written), "client_id: ") || !strings.Contains(string(written), "channel: "+channel) {
		t.Fatalf("setup file (%v):\n%s", err, written)
	}
	exp, err := os.ReadFile(filepath.Join(r.dir, "recruiting-email.json"))
	if err != nil {
		t.Fatalf("export: %v", err)
	}
	token := regexp.MustCompile(`jm-[A-Za-z0-9_-]{10,}`).FindString(string(exp))
	if token == "" || !r.delivered(token) {
		t.Errorf("the wizard's test message (token %q) is not in the Maildir", token)
	}
	if channel == "google" {
		t.Setenv("JOBMAIL_GOOGLE_CLIENT_SECRET", peer["OAUTHPEER_GOOGLE_CLIENT_SECRET"])
	}
	out := r.replay() // headless, from the keyring: refresh (rotated) + send
	var res struct {
		OK      bool   `json:"ok"`
		Channel string `json:"channel"`
	}
	if err := json.Unmarshal(out, &res); err != nil || !res.OK || res.Channel != channel {
		t.Fatalf("replay %+v (%v):\n%s", res, err, out)
	}
	rotated, err := secrets.NewKeyring().Get(context.Background(), account)
	if err != nil || rotated.Reveal() == tok.Reveal() {
		t.Fatalf("the replay's rotated token is not in the keyring (%v)", err)
	}
	for _, secret := range []string{tok.Reveal(), rotated.Reveal()} {
		for name, text := range map[string]string{"screen": screenAtEnd, "setup file": string(written),
			"export": string(exp), "replay": string(out)} {
			if how := leaktest.Find(text, secret); how != "" {
				t.Errorf("a refresh token the peer issued is in the %s (%s)", name, how)
			}
		}
	}
}

func TestWizardNoAppMicrosoftDevice(t *testing.T) { noAppJourney(t, "microsoft") }

func TestWizardNoAppGoogleLoopback(t *testing.T) { noAppJourney(t, "google") }

// chooseUntil is choose, pressing Enter again while the select still
// shows: an Enter sent into a form that was being drawn can be lost on a
// busy machine.
func chooseUntil(p *pane, label, next string) {
	p.t.Helper()
	p.choose(label)
	for range 3 {
		deadline := time.Now().Add(5 * time.Second)
		for time.Now().Before(deadline) {
			if strings.Contains(p.screen(), next) {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
		if strings.Contains(p.screen(), "> "+label) {
			p.send("Enter")
		}
	}
	p.t.Fatalf("after %q no %q:\n%s", label, next, p.screen())
}
