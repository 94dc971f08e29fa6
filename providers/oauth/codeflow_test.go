package oauth_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/providers/oauth"
	"github.com/jobmail/jobmail/providers/oauth/oauthtest"
)

func TestLoopbackFlow(t *testing.T) {
	s := oauthtest.New(t, oauthtest.Options{Tenant: "tid-123"})
	f := newFlow(s)
	f.AuthParams = map[string]string{"prompt": "consent", "access_type": "offline"}
	issued := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	f.Clock = oauthtest.NewClock(issued)
	f.Health = func(at time.Time) oauth.Health {
		return oauth.HealthAfter(at, oauth.MicrosoftUnusedLifetime, oauth.ReasonMicrosoftUnused)
	}
	b := &oauthtest.Browser{}
	p := &prompter{}

	g, err := f.Authorize(context.Background(), oauth.ModeLoopback, address, b, p)
	if err != nil {
		t.Fatalf("Authorize: %v", err)
	}
	if g.Account != address || g.TenantID != "tid-123" {
		t.Errorf("grant account/tenant = %q/%q", g.Account, g.TenantID)
	}
	if g.Refresh.Empty() || g.Access.Empty() || !s.ValidRefresh(g.Refresh.Reveal()) {
		t.Fatal("grant lacks a refresh token the server accepts")
	}
	if want := issued.Add(90 * 24 * time.Hour); !g.Health.LikelyExpiresAt.Equal(want) || g.Health.Reason != oauth.ReasonMicrosoftUnused {
		t.Errorf("health = %+v, want expiry %v", g.Health, want)
	}
	ev, ok := p.first(oauth.EventAuthURL)
	if !ok || len(b.Opened()) != 1 || b.Opened()[0] != ev.URL {
		t.Fatalf("auth URL event %+v, browser opened %v", ev, b.Opened())
	}
	if !strings.HasPrefix(ev.RedirectURI, "http://127.0.0.1:") {
		t.Errorf("redirect URI %q is not loopback 127.0.0.1", ev.RedirectURI)
	}
	st := s.Stats()
	q := st.LastAuthParams
	if q.Get("code_challenge_method") != "S256" || q.Get("prompt") != "consent" || q.Get("access_type") != "offline" ||
		st.LastLoginHint != address || q.Get("state") == "" {
		t.Errorf("authorization request params = %v", q)
	}
	if got := p.kinds(); got[len(got)-1] != oauth.EventSignedIn {
		t.Errorf("events = %v, want signed_in last", got)
	}
	pages := b.Pages()
	if len(pages) != 1 || pages[0].Status != 200 || !strings.Contains(pages[0].Body, "Signed in") ||
		!strings.Contains(pages[0].Body, "Angemeldet") || !strings.Contains(pages[0].Body, "Accesso eseguito") {
		t.Errorf("browser page = %+v", pages)
	}
	noLeak(t, []string{ev.URL, pages[0].URL, pages[0].Body}, g.Refresh.Reveal(), g.Access.Reveal())
}

func TestLoopbackBrowserFails(t *testing.T) {
	s := oauthtest.New(t, oauthtest.Options{})
	f := newFlow(s)
	b := &oauthtest.Browser{}
	p := &prompter{}
	// No browser comes up; the person opens the printed URL by hand.
	p.onEvent = func(e oauth.Event) {
		if e.Kind == oauth.EventBrowserFailed {
			go func() { _, _ = b.Visit(context.Background(), e.URL) }()
		}
	}
	opener := oauth.OpenerFunc(func(string) error { return errors.New("xdg-open: not found") })
	g, err := f.Authorize(context.Background(), oauth.ModeLoopback, address, opener, p)
	if err != nil {
		t.Fatalf("Authorize: %v", err)
	}
	if g.Account != address {
		t.Errorf("account = %q", g.Account)
	}
	if e, ok := p.first(oauth.EventBrowserFailed); !ok || e.Err == nil {
		t.Errorf("no browser_failed event with the opener's error: %v", p.kinds())
	}
}

