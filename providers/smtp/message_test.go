package smtp

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/jobmail/jobmail/providers"
)

func TestDotStuff(t *testing.T) {
	tests := []struct{ in, want string }{
		{"a\r\n", "a\r\n.\r\n"},
		{".\r\n", "..\r\n.\r\n"},
		{"a\r\n.b\r\n..c\r\n", "a\r\n..b\r\n...c\r\n.\r\n"},
		{"", ".\r\n"},
	}
	for _, tt := range tests {
		if got := string(dotStuff([]byte(tt.in))); got != tt.want {
			t.Errorf("dotStuff(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFold(t *testing.T) {
	long := "Subject: " + strings.Repeat("word ", 40)
	got := fold(long)
	for _, l := range strings.Split(got, "\r\n") {
		if len(l) > 78 {
			t.Errorf("line %q longer than 78", l)
		}
	}
	if strings.ReplaceAll(got, "\r\n", "") != long {
		t.Errorf("unfolding does not give the original: %q", got)
	}
	if fold("Short: x") != "Short: x" {
		t.Error("short line changed")
	}
}

func TestBuildMessageKeepsToken(t *testing.T) {
	msg := providers.Message{From: "a@b.test", To: "a@b.test", Token: "tok1", Subject: "forgot it", Body: "x"}
	m := buildMessage(msg, time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	for _, want := range []string{"Subject: forgot it tok1\r\n", "X-Jobmail-Verification: tok1\r\n",
		"Date: Fri, 02 Jan 2026 03:04:05 +0000\r\n", "From: <a@b.test>\r\n", "Message-ID: <jobmail."} {
		if !bytes.Contains(m, []byte(want)) {
			t.Errorf("message lacks %q:\n%s", want, m)
		}
	}
}
