package wizard

import (
	"cmp"
	"strings"

	"github.com/jobmail/jobmail/providers/google"
	"github.com/jobmail/jobmail/secrets"
	"github.com/jobmail/jobmail/wizard/setupfile"
)

// googleChannel: Google Workspace's direct integration (OAuth, XOAUTH2 to
// Gmail's SMTP).
type googleChannel struct{ directIntegration }

var _ signInChannel = googleChannel{}

func newGoogleChannel() googleChannel {
	return googleChannel{directIntegration{keyringAccount: google.KeyringAccount}}
}

func (googleChannel) fields(s *Session) []field { return s.googleFields() }

func (googleChannel) drop(m *setupfile.Mailbox) { m.Google = nil }

func (googleChannel) export(e setupfile.EffectiveMailbox, p ExportPlatform) ExportSettings {
	if e.Google == nil {
		return platformChannel{}.export(e, p)
	}
	return ExportSettings{Account: e.Address, ClientID: e.Google.ClientID}
}

func (googleChannel) adminActions(setupfile.EffectiveMailbox, string) []string {
	return []string{"not_shared_mailbox", "admin_rights_or_consent"}
}

func (googleChannel) app(s *setupfile.Setup, m *setupfile.Mailbox, env func(string) string) App {
	var a App
	ch, pl := derefOr(m.Google), derefOr(s.Platform.Google)
	a.ClientID, a.Source = pickApp(ch.ClientID, strings.TrimSpace(env(google.EnvClientID)), pl.ClientID, BuildGoogleClientID)
	a.ClientSecret = cmp.Or(ch.ClientSecret, pl.ClientSecret)
	if a.ClientSecret == "" {
		if v := env(google.EnvClientSecret); v != "" {
			a.ClientSecret = "env:" + google.EnvClientSecret
		} else {
			a.SecretValue = BuildGoogleClientSecret
		}
	}
	return a
}

func (googleChannel) withoutClientID(m setupfile.Mailbox) setupfile.Mailbox {
	x := derefOr(m.Google)
	x.ClientID, m.Google = "", &x
	return m
}

func (googleChannel) validClientID(v string) error {
	if !strings.HasSuffix(strings.ToLower(v), ".apps.googleusercontent.com") || len(v) <= len(".apps.googleusercontent.com") {
		return &setupfile.FieldError{Reason: setupfile.ReasonClientIDNotGoogle, Args: map[string]string{"value": setupfile.SafeArg(v)}}
	}
	return nil
}

func (googleChannel) provider(o *OAuth, setup *setupfile.Setup, m *setupfile.Mailbox) (oauthProvider, string, string, error) {
	app := AppOf(setup, m, o.Getenv)
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
