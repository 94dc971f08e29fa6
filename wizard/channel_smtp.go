package wizard

import (
	"context"
	"strings"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/providers/smtp"
	"github.com/jobmail/jobmail/secrets"
	"github.com/jobmail/jobmail/wizard/setupfile"
)

// smtpChannel: the company's own SMTP server with a password.
type smtpChannel struct{}

func (smtpChannel) fields(s *Session) []field { return s.smtpFields() }

func (smtpChannel) checks(e *Env, s *Session) []providers.Check {
	m := s.connection()
	cs := smtp.Prerequisites(e.smtpConfig(s.Setup, m, credentialsPending), m.Address)
	for i := range cs {
		if cs[i].Diagnosis != nil && cs[i].Diagnosis.Field != "" {
			cs[i].Diagnosis.Field = s.prefix() + "." + cs[i].Diagnosis.Field
		}
	}
	return cs
}

func (smtpChannel) tester(ctx context.Context, e *Env, s *Session) (providers.Tester, error) {
	m := s.connection()
	pw := s.Password
	if !s.Interactive || pw.Empty() {
		var err error
		if pw, err = e.secret(ctx, s.Setup, m.SMTP.Password, KeyringAccount(providers.ChannelSMTP, m.SMTP.Username)); err != nil {
			return nil, err
		}
	}
	cfg := e.smtpConfig(s.Setup, m, pw)
	cfg.Ahead = s.takeAhead()
	return prefixed{t: smtp.New(cfg), prefix: s.prefix()}, nil
}

// openAhead opens the live test's connection while the machine is still
// busy (ahead.go) when the setup file already names the server; without
// a host the machine may yet prefill one, and nothing is opened.
func (smtpChannel) openAhead(ctx context.Context, e *Env, s *Session) *smtp.Ahead {
	m := s.connection()
	if m.SMTP == nil || m.SMTP.Host == "" {
		return nil
	}
	return smtp.Open(ctx, e.smtpConfig(s.Setup, m, credentialsPending), m.Address, e.timeout())
}

// prefixed puts the mailbox's key prefix on the field a test's diagnosis
// names: the smtp tester knows "smtp.port", the machine "company.smtp.port".
type prefixed struct {
	t      providers.Tester
	prefix string
}

func (p prefixed) Test(ctx context.Context, msg providers.Message, obs providers.Observer) providers.Result {
	r := p.t.Test(ctx, msg, obs)
	if r.Diagnosis != nil && r.Diagnosis.Field != "" {
		r.Diagnosis.Field = p.prefix + "." + r.Diagnosis.Field
	}
	return r
}

func (smtpChannel) secret(s *Session) (string, secrets.Secret, bool) {
	if s.Password.Empty() || s.Mailbox().SMTP == nil {
		return "", secrets.Secret{}, false
	}
	return s.PasswordAccount(), s.Password, true
}

func (smtpChannel) drop(m *setupfile.Mailbox) { m.SMTP = nil }

func (smtpChannel) passwordBlock(m *setupfile.Mailbox) *setupfile.SMTP { return m.SMTP }

func (smtpChannel) export(e setupfile.EffectiveMailbox, p ExportPlatform) ExportSettings {
	if e.SMTP == nil {
		return platformChannel{}.export(e, p)
	}
	sec := providers.Security(e.SMTP.Security)
	return ExportSettings{Host: e.SMTP.Host, Port: e.SMTP.Port, Security: string(sec),
		Encryption: Encryption(sec), Username: e.SMTP.Username}
}

func (smtpChannel) adminActions(e setupfile.EffectiveMailbox, provider string) []string {
	ids := smtpConfirmations(provider, e.SMTP.Host)
	if isMicrosoftHost(strings.ToLower(e.SMTP.Host)) && !contains(ids, "smtp_auth_enabled") {
		ids = append(ids, "smtp_auth_enabled", "security_defaults_allow_basic_auth", "licensed_mailbox")
	}
	return ids
}
