package tui

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/jobmail/jobmail/providers/google"
	"github.com/jobmail/jobmail/providers/microsoft"
	"github.com/jobmail/jobmail/providers/oauth"
	"github.com/jobmail/jobmail/providers/oauth/oauthtest"
	"github.com/jobmail/jobmail/providers/smtp/smtptest"
	"github.com/jobmail/jobmail/secrets/secretstest"
	"github.com/jobmail/jobmail/wizard"
	"github.com/jobmail/jobmail/wizard/setupfile"
)

const oauthAddress = "jobs@example.test"

// oauthRig is a direct integration against in-process servers: the
// authorization server (oauthtest, real HTTP) and a STARTTLS mail server
// that knows the access token it issues (XOAUTH2).
type oauthRig struct {
	auth    *oauthtest.Server
	mail    *smtptest.Server
	browser *oauthtest.Browser
	h       *harness
	cfg     Config
	store   *secretstest.MemStore
}

// newOAuthRig prepares a wizard for channel ("google" or "microsoft")
// signing in with mode through opener (nil: none). The setup file points
// the channel's endpoints, SMTP host and CA file at the local servers, as
// a customer's file may; the wizard asks every question, prefilled.
func newOAuthRig(t *testing.T, channel string, mode oauth.Mode, opener oauth.Opener, opt oauthtest.Options, tweak func(*Model)) *oauthRig {
	t.Helper()
	r := prepareOAuth(t, channel, mode, opener, opt)
	r.h = start(t, r.cfg, r.store, tweak)
	return r
}

// prepareOAuth is newOAuthRig without starting the wizard.
func prepareOAuth(t *testing.T, channel string, mode oauth.Mode, opener oauth.Opener, opt oauthtest.Options) *oauthRig {
	t.Helper()
	cfg, store := testConfig(t, channel)
	opt.AccessToken = "ya29." + strings.Repeat("t", 120)
	if channel == "microsoft" {
		opt.Rotate = true
		opt.Claims = map[string]any{"email": nil, "preferred_username": oauthAddress}
	}
	r := &oauthRig{auth: oauthtest.New(t, opt), browser: &oauthtest.Browser{}, cfg: cfg, store: store}
	pki, err := smtptest.NewPKI("tui-oauth-ca")
	if err != nil {
		t.Fatal(err)
	}
	tlsCfg, err := pki.ServerTLS(smtptest.Leaf{})
	if err != nil {
		t.Fatal(err)
	}
	r.mail = smtptest.NewServer(t, smtptest.Options{TLS: tlsCfg, RequireAuth: true,
		Tokens: map[string]string{opt.AccessToken: oauthAddress}})
	ca, err := pki.WriteCA(".")
	if err != nil {
		t.Fatal(err)
	}
	setup := &setupfile.Setup{Version: 1, Platform: setupfile.Platform{Account: "acme"},
		Company: setupfile.Mailbox{Address: oauthAddress, Channel: channel}}
	switch channel {
	case "google":
		setup.Company.Google = &setupfile.Google{ClientID: r.auth.ClientID(), AuthURL: r.auth.AuthURL(),
			TokenURL: r.auth.TokenURL(), SMTPHost: r.mail.Host, SMTPPort: r.mail.Port, CAFile: ca}
	case "microsoft":
		setup.Company.Microsoft = &setupfile.Microsoft{ClientID: r.auth.ClientID(), AuthorityURL: r.auth.URL,
			SMTPHost: r.mail.Host, SMTPPort: r.mail.Port, CAFile: ca}
	}
	if err := setupfile.Save(cfg.SetupPath, setup); err != nil {
		t.Fatal(err)
	}
	cfg.Env.OAuth = &wizard.OAuth{Mode: mode, Opener: opener, HTTPClient: &http.Client{Timeout: 10 * time.Second}}
	r.cfg = cfg
	return r
}

// upToSignIn accepts the prefilled questions up to the sign-in.
func (r *oauthRig) upToSignIn(channel string) {
	h := r.h
	h.accept("company.address")
	h.accept("platform.account")
	h.accept("company.sender_name")
	h.accept("company.forwarding")
	h.accept("company.channel")
	if channel == "microsoft" {
		h.accept("company.microsoft.tenant")
		h.accept("company.microsoft.client_id")
		h.accept("company.prerequisites.licensed_mailbox")
	} else {
		h.accept("company.google.client_id")
	}
	h.accept("company.prerequisites.not_shared_mailbox")
	h.accept("company.prerequisites.admin_rights_or_consent")
}

