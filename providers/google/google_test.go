package google_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/providers/google"
	"github.com/jobmail/jobmail/providers/oauth"
	"github.com/jobmail/jobmail/providers/oauth/oauthtest"
	"github.com/jobmail/jobmail/providers/smtp/smtptest"
	"github.com/jobmail/jobmail/secrets"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("net/http.(*persistConn).writeLoop"),
		goleak.IgnoreTopFunction("net/http.(*persistConn).readLoop"))
}

const address = "jobs@example.test"

// rig is an authorization server and a STARTTLS mail server that accepts
// the access token the authorization server issues.
type rig struct {
	auth  *oauthtest.Server
	mail  *smtptest.Server
	prov  *google.Provider
	token string
}

func newRig(t *testing.T, opt oauthtest.Options, mailKnowsToken bool) *rig {
	t.Helper()
	if opt.AccessToken == "" {
		opt.AccessToken = "ya29." + strings.Repeat("g", 150)
	}
	pki, err := smtptest.NewPKI("google-test-ca")
	if err != nil {
		t.Fatal(err)
	}
	tlsCfg, err := pki.ServerTLS(smtptest.Leaf{})
	if err != nil {
		t.Fatal(err)
	}
	tokens := map[string]string{}
	if mailKnowsToken {
		tokens[opt.AccessToken] = address
	}
	r := &rig{auth: oauthtest.New(t, opt), token: opt.AccessToken}
	r.mail = smtptest.NewServer(t, smtptest.Options{TLS: tlsCfg, Tokens: tokens, RequireAuth: true,
		Mechanisms: []string{"PLAIN", "LOGIN", "XOAUTH2"}})
	r.prov, err = google.New(google.Config{
		ClientID: r.auth.ClientID(), ClientSecret: secrets.New("desktop-app-secret"),
		AuthURL: r.auth.AuthURL(), TokenURL: r.auth.TokenURL(),
		SMTPHost: r.mail.Host, SMTPPort: r.mail.Port, RootCAs: pki.Pool,
		HTTPClient: &http.Client{Timeout: 10 * time.Second}, Timeout: 20 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

type events struct {
	mu sync.Mutex
	ev []providers.StageEvent
}

func (e *events) observe(ev providers.StageEvent) {
	e.mu.Lock()
	e.ev = append(e.ev, ev)
	e.mu.Unlock()
}

func message() providers.Message {
	return providers.Message{From: address, To: address, Token: "verify-4711",
		Subject: "jobmail test verify-4711", Body: "test"}
}

type quietPrompter struct{}

func (quietPrompter) Notify(oauth.Event) {}
func (quietPrompter) ReadRedirect(ctx context.Context) (string, error) {
	<-ctx.Done()
	return "", ctx.Err()
}

// everything renders a result in every way it could reach a person or a file.
func everything(res providers.Result) []string {
	out := append([]string(nil), res.Transcript...)
	out = append(out, fmt.Sprintf("%+v", res), fmt.Sprintf("%#v", res))
	if res.Err != nil {
		out = append(out, res.Err.Error())
	}
	if res.Diagnosis != nil {
		b, _ := json.Marshal(res.Diagnosis)
		out = append(out, string(b), res.Diagnosis.Reply)
	}
	return out
}

func noLeak(t *testing.T, texts []string, values ...string) {
	t.Helper()
	for _, v := range values {
		if v == "" {
			t.Fatal("noLeak: empty secret")
		}
		for _, s := range texts {
			if strings.Contains(s, v) {
				t.Fatalf("secret leaked into %q", s)
			}
		}
	}
}

func TestGoogleChannel(t *testing.T) {
	r := newRig(t, oauthtest.Options{}, true)
	b := &oauthtest.Browser{}
	g, err := r.prov.Authorize(context.Background(), oauth.ModeLoopback, address, b, quietPrompter{})
	if err != nil {
		t.Fatalf("Authorize: %v", err)
	}
	st := r.auth.Stats()
	if st.LastScope != "https://mail.google.com/ openid email" || st.LastAuthParams.Get("access_type") != "offline" ||
		st.LastAuthParams.Get("prompt") != "consent" || st.LastLoginHint != address {
		t.Errorf("authorization request = %v", st.LastAuthParams)
	}
	if g.Health.Reason != oauth.ReasonGoogleUnused {
		t.Errorf("health = %+v", g.Health)
	}

	var stored []secrets.Secret
	ev := &events{}
	res := r.prov.Tester(address, g.Refresh, func(s secrets.Secret) error { stored = append(stored, s); return nil }).
		Test(context.Background(), message(), ev.observe)
	if !res.OK() {
		t.Fatalf("test failed: %+v\n%s", res.Diagnosis, strings.Join(res.Transcript, "\n"))
	}
	if res.Channel != providers.ChannelGoogle || len(stored) != 0 {
		t.Errorf("channel %s, stored %d", res.Channel, len(stored))
	}
	var names []providers.StageName
	for _, s := range res.Stages {
		names = append(names, s.Name)
	}
	for _, want := range []providers.StageName{providers.StageConnect, providers.StageTLS, providers.StageAuth,
		providers.StageMail, providers.StageRcpt, providers.StageData} {
		if !slices.Contains(names, want) {
			t.Errorf("stages %v lack %s", names, want)
		}
	}
	msgs := r.mail.Messages()
	if len(msgs) != 1 || msgs[0].Mechanism != "XOAUTH2" || msgs[0].User != address || !msgs[0].TLS ||
		!strings.Contains(string(msgs[0].Data), "verify-4711") {
		t.Fatalf("mail server got %+v", msgs)
	}
	if len(ev.ev) == 0 {
		t.Error("no stage events")
	}
	noLeak(t, everything(res), r.token, g.Refresh.Reveal())
}

func TestGoogleNeverUsesTheDeviceFlow(t *testing.T) {
	r := newRig(t, oauthtest.Options{}, true)
	_, err := r.prov.Authorize(context.Background(), oauth.ModeDevice, address, nil, quietPrompter{})
	var pe *providers.Error
	if !errors.As(err, &pe) || pe.Code != providers.CodeOAuthInvalidScope || pe.Args["reason"] != "device_flow_unsupported" {
		t.Fatalf("err = %v", err)
	}
	if r.prov.Flow().DeviceURL != "" {
		t.Error("google flow has a device endpoint")
	}
	if st := r.auth.Stats(); st.DevicePolls != 0 || st.LastScope != "" {
		t.Errorf("the authorization server was contacted: %+v", st)
	}
}

func TestGoogleTesterFailures(t *testing.T) {
	tests := []struct {
		name       string
		mailKnows  bool
		refresh    func(t *testing.T, r *rig, g oauth.Grant) secrets.Secret
		want       providers.Code
		wantStages int // 1: only the failed auth stage, no connection
	}{
		{name: "revoked refresh token", mailKnows: true, want: providers.CodeOAuthInvalidGrant, wantStages: 1,
			refresh: func(t *testing.T, r *rig, g oauth.Grant) secrets.Secret {
				resp, err := http.PostForm(r.auth.RevokeURL(), url.Values{"token": {g.Refresh.Reveal()}})
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				return g.Refresh
			}},
		{name: "no stored token", mailKnows: true, want: providers.CodeOAuthInvalidGrant, wantStages: 1,
			refresh: func(*testing.T, *rig, oauth.Grant) secrets.Secret { return secrets.Secret{} }},
		{name: "mail server rejects the token", mailKnows: false, want: providers.CodeAuthTokenRejected,
			refresh: func(_ *testing.T, _ *rig, g oauth.Grant) secrets.Secret { return g.Refresh }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, oauthtest.Options{}, tt.mailKnows)
			g, err := r.prov.Authorize(context.Background(), oauth.ModeLoopback, address, &oauthtest.Browser{}, quietPrompter{})
			if err != nil {
				t.Fatal(err)
			}
			res := r.prov.Tester(address, tt.refresh(t, r, g), nil).Test(context.Background(), message(), nil)
			if res.OK() || res.Diagnosis == nil || res.Diagnosis.Code != tt.want {
				t.Fatalf("result = %+v / %+v", res.Diagnosis, res.Err)
			}
			if res.Channel != providers.ChannelGoogle {
				t.Errorf("channel = %s", res.Channel)
			}
			last := res.Stages[len(res.Stages)-1]
			if last.Name != providers.StageAuth || last.OK {
				t.Errorf("last stage = %+v, want failed auth", last)
			}
			if tt.wantStages != 0 && len(res.Stages) != tt.wantStages {
				t.Errorf("stages = %+v", res.Stages)
			}
			if tt.want == providers.CodeOAuthInvalidGrant {
				if res.Diagnosis.Args["action"] != oauth.ActionRunWizard || res.Diagnosis.Field != google.FieldRefreshToken {
					t.Errorf("diagnosis = %+v", res.Diagnosis)
				}
				if len(r.mail.Messages()) != 0 {
					t.Error("mail sent without a token")
				}
			}
			noLeak(t, everything(res), r.token, g.Refresh.Reveal())
		})
	}
}

func TestGoogleConfig(t *testing.T) {
	env := map[string]string{google.EnvClientID: " 123.apps.googleusercontent.com ", google.EnvClientSecret: "s3"}
	c := google.Config{}.WithEnv(func(k string) string { return env[k] })
	if c.ClientID != "123.apps.googleusercontent.com" || c.ClientSecret.Reveal() != "s3" {
		t.Errorf("WithEnv = %+v", c)
	}
	if kept := (google.Config{ClientID: "mine"}).WithEnv(func(k string) string { return env[k] }); kept.ClientID != "mine" {
		t.Errorf("WithEnv overrode an explicit client id: %q", kept.ClientID)
	}
	p, err := google.New(c)
	if err != nil {
		t.Fatal(err)
	}
	eff := p.Config()
	if eff.AuthURL != google.DefaultAuthURL || eff.TokenURL != google.DefaultTokenURL ||
		eff.SMTPHost != "smtp.gmail.com" || eff.SMTPPort != 587 {
		t.Errorf("defaults = %+v", eff)
	}
	if _, err := google.New(google.Config{TokenURL: "ftp://x"}); err == nil {
		t.Error("ftp token endpoint accepted")
	}
	at := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	pt, _ := google.New(google.Config{Testing: true})
	if h := pt.Health(at); h.Reason != oauth.ReasonGoogleTesting || !h.LikelyExpiresAt.Equal(at.AddDate(0, 0, 7)) {
		t.Errorf("testing health = %+v", h)
	}
}

func TestGooglePrerequisites(t *testing.T) {
	p, _ := google.New(google.Config{ClientID: "id"})
	all := map[string]bool{oauth.CheckLicensedMailbox: true, oauth.CheckNotSharedMailbox: true, oauth.CheckAdminConsent: true}
	tests := []struct {
		name      string
		prov      *google.Provider
		account   string
		confirmed map[string]bool
		failID    string
		code      providers.Code
	}{
		{name: "all fine", prov: p, account: "Jobs@Example.test", confirmed: all},
		{name: "shared mailbox", prov: p, confirmed: map[string]bool{oauth.CheckLicensedMailbox: true},
			failID: oauth.CheckNotSharedMailbox, code: providers.CodeConfigSharedMailbox},
		{name: "other account", prov: p, account: "me@gmail.com", confirmed: all,
			failID: oauth.CheckAccountMatches, code: providers.CodeOAuthAccountMismatch},
		{name: "no client id", prov: must(google.New(google.Config{})), confirmed: all,
			failID: oauth.CheckClientID, code: providers.CodeOAuthAppNotFound},
		{name: "relay host", prov: must(google.New(google.Config{ClientID: "id", SMTPHost: "smtp-relay.gmail.com"})),
			confirmed: all, failID: oauth.CheckHostSupported, code: providers.CodeConfigUnsupportedHost},
		{name: "unreadable CA file", prov: must(google.New(google.Config{ClientID: "id", CAFile: "/nonexistent/ca.pem"})),
			confirmed: all, failID: oauth.CheckCAFileReadable, code: providers.CodeTLSUntrustedCert},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checks := tt.prov.Prerequisites(address, tt.account, tt.confirmed)
			c, failed := oauthtest.FirstFailed(checks)
			if tt.failID == "" {
				if failed {
					t.Fatalf("check %s failed: %+v", c.ID, c.Diagnosis)
				}
				return
			}
			if !failed || c.ID != tt.failID || c.Diagnosis == nil || c.Diagnosis.Code != tt.code {
				t.Fatalf("first failure = %+v (%v), want %s/%s", c, c.Diagnosis, tt.failID, tt.code)
			}
		})
	}
}

func must(p *google.Provider, err error) *google.Provider {
	if err != nil {
		panic(err)
	}
	return p
}
