package secrets

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"sort"
	"strings"
	"sync"
)

// minEncoded is the shortest base64 pattern worth redacting: shorter
// ones (from secrets under 4 bytes, or the unaligned cores of short
// secrets) would blank out unrelated text far more often than they
// would hide a secret. The value itself is always redacted.
const minEncoded = 6

// Redactor is the program's one redaction engine: it removes known secret
// values from text (transcripts, logs, server replies, errors, reports).
// Besides the value it knows the forms a hostile or careless server may
// echo it back in: base64 (standard and URL, padded or not) at every
// alignment inside a longer base64 string (AUTH PLAIN encodes
// "\x00user\x00password" as one), and hex in either case. AddSent does the
// same for each SASL payload the run sent, so an echo of the whole AUTH
// line, raw, in base64 at any offset or in hex, is caught too. The zero
// value is ready; safe for concurrent use.
type Redactor struct {
	mu sync.RWMutex
	// set is copied on every Add, so readers may keep using a snapshot
	// without holding the lock.
	set *patternSet
}

type patternSet struct {
	pats     []string // longest first, no duplicates
	maxLen   int
	touching bool // a pattern can overlap the Redacted marker (Redact must iterate)
}

// Add registers a secret. An empty secret is ignored.
func (r *Redactor) Add(s Secret) { r.add(patternsFor(s.v)) }

// AddSent registers a payload the run sent to a server (a SASL response
// such as "\x00user\x00password"): the raw bytes and, because the payload
// travels base64-encoded, that encoding too, each with every form Add
// knows. Empty payloads are ignored.
func (r *Redactor) AddSent(payload []byte) {
	if len(payload) == 0 {
		return
	}
	enc := base64.StdEncoding.EncodeToString(payload)
	r.add(append(patternsFor(string(payload)), patternsFor(enc)...))
}

// AddOAuth registers an OAuth access token and, because the token travels
// inside it, the SASL XOAUTH2 initial response for user in base64.
func (r *Redactor) AddOAuth(user string, token Secret) {
	if token.v == "" {
		return
	}
	x := "user=" + user + "\x01auth=Bearer " + token.v + "\x01\x01"
	r.add(append(patternsFor(token.v), patternsFor(base64.StdEncoding.EncodeToString([]byte(x)))...))
}

func (r *Redactor) add(ps []string) {
	if len(ps) == 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	var old []string
	if r.set != nil {
		old = r.set.pats
	}
	r.set = newPatternSet(append(append([]string(nil), old...), ps...))
}