// done waits for the end and checks the refresh token went to the keyring
// under the account headless runs look up, and the test message went out.
func (r *oauthRig) done(t *testing.T, account string) *Model {
	t.Helper()
	r.h.waitFor("done", func(s snapshot) bool { return s.mode == modeDone })
	r.h.enter()
	m := r.h.final()
	if res := m.Result(); res.Outcome != OutcomeDone || res.Account != account {
		t.Fatalf("result %+v", res)
	}
	tok, ok := r.store.Value(account)
	if !ok || tok == "" || !r.auth.ValidRefresh(tok) {
		t.Fatalf("keyring %s holds %q (%v), not a valid refresh token", account, tok, ok)
	}
	if msgs := r.mail.Messages(); len(msgs) != 1 || msgs[0].Mechanism != "XOAUTH2" || msgs[0].User != oauthAddress {
		t.Fatalf("mail server got %+v", msgs)
	}
	return m
}

// TestSignInLoopback: the browser (an HTTP client following the sign-in
// page's redirect to the wizard's loopback listener) signs in; the live
// test sends with XOAUTH2; the refresh token lands in the keyring.
func TestSignInLoopback(t *testing.T) {
	tests := []struct{ channel, account string }{
		{"google", google.KeyringAccount(oauthAddress)},
		{"microsoft", microsoft.KeyringAccount(oauthAddress)},
	}
	for _, tc := range tests {
		t.Run(tc.channel, func(t *testing.T) {
			b := &oauthtest.Browser{}
			r := newOAuthRig(t, tc.channel, oauth.ModeLoopback, b, oauthtest.Options{}, nil)
			r.upToSignIn(tc.channel)
			r.done(t, tc.account)
			if got := b.Opened(); len(got) != 1 || !strings.Contains(got[0], "login_hint=jobs%40example.test") {
				t.Errorf("browser opened %q", got)
			}
			if pages := b.Pages(); len(pages) != 1 || pages[0].Status != http.StatusOK {
				t.Errorf("the browser's last page: %+v", pages)
			}
		})
	}
}

// pasteRedirect plays a person on another device: open the sign-in page
// shown, stop at the redirect (the loopback address does not load there)
// and paste that address into the field.
func pasteRedirect(t *testing.T, r *oauthRig) {
	t.Helper()
	s := r.h.waitFor("the paste field", func(s snapshot) bool { return s.paste && s.sign.Kind == oauth.EventAwaitPaste })
	for _, want := range []string{"Open this sign-in page on any device", "Address the browser ended on", "http://127.0.0.1:"} {
		if !strings.Contains(s.view, want) {
			t.Errorf("paste screen lacks %q:\n%s", want, s.view)
		}
	}
	loc, err := r.browser.Redirected(t.Context(), s.sign.URL)
	if err != nil {
		t.Fatal(err)
	}
	r.h.tm.Send(tea.PasteMsg{Content: loc})
	r.h.enter()
}

// TestSignInPaste: with --sign-in paste the wizard shows the page and a
// field; a paste without a code is refused at the field with the reason
// and asked again; the redirected address signs in.
func TestSignInPaste(t *testing.T) {
	r := newOAuthRig(t, "google", oauth.ModePaste, nil, oauthtest.Options{}, nil)
	r.upToSignIn("google")
	r.h.waitFor("the paste field", func(s snapshot) bool { return s.paste })
	r.h.typ("https://example.test/nothing-here")
	r.h.enter()
	s := r.h.screenHas("holds no sign-in code")
	if !strings.Contains(s.view, "Address the browser ended on") {
		t.Errorf("the field is not asked again:\n%s", s.view)
	}
	pasteRedirect(t, r)
	m := r.done(t, google.KeyringAccount(oauthAddress))
	if g := m.Session().Grant; g == nil || g.Account != oauthAddress {
		t.Fatalf("grant %+v", g)
	}
}

