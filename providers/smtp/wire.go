package smtp

import (
	"errors"
	"net"
	"net/textproto"
	"strings"

	"github.com/jobmail/jobmail/secrets"
)

// wire is the net.Conn under go-mail's smtp.Client. go-mail's reader has
// no bound on a reply and records nothing, so every reply line comes
// through the session's own reader first: at most maxLineBytes a line and
// maxReplyLines a reply, well formed, control characters escaped, secrets
// redacted and recorded in the transcript, whatever the client then does
// with it (a reply that fails the expected code, the final DATA reply and
// the greeting are recorded too). What go-mail textproto gets is the
// cleaned line. The write side records each command line (SASL payloads
// as [redacted]) and refuses the lines go-mail sends on its own where the
// test must not: HELO after a refused EHLO (the EHLO reply is the
// diagnosis), and "*" and QUIT after a failed AUTH (the connection may be
// needed for another mechanism, and a final 535 needs no cancel); go-mail
// reads an answer of the wire's own for each (notSent).
type wire struct {
	net.Conn // the session's conn: TCP, or TLS on top of it
	s        *session
	pending  []byte   // a checked line not yet read by go-mail
	answers  []string // the replies to lines the wire did not send
}

// notSent answers a line the wire kept back, so that go-mail's reader and
// its pipeline stay in step (an error from the write would poison its
// buffered writer for the rest of the session). These replies are never
// recorded and never reach a diagnosis.
var notSent = table[string, string]{
	{"HELO", "502 5.5.1 not sent: the test needs EHLO\r\n"},
	{"*", "501 5.7.0 not sent: the exchange is over\r\n"},
	{"QUIT", "221 2.0.0 not sent: the test closes the connection itself\r\n"},
}

// greetingAfterTLS is the 220 that go-mail's NewClient must read before it
// can be used on a connection that was greeted before STARTTLS.
const greetingAfterTLS = "220 (after STARTTLS)\r\n"

// newWire returns the wire over the session's current connection; greeted
// means the server's banner was already read (before STARTTLS).
func newWire(s *session, greeted bool) *wire {
	w := &wire{Conn: s.conn, s: s}
	if greeted {
		w.pending = []byte(greetingAfterTLS)
	}
	return w
}

func (w *wire) Read(p []byte) (int, error) {
	if len(w.pending) == 0 && len(w.answers) > 0 {
		w.pending, w.answers = []byte(w.answers[0]), w.answers[1:]
	}
	if len(w.pending) == 0 {
		line, err := w.s.nextLine()
		if err != nil {
			return 0, err
		}
		w.pending = append(append(w.pending[:0], line...), '\r', '\n')
	}
	n := copy(p, w.pending)
	w.pending = w.pending[n:]
	return n, nil
}

func (w *wire) Write(p []byte) (int, error) {
	s := w.s
	if !s.data {
		if kept := s.record(p); kept != "" {
			answer, _ := notSent.get(kept)
			w.answers = append(w.answers, answer)
			return len(p), nil
		}
	}
	n, err := w.Conn.Write(p)
	if err != nil {
		return n, &ioError{Op: "write", Err: err}
	}
	return n, nil
}

// Close leaves the connection open: the test closes it when it ends.
func (w *wire) Close() error { return nil }

// record writes a line sent to the transcript, or returns the key in
// notSent of a line that must not be sent at all. textproto writes a line
// in one piece, except one longer than its buffer (a long token), whose
// CRLF follows alone.
func (s *session) record(p []byte) (kept string) {
	line := strings.TrimRight(string(p), "\r\n")
	complete := strings.HasSuffix(string(p), "\n")
	if s.partial {
		s.partial = !complete
		return "" // the rest of a line already recorded
	}
	s.partial = !complete
	upper := strings.ToUpper(line)
	switch {
	case strings.HasPrefix(upper, "HELO "):
		return "HELO"
	case s.auth && line == "*":
		return "*"
	case s.auth && upper == "QUIT":
		return "QUIT"
	}
	shown := line
	switch {
	case s.shown != nil:
		shown, s.shown = *s.shown, nil
	case s.auth:
		shown = secrets.Redacted // never a payload, even one nobody announced
	}
	s.log = append(s.log, "C: "+s.scrub.Redact(shown))
	return ""
}

// show sets what the transcript records for the next line sent.
func (s *session) show(line string) { s.shown = &line }

// nextLine reads one reply line: recorded, checked against the reply it
// belongs to, and bounded.
func (s *session) nextLine() (string, error) {
	if len(s.rep.Lines) == maxReplyLines {
		return "", &ProtocolError{Stage: s.stage, Reason: "too_many_lines", Line: shorten(s.rep.Lines[0])}
	}
	line, err := s.readLine()
	if err != nil {
		var ioe *ioError
		if errors.As(err, &ioe) && len(s.rep.Lines) > 0 {
			ioe.Partial = strings.TrimSpace(s.rep.text() + "\n" + ioe.Partial)
		}
		return "", err
	}
	s.log = append(s.log, "S: "+line)
	code, last, ok := parseReplyLine(line)
	switch {
	case !ok:
		return "", &ProtocolError{Stage: s.stage, Reason: "malformed_reply", Line: shorten(line)}
	case len(s.rep.Lines) > 0 && code != s.rep.Code:
		return "", &ProtocolError{Stage: s.stage, Reason: "mixed_codes", Line: shorten(line)}
	}
	s.rep.Code = code
	s.rep.Lines = append(s.rep.Lines, line)
	if last {
		s.last, s.rep = s.rep, reply{}
	}
	return line, nil
}

// textCmd sends one command on go-mail's textproto connection and reads
// its reply, for the two commands whose go-mail form the test cannot use
// (see the package comment): STARTTLS and MAIL.
func textCmd(t *textproto.Conn, want int, format string, args ...any) error {
	id, err := t.Cmd(format, args...)
	if err != nil {
		return err
	}
	t.StartResponse(id)
	defer t.EndResponse(id)
	_, _, err = t.ReadResponse(want)
	return err
}
