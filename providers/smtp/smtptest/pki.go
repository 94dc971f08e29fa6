// Package smtptest holds real-protocol peers for the SMTP live test's unit
// tests: an in-process SMTP server (emersion/go-smtp + go-sasl plus the
// LOGIN, CRAM-MD5, XOAUTH2 and OAUTHBEARER server mechanisms go-sasl lacks),
// a throwaway certificate authority, an in-process DNS server, and raw TCP
// fakes for behaviours no SMTP library produces on purpose (silence, a
// drip-fed banner, garbage, hang-ups, an outdated TLS stack).
//
// Everything listens on 127.0.0.1 and is closed by the test's Cleanup, so
// goleak sees no stray goroutine.
package smtptest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// PKI is a certificate authority made for one test run. ECDSA P-256 keeps
// generation and handshakes in the microseconds.
type PKI struct {
	CA    *x509.Certificate
	CAPEM []byte
	Pool  *x509.CertPool // holds only CA
	key   *ecdsa.PrivateKey
}

// NewPKI creates a CA named name.
func NewPKI(name string) (*PKI, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate ca key: %w", err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: name, Organization: []string{"smtptest"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("create ca certificate: %w", err)
	}
	ca, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("parse ca certificate: %w", err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	return &PKI{CA: ca, CAPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), Pool: pool, key: key}, nil
}

// Leaf describes a server certificate.
type Leaf struct {
	Names      []string  // DNS names and IP addresses; default mail.test, 127.0.0.1
	NotBefore  time.Time // zero: an hour ago
	NotAfter   time.Time // zero: in a day
	SelfSigned bool      // signed by its own key instead of the CA
}

// Cert issues a server certificate.
func (p *PKI) Cert(l Leaf) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("generate leaf key: %w", err)
	}
	now := time.Now()
	if l.NotBefore.IsZero() {
		l.NotBefore = now.Add(-time.Hour)
	}
	if l.NotAfter.IsZero() {
		l.NotAfter = now.Add(24 * time.Hour)
	}
	if len(l.Names) == 0 {
		l.Names = []string{"mail.test", "127.0.0.1"}
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: l.Names[0], Organization: []string{"smtptest"}},
		NotBefore:    l.NotBefore,
		NotAfter:     l.NotAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, n := range l.Names {
		if ip := net.ParseIP(n); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, n)
		}
	}
	parent, signer := p.CA, p.key
	if l.SelfSigned {
		parent, signer = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, signer)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("create leaf certificate: %w", err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}

// ServerTLS is a server tls.Config presenting the certificate for l.
func (p *PKI) ServerTLS(l Leaf) (*tls.Config, error) {
	c, err := p.Cert(l)
	if err != nil {
		return nil, err
	}
	return &tls.Config{Certificates: []tls.Certificate{c}}, nil
}

// WriteCA writes the CA certificate as PEM into dir and returns its path.
func (p *PKI) WriteCA(dir string) (string, error) {
	path := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(path, p.CAPEM, 0o600); err != nil {
		return "", fmt.Errorf("write ca file: %w", err)
	}
	return path, nil
}

func serial() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62)) // crypto/rand does not fail
	return n
}