// TestSignInBrowserFailed: when the browser cannot be opened the sign-in
// starts again in paste mode (the loopback flow reads no paste).
func TestSignInBrowserFailed(t *testing.T) {
	var mu sync.Mutex
	opened := 0
	opener := oauth.OpenerFunc(func(string) error {
		mu.Lock()
		opened++
		mu.Unlock()
		return errors.New(`exec: "xdg-open": executable file not found in $PATH`)
	})
	r := newOAuthRig(t, "microsoft", oauth.ModeLoopback, opener, oauthtest.Options{}, nil)
	r.upToSignIn("microsoft")
	pasteRedirect(t, r)
	r.done(t, microsoft.KeyringAccount(oauthAddress))
	mu.Lock()
	defer mu.Unlock()
	if opened != 1 {
		t.Errorf("the browser was tried %d times, want once", opened)
	}
}

// testClock is the UI's clock for the countdown, moved by the test.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// TestSignInDevice: Microsoft's device flow shows the code and the page
// prominently with a countdown that runs by itself; approving the code on
// the "other device" signs in.
func TestSignInDevice(t *testing.T) {
	clk := &testClock{t: time.Now()}
	r := newOAuthRig(t, "microsoft", oauth.ModeDevice, nil,
		oauthtest.Options{DeviceScript: []string{"authorization_pending"}, DeviceExpiresIn: 900},
		func(m *Model) { m.now = clk.now })
	r.upToSignIn("microsoft")
	s := r.h.waitFor("the device code", func(s snapshot) bool { return s.dev.code != "" })
	for _, want := range []string{s.dev.code, s.dev.url, "Time left to enter the code: 15:00", "esc/ctrl+c cancel the sign-in"} {
		if !strings.Contains(s.view, want) {
			t.Errorf("device screen lacks %q:\n%s", want, s.view)
		}
	}
	clk.advance(61 * time.Second)
	r.h.screenHas("Time left to enter the code: 13:59") // redrawn by the tick alone
	if err := r.browser.EnterDeviceCode(t.Context(), s.dev.url, s.dev.code, "approve"); err != nil {
		t.Fatal(err)
	}
	r.done(t, microsoft.KeyringAccount(oauthAddress))
	if st := r.auth.Stats(); st.DevicePolls < 1 {
		t.Errorf("device polls %d", st.DevicePolls)
	}
}

// TestSignInCancel: esc or ctrl+c during the sign-in ends it and returns
// to the step's last question; nothing was signed in or stored.
func TestSignInCancel(t *testing.T) {
	for _, tc := range []struct {
		name string
		mode oauth.Mode
		key  func(*harness)
	}{
		{"device_esc", oauth.ModeDevice, (*harness).esc},
		{"paste_ctrl_c", oauth.ModePaste, (*harness).ctrlC},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newOAuthRig(t, "microsoft", tc.mode, nil, oauthtest.Options{DeviceScript: []string{"authorization_pending"}}, nil)
			r.upToSignIn("microsoft")
			r.h.waitFor("the sign-in", func(s snapshot) bool { return s.dev.code != "" || s.paste })
			tc.key(r.h)
			s := r.h.at("company.prerequisites.admin_rights_or_consent")
			if !strings.Contains(s.view, "Sign-in canceled") {
				t.Errorf("no word of the cancel:\n%s", s.view)
			}
			if s.signedIn {
				t.Error("a canceled sign-in left a grant")
			}
			r.h.enter() // the sign-in starts again
			r.h.waitFor("the sign-in again", func(s snapshot) bool { return s.mode == modeRunning && (s.dev.code != "" || s.paste) })
		})
	}
}