func TestPasteFallback(t *testing.T) {
	tests := []struct {
		name    string
		mangle  func(redirect string) string // what the person pastes
		garbage []string                     // pasted first, refused
	}{
		{name: "whole URL", mangle: func(r string) string { return "  " + r + "\n" }},
		{name: "query only", mangle: func(r string) string { return r[strings.IndexByte(r, '?')+1:] }},
		{name: "after two bad pastes", mangle: func(r string) string { return r },
			garbage: []string{"", "http://127.0.0.1:1/?nothing=here"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := oauthtest.New(t, oauthtest.Options{})
			f := newFlow(s)
			b := &oauthtest.Browser{}
			p := &prompter{}
			bad := append([]string(nil), tt.garbage...)
			p.read = func(ctx context.Context) (string, error) {
				if len(bad) > 0 {
					g := bad[0]
					bad = bad[1:]
					return g, nil
				}
				ev, ok := p.first(oauth.EventAwaitPaste)
				if !ok {
					return "", errors.New("no await_paste event before ReadRedirect")
				}
				// The browser is elsewhere: it is redirected to a loopback
				// address that does not load there; the person copies it.
				loc, err := b.Redirected(ctx, ev.URL)
				if err != nil {
					return "", err
				}
				return tt.mangle(loc), nil
			}
			g, err := f.Authorize(context.Background(), oauth.ModePaste, address, nil, p)
			if err != nil {
				t.Fatalf("Authorize: %v", err)
			}
			if g.Account != address || !s.ValidRefresh(g.Refresh.Reveal()) {
				t.Errorf("grant = %+v", g)
			}
			invalid := 0
			for _, k := range p.kinds() {
				if k == oauth.EventPasteInvalid {
					invalid++
				}
			}
			if invalid != len(tt.garbage) {
				t.Errorf("paste_invalid events = %d, want %d", invalid, len(tt.garbage))
			}
		})
	}
}

// TestPasteModeLocalBrowser: in paste mode the loopback listener runs as
// well, so a browser on the same machine completes without any pasting,
// and the pending ReadRedirect is cancelled.
func TestPasteModeLocalBrowser(t *testing.T) {
	s := oauthtest.New(t, oauthtest.Options{})
	b := &oauthtest.Browser{}
	readEnded := make(chan error, 1)
	p := &prompter{}
	p.onEvent = func(e oauth.Event) {
		if e.Kind == oauth.EventAwaitPaste {
			go func() { _ = b.Open(e.URL) }()
		}
	}
	p.read = func(ctx context.Context) (string, error) {
		<-ctx.Done()
		readEnded <- ctx.Err()
		return "", ctx.Err()
	}
	g, err := newFlow(s).Authorize(context.Background(), oauth.ModePaste, address, nil, p)
	if err != nil || g.Account != address {
		t.Fatalf("Authorize: %v (%+v)", err, g)
	}
	select {
	case <-readEnded:
	case <-time.After(5 * time.Second):
		t.Fatal("ReadRedirect was not cancelled")
	}
	if pages := b.Pages(); len(pages) != 1 || pages[0].Status != 200 {
		t.Errorf("pages = %+v", pages)
	}
}

func TestStateMismatch(t *testing.T) {
	t.Run("pasted from another attempt", func(t *testing.T) {
		s := oauthtest.New(t, oauthtest.Options{})
		f := newFlow(s)
		b := &oauthtest.Browser{}
		p := &prompter{}
		p.read = func(ctx context.Context) (string, error) {
			ev, _ := p.first(oauth.EventAwaitPaste)
			loc, err := b.Redirected(ctx, ev.URL)
			if err != nil {
				return "", err
			}
			u, _ := url.Parse(loc)
			q := u.Query()
			q.Set("state", "state-of-an-older-attempt")
			u.RawQuery = q.Encode()
			return u.String(), nil
		}
		_, err := f.Authorize(context.Background(), oauth.ModePaste, address, nil, p)
		pe := wantCode(t, err, providers.CodeOAuthExpired)
		if pe.Args["reason"] != "state_mismatch" {
			t.Errorf("args = %v", pe.Args)
		}
		if st := s.Stats(); st.Exchanges != 0 {
			t.Errorf("the code of a mismatched redirect was exchanged (%d exchanges)", st.Exchanges)
		}
	})
	t.Run("loopback redirect with a forged state", func(t *testing.T) {
		s := oauthtest.New(t, oauthtest.Options{})
		f := newFlow(s)
		b := &oauthtest.Browser{}
		opener := oauth.OpenerFunc(func(raw string) error {
			u, _ := url.Parse(raw)
			q := u.Query()
			q.Set("state", "forged")
			u.RawQuery = q.Encode()
			return b.Open(u.String())
		})
		_, err := f.Authorize(context.Background(), oauth.ModeLoopback, address, opener, &prompter{})
		wantCode(t, err, providers.CodeOAuthExpired)
		pages := b.Pages()
		if len(pages) != 1 || pages[0].Status != 400 || !strings.Contains(pages[0].Body, "oauth.expired") {
			t.Errorf("browser page = %+v", pages)
		}
	})
}

