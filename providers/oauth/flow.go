// Package oauth is the OAuth 2.0 sign-in shared by the direct integrations
// (Google, Microsoft 365): authorization code + PKCE with a loopback
// redirect, the paste-back fallback for machines without a browser, the
// device code flow, token refresh with rotation, the check that the
// signed-in account is the company address, token health and the mapping
// of authorization-server errors to diagnosis codes.
//
// Like every core package it talks to people only through data: the driver
// (TUI or headless replay) receives Events through a Prompter and decides
// the words; the browser is opened through an injectable Opener.
package oauth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/secrets"
)

// Mode selects how the user signs in.
type Mode string

const (
	// ModeLoopback opens the browser (through the Opener) and receives the
	// redirect on 127.0.0.1:<random port>.
	ModeLoopback Mode = "loopback"
	// ModePaste is for a machine without a browser: the user opens the URL
	// elsewhere and pastes back the address the browser ended on. The
	// loopback listener runs as well, so a local browser still completes.
	// The Opener is not used.
	ModePaste Mode = "paste"
	// ModeDevice is the device code flow (Microsoft only).
	ModeDevice Mode = "device"
)

// Modes lists the valid modes.
var Modes = []Mode{ModeLoopback, ModePaste, ModeDevice}

// Opener opens a URL in the user's browser. It should return quickly
// (start the browser, do not wait for it); the flow calls it on its own
// goroutine and carries on waiting for the redirect either way.
type Opener interface {
	Open(url string) error
}

// OpenerFunc adapts a function to Opener.
type OpenerFunc func(url string) error

// Open calls f.
func (f OpenerFunc) Open(url string) error { return f(url) }

// Prompter is how a flow talks to its driver. Notify must not block (it
// is called from the flow's goroutine); ReadRedirect asks the user for the
// URL the browser was redirected to (paste mode) and must return as soon
// as ctx is done.
type Prompter interface {
	Notify(Event)
	ReadRedirect(ctx context.Context) (string, error)
}

// EventKind names what a flow tells its driver.
type EventKind string

const (
	// EventAuthURL: URL is the sign-in page; it is being opened in the
	// browser and should also be shown, in case the browser does not come up.
	EventAuthURL EventKind = "auth_url"
	// EventBrowserFailed: the Opener failed (Err); the user opens URL by hand.
	EventBrowserFailed EventKind = "browser_failed"
	// EventAwaitPaste: URL is the sign-in page to open on any device; then
	// ReadRedirect is called for the address the browser ends on
	// (RedirectURI is its prefix, which will fail to load: that is expected).
	EventAwaitPaste EventKind = "await_paste"
	// EventPasteInvalid: the pasted text held no code (Err); asking again.
	EventPasteInvalid EventKind = "paste_invalid"
	// EventDeviceCode: enter UserCode at VerificationURI before ExpiresAt.
	EventDeviceCode EventKind = "device_code"
	// EventDevicePoll: still waiting; Remaining until the code expires and
	// the current polling Interval, for a countdown.
	EventDevicePoll EventKind = "device_poll"
	// EventSignedIn: the token endpoint answered; Account is who signed in.
	EventSignedIn EventKind = "signed_in"
)

// Event is data for the driver to render; never a sentence.
type Event struct {
	Kind                    EventKind
	URL                     string
	RedirectURI             string
	UserCode                string
	VerificationURI         string
	VerificationURIComplete string
	ExpiresAt               time.Time
	Remaining               time.Duration
	Interval                time.Duration
	Account                 string
	Err                     error
}

// Clock is the time source of the device flow's polling and countdown;
// tests inject one that does not sleep.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Fields names the setup-file keys a diagnosis points back to.
type Fields struct {
	ClientID string // e.g. "company.microsoft.client_id"
	Tenant   string // e.g. "company.microsoft.tenant"
	Refresh  string // e.g. "company.google.refresh_token"
	Address  string // e.g. "company.address"
}

// DefaultTimeout bounds an interactive sign-in when Flow.Timeout is zero.
const DefaultTimeout = 10 * time.Minute

