package smtp_test

import (
	"crypto/tls"
	"crypto/x509"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/providers/smtp"
	"github.com/jobmail/jobmail/providers/smtp/smtptest"
)

// A resumed TLS session skips the second chain verification, so it must
// come from a tester that checks certificates the same way, and time must
// still be checked: a session issued under one trust never passes a
// tester whose trust refuses the server, and an expired certificate is
// expired on a resumed connection too. Each case first runs issuer (its
// session lands in the shared cache), then the tester under test.
func TestResumedSessionsKeepTheirTrust(t *testing.T) {
	pki := newPKI(t)
	notAfter := time.Now().Add(2 * time.Hour)
	leaf := smtptest.Leaf{NotAfter: notAfter}
	other := x509.NewCertPool() // knows no CA at all
	verify := func(pool *x509.CertPool) func(*smtp.Config) {
		return func(c *smtp.Config) { c.RootCAs = pool }
	}
	tests := []struct {
		name         string
		leaf         smtptest.Leaf
		issuer, next func(*smtp.Config)
		wantCode     providers.Code // "": passes
		wantResumed  bool           // the server saw the second handshake resume
	}{
		{name: "same trust resumes and passes", leaf: leaf, issuer: verify(pki.Pool), next: verify(pki.Pool), wantResumed: true},
		{name: "other trust is not resumed and refuses", leaf: leaf, issuer: verify(pki.Pool), next: verify(other),
			wantCode: providers.CodeTLSUntrustedCert},
		{name: "unverified session is not resumed by a verifying tester", leaf: smtptest.Leaf{SelfSigned: true},
			issuer: func(c *smtp.Config) { c.RootCAs = other; c.Security = providers.SecurityStartTLSNoVerify },
			next:   verify(other), wantCode: providers.CodeTLSUntrustedCert},
		// crypto/tls itself declines to resume once the leaf has expired…
		{name: "expired since the session was issued", leaf: leaf, issuer: verify(pki.Pool),
			next: func(c *smtp.Config) {
				c.RootCAs = pki.Pool
				c.Now = func() time.Time { return notAfter.Add(time.Minute) }
			}, wantCode: providers.CodeTLSExpiredCert},
		// …but resumes a certificate not yet valid by the tester's clock:
		// the check of a resumed connection must refuse it.
		{name: "not yet valid on a resumed connection", leaf: leaf, issuer: verify(pki.Pool),
			next: func(c *smtp.Config) {
				c.RootCAs = pki.Pool
				c.Now = func() time.Time { return time.Now().Add(-3 * time.Hour) }
			}, wantCode: providers.CodeTLSExpiredCert, wantResumed: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var resumed atomic.Int32
			srvTLS := serverTLS(t, pki, tt.leaf)
			srvTLS.VerifyConnection = func(cs tls.ConnectionState) error {
				if cs.DidResume {
					resumed.Add(1)
				}
				return nil
			}
			srv := smtptest.NewServer(t, accounts(smtptest.Options{TLS: srvTLS}))
			cache := tls.NewLRUClientSessionCache(8)
			cfg := func(mutate func(*smtp.Config)) smtp.Config {
				c := cfgFor(srv.Host, srv.Port, providers.SecurityStartTLS, nil)
				c.SessionCache = cache
				mutate(&c)
				return c
			}
			if res, _ := run(t, cfg(tt.issuer), 5*time.Second); !res.OK() {
				t.Fatalf("issuer failed: %+v %v", res.Diagnosis, res.Err)
			}
			res, _ := run(t, cfg(tt.next), 5*time.Second)
			switch {
			case tt.wantCode == "" && !res.OK():
				t.Fatalf("failed: %+v %v", res.Diagnosis, res.Err)
			case tt.wantCode != "" && (res.Diagnosis == nil || res.Diagnosis.Code != tt.wantCode):
				t.Fatalf("diagnosis %+v (%v), want %s", res.Diagnosis, res.Err, tt.wantCode)
			}
			// The server counts a resumption after sending its flight, so
			// a client that refuses that flight can be gone before it has
			// counted: wait for its connection handlers to end.
			srv.Close()
			if got := resumed.Load() > 0; got != tt.wantResumed {
				t.Errorf("server saw a resumed handshake: %v, want %v", got, tt.wantResumed)
			}
		})
	}
}
