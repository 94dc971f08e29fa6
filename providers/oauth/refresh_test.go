package oauth_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/providers/oauth"
	"github.com/jobmail/jobmail/providers/oauth/oauthtest"
	"github.com/jobmail/jobmail/secrets"
)

// signIn runs a loopback sign-in and returns the grant.
func signIn(t *testing.T, s *oauthtest.Server, f *oauth.Flow) oauth.Grant {
	t.Helper()
	g, err := f.Authorize(context.Background(), oauth.ModeLoopback, address, &oauthtest.Browser{}, &prompter{})
	if err != nil {
		t.Fatalf("sign in: %v", err)
	}
	return g
}

func TestRefreshRotation(t *testing.T) {
	s := oauthtest.New(t, oauthtest.Options{Rotate: true})
	f := newFlow(s)
	g := signIn(t, s, f)
	var stored []secrets.Secret
	f.OnRotate = func(n secrets.Secret) error { stored = append(stored, n); return nil }

	access, next, expiry, err := f.Refresh(context.Background(), g.Refresh)
	if err != nil {
		t.Fatalf("Refresh: %v", err)
	}
	if access.Empty() || time.Until(expiry) < 50*time.Minute {
		t.Errorf("access empty=%v expiry=%v", access.Empty(), expiry)
	}
	if next.Reveal() == g.Refresh.Reveal() || len(stored) != 1 || stored[0].Reveal() != next.Reveal() {
		t.Fatalf("rotation not reported: stored %d", len(stored))
	}
	if s.ValidRefresh(g.Refresh.Reveal()) || !s.ValidRefresh(next.Reveal()) {
		t.Fatal("server state: old token should be dead, new one alive")
	}
	// The old token is now revoked: invalid_grant, telling to run the wizard.
	_, _, _, err = f.Refresh(context.Background(), g.Refresh)
	pe := wantCode(t, err, providers.CodeOAuthInvalidGrant)
	if pe.Args["action"] != oauth.ActionRunWizard || pe.Field != "x.refresh_token" || pe.Reply != "Token has been expired or revoked." {
		t.Errorf("diagnosis = %+v", pe.Diagnosis)
	}
	noLeak(t, []string{err.Error(), pe.Reply, fmt.Sprint(pe.Args), fmt.Sprintf("%+v", g)},
		g.Refresh.Reveal(), next.Reveal(), access.Reveal())
}

func TestRefreshWithoutRotation(t *testing.T) {
	s := oauthtest.New(t, oauthtest.Options{})
	f := newFlow(s)
	g := signIn(t, s, f)
	f.OnRotate = func(secrets.Secret) error { t.Error("OnRotate called without rotation"); return nil }
	for i := range 2 {
		_, next, _, err := f.Refresh(context.Background(), g.Refresh)
		if err != nil {
			t.Fatalf("refresh %d: %v", i, err)
		}
		if next.Reveal() != g.Refresh.Reveal() {
			t.Fatal("newRefresh differs although the server did not rotate")
		}
	}
	if st := s.Stats(); st.Refreshes != 2 {
		t.Errorf("refreshes = %d", st.Refreshes)
	}
}

