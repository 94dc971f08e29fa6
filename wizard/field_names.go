package wizard

import (
	"strings"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/wizard/setupfile"
)

// The fields drivers show context for (Question.Field). They are named
// once, here, where the questions are defined: a driver compares a
// question's field with these, never with a literal of its own, so a
// renamed field is a compile error, not a silently missing hint.
const (
	FieldName         = "name" // an entity's name (entity sessions)
	FieldAddress      = "address"
	FieldForwarding   = "forwarding"
	FieldChannel      = "channel"
	FieldSMTPHost     = "smtp.host"
	FieldSMTPSecurity = "smtp.security"
	FieldSMTPPort     = "smtp.port"
	// FieldSMTPTransport asks port and encryption as one choice.
	FieldSMTPTransport = "smtp.transport"
)

// ShowsDiscovery reports whether the discovery's verdict belongs with
// question q: the channel choice, and the SMTP server's questions while
// the channel is smtp.
func (s *Session) ShowsDiscovery(q Question) bool {
	switch q.Field {
	case FieldChannel:
		return true
	case FieldSMTPHost, FieldSMTPSecurity, FieldSMTPPort:
		return s.Mailbox().ChannelID() == providers.ChannelSMTP
	}
	return false
}

// ChannelWarning is what the machine knows against choosing channel ch
// for this mailbox before any test: SMTP for a Google mailbox
// (config.google_smtp: Google turned off password sign-in for SMTP).
// Nil when there is nothing to say.
func (s *Session) ChannelWarning(ch providers.Channel) *providers.Diagnosis {
	if ch == providers.ChannelSMTP && s.Provider == "google" {
		return &providers.Diagnosis{Code: providers.CodeConfigGoogleSMTP, Actor: providers.ActorUser,
			Field: s.key + "." + FieldChannel, Args: map[string]string{"address": s.Mailbox().Address}}
	}
	return nil
}

// basicAuthRetiring warns when the smtp channel signs in with a password
// at Microsoft 365 (config.basic_auth_retiring): Microsoft keeps basic
// auth for SMTP AUTH through December 2026, then turns it off by default,
// so a setup that passes today stops sending; the direct integration is
// the way on. The interactive wizard offers the switch right after the
// host (smtp.direct); this warning reaches every driver's end, replay
// and --json included.
func (s *Session) basicAuthRetiring() *setupfile.Warning {
	m := s.connection()
	if m.ChannelID() != providers.ChannelSMTP || m.SMTP == nil {
		return nil
	}
	if strings.ToLower(strings.TrimSuffix(strings.TrimSpace(m.SMTP.Host), ".")) != providerSMTPHost["microsoft"] {
		return nil
	}
	key := s.prefix() + "." + FieldChannel
	return &setupfile.Warning{Key: key, Diagnosis: providers.Diagnosis{Code: providers.CodeConfigBasicAuthRetiring,
		Actor: providers.ActorMailAdmin, Field: key, Args: map[string]string{"address": m.Address, "host": m.SMTP.Host}}}
}

// prerequisitePrefix opens the field of a person's confirmation:
// "prerequisites.<id>".
const prerequisitePrefix = "prerequisites."

// PrerequisiteOf is the id of the confirmation field names
// ("prerequisites.ip_allowlist" → "ip_allowlist"); false for other fields.
func PrerequisiteOf(field string) (string, bool) {
	return strings.CutPrefix(field, prerequisitePrefix)
}

// FieldOf is the field of a setup key: the key without its mailbox prefix
// ("company.smtp.host", "entities[2].smtp.host" → "smtp.host"); a
// platform-wide key ("platform.account") is its own field.
func FieldOf(key string) string {
	if strings.HasPrefix(key, "platform.") {
		return key
	}
	if i := strings.IndexByte(key, '.'); i >= 0 {
		return key[i+1:]
	}
	return key
}
