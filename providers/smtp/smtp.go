// Package smtp is the SMTP channel's live test: it connects to the company's
// submission server the way the platform will, reports every protocol stage
// with its timing, and turns each failure into a stable diagnosis code that
// carries the server's own words.
//
// The exchange goes through go-mail's smtp.Client (github.com/wneessen/
// go-mail/smtp) and the message is composed with its mail.Msg. What a
// diagnosing test needs beyond that is kept here, around go-mail rather
// than instead of it:
//
//   - the wire (wire.go) is the net.Conn under go-mail: every reply line is
//     read, bounded (maxLineBytes, maxReplyLines), checked, escaped,
//     redacted and recorded there first, so a hostile server cannot grow
//     memory and every reply is in the transcript, including those go-mail
//     does not log (a failed expectation, the final DATA reply);
//   - one wall-clock deadline on the connection (go-mail takes no context);
//   - one stage per command with its timing: the TLS handshake is its own
//     step, because Client.StartTLS runs STARTTLS, the handshake and the
//     second EHLO in one call and puts textproto on the TLS connection past
//     the wire; after the handshake a new go-mail client goes on the wire;
//   - MAIL is sent on go-mail's connection, not by Client.Mail, which adds
//     BODY=8BITMIME whenever it is offered; angle brackets are ours;
//   - go-mail's fallbacks are kept off the wire: HELO after a refused EHLO,
//     "*" and QUIT after a failed AUTH (the Microsoft retry needs the
//     connection);
//   - the OAuth mechanisms send AUTH bare (Postfix cuts lines at 2,048
//     characters, tokens are longer), and every mechanism is wrapped to
//     redact its payloads and bound its challenges (auth.go).
package smtp

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"sync"
	"time"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/secrets"
)

// Setup-file keys (after "company.") that fix a diagnosis; the wizard adds
// the prefix for the company or an entity.
const (
	FieldHost       = "smtp.host"
	FieldPort       = "smtp.port"
	FieldSecurity   = "smtp.security"
	FieldUsername   = "smtp.username"
	FieldPassword   = "smtp.password"
	FieldCAFile     = "smtp.ca_file"
	FieldAddress    = "address"
	FieldSenderName = "sender_name"
	FieldChannel    = "channel"
)

// CodeInvalidValue is reported when a value handed to the tester cannot be
// used at all (a line break in a header value, a port out of range, an
// unreadable CA file). The setup-file validation normally catches these
// first; the tester refuses them again so that nothing malformed ever
// reaches a server.
// TODO(lead): move into providers.AllCodes and the message catalogue.
const CodeInvalidValue = providers.CodeConfigInvalidValue

// Dialer opens TCP connections; *net.Dialer satisfies it.
type Dialer interface {
	DialContext(ctx context.Context, network, addr string) (net.Conn, error)
}

// Resolver looks up host names; *net.Resolver satisfies it.
type Resolver interface {
	LookupHost(ctx context.Context, host string) ([]string, error)
}

// Config describes one SMTP connection. Secrets stay wrapped until the
// moment they are encoded for the server.
type Config struct {
	Host     string
	Port     int
	Security providers.Security
	Username string // defaults to the message's From address
	Password secrets.Secret
	// OAuthToken, when set, authenticates with XOAUTH2 (or OAUTHBEARER when
	// only that is offered) as Username instead of the password; the Google
	// and Microsoft channels use it.
	OAuthToken secrets.Secret
	// CAFile holds extra PEM trust anchors, added to the system roots.
	CAFile string
	// RootCAs replaces the system roots (CAFile is still added); for tests.
	RootCAs *x509.CertPool
	// AllowInsecure permits credentials over Security "none".
	AllowInsecure bool
	// HelloName is the EHLO argument; empty means the address literal of the
	// local end of the connection, which every server accepts.
	HelloName string
	Dialer    Dialer           // nil: net.Dialer
	Resolver  Resolver         // nil: net.DefaultResolver
	Now       func() time.Time // nil: time.Now; dates the message and checks certificates
	// SessionCache, when set, resumes TLS sessions across testers of one
	// run (many entities on one server): the certificate is still checked
	// on every connection, but the server and the client skip the full
	// handshake's key exchange.
	SessionCache tls.ClientSessionCache
	// Ahead, when set, is this test's opening, started before the test
	// was due (Open): Test goes on from it when it opened for the same
	// server and trust, else closes it and opens its own.
	Ahead *Ahead
}

func (c Config) hasCredentials() bool { return !c.Password.Empty() || !c.OAuthToken.Empty() }

func (c Config) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// Tester runs live tests against one SMTP configuration. It is safe for
// concurrent use.
type Tester struct {
	cfg Config

	// Trust anchors, each loaded on first need only: x509.SystemCertPool
	// costs 10–15 ms, most of a whole loopback send.
	firstOnce sync.Once
	first     *x509.CertPool // RootCAs and/or the CA file; nil when neither
	firstErr  error
	fullOnce  sync.Once
	full      *x509.CertPool // system roots plus the CA file
	fullErr   error
}

// New returns a Tester for cfg.
func New(cfg Config) *Tester { return &Tester{cfg: cfg} }

var _ providers.Tester = (*Tester)(nil)

func (t *Tester) dialer() Dialer {
	if t.cfg.Dialer != nil {
		return t.cfg.Dialer
	}
	return &net.Dialer{}
}

func (t *Tester) resolver() Resolver {
	if t.cfg.Resolver != nil {
		return t.cfg.Resolver
	}
	return net.DefaultResolver
}
