package smtp

import (
	"encoding/base64"
	"errors"
	"slices"
	"strings"

	"github.com/jobmail/jobmail/secrets"
)

// scrubber removes secret values from everything the server says before it
// is stored: some servers echo a refused command line ("504 Unrecognized
// authentication type AUTH PLAIN AGpv…") and the base64 of PLAIN, LOGIN and
// XOAUTH2 payloads carries the password or token. Every value is scrubbed
// whatever its length: a one-letter password makes a transcript hard to
// read, which is better than leaking it.
type scrubber struct{ values []string }

func newScrubber(ss ...secrets.Secret) *scrubber {
	sc := &scrubber{}
	for _, s := range ss {
		sc.add(s.Reveal())
	}
	return sc
}

// add registers a value and its base64 forms (standard, unpadded, URL).
func (sc *scrubber) add(v string) {
	if v == "" {
		return
	}
	b := []byte(v)
	for _, form := range []string{v,
		base64.StdEncoding.EncodeToString(b), base64.RawStdEncoding.EncodeToString(b),
		base64.URLEncoding.EncodeToString(b), base64.RawURLEncoding.EncodeToString(b)} {
		if !slices.Contains(sc.values, form) {
			sc.values = append(sc.values, form)
		}
	}
	// Longest first, so a value is never half-replaced by a shorter one.
	slices.SortFunc(sc.values, func(a, b string) int { return len(b) - len(a) })
}

func (sc *scrubber) scrub(s string) string {
	for _, v := range sc.values {
		if strings.Contains(s, v) {
			s = strings.ReplaceAll(s, v, secrets.Redacted)
		}
	}
	return s
}

// scrubbedError hides secrets in the text of an error whose cause came from
// outside (a TLS or network error can quote what it received).
type scrubbedError struct {
	err error
	sc  *scrubber
}

func (e *scrubbedError) Error() string { return e.sc.scrub(e.err.Error()) }
func (e *scrubbedError) Unwrap() error { return e.err }

func scrubErr(err error, sc *scrubber) error {
	if err == nil {
		return nil
	}
	var se *scrubbedError
	if errors.As(err, &se) {
		return err
	}
	return &scrubbedError{err: err, sc: sc}
}
