package smtp

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"time"
	"unicode"

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

// buildMessage renders the test message: 7-bit clean (quoted-printable body,
// RFC 2047 words for a non-ASCII name or subject), CRLF line ends, ready for
// dot-stuffing. Only a non-ASCII address needs SMTPUTF8.
func buildMessage(msg providers.Message, now time.Time) []byte {
	subject := msg.Subject
	if !strings.Contains(subject, msg.Token) {
		// The platform finds the message by its token; keep it findable
		// even when a caller forgot it.
		subject = strings.TrimSpace(subject + " " + msg.Token)
	}
	var b bytes.Buffer
	header := func(name, value string) {
		b.WriteString(fold(name + ": " + value))
		b.WriteString("\r\n")
	}
	header("Date", now.Format(time.RFC1123Z))
	header("From", (&mail.Address{Name: msg.SenderName, Address: msg.From}).String())
	header("To", (&mail.Address{Address: msg.To}).String())
	header("Subject", mime.QEncoding.Encode("utf-8", subject))
	header("Message-ID", messageID(msg.From))
	header(HeaderVerification, msg.Token)
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=UTF-8")
	header("Content-Transfer-Encoding", "quoted-printable")
	b.WriteString("\r\n")

	body := strings.ReplaceAll(strings.ReplaceAll(msg.Body, "\r\n", "\n"), "\r", "\n")
	qp := quotedprintable.NewWriter(&b)
	_, _ = qp.Write([]byte(body)) // writes to a bytes.Buffer cannot fail
	_ = qp.Close()
	if !bytes.HasSuffix(b.Bytes(), []byte("\r\n")) {
		b.WriteString("\r\n")
	}
	return b.Bytes()
}

// fold breaks a header line longer than 78 octets at spaces (RFC 5322
// 2.2.3); encoded words are already separated by spaces.
func fold(line string) string {
	if len(line) <= 78 {
		return line
	}
	var out strings.Builder
	for len(line) > 78 {
		cut := strings.LastIndexByte(line[:78], ' ')
		if cut <= 0 {
			cut = strings.IndexByte(line, ' ')
			if cut <= 0 {
				break
			}
		}
		out.WriteString(line[:cut])
		out.WriteString("\r\n")
		line = line[cut:] // keeps the space as the continuation's indent
	}
	out.WriteString(line)
	return out.String()
}

func messageID(from string) string {
	domain := from[strings.LastIndexByte(from, '@')+1:]
	var r [16]byte
	_, _ = rand.Read(r[:]) // crypto/rand.Read never fails (Go 1.24+)
	return "<jobmail." + hex.EncodeToString(r[:]) + "@" + domain + ">"
}

// dotStuff prepares a CRLF message for DATA: a leading dot is doubled
// (RFC 5321 4.5.2) and the terminating "." line appended.
func dotStuff(m []byte) []byte {
	out := make([]byte, 0, len(m)+16)
	for len(m) > 0 {
		i := bytes.Index(m, []byte("\r\n"))
		line := m
		if i >= 0 {
			line, m = m[:i+2], m[i+2:]
		} else {
			m = nil
		}
		if len(line) > 0 && line[0] == '.' {
			out = append(out, '.')
		}
		out = append(out, line...)
	}
	return append(out, ".\r\n"...)
}