// Flow is one OAuth client configuration. The zero values of the optional
// fields are sensible defaults; a Flow is safe for concurrent use as long
// as nobody mutates it.
type Flow struct {
	ClientID     string
	ClientSecret secrets.Secret // optional: public clients have none
	AuthURL      string
	TokenURL     string
	DeviceURL    string // empty: the device flow is not offered
	UserinfoURL  string // optional: where to ask who signed in
	Scopes       []string
	// AuthStyle says how the client authenticates at the token endpoint.
	// It is always explicit: x/oauth2's auto-detection retries every failed
	// request in the other style, doubling failures and muddling errors.
	AuthStyle oauth2.AuthStyle
	// AuthParams are extra parameters of the authorization request
	// (Google: access_type=offline, prompt=consent). login_hint is added.
	AuthParams map[string]string
	// RedirectPath is the loopback redirect's path; default "/".
	RedirectPath string
	HTTPClient   *http.Client
	Clock        Clock
	// Timeout bounds an interactive sign-in (DefaultTimeout when zero).
	Timeout time.Duration
	// AdminConsentURL and Tenant are added to an admin-consent diagnosis so
	// the driver can offer the link and a message for the tenant admin.
	AdminConsentURL string
	Tenant          string
	Fields          Fields
	// Health is the provider's refresh-token lifetime policy, applied to
	// a Grant's issue time (nil: no known expiry).
	Health func(issued time.Time) Health
	// OnRotate is called by Refresh with a new refresh token the server
	// handed out; see Refresh for the contract.
	OnRotate func(secrets.Secret) error
	// Account, when set, is the address a refresh must belong to: when the
	// refresh answer (its id_token, or userinfo when configured) names
	// another account, Refresh fails with oauth.account_mismatch, so a
	// token of the wrong mailbox never reaches the mail server.
	Account string
	// Channel (google, microsoft) names the provider in an
	// oauth.app_not_found diagnosis: Google has no tenant to check.
	Channel string
}

// Grant is the outcome of a sign-in. Only Refresh is meant for the keyring;
// Access is short-lived and serves an immediate test.
type Grant struct {
	Account      string         `json:"account"`
	TenantID     string         `json:"tenant_id,omitempty"`
	Refresh      secrets.Secret `json:"-"`
	Access       secrets.Secret `json:"-"`
	AccessExpiry time.Time      `json:"-"`
	Health       Health         `json:"health"`
}

func (f *Flow) clock() Clock {
	if f.Clock != nil {
		return f.Clock
	}
	return realClock{}
}

func (f *Flow) timeout() time.Duration {
	if f.Timeout > 0 {
		return f.Timeout
	}
	return DefaultTimeout
}

// httpCtx makes x/oauth2 use the injected HTTP client.
func (f *Flow) httpCtx(ctx context.Context) context.Context {
	if f.HTTPClient != nil {
		return context.WithValue(ctx, oauth2.HTTPClient, f.HTTPClient)
	}
	return ctx
}

func (f *Flow) httpClient() *http.Client {
	if f.HTTPClient != nil {
		return f.HTTPClient
	}
	return http.DefaultClient
}

func (f *Flow) config(redirectURI string) *oauth2.Config {
	return &oauth2.Config{
		ClientID:     f.ClientID,
		ClientSecret: f.ClientSecret.Reveal(),
		Endpoint: oauth2.Endpoint{
			AuthURL:       f.AuthURL,
			TokenURL:      f.TokenURL,
			DeviceAuthURL: f.DeviceURL,
			AuthStyle:     f.authStyle(),
		},
		RedirectURL: redirectURI,
		Scopes:      f.Scopes,
	}
}

func (f *Flow) authStyle() oauth2.AuthStyle {
	if f.AuthStyle == oauth2.AuthStyleAutoDetect {
		return oauth2.AuthStyleInParams
	}
	return f.AuthStyle
}

// validate reports configuration the flow cannot start without.
func (f *Flow) validate() error {
	if strings.TrimSpace(f.ClientID) == "" {
		e := providers.Fail(providers.CodeOAuthAppNotFound, providers.ActorUser, f.Fields.ClientID,
			errors.New("no oauth client id configured"))
		e.Args = map[string]string{"reason": "missing_client_id"}
		return e
	}
	if f.TokenURL == "" {
		return errors.New("oauth flow: no token endpoint configured")
	}
	return nil
}

// Authorize signs the user in with the given mode and checks that the
// account is address. Every failure is a *providers.Error.
func (f *Flow) Authorize(ctx context.Context, mode Mode, address string, opener Opener, p Prompter) (Grant, error) {
	if err := f.validate(); err != nil {
		return Grant{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, f.timeout())
	defer cancel()
	switch mode {
	case ModeLoopback, ModePaste:
		if f.AuthURL == "" {
			return Grant{}, errors.New("oauth flow: no authorization endpoint configured")
		}
		return f.codeFlow(ctx, mode, address, opener, p)
	case ModeDevice:
		if f.DeviceURL == "" {
			e := providers.Fail(providers.CodeOAuthInvalidScope, providers.ActorPlatform, "",
				errors.New("the device flow is not offered for this provider"))
			e.Args = map[string]string{"reason": "device_flow_unsupported"}
			return Grant{}, e
		}
		return f.deviceFlow(ctx, address, p)
	}
	return Grant{}, fmt.Errorf("oauth flow: unknown sign-in mode %q", mode)
}

func notify(p Prompter, e Event) {
	if p != nil {
		p.Notify(e)
	}
}
