package pemcerts_test

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"slices"
	"testing"

	"github.com/jobmail/jobmail/providers/pemcerts"
	"github.com/jobmail/jobmail/providers/smtp/smtptest"
)

func TestParse(t *testing.T) {
	a, err := smtptest.NewPKI("a.test")
	if err != nil {
		t.Fatal(err)
	}
	b, err := smtptest.NewPKI("b.test")
	if err != nil {
		t.Fatal(err)
	}
	key := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{1, 2, 3}})
	bad := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte("not DER")})
	join := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	for _, tc := range []struct {
		name  string
		data  []byte
		names []string // subjects' common names, in order
		err   bool
	}{
		{"one", a.CAPEM, []string{"a.test"}, false},
		{"two in order", join(b.CAPEM, a.CAPEM), []string{"b.test", "a.test"}, false},
		{"other blocks skipped", join(key, a.CAPEM), []string{"a.test"}, false},
		{"a bad block is kept as the error", join(a.CAPEM, bad, b.CAPEM), []string{"a.test", "b.test"}, true},
		{"nothing", []byte("no PEM here"), nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var first *x509.Certificate
			for round := range 2 { // the second is remembered: the same certificates, not parsed again
				p := pemcerts.Parse(tc.data)
				if len(p.Certs) > 0 {
					if round == 0 {
						first = p.Certs[0]
					} else if p.Certs[0] != first {
						t.Errorf("round %d: parsed again (another *x509.Certificate)", round)
					}
				}
				var names []string
				for _, c := range p.Certs {
					names = append(names, c.Subject.CommonName)
				}
				if !slices.Equal(names, tc.names) {
					t.Errorf("round %d: certificates %q, want %q", round, names, tc.names)
				}
				if (p.Err != nil) != tc.err {
					t.Errorf("round %d: err %v, want an error: %v", round, p.Err, tc.err)
				}
				if len(p.Certs) > 0 {
					p.Certs[0] = nil // the caller's slice: the next round must not see this
				}
			}
		})
	}
}
