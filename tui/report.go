package tui

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/secrets"
	"github.com/jobmail/jobmail/tui/i18n"
	"github.com/jobmail/jobmail/wizard"
)

type reportSavedMsg struct {
	path string
	err  error
}

// SupportReport is the text a person hands to IT: the diagnosis in words
// and as a code, the server's reply, the stages, the redacted transcript
// and the setup without secrets. Every line passes a redactor that knows
// the typed password, although none should hold it: belt and braces.
func SupportReport(words *i18n.Localizer, s *wizard.Session, d providers.Diagnosis, now time.Time) string {
	t := words.Diagnosis(d)
	var b strings.Builder
	fmt.Fprintf(&b, "# jobmail support report\n\n")
	fmt.Fprintf(&b, "%s: %s\n", words.T("tui.report.date"), words.Date(now))
	fmt.Fprintf(&b, "%s: %s\n\n", words.T("tui.report.code"), d.Code)
	fmt.Fprintf(&b, "## %s\n\n%s\n\n", t.Title, t.Explain)
	if d.Reply != "" {
		fmt.Fprintf(&b, "%s\n\n", words.T("tui.diag.reply"))
		for _, l := range strings.Split(d.Reply, "\n") {
			fmt.Fprintf(&b, "    %s\n", l)
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "%s %s\n", words.T("tui.diag.remedy"), t.Remedy)
	if t.Actor != "" {
		fmt.Fprintf(&b, "%s %s\n", words.T("tui.diag.actor"), t.Actor)
	}
	if d.Field != "" {
		fmt.Fprintf(&b, "%s %s\n", words.T("tui.report.field"), d.Field)
	}
	if r := s.Result; r != nil {
		fmt.Fprintf(&b, "\n## %s\n\n", words.T("tui.report.stages"))
		for _, st := range r.Stages {
			mark := markOK
			if !st.OK {
				mark = markBad
			}
			fmt.Fprintf(&b, "%s %-8s %s\n", mark, st.Name, words.Duration(st.Duration))
		}
		if len(r.Transcript) > 0 {
			fmt.Fprintf(&b, "\n## %s\n\n", words.T("tui.report.transcript"))
			for _, l := range r.Transcript {
				fmt.Fprintf(&b, "    %s\n", l)
			}
		}
	}
	if y, err := wizard.MarshalSetup(withoutProgress(s.Setup)); err == nil {
		fmt.Fprintf(&b, "\n## %s\n\n", words.T("tui.report.setup"))
		for _, l := range strings.Split(strings.TrimRight(string(y), "\n"), "\n") {
			fmt.Fprintf(&b, "    %s\n", l)
		}
	}
	var red secrets.Redactor
	red.Add(s.Password)
	return red.Redact(b.String())
}

func withoutProgress(s *wizard.Setup) *wizard.Setup {
	c := *s
	c.Progress = nil
	return &c
}

// saveReport writes the support report beside the setup file, in a
// command: it is file I/O.
func (m *Model) saveReport() tea.Cmd {
	text := SupportReport(m.words, m.s, m.blocked.d, m.cfg.now())
	name := "jobmail-support-" + m.cfg.now().Format("20060102-150405") + ".txt"
	path := filepath.Join(filepath.Dir(m.cfg.SetupPath), name)
	return func() tea.Msg {
		err := os.WriteFile(path, []byte(text), 0o600)
		if err != nil {
			err = fmt.Errorf("write support report: %w", err)
		}
		return reportSavedMsg{path: path, err: err}
	}
}

func (m *Model) onReportSaved(msg reportSavedMsg) tea.Cmd {
	if msg.err != nil {
		m.notice = m.words.T("tui.report.failed", map[string]string{"error": msg.err.Error()})
		return nil
	}
	m.notice = m.words.T("tui.report.saved", map[string]string{"path": msg.path})
	return nil
}
