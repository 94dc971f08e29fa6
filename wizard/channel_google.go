package wizard

import (
	"strconv"
	"strings"

	"github.com/jobmail/jobmail/providers/google"
	"github.com/jobmail/jobmail/secrets"
)

// googleChannel: Google Workspace's direct integration (OAuth, XOAUTH2 to
// Gmail's SMTP).
type googleChannel struct{ directIntegration }

var _ signInChannel = googleChannel{}

func newGoogleChannel() googleChannel {
	return googleChannel{directIntegration{keyringAccount: google.KeyringAccount}}
}

func (googleChannel) fields(s *Session) []field { return s.googleFields() }

func (googleChannel) drop(m *Mailbox) { m.Google = nil }

func (googleChannel) effective(m *Mailbox, e *EffectiveMailbox) {
	g := derefOr(m.Google)
	g.RefreshToken = firstOf(g.RefreshToken, "keyring")
	g.SMTPHost = asciiHost(g.SMTPHost)
	e.Google = &g
}

func (googleChannel) inherit(own, parent *Mailbox, out *Mailbox) {
	g, p := derefOr(own.Google), derefOr(parent.Google)
	out.Google = &Google{
		ClientID:     firstOf(g.ClientID, p.ClientID),
		RefreshToken: g.RefreshToken,
		AuthURL:      firstOf(g.AuthURL, p.AuthURL),
		TokenURL:     firstOf(g.TokenURL, p.TokenURL),
		SMTPHost:     firstOf(g.SMTPHost, p.SMTPHost),
		SMTPPort:     firstInt(g.SMTPPort, p.SMTPPort),
		CAFile:       firstOf(g.CAFile, p.CAFile),
	}
}

func (googleChannel) connection(e EffectiveMailbox) ([]string, bool) {
	g := e.Google
	if g == nil {
		return nil, false
	}
	return []string{g.ClientID, g.RefreshToken, g.AuthURL, g.TokenURL, strings.ToLower(g.SMTPHost), strconv.Itoa(g.SMTPPort), g.CAFile}, true
}

func (googleChannel) export(e EffectiveMailbox, p ExportPlatform) ExportSettings {
	if e.Google == nil {
		return platformChannel{}.export(e, p)
	}
	return ExportSettings{Account: e.Address, ClientID: e.Google.ClientID}
}

func (googleChannel) adminActions(EffectiveMailbox, string) []string {
	return []string{"not_shared_mailbox", "admin_rights_or_consent"}
}

func (googleChannel) app(s *Setup, m *Mailbox, env func(string) string) App {
	var a App
	ch, pl := derefOr(m.Google), derefOr(s.Platform.Google)
	a.ClientID, a.Source = pickApp(ch.ClientID, strings.TrimSpace(env(google.EnvClientID)), pl.ClientID, BuildGoogleClientID)
	a.ClientSecret = firstOf(ch.ClientSecret, pl.ClientSecret)
	if a.ClientSecret == "" {
		if v := env(google.EnvClientSecret); v != "" {
			a.ClientSecret = "env:" + google.EnvClientSecret
		} else {
			a.SecretValue = BuildGoogleClientSecret
		}
	}
	return a
}

func (googleChannel) withoutClientID(m Mailbox) Mailbox {
	x := derefOr(m.Google)
	x.ClientID, m.Google = "", &x
	return m
}

func (googleChannel) validClientID(v string) error {
	if !strings.HasSuffix(strings.ToLower(v), ".apps.googleusercontent.com") || len(v) <= len(".apps.googleusercontent.com") {
		return reasonErr(ReasonClientIDNotGoogle, map[string]string{"value": safeArg(v)})
	}
	return nil
}

func (googleChannel) provider(o *OAuth, setup *Setup, m *Mailbox) (oauthProvider, string, string, error) {
	app := setup.AppOf(m, o.Getenv)
	g := derefOr(m.Google)
	secret := secrets.New(app.SecretValue)
	if app.ClientSecret != "" {
		var err error
		if secret, err = o.clientSecret(setup, app.ClientSecret); err != nil {
			return nil, "", "", err
		}
	}
	p, err := google.New(google.Config{ClientID: app.ClientID, ClientSecret: secret, AuthURL: g.AuthURL, TokenURL: g.TokenURL,
		SMTPHost: g.SMTPHost, SMTPPort: g.SMTPPort, CAFile: setup.ResolvePath(g.CAFile), HTTPClient: o.HTTPClient})
	return p, google.KeyringAccount(m.Address), g.RefreshToken, err
}
