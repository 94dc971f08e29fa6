package microsoft_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/providers/microsoft"
	"github.com/jobmail/jobmail/providers/oauth"
	"github.com/jobmail/jobmail/providers/oauth/oauthtest"
	"github.com/jobmail/jobmail/providers/smtp/smtptest"
	"github.com/jobmail/jobmail/secrets"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("net/http.(*persistConn).writeLoop"),
		goleak.IgnoreTopFunction("net/http.(*persistConn).readLoop"),
		// go-keyring's D-Bus session connection is a process-wide singleton
		// (keyring e2e test only).
		goleak.IgnoreAnyFunction("github.com/godbus/dbus/v5.newConn.func1"),
		goleak.IgnoreAnyFunction("github.com/godbus/dbus/v5.(*Conn).inWorker"))
}

const address = "jobs@example.test"

type rig struct {
	auth *oauthtest.Server
	mail *smtptest.Server
	prov *microsoft.Provider
}

// newRig: Entra-like server (rotating refresh tokens, preferred_username
// as the identity claim) and a STARTTLS mail server knowing the token.
func newRig(t *testing.T, opt oauthtest.Options, tenant string) *rig {
	t.Helper()
	opt.Rotate = true
	if opt.Claims == nil {
		opt.Claims = map[string]any{"email": nil, "preferred_username": address}
	}
	if opt.AccessToken == "" {
		opt.AccessToken = "eyJ0eXAi." + strings.Repeat("m", 200)
	}
	pki, err := smtptest.NewPKI("microsoft-test-ca")
	if err != nil {
		t.Fatal(err)
	}
	tlsCfg, err := pki.ServerTLS(smtptest.Leaf{})
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{auth: oauthtest.New(t, opt)}
	r.mail = smtptest.NewServer(t, smtptest.Options{TLS: tlsCfg, RequireAuth: true,
		Tokens: map[string]string{opt.AccessToken: address}})
	r.prov, err = microsoft.New(microsoft.Config{
		ClientID: r.auth.ClientID(), Tenant: tenant, AuthorityURL: r.auth.URL + "/",
		SMTPHost: r.mail.Host, SMTPPort: r.mail.Port, RootCAs: pki.Pool,
		HTTPClient: &http.Client{Timeout: 10 * time.Second}, Timeout: 20 * time.Second,
		Clock: oauthtest.NewClock(time.Now()),
	})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// devicePerson approves the device code at the verification page.
type devicePerson struct {
	b      *oauthtest.Browser
	action string
	mu     sync.Mutex
	seen   []oauth.Event
}

func (p *devicePerson) Notify(e oauth.Event) {
	p.mu.Lock()
	p.seen = append(p.seen, e)
	p.mu.Unlock()
	if e.Kind == oauth.EventDeviceCode {
		_ = p.b.EnterDeviceCode(context.Background(), e.VerificationURI, e.UserCode, p.action)
	}
}

func (p *devicePerson) ReadRedirect(ctx context.Context) (string, error) {
	<-ctx.Done()
	return "", ctx.Err()
}

func message() providers.Message {
	return providers.Message{From: address, To: address, Token: "verify-0815",
		Subject: "jobmail test verify-0815", Body: "test"}
}

func leakTexts(res providers.Result) []string {
	out := append([]string(nil), res.Transcript...)
	out = append(out, fmt.Sprintf("%+v", res))
	if res.Err != nil {
		out = append(out, res.Err.Error())
	}
	if res.Diagnosis != nil {
		b, _ := json.Marshal(res.Diagnosis)
		out = append(out, string(b))
	}
	return out
}

func noLeak(t *testing.T, texts []string, values ...string) {
	t.Helper()
	for _, v := range values {
		for _, s := range texts {
			if v == "" || strings.Contains(s, v) {
				t.Fatalf("secret (len %d) leaked into %q", len(v), s)
			}
		}
	}
}

// TestDeviceFlowRotationAndTest: sign in with the device flow, then two
// live tests; each refresh rotates the token, the store gets every new one
// at once, and the second test works only because the tester moved on to
// the rotated token.
func TestDeviceFlowRotationAndTest(t *testing.T) {
	r := newRig(t, oauthtest.Options{Tenant: "9188040d-6c67-4c5b-b112-36a304b66dad"}, "acme.onmicrosoft.com")
	g, err := r.prov.Authorize(context.Background(), oauth.ModeDevice, address,
		nil, &devicePerson{b: &oauthtest.Browser{}, action: "approve"})
	if err != nil {
		t.Fatalf("Authorize: %v", err)
	}
	if g.Account != address || g.TenantID != "9188040d-6c67-4c5b-b112-36a304b66dad" || g.Health.Reason != oauth.ReasonMicrosoftUnused {
		t.Errorf("grant = %+v", g)
	}
	if sc := r.auth.Stats().LastScope; sc != "https://outlook.office.com/SMTP.Send offline_access openid email profile" {
		t.Errorf("scope = %q", sc)
	}
	var stored []secrets.Secret
	tester := r.prov.Tester(address, g.Refresh, func(s secrets.Secret) error { stored = append(stored, s); return nil })
	for i := range 2 {
		res := tester.Test(context.Background(), message(), nil)
		if !res.OK() {
			t.Fatalf("test %d: %+v\n%s", i, res.Diagnosis, strings.Join(res.Transcript, "\n"))
		}
		if res.Channel != providers.ChannelMicrosoft {
			t.Errorf("channel = %s", res.Channel)
		}
		noLeak(t, leakTexts(res), g.Refresh.Reveal(), g.Access.Reveal())
		for _, s := range stored {
			noLeak(t, leakTexts(res), s.Reveal())
		}
	}
	if len(stored) != 2 || stored[0].Reveal() == stored[1].Reveal() {
		t.Fatalf("stored %d rotated tokens", len(stored))
	}
	if r.auth.ValidRefresh(g.Refresh.Reveal()) || r.auth.ValidRefresh(stored[0].Reveal()) || !r.auth.ValidRefresh(stored[1].Reveal()) {
		t.Error("only the newest refresh token should be alive")
	}
	if n := len(r.mail.Messages()); n != 2 {
		t.Errorf("mail server got %d messages", n)
	}
}

func TestLongTokenLoopback(t *testing.T) {
	long := "eyJ0eXAiOiJKV1Qi." + strings.Repeat("L", 3000) // Postfix would cut "AUTH XOAUTH2 <this>"
	r := newRig(t, oauthtest.Options{AccessToken: long}, "")
	g, err := r.prov.Authorize(context.Background(), oauth.ModeLoopback, address, &oauthtest.Browser{}, &devicePerson{})
	if err != nil {
		t.Fatalf("Authorize: %v", err)
	}
	res := r.prov.Tester(address, g.Refresh, func(secrets.Secret) error { return nil }).Test(context.Background(), message(), nil)
	if !res.OK() {
		t.Fatalf("test: %+v", res.Diagnosis)
	}
	noLeak(t, leakTexts(res), long, g.Refresh.Reveal())
}

func TestAdminConsentRequired(t *testing.T) {
	r := newRig(t, oauthtest.Options{}, "")
	r.auth.FailNext(oauthtest.EndpointAuthorize, oauthtest.ErrorReply{Error: "consent_required",
		Description: "AADSTS65001: The user or administrator has not consented to use the application with ID 'test-client' named 'jobmail'."})
	_, err := r.prov.Authorize(context.Background(), oauth.ModeLoopback, address, &oauthtest.Browser{}, &devicePerson{})
	var pe *providers.Error
	if !errors.As(err, &pe) || pe.Code != providers.CodeOAuthAdminConsent {
		t.Fatalf("err = %v", err)
	}
	want := r.auth.URL + "/example.test/adminconsent?client_id=test-client"
	if pe.Args["admin_consent_url"] != want || pe.Args["tenant"] != "example.test" || pe.Actor != providers.ActorMailAdmin ||
		!strings.HasPrefix(pe.Reply, "AADSTS65001: ") {
		t.Errorf("diagnosis = %+v, want url %s", pe.Diagnosis, want)
	}
}

func TestDeviceDeclinedAndUnknownApp(t *testing.T) {
	r := newRig(t, oauthtest.Options{}, "")
	_, err := r.prov.Authorize(context.Background(), oauth.ModeDevice, address, nil,
		&devicePerson{b: &oauthtest.Browser{}, action: "deny"})
	if pe := (*providers.Error)(nil); !errors.As(err, &pe) || pe.Code != providers.CodeOAuthAccessDenied {
		t.Errorf("declined: %v", err)
	}
	p, _ := microsoft.New(microsoft.Config{ClientID: "not-registered", AuthorityURL: r.auth.URL,
		HTTPClient: &http.Client{Timeout: 5 * time.Second}})
	_, err = p.Authorize(context.Background(), oauth.ModeDevice, address, nil, &devicePerson{})
	if pe := (*providers.Error)(nil); !errors.As(err, &pe) || pe.Code != providers.CodeOAuthAppNotFound || pe.Field != microsoft.FieldClientID {
		t.Errorf("unknown app: %v", err)
	}
}

func TestConfig(t *testing.T) {
	tests := []struct {
		name, tenant, authority string
		wantErr                 bool
		wantToken               string
	}{
		{name: "default tenant", wantToken: "https://login.microsoftonline.com/organizations/oauth2/v2.0/token"},
		{name: "domain", tenant: " acme.de ", wantToken: "https://login.microsoftonline.com/acme.de/oauth2/v2.0/token"},
		{name: "sovereign cloud", tenant: "common", authority: "https://login.microsoftonline.us/",
			wantToken: "https://login.microsoftonline.us/common/oauth2/v2.0/token"},
		{name: "address as tenant", tenant: "jobs@acme.de", wantErr: true},
		{name: "path injection", tenant: "acme/../x", wantErr: true},
		{name: "bad authority", authority: "login.microsoftonline.com", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := microsoft.New(microsoft.Config{ClientID: "id", Tenant: tt.tenant, AuthorityURL: tt.authority})
			if tt.wantErr {
				if err == nil {
					t.Fatal("accepted")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := p.Endpoint("token"); got != tt.wantToken {
				t.Errorf("token endpoint = %q", got)
			}
			f := p.Flow(address)
			if !strings.HasSuffix(f.AuthURL, "/oauth2/v2.0/authorize") || !strings.HasSuffix(f.DeviceURL, "/oauth2/v2.0/devicecode") {
				t.Errorf("flow endpoints = %s %s", f.AuthURL, f.DeviceURL)
			}
		})
	}
	env := map[string]string{microsoft.EnvClientID: "cid", microsoft.EnvTenant: "acme.de"}
	c := microsoft.Config{}.WithEnv(func(k string) string { return env[k] })
	if c.ClientID != "cid" || c.Tenant != "acme.de" || !c.ClientSecret.Empty() {
		t.Errorf("WithEnv = %+v", c)
	}
	p, _ := microsoft.New(microsoft.Config{})
	if eff := p.Config(); eff.SMTPHost != "smtp.office365.com" || eff.SMTPPort != 587 {
		t.Errorf("defaults = %+v", eff)
	}
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if h := microsoft.Health(at); !h.LikelyExpiresAt.Equal(at.AddDate(0, 0, 90)) {
		t.Errorf("health = %+v", h)
	}
}

func TestPrerequisites(t *testing.T) {
	p, _ := microsoft.New(microsoft.Config{ClientID: "cid"})
	checks := p.Prerequisites(address, "", map[string]bool{oauth.CheckLicensedMailbox: true, oauth.CheckNotSharedMailbox: true})
	c, failed := oauthtest.FirstFailed(checks)
	if !failed || c.ID != oauth.CheckAdminConsent || c.Automatic {
		t.Fatalf("first failure = %+v", c)
	}
	if u := c.Diagnosis.Args["admin_consent_url"]; u != "https://login.microsoftonline.com/example.test/adminconsent?client_id=cid" {
		t.Errorf("consent url = %q", u)
	}
	for _, id := range oauth.Confirmations {
		found := false
		for _, c := range checks {
			found = found || c.ID == id
		}
		if !found {
			t.Errorf("confirmation %s missing", id)
		}
	}
	direct, _ := microsoft.New(microsoft.Config{ClientID: "cid", SMTPHost: "acme-de.mail.protection.outlook.com"})
	if c, failed := oauthtest.FirstFailed(direct.Prerequisites(address, "", nil)); !failed || c.ID != oauth.CheckHostSupported {
		t.Errorf("direct send host not refused: %+v", c)
	}
}
