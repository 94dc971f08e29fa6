package smtp

import (
	"bufio"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strings"
	"unicode/utf8"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/secrets"
)

// Bounds on what a server may send. RFC 5321 allows 512 octets per reply
// line; eight times that tolerates odd servers while a hostile one cannot
// grow memory until the deadline.
const (
	maxLineBytes  = 4096
	maxReplyLines = 128
	maxShownBytes = 512 // of a garbage line kept for the diagnosis
)

// Commands name what a reply answered; the classifier needs them because
// the same reply code means different things after MAIL, RCPT or DATA.
const (
	cmdGreeting = "GREETING"
	cmdEHLO     = "EHLO"
	cmdSTARTTLS = "STARTTLS"
	cmdAUTH     = "AUTH"
	cmdMAIL     = "MAIL"
	cmdRCPT     = "RCPT"
	cmdDATA     = "DATA"
	cmdMessage  = "MESSAGE" // the reply after the message's final dot
	cmdQUIT     = "QUIT"
)

// reply is one server reply: its code and its lines verbatim (control
// characters escaped, secrets scrubbed).
type reply struct {
	Code  int
	Lines []string
}

func (r reply) text() string { return strings.Join(r.Lines, "\n") }

// ReplyError is a reply the test did not expect. Lines are the server's
// words, already scrubbed of secrets; Mechanism is the SASL mechanism when
// Command is AUTH, and Challenge the decoded JSON an OAuth server sent before
// its final refusal.
type ReplyError struct {
	Stage     providers.StageName
	Command   string
	Mechanism string
	Code      int
	Lines     []string
	Challenge string
}

func (e *ReplyError) Error() string {
	first := ""
	if len(e.Lines) > 0 {
		first = e.Lines[0]
	}
	return fmt.Sprintf("smtp %s: unexpected reply %q", strings.ToLower(e.Command), first)
}

// ProtocolError is a server that does not speak SMTP: a malformed or
// over-long reply line, a reply that never ends, bytes after STARTTLS.
type ProtocolError struct {
	Stage  providers.StageName
	Reason string // "malformed_reply", "line_too_long", "too_many_lines", "mixed_codes", "data_after_starttls", "auth_loop"
	Line   string // what the server sent, shortened and scrubbed
}

func (e *ProtocolError) Error() string {
	return fmt.Sprintf("smtp protocol violation at %s: %s", e.Stage, e.Reason)
}

// ioError is a failed read or write, kept with what had arrived of an
// unfinished line (a drip-fed banner).
type ioError struct {
	Op      string // "dial", "greeting", "handshake", "read", "write"
	Partial string
	Err     error
}

func (e *ioError) Error() string { return fmt.Sprintf("smtp %s: %v", e.Op, e.Err) }
func (e *ioError) Unwrap() error { return e.Err }

// session is one SMTP connection with its transcript. go-mail's client
// talks to it through a wire (wire.go), which reads and checks every reply
// line here first.
type session struct {
	raw   net.Conn // the TCP connection; deadlines set here hold for TLS too
	conn  net.Conn // raw or the TLS connection on top of it
	r     *bufio.Reader
	scrub *secrets.Redactor
	log   []string
	stage providers.StageName

	rep  reply // the reply being read
	last reply // the last complete reply

	// The write side (see wire.Write).
	shown   *string // what the transcript records for the next line sent, when not the line
	auth    bool    // a SASL exchange runs: lines sent are payloads unless shown says otherwise
	data    bool    // the message is being sent: its lines are not recorded one by one
	partial bool    // a long line is being written in pieces
}

func newSession(raw net.Conn, sc *secrets.Redactor) *session {
	return &session{raw: raw, conn: raw, r: bufio.NewReaderSize(raw, maxLineBytes), scrub: sc}
}

// startTLS puts a TLS client on the connection. Bytes already buffered after
// the 220 would be plaintext injected into the encrypted session
// (CVE-2011-0411 style): refuse them.
func (s *session) startTLS(cfg *tls.Config) (*tls.Conn, error) {
	if s.r.Buffered() > 0 {
		return nil, &ProtocolError{Stage: s.stage, Reason: "data_after_starttls"}
	}
	tc := tls.Client(s.raw, cfg)
	s.conn = tc
	s.r.Reset(tc) // empty (checked above): the same buffer serves the TLS side
	return tc, nil
}

