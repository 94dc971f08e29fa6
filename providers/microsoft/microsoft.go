// Package microsoft is the Microsoft 365 direct integration: the company
// address signs in with OAuth against Entra ID (loopback redirect + PKCE,
// paste-back, or the device code flow), only the refresh token is kept
// (Microsoft rotates it: every new one is stored at once), and the live
// test sends through smtp.office365.com:587 with XOAUTH2, with the SMTP
// channel's stages and diagnoses.
package microsoft

import (
	"context"
	"crypto/x509"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/providers/oauth"
	"github.com/jobmail/jobmail/providers/smtp"
	"github.com/jobmail/jobmail/secrets"
)

// Defaults: the global Entra authority, work and school accounts only, and
// Exchange Online's client submission server.
const (
	DefaultAuthority = oauth.DefaultAuthority
	DefaultTenant    = "organizations"
	DefaultSMTPHost  = "smtp.office365.com"
	DefaultSMTPPort  = 587
	// ScopeSMTP is the delegated permission SMTP with XOAUTH2 needs.
	ScopeSMTP = "https://outlook.office.com/SMTP.Send"
)

// Environment variables that carry the platform's own app registration:
// which app to use is configuration, never code.
const (
	EnvClientID     = "JOBMAIL_MICROSOFT_CLIENT_ID"
	EnvClientSecret = "JOBMAIL_MICROSOFT_CLIENT_SECRET"
	EnvTenant       = "JOBMAIL_MICROSOFT_TENANT"
)

// Setup-file keys (after "company." or an entity's prefix).
const (
	FieldClientID     = "microsoft.client_id"
	FieldTenant       = "microsoft.tenant"
	FieldRefreshToken = "microsoft.refresh_token"
	FieldSMTPHost     = "microsoft.smtp_host"
	FieldCAFile       = "microsoft.ca_file"
	FieldAddress      = "address"
)

// Scopes are requested at sign-in: SMTP.Send, offline_access for a refresh
// token, and openid email profile to learn who signed in.
var Scopes = []string{ScopeSMTP, "offline_access", "openid", "email", "profile"}

// Config is the microsoft channel's configuration; empty fields take the
// defaults above.
type Config struct {
	ClientID     string
	ClientSecret secrets.Secret // only for a confidential client; usually empty
	// Tenant is common, organizations, a verified domain or the tenant id.
	Tenant       string
	AuthorityURL string // default https://login.microsoftonline.com
	UserinfoURL  string // optional
	SMTPHost     string
	SMTPPort     int
	CAFile       string
	RootCAs      *x509.CertPool // replaces the system roots; for tests
	HTTPClient   *http.Client
	Clock        oauth.Clock
	Timeout      time.Duration // bounds an interactive sign-in
}

// WithEnv fills an empty ClientID, ClientSecret and Tenant from the
// environment (getenv is os.Getenv outside tests).
func (c Config) WithEnv(getenv func(string) string) Config {
	if strings.TrimSpace(c.ClientID) == "" {
		c.ClientID = strings.TrimSpace(getenv(EnvClientID))
	}
	if c.ClientSecret.Empty() {
		c.ClientSecret = secrets.New(getenv(EnvClientSecret))
	}
	if strings.TrimSpace(c.Tenant) == "" {
		c.Tenant = strings.TrimSpace(getenv(EnvTenant))
	}
	return c
}

func (c Config) withDefaults() Config {
	c.Tenant = strings.TrimSpace(c.Tenant)
	if c.Tenant == "" {
		c.Tenant = DefaultTenant
	}
	if c.AuthorityURL == "" {
		c.AuthorityURL = DefaultAuthority
	}
	c.AuthorityURL = strings.TrimRight(c.AuthorityURL, "/")
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
	return secrets.Account(string(providers.ChannelMicrosoft), address)
}

// Provider is the microsoft channel.
type Provider struct{ cfg Config }

// New returns the channel for cfg (defaults applied). A tenant that cannot
// be one (empty after trimming is the default; slashes, spaces, query
// characters are not) is refused with oauth.app_not_found on the tenant
// field, before any request.
func New(cfg Config) (*Provider, error) {
	cfg = cfg.withDefaults()
	if strings.ContainsAny(cfg.Tenant, "/?#@ \t\r\n%\\") {
		e := providers.Fail(providers.CodeOAuthAppNotFound, providers.ActorUser, FieldTenant,
			fmt.Errorf("tenant %q is not a tenant name, domain or id", cfg.Tenant))
		e.Args = map[string]string{"reason": "invalid_tenant", "tenant": cfg.Tenant}
		return nil, e
	}
	if u, err := url.Parse(cfg.AuthorityURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("microsoft: authority %q is not an http(s) URL", cfg.AuthorityURL)
	}
	return &Provider{cfg: cfg}, nil
}

