package smtp

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"

	"github.com/jobmail/jobmail/providers"
)

// tlsConfig is the client side of the handshake. Verifying modes check the
// chain in verifyPeer rather than in crypto/tls, with the same rules, so
// that the system roots are loaded only when the CA file cannot vouch for
// the server (a private CA, as on most company servers, needs no system
// pool at all).
func (r *run) tlsConfig() *tls.Config {
	name := strings.Trim(strings.TrimSuffix(r.t.cfg.Host, "."), "[]")
	cfg := &tls.Config{
		ServerName:         name,
		MinVersion:         tls.VersionTLS12,
		Time:               r.t.cfg.Now,
		InsecureSkipVerify: true, // starttls-noverify: chosen on purpose; else verifyPeer decides
		ClientSessionCache: r.t.sessionCache(),
	}
	if r.t.cfg.Security.Verifies() {
		cfg.VerifyConnection = func(cs tls.ConnectionState) error {
			if cs.DidResume && r.t.stillValid(cs.PeerCertificates, name) {
				return nil
			}
			return r.t.verifyPeer(cs.PeerCertificates, name)
		}
	}
	return cfg
}

// sessionCache is the run's TLS session cache seen through this tester's
// trust: its sessions are kept under a key that names how the certificate
// is checked (verified or not, the CA file, the test roots), so a session
// is only ever resumed by a tester that would have decided its chain the
// same way. Testers of other mailboxes with the same trust share them.
func (t *Tester) sessionCache() tls.ClientSessionCache {
	if t.cfg.SessionCache == nil {
		return nil
	}
	return trustScoped{t.cfg.SessionCache,
		fmt.Sprintf("%t\x00%s\x00%p\x00", t.cfg.Security.Verifies(), t.cfg.CAFile, t.cfg.RootCAs)}
}

type trustScoped struct {
	tls.ClientSessionCache
	prefix string
}

func (c trustScoped) Get(key string) (*tls.ClientSessionState, bool) {
	return c.ClientSessionCache.Get(c.prefix + key)
}

func (c trustScoped) Put(key string, cs *tls.ClientSessionState) {
	c.ClientSessionCache.Put(c.prefix+key, cs)
}

// stillValid is what a resumed connection still needs checked. Its chain
// is the one of the full handshake that issued the session, which
// verifyPeer accepted under the same trust (sessionCache; a refused chain
// ends the handshake before any session is issued), so the chain needs no
// second verification (an RSA signature and the path search, most of a
// resumed handshake's client time in a replay of many mailboxes on one
// server). Time moves on, though: every certificate must still be
// current, and the leaf must name the host asked for. When not, the full
// verification runs and gives its precise error.
func (t *Tester) stillValid(certs []*x509.Certificate, name string) bool {
	if len(certs) == 0 {
		return false
	}
	now := t.cfg.now()
	for _, c := range certs {
		if now.Before(c.NotBefore) || now.After(c.NotAfter) {
			return false
		}
	}
	return certs[0].VerifyHostname(name) == nil
}

// verifyPeer is crypto/tls's verification (x509.Verify with the host name,
// server-auth usage, the peer's intermediates) against the configured
// anchors first and against system roots plus CA file only if those do
// not know the issuer.
func (t *Tester) verifyPeer(certs []*x509.Certificate, name string) error {
	if len(certs) == 0 {
		return errors.New("tls: server sent no certificate")
	}
	opts := x509.VerifyOptions{DNSName: name, CurrentTime: t.cfg.now(), Intermediates: x509.NewCertPool()}
	for _, c := range certs[1:] {
		opts.Intermediates.AddCert(c)
	}
	first, err := t.firstPool()
	if err != nil {
		return err
	}
	if first != nil {
		opts.Roots = first
		_, err := certs[0].Verify(opts)
		var ua x509.UnknownAuthorityError
		if err == nil || t.cfg.RootCAs != nil || !errors.As(err, &ua) {
			return verifyErr(certs, err)
		}
	}
	full, err := t.fullPool()
	if err != nil {
		return err
	}
	opts.Roots = full
	_, err = certs[0].Verify(opts)
	return verifyErr(certs, err)
}

func verifyErr(certs []*x509.Certificate, err error) error {
	if err == nil {
		return nil
	}
	return &tls.CertificateVerificationError{UnverifiedCertificates: certs, Err: err}
}

// firstPool is RootCAs (the tests' override) plus the CA file, or the CA
// file alone; nil when there is neither.
func (t *Tester) firstPool() (*x509.CertPool, error) {
	t.firstOnce.Do(func() {
		t.first = t.cfg.RootCAs
		if t.cfg.CAFile == "" {
			return
		}
		if t.first == nil {
			t.first = x509.NewCertPool()
		} else {
			t.first = t.first.Clone() // never change the caller's pool
		}
		t.firstErr = t.addCAFile(t.first)
	})
	return t.first, t.firstErr
}

// fullPool is the system roots plus the CA file.
func (t *Tester) fullPool() (*x509.CertPool, error) {
	t.fullOnce.Do(func() {
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool() // no system roots: only the CA file can vouch
		}
		t.full, t.fullErr = pool, t.addCAFile(pool)
	})
	return t.full, t.fullErr
}

func (t *Tester) addCAFile(pool *x509.CertPool) error {
	if t.cfg.CAFile == "" {
		return nil
	}
	certs, err := readCAFile(t.cfg.CAFile)
	if err != nil {
		return &providers.Error{Diagnosis: *invalid(FieldCAFile, "ca_file",
			map[string]string{"path": t.cfg.CAFile}), Err: err}
	}
	for _, c := range certs {
		pool.AddCert(c)
	}
	return nil
}
