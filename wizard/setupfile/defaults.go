package setupfile

import (
	"cmp"

	"github.com/jobmail/jobmail/providers"
)

// The defaults of what a setup file may leave out, written once here (the
// JSON Schema states them too): Effective applies them to what a file
// says, the wizard's questions offer them as their answers' defaults, and
// the live test's SMTP configuration is DefaultSMTP's result.
//
//	sender_name    company
//	channel        platform
//	smtp.security  starttls; smtp.port DefaultPort(security)
//	smtp.username  the mailbox's address; smtp.password keyring
//	google/microsoft refresh_token keyring
const (
	DefaultSenderName = "company"
	DefaultChannel    = providers.ChannelPlatform
	DefaultSecurity   = providers.SecurityStartTLS
	// DefaultSecretRef is where a password or refresh token the file does
	// not name is kept: the keyring entry of its login.
	DefaultSecretRef = "keyring"
)

// DefaultPort is the port that goes with a security mode.
func DefaultPort(sec providers.Security) int {
	if sec == providers.SecuritySMTPS {
		return 465
	}
	return 587
}

// DefaultSMTP is own (nil: an empty block) with what an SMTP block may
// leave out filled in, for the mailbox at address; the host is in the
// form the resolver and TLS need (asciiHost).
func DefaultSMTP(own *SMTP, address string) SMTP {
	c := derefOr(own)
	c.Host = asciiHost(c.Host)
	c.Security = cmp.Or(c.Security, string(DefaultSecurity))
	if c.Port == 0 {
		c.Port = DefaultPort(providers.Security(c.Security))
	}
	c.Username = cmp.Or(c.Username, address)
	c.Password = cmp.Or(c.Password, DefaultSecretRef)
	return c
}
