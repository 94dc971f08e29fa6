package tui

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/jobmail/jobmail/tui/i18n"
	"github.com/jobmail/jobmail/wizard"
)

// TestTextNeverCut walks the SMTP journey — every question, a failed
// test's diagnosis, the fix, the end with its limits scrolled through,
// the quit dialog — at 60×20 and 80×24 in every language, and fails when
// any line had to be cut to the window (the screen's safety net fired):
// answers, addresses, IP lists, server replies and the key help all wrap.
// It also checks that a "no" to a prerequisite is never shown with ✓.
func TestTextNeverCut(t *testing.T) {
	for _, lang := range i18n.Langs {
		for _, size := range [][2]int{{60, 20}, {80, 24}} {
			t.Run(fmt.Sprintf("%s_%dx%d", lang, size[0], size[1]), func(t *testing.T) {
				cfg, store := testConfig(t, "other")
				cfg.Words = i18n.New(lang)
				srv := startMailServer(t, "jobs@acme.test", "pw-123456")
				h := start(t, cfg, store, nil, teatest.WithInitialTermSize(size[0], size[1]))
				ellipsisTexts := []string{cfg.Words.T("tui.option.other"), cfg.Words.T("option.smtp.transport.other"), cfg.Words.T("tui.checks.running"),
					cfg.Words.T("tui.test.starting"), cfg.Words.T("tui.finish.running")}
				h.waitFor("size", func(s snapshot) bool { return s.width == size[0] })
				seen := 0
				uncut := func(s snapshot) {
					t.Helper()
					seen++
					if s.widest > s.width {
						t.Errorf("%s: a line %d wide was cut to %d:\n%s", s.key+" "+fmt.Sprint(s.mode), s.widest, s.width, s.view)
					}
					// nor cut by a part of the screen itself: the only lines
					// ending in "…" are texts that end so
					for _, l := range strings.Split(s.view, "\n") {
						l = strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(l), "┃>◌ "))
						if strings.HasSuffix(l, "…") && !slices.ContainsFunc(ellipsisTexts, func(e string) bool { return strings.HasSuffix(l, e) || strings.HasSuffix(e, l) }) {
							t.Errorf("%s: %q is cut:\n%s", s.key, l, s.view)
						}
					}
				}
				wait := func(key string) { t.Helper(); uncut(h.at(key)) }
				wait("company.address")
				h.answer("company.address", "recruiting-team.applications@acme-holding-international.test")
				wait("platform.account")
				h.answer("platform.account", "acme")
				wait("company.sender_name")
				h.enter()
				wait("company.forwarding")
				h.enter()
				wait("company.channel")
				h.enter()
				wait("company.smtp.host")
				h.answer("company.smtp.host", "127.0.0.1")
				wait("company.smtp.transport")
				h.down(4) // 587 465 25 2525 → "Another port or encryption…"
				h.enter()
				wait("company.smtp.security")
				h.enter()
				wait("company.smtp.port")
				h.answer("company.smtp.port", fmt.Sprint(srv.addr.Port))
				wait("company.smtp.username")
				h.answer("company.smtp.username", "jobs@acme.test")
				wait("company.smtp.password")
				h.answer("company.smtp.password", "wrong-password")
				wait("company.smtp.ca_file")
				h.answer("company.smtp.ca_file", srv.caFile)
				wait("company.prerequisites.not_shared_mailbox")
				h.enter()
				wait("company.prerequisites.ip_allowlist")
				h.down(2) // yes · no allowlist · "no, not yet": a warning, the test still runs
				h.enter()
				s := h.at("company.prerequisites.external_apps_allowed")
				uncut(s)
				// the answer's line starts with the question's title (when
				// the summary is scrolled out of view at 60×20, the check is
				// the 80×24 run's)
				title := cfg.Words.Question(wizard.Question{Field: "prerequisites.ip_allowlist", Kind: wizard.KindSelect,
					Args: map[string]string{"platform": "Personio"}}).Title
				start := strings.Fields(title)[0] + " " + strings.Fields(title)[1]
				if noLine := lineWith(s.view, start); noLine != "" && !strings.HasPrefix(noLine, markWarn+" ") {
					t.Errorf("a \"no\" to the IP allowlist is shown as %q, want the warning mark:\n%s", noLine, s.view)
				} else if noLine == "" && size[0] == 80 {
					t.Errorf("no summary line starting %q:\n%s", start, s.view)
				}
				h.enter()
				s = h.waitFor("diagnosis", func(s snapshot) bool { return s.mode == modeBlocked })
				uncut(s)
				for range 3 {
					h.key(tea.KeyPgDown, 0)
					uncut(h.snap())
				}
				h.enter() // change the password
				h.answer("company.smtp.password", "pw-123456")
				// whatever the machine asks again (the CA file, the
				// confirmations), as it was
				for range 10 {
					s = h.waitFor("a question or the end", func(s snapshot) bool {
						return s.mode == modeDone || s.mode == modeQuestion && s.key != "company.smtp.password"
					})
					if s.mode == modeDone {
						break
					}
					uncut(s)
					h.enter()
					h.waitFor("the next screen", func(n snapshot) bool { return n.key != s.key || n.mode != modeQuestion })
				}
				s = h.waitFor("done", func(s snapshot) bool { return s.mode == modeDone })
				uncut(s)
				// the "no" stands: the header's prerequisites step agrees with it
				if head := strings.Split(s.view, "\n")[0]; !strings.Contains(head, markWarn+" 3") || strings.Contains(head, markOK+" 3") {
					t.Errorf("header %q: the prerequisites step must be marked %s after a \"no\"", head, markWarn)
				}
				for range 4 {
					h.key(tea.KeyPgDown, 0)
					uncut(h.snap())
				}
				h.ctrlC()
				if seen < 20 {
					t.Errorf("only %d screens checked", seen)
				}
			})
		}
	}
}

