package smtptest

import (
	"context"
	"crypto/tls"
	"io"
	"log"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// DefaultOAuthChallenge is the JSON status Google sends for a refused token.
const DefaultOAuthChallenge = `{"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}`

// Options configure a Server's behaviour. The zero value is a plaintext
// server that offers no AUTH and accepts every message.
type Options struct {
	Domain            string      // in the greeting; default mail.test
	TLS               *tls.Config // STARTTLS is offered when set, unless Implicit
	Implicit          bool        // SMTPS: TLS from the first byte
	AllowInsecureAuth bool        // offer AUTH before TLS
	// Users maps login → password; Tokens maps OAuth token → login.
	Users  map[string]string
	Tokens map[string]string
	// Mechanisms advertised; nil: PLAIN LOGIN CRAM-MD5 XOAUTH2 OAUTHBEARER.
	Mechanisms []string
	// AuthError refuses every authentication after its exchange (a valid
	// token still gets the OAuth JSON challenge first, like real servers).
	AuthError *smtp.SMTPError
	// OAuthChallenge is the JSON sent before refusing a token.
	OAuthChallenge string
	// HelloError refuses EHLO; it gets whether TLS is up.
	HelloError func(tls bool) *smtp.SMTPError
	// RequireAuth refuses MAIL before AUTH with 530 5.7.0.
	RequireAuth bool
	// EchoAuth makes a refused authentication quote the client's last SASL
	// response (base64) in its reply.
	EchoAuth bool
	// MailError, RcptError, DataError refuse the command.
	MailError, RcptError, DataError *smtp.SMTPError
}

// Message is one accepted message.
type Message struct {
	From      string
	To        []string
	Data      []byte
	User      string // the authenticated login, if any
	Mechanism string
	TLS       bool
}

// Server is an in-process SMTP server on 127.0.0.1.
type Server struct {
	Addr string
	Host string
	Port int

	o     Options
	srv   *smtp.Server
	ln    *trackingListener
	serve chan struct{}

	mu   sync.Mutex
	msgs []Message
}

// NewServer starts a server; the test's Cleanup stops it.
func NewServer(tb testing.TB, o Options) *Server {
	tb.Helper()
	if o.Domain == "" {
		o.Domain = "mail.test"
	}
	if o.Mechanisms == nil {
		o.Mechanisms = []string{"PLAIN", "LOGIN", "CRAM-MD5", "XOAUTH2", "OAUTHBEARER"}
	}
	if o.OAuthChallenge == "" {
		o.OAuthChallenge = DefaultOAuthChallenge
	}
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("smtptest: listen: %v", err)
	}
	s := &Server{o: o, ln: newTrackingListener(raw), serve: make(chan struct{})}
	s.Addr = raw.Addr().String()
	host, port, _ := net.SplitHostPort(s.Addr)
	s.Host = host
	s.Port, _ = strconv.Atoi(port)

	s.srv = smtp.NewServer(smtp.BackendFunc(s.newSession))
	s.srv.Domain = o.Domain
	s.srv.AllowInsecureAuth = o.AllowInsecureAuth
	s.srv.MaxLineLength = 16384 // long OAuth tokens after a bare AUTH XOAUTH2
	s.srv.ReadTimeout = 10 * time.Second
	s.srv.WriteTimeout = 10 * time.Second
	s.srv.EnableSMTPUTF8 = true
	s.srv.ErrorLog = log.New(io.Discard, "", 0)
	var l net.Listener = s.ln
	if o.TLS != nil {
		if o.Implicit {
			l = tls.NewListener(s.ln, o.TLS)
		} else {
			s.srv.TLSConfig = o.TLS
		}
	}
	go func() {
		defer close(s.serve)
		_ = s.srv.Serve(l)
	}()
	tb.Cleanup(s.Close)
	return s
}

// Close stops the server and waits for every connection handler.
func (s *Server) Close() {
	s.ln.closeAll()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = s.srv.Shutdown(ctx)
	<-s.serve
}

// Messages returns the messages accepted so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.msgs)
}

func (s *Server) newSession(c *smtp.Conn) (smtp.Session, error) {
	_, isTLS := c.TLSConnectionState()
	if s.o.HelloError != nil {
		if e := s.o.HelloError(isTLS); e != nil {
			return nil, e
		}
	}
	return &session{s: s, tls: isTLS}, nil
}

type session struct {
	s    *Server
	tls  bool
	user string
	mech string
	from string
	to   []string
}

func (ss *session) AuthMechanisms() []string { return ss.s.o.Mechanisms }

func (ss *session) Auth(mech string) (sasl.Server, error) {
	if !slices.Contains(ss.s.o.Mechanisms, mech) {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	o := ss.s.o
	password := func(user string) (string, bool) { pw, ok := o.Users[user]; return pw, ok }
	checkPassword := func(user, pass string) error {
		if pw, ok := o.Users[user]; !ok || pw != pass {
			return errAuthFailed
		}
		if o.AuthError != nil {
			return o.AuthError
		}
		ss.user, ss.mech = user, mech
		return nil
	}
	checkToken := func(user, token string) error {
		if o.AuthError != nil {
			return o.AuthError
		}
		if owner, ok := o.Tokens[token]; !ok || !strings.EqualFold(owner, user) {
			return errAuthFailed
		}
		ss.user, ss.mech = user, mech
		return nil
	}
	switch mech {
	case "PLAIN":
		return sasl.NewPlainServer(func(_, user, pass string) error { return checkPassword(user, pass) }), nil
	case "LOGIN":
		return &loginServer{check: checkPassword}, nil
	case "CRAM-MD5":
		return &cramServer{password: password, accept: func(user string) error { return checkPassword(user, o.Users[user]) }}, nil
	case "NTLM", "SCRAM-SHA-256", "SCRAM-SHA-1":
		accept := func(user string) error { return checkPassword(user, o.Users[user]) }
		var srv sasl.Server = &ntlmServer{password: password, accept: accept}
		if mech != "NTLM" {
			srv = newSCRAM(mech, password, accept)
		}
		if o.EchoAuth {
			srv = &echoing{Server: srv}
		}
		return srv, nil
	case "XOAUTH2", "OAUTHBEARER":
		return &oauthServer{bearer: mech == "OAUTHBEARER", check: checkToken, challenge: o.OAuthChallenge}, nil
	}
	return nil, smtp.ErrAuthUnknownMechanism
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if ss.s.o.RequireAuth && ss.user == "" {
		return &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "Authentication required"}
	}
	if e := ss.s.o.MailError; e != nil {
		return e
	}
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if e := ss.s.o.RcptError; e != nil {
		return e
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if e := ss.s.o.DataError; e != nil {
		return e
	}
	ss.s.mu.Lock()
	ss.s.msgs = append(ss.s.msgs, Message{From: ss.from, To: ss.to, Data: data, User: ss.user, Mechanism: ss.mech, TLS: ss.tls})
	ss.s.mu.Unlock()
	return nil
}

func (ss *session) Reset() { ss.from, ss.to = "", nil }

func (ss *session) Logout() error { return nil }
