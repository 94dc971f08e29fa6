package i18n

import (
	"strings"
	"testing"
)

func TestEscape(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain text, ümlaut, 日本", "plain text, ümlaut, 日本"},
		{"two\nlines\tand a tab", "two\nlines\tand a tab"},
		{"x\x1b[31mRED\x07.yaml", `x\x1b[31mRED\a.yaml`},
		{"carriage\rreturn", `carriage\rreturn`},
		{"c1 \u009b31m", `c1 \u009b31m`},
		{"bidi \u202egnp.exe", `bidi \u202egnp.exe`},
		{"bad \xff utf-8", `bad \xff utf-8`},
		{"del \x7f", `del \x7f`},
	}
	for _, tt := range tests {
		if got := Escape(tt.in); got != tt.want {
			t.Errorf("Escape(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if got := Escape(Escape(tt.in)); got != tt.want {
			t.Errorf("Escape twice changed %q to %q", tt.want, got)
		}
	}
}

// TestArgumentsEscaped: a value from outside reaches no message raw, in
// any language.
func TestArgumentsEscaped(t *testing.T) {
	for _, lang := range Langs {
		l := New(lang)
		got := l.T("cli.export_written", map[string]string{"path": "out\x1b]0;pwned\x07.json"})
		if strings.ContainsAny(got, "\x1b\x07") || !strings.Contains(got, `out\x1b]0;pwned\a.json`) {
			t.Errorf("%s: %q", lang, got)
		}
	}
}
