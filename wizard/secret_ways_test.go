package wizard

import (
	"slices"
	"testing"

	"github.com/jobmail/jobmail/wizard/setupfile"
)

// TestSecretWays: the ways on after the keyring refused are the
// machine's: env and file only for the company's password; taking one
// sets the reference the setup file gets and skips the keyring.
func TestSecretWays(t *testing.T) {
	smtp := func() setupfile.Mailbox {
		return setupfile.Mailbox{Address: "jobs@acme.test", Channel: "smtp", SMTP: &setupfile.SMTP{Host: "mail.acme.test", Password: "keyring"}}
	}
	all := []SecretWay{WayKeyring, WayEnv, WayFile}
	tests := []struct {
		name    string
		session func() *Session
		ways    []SecretWay
	}{
		{"company smtp", func() *Session { return NewSession(&setupfile.Setup{Company: smtp()}, true) }, all},
		{"company google with a stale smtp block", func() *Session {
			m := smtp()
			m.Channel = "google"
			return NewSession(&setupfile.Setup{Company: m}, true)
		}, []SecretWay{WayKeyring}},
		{"subsidiary smtp", func() *Session {
			return NewEntitySession(&setupfile.Setup{Company: smtp(), Entities: []setupfile.Entity{{Mailbox: smtp()}}}, 0, true)
		}, []SecretWay{WayKeyring}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.session().SecretWays(); !slices.Equal(got, tc.ways) {
				t.Fatalf("ways %v, want %v", got, tc.ways)
			}
			for _, w := range all {
				s := tc.session()
				offered := slices.Contains(tc.ways, w)
				keyring := s.TakeSecretWay(w)
				if want := w == WayKeyring || !offered; keyring != want {
					t.Errorf("%s: keyring %v, want %v", w, keyring, want)
				}
				if taken, want := s.SecretWayTaken(), map[bool]SecretWay{true: w}[offered && w != WayKeyring]; taken != want {
					t.Errorf("%s: taken %q, want %q", w, taken, want)
				}
			}
		})
	}
}