func TestRefreshFailures(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, s *oauthtest.Server, f *oauth.Flow, g oauth.Grant) secrets.Secret
		want  providers.Code
	}{
		{name: "revoked", want: providers.CodeOAuthInvalidGrant,
			setup: func(t *testing.T, s *oauthtest.Server, _ *oauth.Flow, g oauth.Grant) secrets.Secret {
				resp, err := http.PostForm(s.RevokeURL(), url.Values{"token": {g.Refresh.Reveal()}})
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				return g.Refresh
			}},
		{name: "missing", want: providers.CodeOAuthInvalidGrant,
			setup: func(*testing.T, *oauthtest.Server, *oauth.Flow, oauth.Grant) secrets.Secret { return secrets.Secret{} }},
		{name: "expired by inactivity", want: providers.CodeOAuthInvalidGrant,
			setup: func(_ *testing.T, s *oauthtest.Server, _ *oauth.Flow, g oauth.Grant) secrets.Secret {
				s.FailNext(oauthtest.EndpointRefresh, oauthtest.ErrorReply{Error: "invalid_grant",
					Description: "AADSTS700082: The refresh token has expired due to inactivity."})
				return g.Refresh
			}},
		{name: "mfa now required", want: providers.CodeOAuthConditional,
			setup: func(_ *testing.T, s *oauthtest.Server, _ *oauth.Flow, g oauth.Grant) secrets.Secret {
				s.FailNext(oauthtest.EndpointRefresh, oauthtest.ErrorReply{Error: "invalid_grant",
					Description: "AADSTS50079: Due to a configuration change made by your administrator, you must enroll in MFA."})
				return g.Refresh
			}},
		{name: "server echoes the token", want: providers.CodeOAuthInvalidGrant,
			setup: func(_ *testing.T, s *oauthtest.Server, _ *oauth.Flow, g oauth.Grant) secrets.Secret {
				s.FailNext(oauthtest.EndpointRefresh, oauthtest.ErrorReply{Error: "invalid_grant",
					Description: "refresh token " + g.Refresh.Reveal() + " is unknown"})
				return g.Refresh
			}},
		{name: "keyring fails on rotation", want: providers.CodeSecretsUnavailable,
			setup: func(_ *testing.T, _ *oauthtest.Server, f *oauth.Flow, g oauth.Grant) secrets.Secret {
				f.OnRotate = func(secrets.Secret) error { return fmt.Errorf("set: %w", secrets.ErrUnavailable) }
				return g.Refresh
			}},
		{name: "rotated token too large", want: providers.CodeSecretsTooLarge,
			setup: func(_ *testing.T, _ *oauthtest.Server, f *oauth.Flow, g oauth.Grant) secrets.Secret {
				f.OnRotate = func(secrets.Secret) error { return secrets.ErrTooLarge }
				return g.Refresh
			}},
		{name: "token endpoint down", want: providers.CodeOAuthUnreachable,
			setup: func(_ *testing.T, _ *oauthtest.Server, f *oauth.Flow, g oauth.Grant) secrets.Secret {
				f.TokenURL = "http://127.0.0.1:1/token"
				return g.Refresh
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := oauthtest.New(t, oauthtest.Options{Rotate: true})
			f := newFlow(s)
			g := signIn(t, s, f)
			rt := tt.setup(t, s, f, g)
			access, _, _, err := f.Refresh(context.Background(), rt)
			pe := wantCode(t, err, tt.want)
			if tt.want == providers.CodeOAuthInvalidGrant && pe.Args["action"] != oauth.ActionRunWizard {
				t.Errorf("args = %v", pe.Args)
			}
			if tt.want == providers.CodeSecretsUnavailable && !errors.Is(err, secrets.ErrUnavailable) {
				t.Errorf("cause lost: %v", err)
			}
			texts := []string{err.Error(), pe.Reply, fmt.Sprint(pe.Args)}
			noLeak(t, texts, g.Refresh.Reveal(), g.Access.Reveal())
			if !access.Empty() {
				noLeak(t, texts, access.Reveal())
			}
		})
	}
}

func TestHealth(t *testing.T) {
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	h := oauth.HealthAfter(at, oauth.GoogleTestingLifetime, oauth.ReasonGoogleTesting)
	if !h.LikelyExpiresAt.Equal(at.Add(7*24*time.Hour)) || h.IssuedAt != at {
		t.Errorf("health = %+v", h)
	}
	if !h.ExpiresWithin(at.Add(6*24*time.Hour), 48*time.Hour) || h.ExpiresWithin(at, 48*time.Hour) {
		t.Error("ExpiresWithin wrong")
	}
	if (oauth.Health{IssuedAt: at}).ExpiresWithin(at.Add(1000*time.Hour), time.Hour) {
		t.Error("unknown expiry reported as expiring")
	}
}
