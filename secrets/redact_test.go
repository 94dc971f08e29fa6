package secrets

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jobmail/jobmail/secrets/leaktest"
)

const pw = "jobs-Secret-123"

func b64(s string) string    { return base64.StdEncoding.EncodeToString([]byte(s)) }
func b64url(s string) string { return base64.URLEncoding.EncodeToString([]byte(s)) }

func TestRedact(t *testing.T) {
	plainAuth := b64("\x00jobs@example.test\x00" + pw)
	plainAuthZ := b64("jobs@example.test\x00jobs@example.test\x00" + pw) // another alignment
	tests := []struct {
		name    string
		secrets []string
		oauth   [][2]string // user, token
		in      string
		want    string
	}{
		{"nothing registered", nil, nil, "AUTH PLAIN " + plainAuth, "AUTH PLAIN " + plainAuth},
		{"no occurrence", []string{pw}, nil, "250 OK", "250 OK"},
		{"plain value", []string{pw}, nil, "password is " + pw + ".", "password is [redacted]."},
		{"every occurrence", []string{pw}, nil, pw + " and " + pw, "[redacted] and [redacted]"},
		{"adjacent occurrences merge", []string{pw}, nil, pw + pw, "[redacted]"},
		{"overlapping secrets merge", []string{"abcdef", "defghi"}, nil, "xabcdefghix", "x[redacted]x"},
		{"secret inside another", []string{"Secret", pw}, nil, "<" + pw + "> Secret", "<[redacted]> [redacted]"},
		{"short secret", []string{"ab"}, nil, "cab ab", "c[redacted] [redacted]"},
		{"one-byte secret", []string{"x"}, nil, "x-ray", "[redacted]-ray"},
		{"empty secret ignored", []string{""}, nil, "text", "text"},
		{"AUTH LOGIN base64", []string{pw}, nil, "C: " + b64(pw), "C: [redacted]"},
		{"base64url", []string{"a?b>c~d?"}, nil, b64url("a?b>c~d?"), "[redacted]"},
		{"base64 unpadded", []string{pw}, nil, strings.TrimRight(b64(pw), "="), "[redacted]"},
		{"multi-line value", []string{"line1\nline2"}, nil, "a line1\nline2 b", "a [redacted] b"},
		{"XOAUTH2", nil, [][2]string{{"jobs@example.test", "ya29.token-value"}},
			"C: AUTH XOAUTH2 " + b64("user=jobs@example.test\x01auth=Bearer ya29.token-value\x01\x01"),
			"C: AUTH XOAUTH2 [redacted]"},
		{"hex", []string{pw}, nil, "535 " + hex.EncodeToString([]byte(pw)) + " wrong", "535 [redacted] wrong"},
		{"HEX", []string{pw}, nil, "535 " + strings.ToUpper(hex.EncodeToString([]byte(pw))), "535 [redacted]"},
		{"hex inside longer hex", []string{pw}, nil, "00" + hex.EncodeToString([]byte(pw)) + "ff", "00[redacted]ff"},
		{"marker re-forms the secret", []string{"ed]ab"}, nil, "ed]abab", "[redacted]"},
		{"marker re-forms the secret before", []string{"ab[re"}, nil, "abab[re", "[redacted]"},
		{"secret inside the marker", []string{"dact"}, nil, "dact x", "[redacted] x"},
		{"literal marker in input", []string{"acted]"}, nil, "[redacted]", "[red[redacted]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r Redactor
			for _, s := range tt.secrets {
				r.Add(New(s))
			}
			for _, o := range tt.oauth {
				r.AddOAuth(o[0], New(o[1]))
			}
			if got := r.Redact(tt.in); got != tt.want {
				t.Fatalf("Redact(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}

	// What the run sent (AddSent) echoed back: the AUTH line base64-encoded
	// at every offset, and its base64 payload in hex.
	payload := "\x00jobs@example.test\x00" + pw
	for _, echo := range []string{
		"AUTH PLAIN " + b64(payload),
		b64("AUTH PLAIN " + b64(payload)), b64("x AUTH PLAIN " + b64(payload)), b64("xy AUTH PLAIN " + b64(payload)),
		hex.EncodeToString([]byte(b64(payload))), strings.ToUpper(hex.EncodeToString([]byte("AUTH PLAIN " + b64(payload)))),
		b64url("?" + payload), hex.EncodeToString([]byte(payload)),
	} {
		t.Run("sent "+echo, func(t *testing.T) {
			var r Redactor
			r.AddSent([]byte(payload))
			out := r.Redact("501 " + echo)
			if out == "501 "+echo {
				t.Fatalf("Redact(%q) changed nothing", echo)
			}
			for _, v := range []string{pw, b64(payload)} {
				if f := leaktest.Find(out, v); f != "" {
					t.Fatalf("Redact = %q still carries %q (%s)", out, v, f)
				}
			}
		})
	}

	// SASL PLAIN puts the password at an unknown offset inside one base64
	// string: what is left must not decode to it at any alignment.
	for _, in := range []string{plainAuth, plainAuthZ, b64("x" + pw + "y"), b64("xy" + pw)} {
		t.Run("embedded "+in, func(t *testing.T) {
			if leaktest.Find(in, pw) != "base64" {
				t.Fatal("leaktest.Find misses the unredacted input")
			}
			var r Redactor
			r.Add(New(pw))
			out := r.Redact("AUTH PLAIN " + in)
			if out == "AUTH PLAIN "+in || leaktest.Find(out, pw) != "" {
				t.Fatalf("Redact = %q still carries the password", out)
			}
		})
	}
}

func TestRedactAddedLater(t *testing.T) {
	var r Redactor
	if got := r.Redact(pw); got != pw {
		t.Fatalf("nothing added yet: %q", got)
	}
	r.Add(New(pw))
	if got := r.Redact(pw); got != Redacted {
		t.Fatalf("after Add: %q", got)
	}
	var nilR *Redactor
	if got := nilR.Redact(pw); got != pw {
		t.Fatalf("nil Redactor: %q", got)
	}
}

func TestRedactConcurrent(t *testing.T) {
	var r Redactor
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(2)
		s := fmt.Sprintf("secret-number-%d", i)
		go func() { defer wg.Done(); r.Add(New(s)) }()
		go func() {
			defer wg.Done()
			for range 50 {
				_ = r.Redact("x " + s + " y")
			}
		}()
	}
	wg.Wait()
	for i := range 8 {
		s := fmt.Sprintf("secret-number-%d", i)
		if got := r.Redact(s); got != Redacted {
			t.Fatalf("%s: %q", s, got)
		}
	}
}

// FuzzRedact puts a secret into text raw, in hex (both cases) and in
// base64 at the offset the fourth argument picks, and the AUTH PLAIN
// payload holding it (AddSent) base64-encoded at an offset and in hex:
// nothing of the secret may be left in any form leaktest knows.
func FuzzRedact(f *testing.F) {
	f.Add("jobs-Secret-123", "AUTH PLAIN \x00jobs\x00", uint(11), uint(3))
	f.Add("ed]ab", "xxab", uint(2), uint(1))
	f.Add("ab[re", "ab[rexx", uint(5), uint(0))
	f.Add("aaaa", "aaaaaaa", uint(3), uint(7))
	f.Add("pw\nline", "a\nb\nc", uint(2), uint(2))
	f.Add("edac-edac", "0123edac", uint(4), uint(5))
	f.Fuzz(func(t *testing.T, secret, text string, at, shift uint) {
		if len(secret) > 512 || len(text) > 4096 {
			return
		}
		pos := int(at % uint(len(text)+1))
		pre := text[:int(shift%uint(min(len(text), 7)+1))] // 0..7 bytes before: every alignment
		payload := "\x00" + pre + "\x00" + secret
		h := hex.EncodeToString([]byte(secret))
		in := text[:pos] + secret + text[pos:] + " " + b64(secret) + " " + b64url(secret) + " " + h +
			" " + strings.ToUpper(h) + " " + b64(pre+secret+text) + " " + b64url(pre+secret) +
			" " + b64(pre+"AUTH PLAIN "+b64(payload)) + " " + hex.EncodeToString([]byte(b64(payload)))
		var r Redactor
		r.Add(New(secret))
		r.AddSent([]byte(payload))
		out := r.Redact(in)

		if len(secret) < 4 || strings.Contains(Redacted, secret) || leaktest.Find(Redacted, secret) != "" {
			return // a secret the marker itself spells cannot be hidden by it
		}
		if form := leaktest.Find(out, secret); form != "" {
			t.Fatalf("output %q contains the secret %q (%s)", out, secret, form)
		}
		if form := leaktest.Find(out, b64(payload)); form != "" {
			t.Fatalf("output %q contains the AUTH payload %q (%s)", out, b64(payload), form)
		}
	})
}

// Secrets that overlap the marker make the redaction re-check around each
// marker; a long chain of them must still take linear time.
func TestRedactPathologicalIsFast(t *testing.T) {
	tests := []struct {
		secret, in, want string
	}{
		{"]xyz", "a]" + strings.Repeat("xyz", 1<<16), "a[redacted]"},
		{"xyz[", strings.Repeat("xyz", 1<<16) + "[a", "[redacted]a"},
		{"aaaa", strings.Repeat("a", 1<<18), "[redacted]"},
		{"d]x", "[redacte" + strings.Repeat("d]x", 1<<16), "[redacte[redacted]"},
	}
	for _, tt := range tests {
		t.Run(tt.secret, func(t *testing.T) {
			var r Redactor
			r.Add(New(tt.secret))
			start := time.Now()
			got := r.Redact(tt.in)
			if el := time.Since(start); el > 3*time.Second {
				t.Fatalf("took %v", el)
			}
			if got != tt.want {
				t.Fatalf("Redact = %.80q, want %q", got, tt.want)
			}
		})
	}
}