func (r *Redactor) snapshot() *patternSet {
	if r == nil {
		return nil
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.set
}

// Redact returns s with every occurrence of a registered secret (and of
// its base64 forms) replaced by Redacted. Overlapping or adjacent
// occurrences become one marker.
func (r *Redactor) Redact(s string) string {
	return r.snapshot().redact(s)
}

// RedactError returns err with its text redacted by r, keeping the cause
// for errors.Is and errors.As. A nil err stays nil; an error already
// redacted by r is returned as it is.
func RedactError(err error, r *Redactor) error {
	if err == nil {
		return nil
	}
	var re *redactedError
	if errors.As(err, &re) && re.r == r {
		return err
	}
	return &redactedError{err: err, r: r}
}

type redactedError struct {
	err error
	r   *Redactor
}

func (e *redactedError) Error() string { return e.r.Redact(e.err.Error()) }
func (e *redactedError) Unwrap() error { return e.err }

func newPatternSet(ps []string) *patternSet {
	sort.Slice(ps, func(i, j int) bool {
		if len(ps[i]) != len(ps[j]) {
			return len(ps[i]) > len(ps[j])
		}
		return ps[i] < ps[j]
	})
	set := &patternSet{}
	for i, p := range ps {
		if p == "" || (i > 0 && p == ps[i-1]) {
			continue
		}
		set.pats = append(set.pats, p)
		set.maxLen = max(set.maxLen, len(p))
		set.touching = set.touching || touchesMarker(p)
	}
	return set
}

// patternsFor lists what to look for for one value: the value, its hex in
// both cases (a hex string holds the hex of every byte run it encodes, so
// hex needs no alignment), and its base64 forms.
func patternsFor(v string) []string {
	if v == "" {
		return nil
	}
	ps := []string{v}
	b := []byte(v)
	if h := hex.EncodeToString(b); len(h) >= minEncoded {
		ps = append(ps, h, strings.ToUpper(h))
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		if e := enc.EncodeToString(b); len(e) >= minEncoded {
			ps = append(ps, e)
		}
	}
	for _, enc := range []*base64.Encoding{base64.RawStdEncoding, base64.RawURLEncoding} {
		for off := 0; off < 3; off++ {
			if c := alignedCore(enc, b, off); len(c) >= minEncoded {
				ps = append(ps, c)
			}
		}
	}
	return ps
}

// alignedCore is the part of the base64 encoding of v that does not
// depend on the bytes around it when v starts off bytes (0, 1 or 2) into
// a 3-byte group: the characters that mix in a neighbour's bits are cut.
func alignedCore(enc *base64.Encoding, v []byte, off int) string {
	in := make([]byte, off+len(v))
	copy(in[off:], v)
	e := enc.EncodeToString(in)
	lead := [3]int{0, 2, 3}[off] // characters holding bits of the filler
	trail := 0
	if len(in)%3 != 0 {
		trail = 1 // the last character also holds bits of what follows
	}
	if lead+trail >= len(e) {
		return ""
	}
	return e[lead : len(e)-trail]
}

// touchesMarker reports whether an occurrence of p could overlap an
// inserted marker, in which case replacing once is not enough: "[redact"
// + "ed]xy" would spell the secret "ed]xy" again.
func touchesMarker(p string) bool {
	m := Redacted
	if strings.Contains(p, m) || strings.Contains(m, p) {
		return true
	}
	for k := 1; k < len(m); k++ {
		if strings.HasPrefix(p, m[len(m)-k:]) || strings.HasSuffix(p, m[:k]) {
			return true
		}
	}
	return false
}

func (set *patternSet) redact(s string) string {
	if set == nil || !set.anyIn(s) {
		return s
	}
	cov := set.cover(s)
	out := make([]byte, 0, len(s))
	var marks []int // where each marker in out starts; never adjacent
	for i := 0; i < len(s); {
		if !cov[i] {
			out = append(out, s[i])
			i++
			continue
		}
		for i < len(s) && cov[i] {
			i++
		}
		start := len(out)
		out = append(out, Redacted...)
		if set.touching {
			out, start, i, marks = set.absorb(s, cov, out, start, i, marks)
		}
		marks = append(marks, start)
	}
	return string(out)
}

// absorb grows the marker just written at out[start:] while the marker's
// own text and the raw bytes around it spell a pattern again ("[redact" +
// "ed]xy" when "ed]xy" is a secret): the bytes already written before it
// are taken back (merging an earlier marker they reach) and the input
// from i on is consumed. Each round absorbs at least one raw byte, so the
// whole redaction stays linear in the input.
func (set *patternSet) absorb(s string, cov []bool, out []byte, start, i int, marks []int) ([]byte, int, int, []int) {
	m := len(Redacted)
	for {
		ws := max(0, start-(set.maxLen-1))
		w := string(out[ws:]) + s[i:min(len(s), i+set.maxLen-1)]
		inMarker := make([]bool, len(w))
		for n := len(marks) - 1; n >= 0 && marks[n]+m > ws; n-- {
			for k := max(marks[n], ws); k < marks[n]+m; k++ {
				inMarker[k-ws] = true
			}
		}
		cs, ce := start-ws, start-ws+m // the current marker in w
		for k := cs; k < ce; k++ {
			inMarker[k] = true
		}
		lo, hi := cs, ce
		for _, p := range set.pats {
			for a := 0; a+len(p) <= len(w); {
				j := strings.Index(w[a:], p)
				if j < 0 {
					break
				}
				a0, b0 := a+j, a+j+len(p)
				a = a0 + 1
				if a0 >= ce || b0 <= cs || allTrue(inMarker[a0:b0]) {
					continue
				}
				lo, hi = min(lo, a0), max(hi, b0)
			}
		}
		if lo == cs && hi == ce {
			return out, start, i, marks
		}
		if ws+lo < start {
			start = ws + lo
			// Merge every earlier marker that the new start reaches or touches.
			for len(marks) > 0 && marks[len(marks)-1]+m >= start {
				start = min(start, marks[len(marks)-1])
				marks = marks[:len(marks)-1]
			}
		}
		if hi > ce {
			i += hi - ce
			for i < len(s) && cov[i] {
				i++
			}
		}
		out = append(out[:start], Redacted...)
	}
}

func (set *patternSet) anyIn(s string) bool {
	for _, p := range set.pats {
		if strings.Contains(s, p) {
			return true
		}
	}
	return false
}

// cover marks every byte inside an occurrence of any pattern (occurrences
// may overlap).
func (set *patternSet) cover(s string) []bool {
	cov := make([]bool, len(s))
	for _, p := range set.pats {
		done := 0 // cov is already set up to here for this pattern
		for i := 0; i+len(p) <= len(s); {
			j := strings.Index(s[i:], p)
			if j < 0 {
				break
			}
			start := i + j
			for k := max(start, done); k < start+len(p); k++ {
				cov[k] = true
			}
			done = start + len(p)
			i = start + 1
		}
	}
	return cov
}

func allTrue(b []bool) bool {
	for _, v := range b {
		if !v {
			return false
		}
	}
	return true
}
