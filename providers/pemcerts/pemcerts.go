// Package pemcerts parses the certificates of a PEM file (a ca_file) once
// per content and process. The setup file's validation and the SMTP
// tester's trust both read the same ca_file at the start of every run, on
// the way to the live test's connection; each reads it (through its own
// reader), and the bytes are parsed once (issue 15).
package pemcerts

import (
	"crypto/x509"
	"encoding/pem"
	"slices"
	"sync"
)

// Parsed is what PEM bytes hold: the CERTIFICATE blocks that parse, in
// order, and the error of the first one that does not (nil when all do).
// Blocks of other types are skipped. Callers judge by their own rule: the
// validator wants at least one certificate, the tester refuses any block
// that fails.
type Parsed struct {
	Certs []*x509.Certificate
	Err   error
}

// parsed maps the PEM content to its Parsed; a ca_file is a few KB (4 MiB
// at most, safefile.MaxCA) and a run names few.
var parsed sync.Map // string → Parsed

// Parse returns what data holds, parsed the first time this content is
// seen. Certs is the caller's own slice; the certificates are shared and
// must not be modified.
func Parse(data []byte) Parsed {
	if v, ok := parsed.Load(string(data)); ok {
		p := v.(Parsed)
		p.Certs = slices.Clone(p.Certs)
		return p
	}
	var p Parsed
	for block, rest := pem.Decode(data); block != nil; block, rest = pem.Decode(rest) {
		if block.Type != "CERTIFICATE" {
			continue
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			if p.Err == nil {
				p.Err = err
			}
			continue
		}
		p.Certs = append(p.Certs, cert)
	}
	parsed.Store(string(data), p)
	p.Certs = slices.Clone(p.Certs)
	return p
}