func (s *session) readLine() (string, error) {
	b, err := s.r.ReadSlice('\n')
	switch {
	case errors.Is(err, bufio.ErrBufferFull):
		return "", &ProtocolError{Stage: s.stage, Reason: "line_too_long", Line: shorten(s.clean(b))}
	case err != nil:
		return "", &ioError{Op: "read", Partial: s.clean(b), Err: err}
	}
	b = b[:len(b)-1]
	if n := len(b); n > 0 && b[n-1] == '\r' {
		b = b[:n-1]
	}
	return s.clean(b), nil
}

// clean makes a server line safe to show and store: secrets scrubbed,
// control characters and invalid UTF-8 escaped (a hostile server must not
// drive the user's terminal), long lines cut.
func (s *session) clean(b []byte) string {
	if len(b) > maxShownBytes*8 {
		b = b[:maxShownBytes*8]
	}
	if printableASCII(b) { // nearly every line of a real server: nothing to escape
		return s.scrub.Redact(string(b))
	}
	var sb strings.Builder
	sb.Grow(len(b) + 8)
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		switch {
		case r == utf8.RuneError && n <= 1:
			fmt.Fprintf(&sb, `\x%02x`, b[0])
		case r < 0x20 && r != '\t', r == 0x7f, r >= 0x80 && r < 0xa0:
			fmt.Fprintf(&sb, `\x%02x`, r)
		default:
			sb.WriteRune(r)
		}
		b = b[n:]
	}
	return s.scrub.Redact(sb.String())
}

// printableASCII reports whether b is tabs and printable ASCII only, which
// clean leaves as it is.
func printableASCII(b []byte) bool {
	for _, c := range b {
		if (c < 0x20 && c != '\t') || c >= 0x7f {
			return false
		}
	}
	return true
}

// parseReplyLine reads "NNN text", "NNN-text" (more lines follow) or "NNN".
func parseReplyLine(line string) (code int, last, ok bool) {
	if len(line) < 3 {
		return 0, false, false
	}
	for i := 0; i < 3; i++ {
		if line[i] < '0' || line[i] > '9' {
			return 0, false, false
		}
	}
	if line[0] < '2' || line[0] > '5' || line[1] > '5' {
		return 0, false, false
	}
	code = int(line[0]-'0')*100 + int(line[1]-'0')*10 + int(line[2]-'0')
	switch {
	case len(line) == 3:
		return code, true, true
	case line[3] == ' ':
		return code, true, true
	case line[3] == '-':
		return code, false, true
	}
	return 0, false, false
}

// extensions parses an EHLO reply into keyword → parameters; the old
// "AUTH=PLAIN LOGIN" form counts as AUTH.
func extensions(rep reply) map[string]string {
	ext := map[string]string{}
	for _, l := range rep.Lines[1:] {
		if len(l) < 4 {
			continue
		}
		kw, params, _ := strings.Cut(strings.TrimSpace(l[4:]), " ")
		kw = strings.ToUpper(kw)
		if k, p, found := strings.Cut(kw, "="); found && k == "AUTH" {
			kw, params = k, strings.TrimSpace(p+" "+params)
		}
		if old, dup := ext[kw]; dup && kw == "AUTH" {
			params = old + " " + params
		}
		ext[kw] = params
	}
	return ext
}

func shorten(s string) string {
	if len(s) <= maxShownBytes {
		return s
	}
	cut := maxShownBytes
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// newScrubber is the run's redactor (secrets.Redactor, the one engine):
// some servers echo a refused command line ("504 Unrecognized
// authentication type AUTH PLAIN AGpv…"), or the password itself in hex or
// base64 at any offset, so everything the server says goes through it
// before it is stored. Each SASL payload is added as it is sent (AddSent).
func newScrubber(ss ...secrets.Secret) *secrets.Redactor {
	sc := &secrets.Redactor{}
	for _, s := range ss {
		sc.Add(s)
	}
	return sc
}
