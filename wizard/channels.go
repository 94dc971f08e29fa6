package wizard

import (
	"context"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/secrets"
	"github.com/jobmail/jobmail/wizard/setupfile"
)

// channel is a channel's behaviour in the machine, written once per
// channel (channel_<id>.go): its questions, automatic checks, live test,
// the secret the commit stores, its setup block's lifetime and export.
// The data every layer shares is providers.SpecOf, the settings block's
// defaults and inheritance are setupfile's (blocks.go); this is the
// wizard's half, and the only place the machine branches on a
// channel (channels_test.go fails on a switch anywhere else).
type channel interface {
	// fields are the channel's questions, after the channel choice.
	fields(s *Session) []field
	// checks are the automatic prerequisites (confirmations are added
	// by the caller).
	checks(e *Env, s *Session) []providers.Check
	// tester builds the live test of s's connection.
	tester(ctx context.Context, e *Env, s *Session) (providers.Tester, error)
	// secret is what the commit stores in the keyring, if anything.
	secret(s *Session) (account string, secret secrets.Secret, ok bool)
	// passwordBlock is m's settings block when the channel signs in
	// with a password a person types or a reference names (its host and
	// port with it), else nil.
	passwordBlock(m *setupfile.Mailbox) *setupfile.SMTP
	// drop removes the channel's settings block from m (the commit, for
	// a channel chosen and then left).
	drop(m *setupfile.Mailbox)
	// export is the export's settings of e.
	export(e setupfile.EffectiveMailbox, p ExportPlatform) ExportSettings
	// adminActions are the prerequisites the IT report lists for e.
	adminActions(e setupfile.EffectiveMailbox, provider string) []string
}

// signInChannel is a direct integration's further half: its OAuth app and
// sign-in.
type signInChannel interface {
	channel
	// app resolves the mailbox's OAuth app (Setup.AppOf).
	app(s *setupfile.Setup, m *setupfile.Mailbox, env func(string) string) App
	// withoutClientID is m with its own client id taken out (is any
	// other app configured?).
	withoutClientID(m setupfile.Mailbox) setupfile.Mailbox
	// validClientID checks a client id typed for this provider.
	validClientID(v string) error
	// provider builds the sign-in and tester of m, the keyring account of
	// its refresh token and that token's setup reference.
	provider(o *OAuth, setup *setupfile.Setup, m *setupfile.Mailbox) (oauthProvider, string, string, error)
}

// channels is the one table: each channel's behaviour by its id.
var channels = map[providers.Channel]channel{
	providers.ChannelPlatform:  platformChannel{},
	providers.ChannelGoogle:    newGoogleChannel(),
	providers.ChannelMicrosoft: newMicrosoftChannel(),
	providers.ChannelSMTP:      smtpChannel{},
}

// channelOf is ch's behaviour; an unknown or empty channel behaves as the
// platform's own service (the setup file's default).
func channelOf(ch providers.Channel) channel {
	if c, ok := channels[ch]; ok {
		return c
	}
	return platformChannel{}
}

// PasswordBlock is m's settings block when its channel signs in with a
// password (the smtp channel), else nil: where the password's reference,
// the host and the port are, for the drivers that offer or show them.
func PasswordBlock(m *setupfile.Mailbox) *setupfile.SMTP {
	return channelOf(m.ChannelID()).passwordBlock(m)
}

// signInOf is ch's sign-in half; false off the direct integrations.
func signInOf(ch providers.Channel) (signInChannel, bool) {
	c, ok := channelOf(ch).(signInChannel)
	return c, ok
}