func TestAccountCheck(t *testing.T) {
	tests := []struct {
		name     string
		opt      oauthtest.Options
		userinfo bool
		want     providers.Code // "" = success
		account  string
	}{
		{name: "same address, other case", opt: oauthtest.Options{Account: "JOBS@Example.TEST"}, account: "JOBS@Example.TEST"},
		{name: "other account", opt: oauthtest.Options{Account: "hr.private@gmail.com"}, want: providers.CodeOAuthAccountMismatch},
		{name: "microsoft: preferred_username only", account: address,
			opt: oauthtest.Options{Account: "ignored@example.test", Claims: map[string]any{"email": nil, "preferred_username": address}}},
		{name: "microsoft: upn differs from address", want: providers.CodeOAuthAccountMismatch,
			opt: oauthtest.Options{Claims: map[string]any{"email": nil, "preferred_username": "admin@acme.onmicrosoft.com"}}},
		{name: "userinfo endpoint", userinfo: true, account: address,
			opt: oauthtest.Options{Claims: map[string]any{"email": nil}}},
		{name: "no identity at all", want: providers.CodeOAuthAccountMismatch,
			opt: oauthtest.Options{Claims: map[string]any{"email": nil}}},
		{name: "no refresh token issued", opt: oauthtest.Options{OmitRefresh: true}, want: providers.CodeOAuthInvalidScope},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := oauthtest.New(t, tt.opt)
			f := newFlow(s)
			if tt.userinfo {
				f.UserinfoURL = s.UserinfoURL()
			}
			b := &oauthtest.Browser{}
			g, err := f.Authorize(context.Background(), oauth.ModeLoopback, address, b, &prompter{})
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Authorize: %v", err)
				}
				if g.Account != tt.account {
					t.Errorf("account = %q, want %q", g.Account, tt.account)
				}
				return
			}
			pe := wantCode(t, err, tt.want)
			if tt.want == providers.CodeOAuthAccountMismatch {
				if pe.Args["expected"] != address || pe.Field != "address" {
					t.Errorf("diagnosis = %+v", pe.Diagnosis)
				}
				if c := tt.opt.Claims["preferred_username"]; c != nil && pe.Args["actual"] != c {
					t.Errorf("actual = %q, want %q", pe.Args["actual"], c)
				}
			}
			if pages := b.Pages(); len(pages) != 1 || pages[0].Status != 400 || !strings.Contains(pages[0].Body, string(tt.want)) {
				t.Errorf("browser page = %+v", pages)
			}
		})
	}
}

func TestInteractiveBounds(t *testing.T) {
	s := oauthtest.New(t, oauthtest.Options{})
	never := oauth.OpenerFunc(func(string) error { return nil }) // the person never signs in
	t.Run("timeout", func(t *testing.T) {
		f := newFlow(s)
		f.Timeout = 100 * time.Millisecond
		_, err := f.Authorize(context.Background(), oauth.ModeLoopback, address, never, &prompter{})
		if pe := wantCode(t, err, providers.CodeOAuthExpired); pe.Args["reason"] != "timeout" {
			t.Errorf("args = %v", pe.Args)
		}
	})
	t.Run("cancel", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		p := &prompter{onEvent: func(oauth.Event) { cancel() }}
		_, err := newFlow(s).Authorize(ctx, oauth.ModePaste, address, never, p)
		wantCode(t, err, providers.CodeCanceled)
	})
	t.Run("missing client id", func(t *testing.T) {
		f := newFlow(s)
		f.ClientID = " "
		_, err := f.Authorize(context.Background(), oauth.ModeLoopback, address, never, &prompter{})
		if pe := wantCode(t, err, providers.CodeOAuthAppNotFound); pe.Field != "x.client_id" {
			t.Errorf("field = %q", pe.Field)
		}
	})
	t.Run("unknown mode", func(t *testing.T) {
		if _, err := newFlow(s).Authorize(context.Background(), "telepathy", address, never, &prompter{}); err == nil {
			t.Error("unknown mode accepted")
		}
	})
	t.Run("no way to show the URL", func(t *testing.T) {
		if _, err := newFlow(s).Authorize(context.Background(), oauth.ModePaste, address, nil, nil); err == nil {
			t.Error("paste mode without prompter accepted")
		}
	})
}
