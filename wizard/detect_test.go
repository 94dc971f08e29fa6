package wizard

import (
	"context"
	"testing"

	"github.com/jobmail/jobmail/wizard/setupfile"
)

// countingDetector answers every domain with provider and counts lookups.
func countingDetector(provider string, n *int) *Detector {
	return &Detector{NoDiscover: true, Provider: func(_ context.Context, domain string) (Provider, error) {
		*n++
		return Provider{ID: provider, MX: []string{"mx." + domain}}, nil
	}}
}

// ActionDetect is the machine's: once the address is known, before the
// next question, in replays as in the wizard; its result drives the same
// defaults (here the channel a file leaves out).
func TestReplayDetects(t *testing.T) {
	for _, tc := range []struct {
		name     string
		detector func(n *int) *Detector
		channel  string
		lookups  int
	}{
		{"detection off", func(*int) *Detector { return nil }, "platform", 0},
		{"google mailbox", func(n *int) *Detector { return countingDetector("google", n) }, "google", 1},
		{"microsoft mailbox", func(n *int) *Detector { return countingDetector("microsoft", n) }, "microsoft", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var n int
			setup := &setupfile.Setup{Version: 1, Platform: setupfile.Platform{Account: "acme"}, Company: setupfile.Mailbox{Address: "jobs@acme.de"}}
			s := NewSession(setup, false)
			if st := s.Next(); st.Action == nil || st.Action.Kind != ActionDetect || st.State != StateForwarding {
				t.Fatalf("first step %+v, want ActionDetect (the file gives the address)", st)
			}
			env := &Env{Detect: tc.detector(&n)}
			if err := env.Run(context.Background(), s, Action{Kind: ActionDetect}, nil); err != nil {
				t.Fatal(err)
			}
			if st := s.Next(); st.Action != nil && st.Action.Kind == ActionDetect {
				t.Fatal("ActionDetect asked twice for one address")
			}
			for st := s.Next(); st.Question != nil; st = s.Next() {
				if st.Question.Field == FieldChannel {
					if st.Question.Value != tc.channel {
						t.Fatalf("channel default %q, want %q", st.Question.Value, tc.channel)
					}
					return
				}
				if err := s.Answer(st.Question.Key, st.Question.Value); err != nil {
					t.Fatal(err)
				}
			}
			t.Fatal("no channel question")
		})
	}
}

func TestDetectFollowsTheAddress(t *testing.T) {
	var n int
	env := &Env{Detect: countingDetector("other", &n)}
	s := NewSession(nil, true)
	if st := s.Next(); st.Question == nil || st.Question.Field != FieldAddress {
		t.Fatalf("no address yet, no detection: %+v", st)
	}
	if err := s.Answer("company.address", "jobs@acme.de"); err != nil {
		t.Fatal(err)
	}
	st := s.Next()
	if st.Action == nil || st.Action.Kind != ActionDetect {
		t.Fatalf("after the address %+v, want ActionDetect", st)
	}
	_ = env.Run(context.Background(), s, *st.Action, nil)
	if p, _ := s.Detected(); p == nil || p.ID != "other" || s.Provider != "other" {
		t.Fatalf("detected %+v, provider %q", p, s.Provider)
	}
	s.Prev()
	if err := s.Answer("company.address", "jobs@beta.de"); err != nil {
		t.Fatal(err)
	}
	if st := s.Next(); st.Action == nil || st.Action.Kind != ActionDetect {
		t.Fatalf("another address %+v, want ActionDetect again", st)
	}
	if p, _ := s.Detected(); p != nil {
		t.Fatal("the old address's provider is reported for the new one")
	}
	if s.RecordProvider("jobs@acme.de", Provider{ID: "google"}) || s.Provider != "other" {
		t.Fatal("a late result for the old address was taken")
	}
}

// A headless run discovers only while the file leaves the server to
// defaults: a file that names host, security and port is not probed.
func TestReplayDiscoversOnlyWhenItMatters(t *testing.T) {
	full := &setupfile.SMTP{Host: "smtp.acme.de", Port: 587, Security: "starttls"}
	for _, tc := range []struct {
		name string
		mb   setupfile.Mailbox
		want bool
	}{
		{"server given", setupfile.Mailbox{Channel: "smtp", SMTP: full}, false},
		{"port left out", setupfile.Mailbox{Channel: "smtp", SMTP: &setupfile.SMTP{Host: "smtp.acme.de", Security: "starttls"}}, true},
		{"oauth channel", setupfile.Mailbox{Channel: "google"}, false},
		{"no channel", setupfile.Mailbox{}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.mb.Address = "jobs@acme.de"
			if got := NewSession(&setupfile.Setup{Company: tc.mb}, false).discovers(); got != tc.want {
				t.Fatalf("discovers %v, want %v", got, tc.want)
			}
			if !NewSession(&setupfile.Setup{Company: tc.mb}, true).discovers() {
				t.Fatal("an interactive session always discovers")
			}
		})
	}
}

// A replay of many mailboxes of one domain looks its provider up once.
func TestDetectorAsksADomainOnce(t *testing.T) {
	var n int
	d := countingDetector("other", &n)
	for _, a := range []string{"a@acme.de", "b@acme.de", "c@ACME.de", "d@beta.de"} {
		if p, err := d.LookupProvider(context.Background(), a); err != nil || p.ID != "other" {
			t.Fatalf("%s: %+v %v", a, p, err)
		}
	}
	if n != 2 {
		t.Fatalf("%d lookups for 2 domains", n)
	}
}
