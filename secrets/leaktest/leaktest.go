// Package leaktest finds a secret in text in every form the redaction
// engine (secrets.Redactor) promises to remove: plain, hex in either case,
// and base64 (standard or URL, any alignment inside a longer base64 run).
// Tests of every package and of the binary grep their outputs with it.
package leaktest

import (
	"encoding/base64"
	"encoding/hex"
	"strings"
)

// Find returns the form in which secret occurs in text ("plain", "hex",
// "HEX", "base64"), or "" when it does not. Secrets shorter than 5 bytes
// are only looked for plain and in hex: their base64 forms are too short
// to tell from unrelated text, and the engine does not promise them.
func Find(text, secret string) string {
	if secret == "" {
		return ""
	}
	if strings.Contains(text, secret) {
		return "plain"
	}
	h := hex.EncodeToString([]byte(secret))
	if len(secret) >= 3 && strings.Contains(text, h) {
		return "hex"
	}
	if len(secret) >= 3 && strings.Contains(text, strings.ToUpper(h)) {
		return "HEX"
	}
	if len(secret) >= 5 && base64Holds(text, secret) {
		return "base64"
	}
	return ""
}

// base64Holds reports whether a run of base64 characters in text decodes,
// at any of the four character alignments, to bytes holding secret.
func base64Holds(text, secret string) bool {
	isB64 := func(c byte) bool {
		return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || strings.IndexByte("+/-_", c) >= 0
	}
	for i := 0; i < len(text); {
		if !isB64(text[i]) {
			i++
			continue
		}
		j := i
		for j < len(text) && isB64(text[j]) {
			j++
		}
		// URL-safe base64 is standard base64 with two letters swapped.
		run := strings.NewReplacer("-", "+", "_", "/").Replace(text[i:j])
		i = j
		for skip := 0; skip < 4 && skip < len(run); skip++ {
			r := run[skip:]
			if len(r)%4 == 1 { // not a valid unpadded length
				r = r[:len(r)-1]
			}
			if b, err := base64.RawStdEncoding.DecodeString(r); err == nil && strings.Contains(string(b), secret) {
				return true
			}
		}
	}
	return false
}
