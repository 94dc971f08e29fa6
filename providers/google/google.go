// Package google is the Google Workspace / Gmail direct integration: the
// company address signs in with OAuth (loopback redirect + PKCE, or the
// paste-back fallback; never the device flow, which Google refuses for the
// Gmail scope), only the refresh token is kept, and the live test sends
// through smtp.gmail.com with XOAUTH2, with the SMTP channel's stages and
// diagnoses.
package google

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/providers/oauth"
	"github.com/jobmail/jobmail/providers/smtp"
	"github.com/jobmail/jobmail/secrets"

	"golang.org/x/oauth2"
)

// Google's endpoints and submission server.
const (
	DefaultAuthURL  = "https://accounts.google.com/o/oauth2/auth"
	DefaultTokenURL = "https://oauth2.googleapis.com/token"
	DefaultSMTPHost = "smtp.gmail.com"
	DefaultSMTPPort = 587
	// ScopeMail is the (restricted) scope SMTP with XOAUTH2 needs.
	ScopeMail = "https://mail.google.com/"
)

// Environment variables that carry the platform's own OAuth app: which
// app to use is configuration, never code.
const (
	EnvClientID     = "JOBMAIL_GOOGLE_CLIENT_ID"
	EnvClientSecret = "JOBMAIL_GOOGLE_CLIENT_SECRET"
)

// Setup-file keys (after "company." or an entity's prefix) a diagnosis
// points to.
const (
	FieldClientID     = "google.client_id"
	FieldRefreshToken = "google.refresh_token"
	FieldSMTPHost     = "google.smtp_host"
	FieldCAFile       = "google.ca_file"
	FieldAddress      = "address"
)

// Scopes are requested at sign-in: SMTP, plus openid email to learn who
// signed in.
var Scopes = []string{ScopeMail, "openid", "email"}

// Config is the google channel's configuration. Empty fields take the
// defaults above; endpoints and the SMTP server are overridable so tests
// can point them at local servers.
type Config struct {
	ClientID string
	// ClientSecret of a Google "Desktop app" client: Google's token endpoint
	// wants it even with PKCE, although for installed apps it is not
	// confidential.
	ClientSecret secrets.Secret
	AuthURL      string
	TokenURL     string
	UserinfoURL  string // optional: ask userinfo who signed in
	SMTPHost     string
	SMTPPort     int
	CAFile       string
	RootCAs      *x509.CertPool // replaces the system roots; for tests
	// Testing says the OAuth app is in "Testing" publishing status: its
	// refresh tokens expire after 7 days.
	Testing    bool
	HTTPClient *http.Client
	Clock      oauth.Clock
	Timeout    time.Duration // bounds an interactive sign-in
}

// WithEnv fills an empty ClientID / ClientSecret from the environment
// (getenv is os.Getenv outside tests).
func (c Config) WithEnv(getenv func(string) string) Config {
	if strings.TrimSpace(c.ClientID) == "" {
		c.ClientID = strings.TrimSpace(getenv(EnvClientID))
	}
	if c.ClientSecret.Empty() {
		c.ClientSecret = secrets.New(getenv(EnvClientSecret))
	}
	return c
}

func (c Config) withDefaults() Config {
	if c.AuthURL == "" {
		c.AuthURL = DefaultAuthURL
	}
	if c.TokenURL == "" {
		c.TokenURL = DefaultTokenURL
	}
	if c.SMTPHost == "" {
		c.SMTPHost = DefaultSMTPHost
	}
	if c.SMTPPort == 0 {
		c.SMTPPort = DefaultSMTPPort
	}
	return c
}

// KeyringAccount is the keyring entry (under secrets.Service) that holds
// the refresh token for address.
func KeyringAccount(address string) string {
	return secrets.Account(string(providers.ChannelGoogle), address)
}

// Provider is the google channel.
type Provider struct{ cfg Config }

// New returns the channel for cfg (defaults applied). An endpoint that is
// not an http(s) URL is refused before any request.
func New(cfg Config) (*Provider, error) {
	cfg = cfg.withDefaults()
	for _, u := range []string{cfg.AuthURL, cfg.TokenURL, cfg.UserinfoURL} {
		if u == "" {
			continue
		}
		if pu, err := url.Parse(u); err != nil || (pu.Scheme != "https" && pu.Scheme != "http") || pu.Host == "" {
			return nil, fmt.Errorf("google: endpoint %q is not an http(s) URL", u)
		}
	}
	return &Provider{cfg: cfg}, nil
}

