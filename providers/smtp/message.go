package smtp

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/wneessen/go-mail"
	"golang.org/x/net/idna"

	"github.com/jobmail/jobmail/providers"
)

// HeaderVerification carries the verification token, so the platform can
// match the forwarded test message to the address being verified.
const HeaderVerification = "X-Jobmail-Verification"

// checkMessage refuses values that would break out of a header or an SMTP
// command line (header injection) or are not usable addresses, before any
// connection is made.
func checkMessage(cfg Config, msg providers.Message) *providers.Diagnosis {
	for _, v := range []struct{ value, field string }{
		{msg.From, FieldAddress}, {msg.To, FieldAddress}, {msg.SenderName, FieldSenderName},
		{msg.Subject, ""}, {msg.Token, ""}, {msg.Body, "-"},
		{cfg.Username, FieldUsername}, {cfg.HelloName, ""}, {cfg.Host, FieldHost},
	} {
		if v.field == "-" { // the body may hold line breaks, not NULs
			if strings.ContainsRune(v.value, 0) {
				return invalid("", "nul_in_body", nil)
			}
			continue
		}
		if hasBreak(v.value) {
			return invalid(v.field, "line_break", nil)
		}
	}
	for _, a := range []string{msg.From, msg.To} {
		if !plausibleAddress(a) {
			return invalid(FieldAddress, "address", map[string]string{"address": a})
		}
	}
	if msg.Token == "" || strings.IndexFunc(msg.Token, func(r rune) bool { return r <= ' ' || r >= 0x7f }) >= 0 {
		return invalid("", "token", nil)
	}
	if strings.ContainsAny(cfg.HelloName, " \t") {
		return invalid("", "hello_name", nil)
	}
	return nil
}

// plausibleAddress accepts what can go between < > on MAIL FROM / RCPT TO.
func plausibleAddress(a string) bool {
	at := strings.LastIndexByte(a, '@')
	if at < 1 || at == len(a)-1 {
		return false
	}
	return strings.IndexFunc(a, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r) || r == '<' || r == '>' || r == '"' || r == ','
	}) < 0
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// composed is the test message as DATA sends it, or why it could not be
// composed (reported at the DATA stage, as if composed there).
type composed struct {
	data []byte
	err  error
}

// buildMessage renders the test message with go-mail's mail.Msg: 7-bit
// clean (quoted-printable body, RFC 2047 words for a non-ASCII name or
// subject), CRLF line ends, ready for DATA. Only a non-ASCII address needs
// SMTPUTF8. checkMessage has refused line breaks in every header value
// before (go-mail would fold them into the header instead).
func buildMessage(msg providers.Message, now time.Time) ([]byte, error) {
	subject := msg.Subject
	if !strings.Contains(subject, msg.Token) {
		// The platform finds the message by its token; keep it findable
		// even when a caller forgot it.
		subject = strings.TrimSpace(subject + " " + msg.Token)
	}
	m := mail.NewMsg(mail.WithNoDefaultUserAgent(), mail.WithCharset(mail.CharsetUTF8), mail.WithEncoding(mail.EncodingQP))
	if err := m.FromFormat(msg.SenderName, msg.From); err != nil {
		return nil, fmt.Errorf("sender %q: %w", msg.From, err)
	}
	if err := m.To(msg.To); err != nil {
		return nil, fmt.Errorf("recipient %q: %w", msg.To, err)
	}
	m.Subject(subject)
	m.SetDateWithValue(now)
	m.SetMessageIDWithValue(messageID(msg.From)) // go-mail adds the < >
	m.SetGenHeader(HeaderVerification, msg.Token)
	body := strings.ReplaceAll(strings.ReplaceAll(msg.Body, "\r\n", "\n"), "\r", "\n")
	m.SetBodyString(mail.TypeTextPlain, body)
	var b bytes.Buffer
	if _, err := m.WriteTo(&b); err != nil {
		return nil, fmt.Errorf("compose the test message: %w", err)
	}
	if !bytes.HasSuffix(b.Bytes(), []byte("\r\n")) {
		b.WriteString("\r\n")
	}
	return b.Bytes(), nil
}

func messageID(from string) string {
	domain := from[strings.LastIndexByte(from, '@')+1:]
	var r [16]byte
	_, _ = rand.Read(r[:]) // crypto/rand.Read never fails (Go 1.24+)
	if ascii, err := idna.ToASCII(domain); err == nil {
		// müller.de → xn--mller-kva.de: go-mail would Q-encode a non-ASCII
		// domain, and an encoded word is no message identifier.
		domain = ascii
	}
	return "jobmail." + hex.EncodeToString(r[:]) + "@" + domain
}

// stuffedLen is the size of a CRLF message as DATA sends it, a leading
// dot doubled on every line (RFC 5321 4.5.2) and the terminating "." line
// appended: what the transcript reports. go-mail's writer does the
// stuffing itself; only the count is needed here.
func stuffedLen(m []byte) int {
	n := len(m) + len(".\r\n")
	if len(m) > 0 && m[0] == '.' {
		n++
	}
	return n + bytes.Count(m, []byte("\r\n.")) // a dot starting any later line
}
