package tui

import (
	"os"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
)

// TestHandoffFromDiagnosis: the diagnosis view writes the IT hand-off
// report (the Markdown of `jobmail report`) beside the setup file, with
// the failed test's diagnosis, the server's reply and what IT must do;
// never the typed password. It works for a failed live test and for a
// failed prerequisite alike.
func TestHandoffFromDiagnosis(t *testing.T) {
	tests := []struct {
		name     string
		password string
		shared   bool // "no" to "not a shared mailbox": blocked before the test
		down     int  // where the hand-off report is in the choices
		want     []string
	}{
		{"failed_test", "wrong-password-77", false, 3, []string{"# Recruiting e-mail with Personio: hand-off for IT",
			"`jobs@acme.test`", "`auth.rejected`", "535 5.7.8", "Failed", "- [ ] **"}},
		{"failed_prerequisite", "pw-123456", true, 2, []string{"`config.shared_mailbox`", "`jobs@acme.test`"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, store := testConfig(t, "other")
			srv := startMailServer(t, "jobs@acme.test", "pw-123456")
			h := start(t, cfg, store, nil)
			smtpAnswers(h, srv)
			h.answer("company.smtp.password", tc.password)
			h.answer("company.smtp.ca_file", srv.caFile)
			h.at("company.prerequisites.not_shared_mailbox")
			if tc.shared {
				h.key(tea.KeyRight, 0) // No
			}
			h.enter()
			h.accept("company.prerequisites.ip_allowlist")
			h.accept("company.prerequisites.external_apps_allowed")
			h.waitFor("diagnosis", func(s snapshot) bool { return s.mode == modeBlocked })
			h.down(tc.down)
			h.screenHas("> Save the hand-off report")
			h.enter()
			s := h.screenHas("Hand-off report for your mail administrator saved: jobmail-report.md")
			if s.mode != modeBlocked {
				t.Errorf("left the diagnosis view: mode %v", s.mode)
			}
			md, err := os.ReadFile("jobmail-report.md")
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range tc.want {
				if !strings.Contains(string(md), want) {
					t.Errorf("report lacks %q:\n%s", want, md)
				}
			}
			if strings.Contains(string(md), tc.password) {
				t.Fatal("the password reached the report")
			}
			if fi, _ := os.Stat("jobmail-report.md"); fi.Mode().Perm() != 0o600 {
				t.Errorf("report mode %v", fi.Mode())
			}
		})
	}
}
