package smtp

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
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
		ClientSessionCache: r.t.cfg.SessionCache,
	}
	if r.t.cfg.Security.Verifies() {
		cfg.VerifyConnection = func(cs tls.ConnectionState) error { return r.t.verifyPeer(cs.PeerCertificates, name) }
	}
	return cfg
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
