// Package probetest runs real servers on loopback for tests and benchmarks
// of the prober: a throw-away CA, SMTP servers (go-smtp, real protocol) in
// plaintext, STARTTLS and implicit-TLS mode, listeners that greet with a
// fixed line or never say anything, and ports nothing listens on.
package probetest

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"sync"
	"testing"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/jobmail/jobmail/providers/smtp/smtptest"
)

// PKI is a throw-away CA that issues server certificates: smtptest's,
// with the names-only Issue the prober's tests and benchmarks want.
type PKI struct {
	*smtptest.PKI // Pool trusts the CA
}

// NewPKI makes a CA valid from an hour ago for a day.
func NewPKI() (*PKI, error) {
	p, err := smtptest.NewPKI("probetest CA")
	if err != nil {
		return nil, err
	}
	return &PKI{p}, nil
}

// Issue makes a server certificate for names (DNS names or IP addresses),
// valid from an hour ago for a day.
func (p *PKI) Issue(names ...string) (tls.Certificate, error) {
	if len(names) == 0 {
		return tls.Certificate{}, errors.New("issue: no names")
	}
	return p.Cert(smtptest.Leaf{Names: names})
}

// backend offers AUTH PLAIN (over TLS only) and accepts nothing: a prober
// never gets that far.
type backend struct{}

func (backend) NewSession(*smtp.Conn) (smtp.Session, error) { return session{}, nil }

type session struct{}

func (session) AuthMechanisms() []string { return []string{sasl.Plain} }
func (session) Auth(string) (sasl.Server, error) {
	return nil, errors.New("probetest servers never authenticate")
}
func (session) Mail(string, *smtp.MailOptions) error { return errors.New("not accepted") }
func (session) Rcpt(string, *smtp.RcptOptions) error { return errors.New("not accepted") }
func (session) Data(io.Reader) error                 { return errors.New("not accepted") }
func (session) Reset()                               {}
func (session) Logout() error                        { return nil }

// Mode is how an SMTP server offers TLS.
type Mode int

const (
	Plain    Mode = iota // no TLS at all
	StartTLS             // STARTTLS offered
	SMTPS                // TLS from the first byte
)

// MaxMessageBytes is the SIZE the servers announce.
const MaxMessageBytes = 10 << 20

// StartSMTP runs a real SMTP server on host (e.g. "127.0.0.1") and returns
// its port and a stop function that waits for it to end. cert is unused in
// Plain mode.
func StartSMTP(host string, mode Mode, cert tls.Certificate) (int, func(), error) {
	s := smtp.NewServer(backend{})
	s.Domain = "mx.probetest.test"
	s.MaxMessageBytes = MaxMessageBytes
	s.EnableSMTPUTF8 = true
	s.ErrorLog = log.New(io.Discard, "", 0)
	ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return 0, nil, fmt.Errorf("listen: %w", err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	if mode != Plain {
		s.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
	}
	if mode == SMTPS {
		ln = tls.NewListener(ln, s.TLSConfig)
	}
	done := make(chan struct{})
	go func() { defer close(done); _ = s.Serve(ln) }()
	return port, func() { _ = s.Close(); <-done }, nil
}

// StartRaw runs a listener on host whose every connection receives greet
// (empty: a server that accepts and never says a word) and is then held
// open until stop.
func StartRaw(host, greet string) (int, func(), error) {
	ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return 0, nil, fmt.Errorf("listen: %w", err)
	}
	var wg sync.WaitGroup
	quit := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				if greet != "" {
					_, _ = io.WriteString(c, greet)
				}
				<-quit
			}()
		}
	}()
	stop := func() { close(quit); _ = ln.Close(); wg.Wait() }
	return ln.Addr().(*net.TCPAddr).Port, stop, nil
}

// ClosedPort returns a port on host that nothing listens on (it was free a
// moment ago).
func ClosedPort(host string) (int, error) {
	ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return 0, fmt.Errorf("listen: %w", err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	return port, ln.Close()
}

// The helpers below stop the test on error and clean up after it.

// NewTestPKI is NewPKI for tests.
func NewTestPKI(tb testing.TB) *PKI {
	tb.Helper()
	p, err := NewPKI()
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// TestCert is Issue for tests.
func (p *PKI) TestCert(tb testing.TB, names ...string) tls.Certificate {
	tb.Helper()
	c, err := p.Issue(names...)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// SMTP is StartSMTP on 127.0.0.1 for tests.
func SMTP(tb testing.TB, mode Mode, cert tls.Certificate) int {
	tb.Helper()
	port, stop, err := StartSMTP("127.0.0.1", mode, cert)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(stop)
	return port
}

// Raw is StartRaw for tests.
func Raw(tb testing.TB, host, greet string) int {
	tb.Helper()
	port, stop, err := StartRaw(host, greet)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(stop)
	return port
}

// Closed is ClosedPort on 127.0.0.1 for tests.
func Closed(tb testing.TB) int {
	tb.Helper()
	port, err := ClosedPort("127.0.0.1")
	if err != nil {
		tb.Fatal(err)
	}
	return port
}
