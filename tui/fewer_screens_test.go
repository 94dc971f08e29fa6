package tui

import (
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/jobmail/jobmail/tui/i18n"
)

// TestFewerQuestionsScreens: the screens of issue 12's "fewer questions"
// at 80×24 and 60×20 in English and German, for an address of a provider
// in the built-in table while DNS fails: the host prefilled from the
// table and saying so, port and encryption as one choice, the
// IP-allowlist question that takes "our server has no allowlist".
func TestFewerQuestionsScreens(t *testing.T) {
	for _, lang := range []i18n.Lang{i18n.English, i18n.German} {
		for _, size := range [][2]int{{80, 24}, {60, 20}} {
			t.Run(fmt.Sprintf("%s_%dx%d", lang, size[0], size[1]), func(t *testing.T) {
				cfg, store := testConfig(t, "") // the MX lookup fails
				cfg.Words = i18n.New(lang)
				h := start(t, cfg, store, nil, teatest.WithInitialTermSize(size[0], size[1]))
				h.answer("company.address", "jobs@mailbox.org")
				s := h.at("platform.account")
				if !strings.Contains(s.view, "> mailbox") {
					t.Errorf("account not suggested from the domain:\n%s", s.view)
				}
				h.enter()
				h.accept("company.sender_name")
				h.accept("company.forwarding")
				h.accept("company.channel") // SMTP: the table knows the domain
				s = h.at("company.smtp.host")
				if !strings.Contains(s.view, "> smtp.mailbox.org") || !strings.Contains(s.view, "mailbox.org)") {
					t.Errorf("host not prefilled from the table, or the source not said:\n%s", s.view)
				}
				requireGoldenAs(t, "host", screen(s))
				h.enter()
				requireGoldenAs(t, "transport", screen(h.at("company.smtp.transport")))
				h.enter()
				h.accept("company.smtp.username")
				h.answer("company.smtp.password", "pw-123456")
				h.accept("company.smtp.ca_file")
				h.accept("company.prerequisites.not_shared_mailbox")
				requireGoldenAs(t, "allowlist", screen(h.at("company.prerequisites.ip_allowlist")))
			})
		}
	}
}
