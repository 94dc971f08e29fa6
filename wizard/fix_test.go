package wizard

import (
	"errors"
	"slices"
	"testing"

	"github.com/jobmail/jobmail/providers"
)

// TestFixKeepsTheRest: "Change X" from a diagnosis asks X again, then only
// what depends on X; the typed password stays in memory for the re-test;
// the CA file and the confirmed prerequisites are asked again only when
// the change affects them.
func TestFixKeepsTheRest(t *testing.T) {
	cases := []struct {
		name  string
		field string            // the diagnosis's field
		new   map[string]string // answers to the questions asked again
		asked []string          // the fields asked again, in order
	}{
		{"the password alone", "company.smtp.password", map[string]string{"company.smtp.password": "right-pass"},
			[]string{"smtp.password"}},
		{"the port: the choice that sets it, nothing more", "company.smtp.port", map[string]string{"company.smtp.transport": "smtps-465"},
			[]string{"smtp.transport"}},
		{"the same host again: nothing more", "company.smtp.host", map[string]string{"company.smtp.host": "smtp.acme.de"},
			[]string{"smtp.host"}},
		{"another host: its port, encryption and CA file", "company.smtp.host",
			map[string]string{"company.smtp.host": "mail.acme.de", "company.smtp.transport": "", "company.smtp.ca_file": ""},
			[]string{"smtp.host", "smtp.transport", "smtp.ca_file"}},
		{"another account: its password", "company.smtp.username",
			map[string]string{"company.smtp.username": "hr@acme.de", "company.smtp.password": "hr-pass"},
			[]string{"smtp.username", "smtp.password"}},
		{"a host that is Microsoft 365: its confirmations", "company.smtp.host",
			map[string]string{"company.smtp.host": "smtp.office365.com", "company.smtp.direct": DirectKeep, "company.smtp.transport": "", "company.smtp.ca_file": "",
				"company.prerequisites.smtp_auth_enabled": "yes", "company.prerequisites.security_defaults_allow_basic_auth": "yes",
				"company.prerequisites.licensed_mailbox": "yes"},
			[]string{"smtp.host", "smtp.direct", "smtp.transport", "smtp.ca_file", "prerequisites.smtp_auth_enabled",
				"prerequisites.security_defaults_allow_basic_auth", "prerequisites.licensed_mailbox"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := smtpSession(t)
			s.RecordChecks(nil)
			s.RecordResult(providers.Result{Diagnosis: &providers.Diagnosis{Code: providers.CodeAuthRejected, Field: tc.field}, Err: errors.New("x")})
			st := s.Next()
			if st.Blocked == nil || len(st.Remedies) == 0 || st.Remedies[0].Kind != RemedyFixField {
				t.Fatalf("blocked %+v", st)
			}
			s.Apply(st.Remedies[0])
			var asked []string
			for st = s.Next(); st.Question != nil; st = s.Next() {
				q := st.Question
				asked = append(asked, q.Field)
				v, ok := tc.new[q.Key]
				if !ok {
					t.Fatalf("asked %s again (so far %v)", q.Key, asked)
				}
				if err := s.Answer(q.Key, v); err != nil {
					t.Fatal(err)
				}
			}
			if !slices.Equal(asked, tc.asked) {
				t.Errorf("asked again %v, want %v", asked, tc.asked)
			}
			if st.Action == nil || st.Action.Kind != ActionCheck {
				t.Errorf("after the fix: %+v, want the checks and the re-test", st)
			}
			want := "s3cret-typed"
			if pw, ok := tc.new["company.smtp.password"]; ok {
				want = pw
			}
			if s.Password.Reveal() != want {
				t.Errorf("the password for the re-test is not the one typed")
			}
			if c := s.Mailbox().SMTP; c.Password != "keyring" {
				t.Errorf("the setup holds %q, not a reference", c.Password)
			}
		})
	}
}
