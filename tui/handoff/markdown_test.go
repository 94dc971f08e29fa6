package handoff

import (
	"strings"
	"testing"
	"time"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/tui/i18n"
	"github.com/jobmail/jobmail/wizard"
	"github.com/jobmail/jobmail/wizard/setupfile"
)

// TestRender: names from the setup file cannot turn into Markdown, and a
// server reply cannot close its code block early, in every language.
func TestRender(t *testing.T) {
	setup := &setupfile.Setup{Version: 1, Platform: setupfile.Platform{Account: "acme", OutgoingIPs: []string{"192.0.2.7/32"}},
		Company:  setupfile.Mailbox{Address: "jobs@acme.test", Channel: "smtp", SMTP: &setupfile.SMTP{Host: "smtp.acme.test", Port: 587, Security: "starttls"}},
		Entities: []setupfile.Entity{{Name: "Acme *Ireland* | <b>Ltd</b>"}}}
	at := time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
	reply := "535 5.7.8 ```` fenced ```` no"
	rep := wizard.NewReport(setup, wizard.ReportOptions{Now: func() time.Time { return at },
		Tests: map[string]wizard.ReportTest{"company": {At: at, Diagnosis: &providers.Diagnosis{Code: providers.CodeAuthRejected, Reply: reply}}}})
	for _, lang := range []i18n.Lang{i18n.English, i18n.German, i18n.Italian} {
		t.Run(string(lang), func(t *testing.T) {
			md := string(Render(Words(i18n.New(lang), setup), rep, "/some/dir/jobmail.yaml"))
			for _, want := range []string{
				`Acme \*Ireland\* \| \<b\>Ltd\</b\>`, // escaped, not emphasis, a cell or HTML
				"`````\n" + reply + "\n`````",        // a fence longer than the reply's runs
				"`192.0.2.7/32`", "jobmail.yaml", "`auth.rejected`",
			} {
				if !strings.Contains(md, want) {
					t.Errorf("report lacks %q:\n%s", want, md)
				}
			}
			if strings.Contains(md, "/some/dir") {
				t.Error("the report names the setup file's directory")
			}
		})
	}
}

// TestWordsName: the texts name the setup's platform.
func TestWordsName(t *testing.T) {
	setup := &setupfile.Setup{Platform: setupfile.Platform{Name: "Recruitee", Account: "acme"}}
	rep := wizard.NewReport(setup, wizard.ReportOptions{})
	md := string(Render(Words(i18n.New(i18n.English), setup), rep, "jobmail.yaml"))
	if first := strings.SplitN(md, "\n", 2)[0]; !strings.Contains(first, "Recruitee") {
		t.Errorf("title %q does not name the platform", first)
	}
}
