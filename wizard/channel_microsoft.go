package wizard

import (
	"cmp"
	"strings"

	"github.com/jobmail/jobmail/providers/microsoft"
	"github.com/jobmail/jobmail/wizard/setupfile"
)

// microsoftChannel: Microsoft 365's direct integration (OAuth, XOAUTH2 to
// Exchange Online's SMTP).
type microsoftChannel struct{ directIntegration }

var _ signInChannel = microsoftChannel{}

func newMicrosoftChannel() microsoftChannel {
	return microsoftChannel{directIntegration{keyringAccount: microsoft.KeyringAccount}}
}

func (microsoftChannel) fields(s *Session) []field { return s.microsoftFields() }

func (microsoftChannel) drop(m *setupfile.Mailbox) { m.Microsoft = nil }

func (microsoftChannel) export(e setupfile.EffectiveMailbox, p ExportPlatform) ExportSettings {
	if e.Microsoft == nil {
		return platformChannel{}.export(e, p)
	}
	return ExportSettings{Account: e.Address, Tenant: e.Microsoft.Tenant, ClientID: e.Microsoft.ClientID}
}

// adminActions: XOAUTH2 to Exchange Online is SMTP AUTH too, so the
// mailbox setting applies to the direct integration as well.
func (microsoftChannel) adminActions(setupfile.EffectiveMailbox, string) []string {
	return []string{"licensed_mailbox", "not_shared_mailbox", "smtp_auth_enabled", "admin_rights_or_consent"}
}

func (microsoftChannel) app(s *setupfile.Setup, m *setupfile.Mailbox, env func(string) string) App {
	var a App
	ch, pl := derefOr(m.Microsoft), derefOr(s.Platform.Microsoft)
	a.ClientID, a.Source = pickApp(ch.ClientID, strings.TrimSpace(env(microsoft.EnvClientID)), pl.ClientID, BuildMicrosoftClientID)
	a.Tenant = cmp.Or(ch.Tenant, strings.TrimSpace(env(microsoft.EnvTenant)), pl.Tenant, BuildMicrosoftTenant)
	return a
}

func (microsoftChannel) withoutClientID(m setupfile.Mailbox) setupfile.Mailbox {
	x := derefOr(m.Microsoft)
	x.ClientID, m.Microsoft = "", &x
	return m
}

func (microsoftChannel) validClientID(v string) error {
	if !setupfile.IsGUID(v) {
		return &setupfile.FieldError{Reason: setupfile.ReasonClientIDNotGUID, Args: map[string]string{"value": setupfile.SafeArg(v)}}
	}
	return nil
}

func (microsoftChannel) provider(o *OAuth, setup *setupfile.Setup, m *setupfile.Mailbox) (oauthProvider, string, string, error) {
	app := AppOf(setup, m, o.Getenv)
	ms := derefOr(m.Microsoft)
	p, err := microsoft.New(microsoft.Config{Tenant: app.Tenant, ClientID: app.ClientID, AuthorityURL: ms.AuthorityURL,
		SMTPHost: ms.SMTPHost, SMTPPort: ms.SMTPPort, CAFile: setup.ResolvePath(ms.CAFile), HTTPClient: o.HTTPClient})
	return p, microsoft.KeyringAccount(m.Address), ms.RefreshToken, err
}
