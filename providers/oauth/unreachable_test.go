package oauth_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/providers/oauth"
	"github.com/jobmail/jobmail/providers/oauth/oauthtest"
	"github.com/jobmail/jobmail/secrets"
)

// dialing is an HTTP client whose every connection fails with err.
func dialing(err error) *http.Client {
	return &http.Client{Transport: &http.Transport{DialContext: func(context.Context, string, string) (net.Conn, error) {
		return nil, err
	}}}
}

type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

// TestUnreachableIdentityProvider: an identity provider that cannot be
// reached is oauth.unreachable naming its host and the stage, actor IT,
// never a dns.*/net.* diagnosis of a mail server the user typed.
func TestUnreachableIdentityProvider(t *testing.T) {
	untrusted := httptest.NewTLSServer(http.NotFoundHandler())
	defer untrusted.Close()
	tests := []struct {
		name   string
		client *http.Client
		url    string // token/device endpoint base; "" = the test server's
		reason string
	}{
		{"name not found", dialing(&net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "login.example", IsNotFound: true}}), "", oauth.ReasonDNS},
		{"refused", dialing(&net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}), "", oauth.ReasonRefused},
		{"timeout", dialing(&net.OpError{Op: "dial", Net: "tcp", Err: timeoutErr{}}), "", oauth.ReasonTimeout},
		{"tls", &http.Client{Timeout: 5 * time.Second}, untrusted.URL, oauth.ReasonTLS},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := oauthtest.New(t, oauthtest.Options{})
			base := s.URL
			if tt.url != "" {
				base = tt.url
			}
			host := base[len("http://"):]
			if tt.url != "" {
				host = base[len("https://"):]
			}
			// refresh
			f := newFlow(s)
			f.TokenURL, f.HTTPClient = base+"/token", tt.client
			_, _, _, err := f.Refresh(context.Background(), secrets.New("refresh-token-never-sent"))
			pe := wantCode(t, err, providers.CodeOAuthUnreachable)
			if pe.Args["host"] != host || pe.Args["stage"] != oauth.StageRefresh || pe.Args["cause"] != tt.reason ||
				pe.Actor != providers.ActorMailAdmin {
				t.Fatalf("refresh: %+v", pe.Diagnosis)
			}
			// sign-in: the device code request
			f = newFlow(s)
			f.DeviceURL, f.HTTPClient = base+"/devicecode", tt.client
			_, err = f.Authorize(context.Background(), oauth.ModeDevice, address, nil, &prompter{})
			pe = wantCode(t, err, providers.CodeOAuthUnreachable)
			if pe.Args["host"] != host || pe.Args["stage"] != oauth.StageSignIn || pe.Args["cause"] != tt.reason {
				t.Fatalf("device code: %+v", pe.Diagnosis)
			}
		})
	}
}

// TestUnreachableTokenExchange: the browser reached the sign-in page, but
// the token endpoint then cannot be reached: stage "token".
func TestUnreachableTokenExchange(t *testing.T) {
	s := oauthtest.New(t, oauthtest.Options{})
	f := newFlow(s)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	f.TokenURL = "http://" + closed + "/token"
	_, err = f.Authorize(context.Background(), oauth.ModeLoopback, address, &oauthtest.Browser{}, &prompter{})
	pe := wantCode(t, err, providers.CodeOAuthUnreachable)
	if pe.Args["host"] != closed || pe.Args["stage"] != oauth.StageToken || pe.Args["cause"] != oauth.ReasonRefused {
		t.Fatalf("exchange: %+v", pe.Diagnosis)
	}
}

// TestTemporarilyUnavailable: a 5xx / temporarily_unavailable answer is
// the retryable oauth.unreachable (retry=later), the user's to retry.
func TestTemporarilyUnavailable(t *testing.T) {
	s := oauthtest.New(t, oauthtest.Options{})
	f := newFlow(s)
	g := signIn(t, s, f)
	s.FailNext(oauthtest.EndpointRefresh, oauthtest.ErrorReply{Error: "temporarily_unavailable", Status: http.StatusServiceUnavailable})
	_, _, _, err := f.Refresh(context.Background(), g.Refresh)
	pe := wantCode(t, err, providers.CodeOAuthUnreachable)
	if pe.Args["retry"] != "later" || pe.Args["stage"] != oauth.StageRefresh || pe.Args["cause"] != oauth.ReasonUnavailable ||
		pe.Args["host"] == "" || pe.Actor != providers.ActorUser {
		t.Fatalf("503: %+v", pe.Diagnosis)
	}
}