// TestSignInScreens are the sign-in views at 80×24 with fixed events
// (the live flow's URLs and codes are random): the paste field, a
// refused paste, the device code with its countdown, an expired code.
func TestSignInScreens(t *testing.T) {
	const url = "https://login.example.test/organizations/oauth2/v2.0/authorize?client_id=0b1c&code_challenge=Xy&login_hint=jobs%40acme.test&state=S"
	at := time.Date(2026, 3, 2, 10, 30, 0, 0, time.UTC)
	tests := []struct {
		name  string
		setup func(m *Model) tea.Cmd
	}{
		{"paste", func(m *Model) tea.Cmd {
			m.sign = signIn{mode: oauth.ModePaste, ev: oauth.Event{Kind: oauth.EventAwaitPaste, URL: url, RedirectURI: "http://127.0.0.1:40123/"}}
			return m.showPaste()
		}},
		{"paste_invalid", func(m *Model) tea.Cmd {
			m.sign = signIn{mode: oauth.ModePaste, ev: oauth.Event{Kind: oauth.EventAwaitPaste, URL: url, RedirectURI: "http://127.0.0.1:40123/"},
				pasteErr: oauth.ErrPasteNoCode}
			return m.showPaste()
		}},
		{"loopback", func(m *Model) tea.Cmd {
			m.sign = signIn{mode: oauth.ModeLoopback, ev: oauth.Event{Kind: oauth.EventAuthURL, URL: url}}
			return nil
		}},
		{"loopback_copied", func(m *Model) tea.Cmd {
			m.sign = signIn{mode: oauth.ModeLoopback, ev: oauth.Event{Kind: oauth.EventAuthURL, URL: url}}
			return m.copyLink()
		}},
		{"device", func(m *Model) tea.Cmd {
			m.sign = signIn{mode: oauth.ModeDevice, device: &deviceCode{code: "QX7K-2MPL", url: "https://microsoft.com/devicelogin", deadline: at.Add(14*time.Minute + 32*time.Second)}}
			return nil
		}},
		{"device_expired", func(m *Model) tea.Cmd {
			m.sign = signIn{mode: oauth.ModeDevice, device: &deviceCode{code: "QX7K-2MPL", url: "https://microsoft.com/devicelogin", deadline: at.Add(-time.Second)}}
			return nil
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, _ := testConfig(t, "microsoft")
			m := newModel(context.Background(), cfg, &setupfile.Setup{Company: setupfile.Mailbox{Address: "jobs@acme.test", Channel: "microsoft"}}, nil, "")
			stableScreens(m)
			m.now = func() time.Time { return at }
			m.mode = modeRunning
			m.run = &actionRun{action: wizard.Action{Kind: wizard.ActionAuthorize, State: wizard.StatePrerequisites}}
			tc.setup(m)
			requireGolden(t, screen(snapshot{view: ansi.Strip(m.render())}))
		})
	}
}

// TestCountdown formats the time left as m:ss, rounding up.
func TestCountdown(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{900 * time.Second, "15:00"}, {899*time.Second + 100*time.Millisecond, "15:00"}, {61 * time.Second, "1:01"},
		{time.Second, "0:01"}, {0, "0:00"}, {-3 * time.Second, "0:00"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			if got := countdown(tc.d); got != tc.want {
				t.Errorf("countdown(%v) = %q, want %q", tc.d, got, tc.want)
			}
		})
	}
}

// TestSignInLinkWhole: the sign-in link is one OSC 8 hyperlink to the
// whole URL in every cell the width breaks it into, c puts it on the
// clipboard whole (OSC 52), and the accessible wizard prints it unbroken.
func TestSignInLinkWhole(t *testing.T) {
	const url = "https://login.example.test/organizations/oauth2/v2.0/authorize?client_id=0b1c&code_challenge=Xy&login_hint=jobs%40acme.test&state=S&scope=https%3A%2F%2Foutlook.office.com%2FSMTP.Send+offline_access+openid+email"
	cfg, _ := testConfig(t, "microsoft")
	m := newModel(context.Background(), cfg, &setupfile.Setup{Company: setupfile.Mailbox{Address: "jobs@acme.test", Channel: "microsoft"}}, nil, "")
	m.mode = modeRunning
	m.run = &actionRun{action: wizard.Action{Kind: wizard.ActionAuthorize, State: wizard.StatePrerequisites}}
	m.sign = signIn{mode: oauth.ModeLoopback, ev: oauth.Event{Kind: oauth.EventAuthURL, URL: url}}
	view := m.signInView(40)
	if !strings.Contains(view, "\x1b]8;;"+url+"\a") || strings.Contains(ansi.Strip(view), url) {
		t.Fatalf("at 40 columns the link is broken for the eye but must stay one hyperlink to the whole URL:\n%q", view)
	}
	cmd := m.copyLink()
	if cmd == nil || fmt.Sprint(cmd()) != url {
		t.Fatal("c does not copy the whole link")
	}
	if !strings.Contains(ansi.Strip(m.signInView(80)), "Link copied") {
		t.Fatal("no word that the link was copied")
	}
	plain := ansi.Strip(m.signInLines(m.sign.ev, 1<<20, false))
	if !strings.Contains(plain, "\n"+url) {
		t.Fatalf("the accessible line breaks the link:\n%s", plain)
	}
}
