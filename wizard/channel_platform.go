package wizard

import (
	"context"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/providers/platform"
	"github.com/jobmail/jobmail/secrets"
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

func (platformChannel) drop(*Mailbox) {}

func (platformChannel) effective(*Mailbox, *EffectiveMailbox) {}

func (platformChannel) inherit(_, _ *Mailbox, _ *Mailbox) {}

func (platformChannel) connection(EffectiveMailbox) ([]string, bool) { return nil, false }

func (platformChannel) export(_ EffectiveMailbox, p ExportPlatform) ExportSettings {
	return ExportSettings{Service: p.MailService, SendsAs: p.InboundAddress}
}

func (platformChannel) adminActions(EffectiveMailbox, string) []string { return nil }
