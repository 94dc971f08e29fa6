package wizard

import (
	"encoding/json"
	"testing"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/wizard/setupfile"
)

// TestReadingIsPure: Next, the question list and a question's lookup
// change nothing in the setup on any channel, interactive or not (the
// SMTP block was once allocated on a read, and a person who went from
// SMTP to Google saved an smtp: block).
func TestReadingIsPure(t *testing.T) {
	for _, ch := range providers.Channels {
		for _, interactive := range []bool{false, true} {
			t.Run(string(ch), func(t *testing.T) {
				s := NewSession(&setupfile.Setup{}, interactive)
				s.Provider = "microsoft" // the most confirmations
				for _, kv := range [][2]string{{"company.address", "jobs@acme.de"}, {"platform.account", "acme"}, {"company.channel", string(ch)}} {
					if err := s.Answer(kv[0], kv[1]); err != nil {
						t.Fatalf("Answer(%s): %v", kv[0], err)
					}
				}
				before := snapshot(t, s.Setup)
				for range 3 {
					st := s.Next()
					if st.Question != nil {
						if _, ok := s.question(st.Question.Key); !ok {
							t.Errorf("Next named %q, which question() does not find", st.Question.Key)
						}
					}
					_ = s.questions()
				}
				if after := snapshot(t, s.Setup); after != before {
					t.Errorf("reading changed the setup:\nbefore %s\nafter  %s", before, after)
				}
			})
		}
	}
}

func snapshot(t *testing.T, s *setupfile.Setup) string {
	t.Helper()
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestFieldsBuiltOncePerShape: reads reuse the list; an answer that
// changes its shape (the channel, the provider) rebuilds it, and the
// rebuilt list is the one a fresh session builds.
func TestFieldsBuiltOncePerShape(t *testing.T) {
	s := NewSession(&setupfile.Setup{}, false)
	for _, kv := range [][2]string{{"company.address", "jobs@acme.de"}, {"platform.account", "acme"}, {"company.channel", "smtp"}} {
		if err := s.Answer(kv[0], kv[1]); err != nil {
			t.Fatal(err)
		}
	}
	a := s.fields()
	s.Next()
	_ = s.questions()
	if b := s.fields(); &a[0] != &b[0] {
		t.Error("reading rebuilt the field list")
	}
	if err := s.Answer("company.smtp.host", "mail.acme.de"); err != nil {
		t.Fatal(err)
	}
	if b := s.fields(); &a[0] != &b[0] {
		t.Error("an answer that keeps the shape rebuilt the field list")
	}
	for _, change := range []func(){
		func() { s.Provider = "microsoft" },
		func() {
			if err := s.Answer("company.channel", "google"); err != nil {
				t.Fatal(err)
			}
		},
	} {
		before := s.fields()
		change()
		after := s.fields()
		if len(before) > 0 && len(after) > 0 && &before[0] == &after[0] {
			t.Error("a change of shape kept the old field list")
		}
		if got, want := keysOf(s, after), keysOf(s, s.buildFields()); got != want {
			t.Errorf("memoized fields %s, built %s", got, want)
		}
	}
}

func keysOf(s *Session, fs []field) string {
	out := ""
	for _, f := range fs {
		out += s.keyOf(f) + " "
	}
	return out
}
