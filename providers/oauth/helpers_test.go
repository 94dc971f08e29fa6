package oauth_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/providers/oauth"
	"github.com/jobmail/jobmail/providers/oauth/oauthtest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("net/http.(*persistConn).writeLoop"),
		goleak.IgnoreTopFunction("net/http.(*persistConn).readLoop"))
}

const address = "jobs@example.test"

func newFlow(s *oauthtest.Server) *oauth.Flow {
	return &oauth.Flow{
		ClientID:   s.ClientID(),
		AuthURL:    s.AuthURL(),
		TokenURL:   s.TokenURL(),
		DeviceURL:  s.DeviceURL(),
		Scopes:     []string{"https://outlook.office.com/SMTP.Send", "offline_access", "openid", "email"},
		HTTPClient: &http.Client{Timeout: 10 * time.Second},
		Timeout:    20 * time.Second,
		Fields:     oauth.Fields{ClientID: "x.client_id", Refresh: "x.refresh_token", Address: "address"},
	}
}

// prompter records events; onEvent runs for each (from the flow's
// goroutine) and read answers ReadRedirect.
type prompter struct {
	mu      sync.Mutex
	events  []oauth.Event
	onEvent func(oauth.Event)
	read    func(ctx context.Context) (string, error)
}

func (p *prompter) Notify(e oauth.Event) {
	p.mu.Lock()
	p.events = append(p.events, e)
	p.mu.Unlock()
	if p.onEvent != nil {
		p.onEvent(e)
	}
}

func (p *prompter) ReadRedirect(ctx context.Context) (string, error) {
	if p.read == nil {
		<-ctx.Done()
		return "", ctx.Err()
	}
	return p.read(ctx)
}

func (p *prompter) kinds() []oauth.EventKind {
	p.mu.Lock()
	defer p.mu.Unlock()
	var ks []oauth.EventKind
	for _, e := range p.events {
		ks = append(ks, e.Kind)
	}
	return ks
}

func (p *prompter) first(k oauth.EventKind) (oauth.Event, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, e := range p.events {
		if e.Kind == k {
			return e, true
		}
	}
	return oauth.Event{}, false
}

// wantCode asserts err is a *providers.Error with code.
func wantCode(t *testing.T, err error, code providers.Code) *providers.Error {
	t.Helper()
	var pe *providers.Error
	if !errors.As(err, &pe) {
		t.Fatalf("error %v (%T) is not a *providers.Error, want %s", err, err, code)
	}
	if pe.Code != code {
		t.Fatalf("code = %s, want %s (error: %v)", pe.Code, code, err)
	}
	return pe
}

// noLeak fails when any of the secrets appears in any of the texts.
func noLeak(t *testing.T, texts []string, secretValues ...string) {
	t.Helper()
	for _, s := range secretValues {
		if s == "" {
			t.Fatal("noLeak: empty secret: the test proves nothing")
		}
		for _, txt := range texts {
			if strings.Contains(txt, s) {
				t.Fatalf("secret leaked into %q", txt)
			}
		}
	}
}