// lineWith is the first line of view containing text.
func lineWith(view, text string) string {
	for _, l := range strings.Split(view, "\n") {
		if strings.Contains(l, text) {
			return strings.TrimSpace(ansi.Strip(l))
		}
	}
	return ""
}

// TestWrap: wrap never makes a line wider than the width, never breaks
// at a hyphen, and breaks a word too long for a line after a separator
// (a URL after "/", a list after ",") before it cuts one hard.
func TestWrap(t *testing.T) {
	tests := []struct {
		name, in string
		width    int
		want     string
	}{
		{"words", "Set up the forwarding to acme-jobs@m-personio.de now", 30,
			"Set up the forwarding to\nacme-jobs@m-personio.de now"},
		{"an address stays whole", "to acme-jobs@m-personio.de", 24, "to\nacme-jobs@m-personio.de"},
		{"a URL breaks after a slash", "https://login.microsoftonline.com/acme.de/adminconsent?client_id=abc", 40,
			"https://login.microsoftonline.com/\nacme.de/adminconsent?client_id=abc"},
		{"a list without spaces breaks after a comma", "3.121.59.239/32,3.65.146.216/32,18.158.122.164/32", 34,
			"3.121.59.239/32,3.65.146.216/32,\n18.158.122.164/32"},
		{"no separator: cut hard", "aaaaaaaaaabbbbbbbbbb", 10, "aaaaaaaaaa\nbbbbbbbbbb"},
		{"a separator too early is not used", "a/bbbbbbbbbbbbbbbbbb", 10, "a/bbbbbbbb\nbbbbbbbbbb"},
		{"paragraphs stay", "one\ntwo three", 5, "one\ntwo\nthree"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := wrap(tc.in, tc.width)
			if got != tc.want {
				t.Errorf("wrap(%q, %d) =\n%s\nwant\n%s", tc.in, tc.width, got, tc.want)
			}
			for _, l := range strings.Split(got, "\n") {
				if ansi.StringWidth(l) > tc.width {
					t.Errorf("line %q is wider than %d", l, tc.width)
				}
			}
			if strings.ReplaceAll(strings.ReplaceAll(got, "\n", ""), " ", "") != strings.ReplaceAll(strings.ReplaceAll(tc.in, "\n", ""), " ", "") {
				t.Errorf("wrap lost text: %q", got)
			}
		})
	}
}
