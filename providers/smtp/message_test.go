package smtp

import (
	"bytes"
	"testing"
	"time"

	"github.com/jobmail/jobmail/providers"
)

func TestStuffedLen(t *testing.T) {
	tests := []struct{ in, stuffed string }{
		{"a\r\n", "a\r\n.\r\n"},
		{".\r\n", "..\r\n.\r\n"},
		{"a\r\n.b\r\n..c\r\n", "a\r\n..b\r\n...c\r\n.\r\n"},
		{"a\r\n.\r\n.\r\n", "a\r\n..\r\n..\r\n.\r\n"},
		{"", ".\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := stuffedLen([]byte(tt.in)); got != len(tt.stuffed) {
				t.Errorf("stuffedLen(%q) = %d, want %d (%q)", tt.in, got, len(tt.stuffed), tt.stuffed)
			}
		})
	}
}

func TestBuildMessageKeepsToken(t *testing.T) {
	msg := providers.Message{From: "a@b.test", To: "a@b.test", Token: "tok1", Subject: "forgot it", Body: "x"}
	m, err := buildMessage(msg, time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Subject: forgot it tok1\r\n", "X-Jobmail-Verification: tok1\r\n",
		"Date: Fri, 02 Jan 2026 03:04:05 +0000\r\n", "From: <a@b.test>\r\n", "Message-ID: <jobmail."} {
		if !bytes.Contains(m, []byte(want)) {
			t.Errorf("message lacks %q:\n%s", want, m)
		}
	}
}

func TestMessageIDOnAnInternationalDomain(t *testing.T) {
	msg := providers.Message{From: "jobs@müller.de", To: "a@b.test", Token: "tok1", Subject: "x", Body: "x"}
	m, err := buildMessage(msg, time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(m, []byte("@xn--mller-kva.de>\r\n")) || !bytes.Contains(m, []byte("Message-ID: <jobmail.")) {
		t.Errorf("Message-ID not in ASCII on the company's domain:\n%s", m)
	}
}
