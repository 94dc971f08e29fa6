package wizard

import (
	"strconv"
	"strings"

	"github.com/jobmail/jobmail/providers/microsoft"
)

// microsoftChannel: Microsoft 365's direct integration (OAuth, XOAUTH2 to
// Exchange Online's SMTP).
type microsoftChannel struct{ directIntegration }

var _ signInChannel = microsoftChannel{}

func newMicrosoftChannel() microsoftChannel {
	return microsoftChannel{directIntegration{keyringAccount: microsoft.KeyringAccount}}
}

func (microsoftChannel) fields(s *Session) []field { return s.microsoftFields() }

func (microsoftChannel) drop(m *Mailbox) { m.Microsoft = nil }

func (microsoftChannel) effective(m *Mailbox, e *EffectiveMailbox) {
	ms := derefOr(m.Microsoft)
	ms.RefreshToken = firstOf(ms.RefreshToken, "keyring")
	ms.SMTPHost = asciiHost(ms.SMTPHost)
	e.Microsoft = &ms
}

func (microsoftChannel) inherit(own, parent *Mailbox, out *Mailbox) {
	ms, p := derefOr(own.Microsoft), derefOr(parent.Microsoft)
	out.Microsoft = &Microsoft{
		Tenant:       firstOf(ms.Tenant, p.Tenant),
		ClientID:     firstOf(ms.ClientID, p.ClientID),
		RefreshToken: ms.RefreshToken,
		AuthorityURL: firstOf(ms.AuthorityURL, p.AuthorityURL),
		SMTPHost:     firstOf(ms.SMTPHost, p.SMTPHost),
		SMTPPort:     firstInt(ms.SMTPPort, p.SMTPPort),
		CAFile:       firstOf(ms.CAFile, p.CAFile),
	}
}

func (microsoftChannel) connection(e EffectiveMailbox) ([]string, bool) {
	m := e.Microsoft
	if m == nil {
		return nil, false
	}
	return []string{strings.ToLower(m.Tenant), m.ClientID, m.RefreshToken, m.AuthorityURL, strings.ToLower(m.SMTPHost), strconv.Itoa(m.SMTPPort), m.CAFile}, true
}

func (microsoftChannel) export(e EffectiveMailbox, p ExportPlatform) ExportSettings {
	if e.Microsoft == nil {
		return platformChannel{}.export(e, p)
	}
	return ExportSettings{Account: e.Address, Tenant: e.Microsoft.Tenant, ClientID: e.Microsoft.ClientID}
}

// adminActions: XOAUTH2 to Exchange Online is SMTP AUTH too, so the
// mailbox setting applies to the direct integration as well.
func (microsoftChannel) adminActions(EffectiveMailbox, string) []string {
	return []string{"licensed_mailbox", "not_shared_mailbox", "smtp_auth_enabled", "admin_rights_or_consent"}
}

func (microsoftChannel) app(s *Setup, m *Mailbox, env func(string) string) App {
	var a App
	ch, pl := derefOr(m.Microsoft), derefOr(s.Platform.Microsoft)
	a.ClientID, a.Source = pickApp(ch.ClientID, strings.TrimSpace(env(microsoft.EnvClientID)), pl.ClientID, BuildMicrosoftClientID)
	a.Tenant = firstOf(ch.Tenant, strings.TrimSpace(env(microsoft.EnvTenant)), pl.Tenant, BuildMicrosoftTenant)
	return a
}

func (microsoftChannel) withoutClientID(m Mailbox) Mailbox {
	x := derefOr(m.Microsoft)
	x.ClientID, m.Microsoft = "", &x
	return m
}

func (microsoftChannel) validClientID(v string) error {
	if !isGUID(v) {
		return reasonErr(ReasonClientIDNotGUID, map[string]string{"value": safeArg(v)})
	}
	return nil
}

func (microsoftChannel) provider(o *OAuth, setup *Setup, m *Mailbox) (oauthProvider, string, string, error) {
	app := setup.AppOf(m, o.Getenv)
	ms := derefOr(m.Microsoft)
	p, err := microsoft.New(microsoft.Config{Tenant: app.Tenant, ClientID: app.ClientID, AuthorityURL: ms.AuthorityURL,
		SMTPHost: ms.SMTPHost, SMTPPort: ms.SMTPPort, CAFile: setup.ResolvePath(ms.CAFile), HTTPClient: o.HTTPClient})
	return p, microsoft.KeyringAccount(m.Address), ms.RefreshToken, err
}