// Config returns the effective configuration.
func (p *Provider) Config() Config { return p.cfg }

// Endpoint returns {authority}/{tenant}/oauth2/v2.0/{name} for name
// authorize, token or devicecode.
func (p *Provider) Endpoint(name string) string {
	return p.cfg.AuthorityURL + "/" + url.PathEscape(p.cfg.Tenant) + "/oauth2/v2.0/" + name
}

// AdminConsentURL is the link for the tenant admin when consent is missing.
func (p *Provider) AdminConsentURL(address string) string {
	return oauth.AdminConsentURL(p.cfg.AuthorityURL, p.cfg.Tenant, p.cfg.ClientID, address)
}

// Flow is the OAuth client for this configuration, for address (which
// names the tenant of the admin-consent link when Tenant is common or
// organizations).
func (p *Provider) Flow(address string) *oauth.Flow {
	c := p.cfg
	return &oauth.Flow{Channel: "microsoft",
		ClientID: c.ClientID, ClientSecret: c.ClientSecret,
		AuthURL: p.Endpoint("authorize"), TokenURL: p.Endpoint("token"), DeviceURL: p.Endpoint("devicecode"),
		UserinfoURL: c.UserinfoURL,
		Scopes:      Scopes,
		// Public clients send client_id in the body; a confidential one's
		// secret goes there as well, which Entra accepts.
		AuthStyle:       oauth2.AuthStyleInParams,
		HTTPClient:      c.HTTPClient,
		Clock:           c.Clock,
		Timeout:         c.Timeout,
		AdminConsentURL: p.AdminConsentURL(address),
		Tenant:          c.Tenant,
		Health:          Health,
		Fields: oauth.Fields{ClientID: FieldClientID, Tenant: FieldTenant, Refresh: FieldRefreshToken,
			Address: FieldAddress},
	}
}

// Authorize signs address in with mode (loopback, paste or device) and
// checks the account. Grant.TenantID is the tenant the account belongs to
// (the id_token's tid), worth recording when Tenant was common.
func (p *Provider) Authorize(ctx context.Context, mode oauth.Mode, address string, opener oauth.Opener, prompter oauth.Prompter) (oauth.Grant, error) {
	return p.Flow(address).Authorize(ctx, mode, address, opener, prompter)
}

// Tester is the live test from a stored refresh token: refresh (Microsoft
// rotates: store receives the new token before the SMTP test starts), then
// XOAUTH2 over STARTTLS with certificate verification as address. A
// missing, revoked or expired token fails the auth stage with
// oauth.invalid_grant, Args["action"] = "run_wizard".
func (p *Provider) Tester(address string, refresh secrets.Secret, store func(secrets.Secret) error) providers.Tester {
	cfg := smtp.Config{Host: p.cfg.SMTPHost, Port: p.cfg.SMTPPort, Security: providers.SecurityStartTLS,
		Username: address, CAFile: p.cfg.CAFile, RootCAs: p.cfg.RootCAs}
	return oauth.NewSMTPTester(providers.ChannelMicrosoft, *p.Flow(address), cfg, refresh, store)
}

// Prerequisites are the automatic checks (client id, SMTP host, CA file,
// and, once account is known, account = address) and the confirmations
// (licensed mailbox, not shared, admin rights or consent; the last one's
// diagnosis carries the admin-consent link).
func (p *Provider) Prerequisites(address, account string, confirmed map[string]bool) []providers.Check {
	return oauth.Prerequisites(oauth.PrereqInput{Channel: "microsoft",
		Address: address, Account: account, ClientID: p.cfg.ClientID,
		SMTPHost: p.cfg.SMTPHost, CAFile: p.cfg.CAFile, Confirmed: confirmed,
		ConsentArgs: map[string]string{"admin_consent_url": p.AdminConsentURL(address),
			"tenant": oauth.ConsentTenant(p.cfg.Tenant, address)},
		Fields:    oauth.Fields{ClientID: FieldClientID, Tenant: FieldTenant, Refresh: FieldRefreshToken, Address: FieldAddress},
		HostField: FieldSMTPHost, CAField: FieldCAFile,
	})
}

// Health is the refresh token's likely life: 90 days after its last use.
// Call it with the sign-in time, and again after each successful test
// (every refresh counts as use and yields a fresh token).
func Health(lastUse time.Time) oauth.Health {
	return oauth.HealthAfter(lastUse, oauth.MicrosoftUnusedLifetime, oauth.ReasonMicrosoftUnused)
}
