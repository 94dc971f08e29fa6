package handoff

import (
	"strings"
	"testing"

	"github.com/jobmail/jobmail/tui/i18n"
	"github.com/jobmail/jobmail/wizard"
	"github.com/jobmail/jobmail/wizard/setupfile"
)

// TestReportNamesTheMissingApp: a direct integration without an OAuth app
// gets the registration steps for IT first in the report (the wizard's
// steps); Google's never speak of a tenant; a configured app asks nothing.
func TestReportNamesTheMissingApp(t *testing.T) {
	w := i18n.New(i18n.English)
	for _, tt := range []struct {
		channel, clientID string
		want, not         []string
	}{
		{"microsoft", "", []string{"Register an OAuth app", "Allow public client flows", "SMTP.Send", "Directory (tenant) ID"}, nil},
		{"google", "", []string{"Register an OAuth app", "Desktop app", "https://mail.google.com/", "JOBMAIL_GOOGLE_CLIENT_SECRET"}, []string{"tenant", "Tenant"}},
		{"microsoft", "4b0db8c2-9f26-4417-8bde-3f0e3656f8e0", nil, []string{"Register an OAuth app"}},
	} {
		s := &setupfile.Setup{Version: 1, Platform: setupfile.Platform{Account: "acme"},
			Company: setupfile.Mailbox{Address: "jobs@acme.de", Channel: tt.channel}}
		switch tt.channel {
		case "microsoft":
			s.Company.Microsoft = &setupfile.Microsoft{ClientID: tt.clientID}
		case "google":
			s.Company.Google = &setupfile.Google{ClientID: tt.clientID}
		}
		md := string(Render(w, wizard.NewReport(s, wizard.ReportOptions{}), "jobmail.yaml"))
		for _, x := range tt.want {
			if !strings.Contains(md, x) {
				t.Errorf("%s %q: report lacks %q", tt.channel, tt.clientID, x)
			}
		}
		for _, x := range tt.not {
			if strings.Contains(md, x) {
				t.Errorf("%s %q: report has %q:\n%s", tt.channel, tt.clientID, x, md)
			}
		}
	}
}
