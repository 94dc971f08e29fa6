package microsoft_test

import (
	"context"
	"crypto/rand"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jobmail/jobmail/e2e/e2eenv"
	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/providers/microsoft"
	"github.com/jobmail/jobmail/providers/oauth"
	"github.com/jobmail/jobmail/providers/oauth/oauthtest"
	"github.com/jobmail/jobmail/secrets"
)

// TestE2EMicrosoftThroughMailpeer: device-flow sign-in, then two headless
// tests through the real server with Entra-sized (over 2,048 characters)
// rotating tokens, then a revoked token.
func TestE2EMicrosoftThroughMailpeer(t *testing.T) {
	mp := e2eenv.RequireUp(t, "MAILPEER_USER", "MAILPEER_CA_FILE", "MAILPEER_OAUTH_TOKENS_FILE", "MAILPEER_MAILDIR")
	user := mp["MAILPEER_USER"]
	var issued oauthtest.Issued
	auth := oauthtest.New(t, oauthtest.Options{Account: user, Rotate: true, AccessTokenLen: 2600,
		Claims: map[string]any{"email": nil, "preferred_username": user}, OnIssue: issued.Hook(mp.AddOAuthTokenFunc(t))})
	prov, err := microsoft.New(microsoft.Config{ClientID: auth.ClientID(), Tenant: "example.test", AuthorityURL: auth.URL,
		SMTPHost: mp["MAILPEER_HOST"], SMTPPort: mp.Port(t, "MAILPEER_SUBMISSION_PORT"), CAFile: mp["MAILPEER_CA_FILE"],
		Clock: oauthtest.NewClock(time.Now())})
	if err != nil {
		t.Fatal(err)
	}
	g, err := prov.Authorize(context.Background(), oauth.ModeDevice, user, nil,
		&devicePerson{b: &oauthtest.Browser{}, action: "approve"})
	if err != nil {
		t.Fatalf("Authorize: %v", err)
	}
	var stored []secrets.Secret
	tester := prov.Tester(user, g.Refresh, func(s secrets.Secret) error { stored = append(stored, s); return nil })
	for i := range 2 {
		marker := "e2e-microsoft-" + rand.Text()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		res := tester.Test(ctx, providers.Message{From: user, To: user, Token: marker,
			Subject: "jobmail " + marker, Body: "e2e"}, nil)
		cancel()
		if !res.OK() {
			t.Fatalf("test %d: %+v\n%s", i, res.Diagnosis, strings.Join(res.Transcript, "\n"))
		}
		mp.WaitDelivered(t, marker)
		all := append([]string{g.Refresh.Reveal()}, issued.Tokens()...)
		for _, s := range stored {
			all = append(all, s.Reveal())
		}
		noLeak(t, leakTexts(res), all...)
	}
	if len(stored) != 2 || !auth.ValidRefresh(stored[1].Reveal()) || auth.ValidRefresh(g.Refresh.Reveal()) {
		t.Fatalf("rotation: stored %d, newest valid %v", len(stored), len(stored) == 2 && auth.ValidRefresh(stored[1].Reveal()))
	}

	resp, err := http.PostForm(auth.RevokeURL(), url.Values{"token": {stored[1].Reveal()}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	res := tester.Test(context.Background(), providers.Message{From: user, To: user, Token: "x", Subject: "x", Body: "x"}, nil)
	if res.Diagnosis == nil || res.Diagnosis.Code != providers.CodeOAuthInvalidGrant || len(res.Stages) != 1 ||
		res.Diagnosis.Args["action"] != oauth.ActionRunWizard {
		t.Fatalf("revoked: %+v stages %+v", res.Diagnosis, res.Stages)
	}
}

// TestE2EKeyringRoundTrip keeps the refresh token in the real OS keyring
// (gnome-keyring over D-Bus): stored after sign-in, read back for a
// headless test, replaced by the rotated one during the test, and read
// back again for a second run. Gated by JOBMAIL_E2E_KEYRING=1; the mail
// side is the in-process SMTP server so the test needs no mailpeer.
func TestE2EKeyringRoundTrip(t *testing.T) {
	e2eenv.RequireKeyring(t)
	ctx := context.Background()
	kr := secrets.NewKeyring()
	account := microsoft.KeyringAccount(address) + ":e2e-" + rand.Text()
	// An account never stored: a keyring that answers says not found.
	if _, err := kr.Get(ctx, account); !errors.Is(err, secrets.ErrNotFound) {
		t.Fatalf("keyring: %v", err)
	}
	t.Cleanup(func() { _ = kr.Delete(context.Background(), account) })

	r := newRig(t, oauthtest.Options{}, "")
	g, err := r.prov.Authorize(ctx, oauth.ModeLoopback, address, &oauthtest.Browser{}, &devicePerson{})
	if err != nil {
		t.Fatalf("Authorize: %v", err)
	}
	if err := kr.Set(ctx, account, g.Refresh); err != nil {
		t.Fatalf("store refresh token: %v", err)
	}
	store := func(s secrets.Secret) error { return kr.Set(ctx, account, s) }
	prev := g.Refresh.Reveal()
	for i := range 2 {
		rt, err := kr.Get(ctx, account) // a fresh headless run reads the keyring
		if err != nil {
			t.Fatalf("run %d: read refresh token: %v", i, err)
		}
		if rt.Reveal() != prev {
			t.Fatalf("run %d: keyring does not hold the newest refresh token", i)
		}
		res := r.prov.Tester(address, rt, store).Test(ctx, message(), nil)
		if !res.OK() {
			t.Fatalf("run %d: %+v", i, res.Diagnosis)
		}
		now, err := kr.Get(ctx, account)
		if err != nil {
			t.Fatal(err)
		}
		if now.Reveal() == prev || !r.auth.ValidRefresh(now.Reveal()) || r.auth.ValidRefresh(prev) {
			t.Fatalf("run %d: rotated token not saved to the keyring", i)
		}
		noLeak(t, leakTexts(res), prev, now.Reveal())
		prev = now.Reveal()
	}
}
