package wizard

import (
	"context"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/providers/platform"
	"github.com/jobmail/jobmail/secrets"
	"github.com/jobmail/jobmail/wizard/setupfile"
)

// platformChannel: the platform's own mail service (the default): nothing
// to configure, nothing to sign in to, the sender is the inbound address.
type platformChannel struct{}

func (platformChannel) fields(*Session) []field { return nil }

func (platformChannel) checks(*Env, *Session) []providers.Check { return nil }

func (platformChannel) tester(_ context.Context, _ *Env, s *Session) (providers.Tester, error) {
	return platform.New(s.Setup.InboundAddress()), nil
}

func (platformChannel) secret(*Session) (string, secrets.Secret, bool) {
	return "", secrets.Secret{}, false
}

func (platformChannel) drop(*setupfile.Mailbox) {}

func (platformChannel) passwordBlock(*setupfile.Mailbox) *setupfile.SMTP { return nil }

func (platformChannel) export(_ setupfile.EffectiveMailbox, p ExportPlatform) ExportSettings {
	return ExportSettings{Service: p.MailService, SendsAs: p.InboundAddress}
}

func (platformChannel) adminActions(setupfile.EffectiveMailbox, string) []string { return nil }