// Config returns the effective configuration.
func (p *Provider) Config() Config { return p.cfg }

// Flow is the OAuth client for this configuration. It has no device
// endpoint: Google's device flow rejects the Gmail scope.
func (p *Provider) Flow() *oauth.Flow {
	c := p.cfg
	testing := c.Testing
	return &oauth.Flow{Channel: "google",
		ClientID: c.ClientID, ClientSecret: c.ClientSecret,
		AuthURL: c.AuthURL, TokenURL: c.TokenURL, UserinfoURL: c.UserinfoURL,
		Scopes:    Scopes,
		AuthStyle: oauth2.AuthStyleInParams,
		// offline: a refresh token at all; consent: one on every sign-in,
		// not only the first (Google omits it when consent is remembered).
		AuthParams: map[string]string{"access_type": "offline", "prompt": "consent"},
		HTTPClient: c.HTTPClient, Clock: c.Clock, Timeout: c.Timeout,
		Health: func(at time.Time) oauth.Health { return health(at, testing) },
		Fields: oauth.Fields{ClientID: FieldClientID, Refresh: FieldRefreshToken, Address: FieldAddress},
	}
}

// Authorize signs address in (ModeLoopback or ModePaste) and checks the
// account. ModeDevice is refused with oauth.invalid_scope (reason
// device_flow_unsupported) without contacting Google.
func (p *Provider) Authorize(ctx context.Context, mode oauth.Mode, address string, opener oauth.Opener, prompter oauth.Prompter) (oauth.Grant, error) {
	if mode == oauth.ModeDevice {
		e := providers.Fail(providers.CodeOAuthInvalidScope, providers.ActorUser, "",
			errors.New("google refuses the device flow for the gmail scope"))
		e.Args = map[string]string{"reason": "device_flow_unsupported", "scope": ScopeMail}
		return oauth.Grant{}, e
	}
	return p.Flow().Authorize(ctx, mode, address, opener, prompter)
}

// Tester is the live test from a stored refresh token: refresh, then
// XOAUTH2 over STARTTLS with certificate verification as address. store
// receives a rotated refresh token at once (Google rarely rotates; the
// contract is the same as Microsoft's). A missing or revoked token fails
// the auth stage with oauth.invalid_grant, Args["action"] = "run_wizard".
func (p *Provider) Tester(address string, refresh secrets.Secret, store func(secrets.Secret) error) providers.Tester {
	cfg := smtp.Config{Host: p.cfg.SMTPHost, Port: p.cfg.SMTPPort, Security: providers.SecurityStartTLS,
		Username: address, CAFile: p.cfg.CAFile, RootCAs: p.cfg.RootCAs}
	return oauth.NewSMTPTester(providers.ChannelGoogle, *p.Flow(), cfg, refresh, store)
}

// Prerequisites are the automatic checks (client id, SMTP host, CA file,
// and, once account is known, account = address) and the confirmations
// (licensed mailbox, not shared, admin rights or consent).
func (p *Provider) Prerequisites(address, account string, confirmed map[string]bool) []providers.Check {
	return oauth.Prerequisites(oauth.PrereqInput{Channel: "google",
		Address: address, Account: account, ClientID: p.cfg.ClientID,
		SMTPHost: p.cfg.SMTPHost, CAFile: p.cfg.CAFile, Confirmed: confirmed,
		Fields:    oauth.Fields{ClientID: FieldClientID, Refresh: FieldRefreshToken, Address: FieldAddress},
		HostField: FieldSMTPHost, CAField: FieldCAFile,
	})
}

// Health is the refresh token's likely life from its issue time: 7 days
// for an app in testing, else until six months without use.
func (p *Provider) Health(issued time.Time) oauth.Health { return health(issued, p.cfg.Testing) }

func health(at time.Time, testing bool) oauth.Health {
	if testing {
		return oauth.HealthAfter(at, oauth.GoogleTestingLifetime, oauth.ReasonGoogleTesting)
	}
	return oauth.HealthAfter(at, oauth.GoogleUnusedLifetime, oauth.ReasonGoogleUnused)
}
