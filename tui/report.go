package tui

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/secrets"
	"github.com/jobmail/jobmail/tui/handoff"
	"github.com/jobmail/jobmail/tui/i18n"
	"github.com/jobmail/jobmail/wizard"
	"github.com/jobmail/jobmail/wizard/setupfile"
)

type reportSavedMsg struct {
	path    string
	handoff bool // the IT hand-off report, not the support report
	err     error
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
	if y, err := setupfile.MarshalSetup(withoutProgress(s.Setup)); err == nil {
		fmt.Fprintf(&b, "\n## %s\n\n", words.T("tui.report.setup"))
		for _, l := range strings.Split(strings.TrimRight(string(y), "\n"), "\n") {
			fmt.Fprintf(&b, "    %s\n", l)
		}
	}
	var red secrets.Redactor
	red.Add(s.Password)
	// Escaped: the report quotes the server and is read with cat.
	return i18n.Escape(red.Redact(b.String()))
}

func withoutProgress(s *setupfile.Setup) *setupfile.Setup {
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
		err := setupfile.WriteFileAtomic(path, []byte(text), 0o600, m.cfg.SetupPath)
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
	id := "tui.report.saved"
	if msg.handoff {
		id = "tui.handoff.saved"
	}
	m.notice = m.words.T(id, map[string]string{"path": msg.path})
	return nil
}

// saveHandoff writes the IT hand-off report (the same Markdown as
// `jobmail report`) beside the setup file, in a command.
func (m *Model) saveHandoff() tea.Cmd {
	sessions := append(slices.Clone(m.tested), m.s)
	md := HandoffReport(m.words, m.s.Setup, sessions, m.blocked.d, HandoffOptions{
		Now: m.cfg.now, Getenv: m.cfg.Getenv, File: m.cfg.SetupPath})
	path := filepath.Join(filepath.Dir(m.cfg.SetupPath), handoff.DefaultName)
	return func() tea.Msg {
		err := setupfile.WriteFileAtomic(path, md, 0o600, m.cfg.SetupPath)
		if err != nil {
			err = fmt.Errorf("write the report for IT: %w", err)
		}
		return reportSavedMsg{path: path, handoff: true, err: err}
	}
}

// HandoffOptions are HandoffReport's inputs besides the setup.
type HandoffOptions struct {
	Now    func() time.Time    // dates the report; nil: time.Now
	Getenv func(string) string // a Microsoft client id from the environment; nil: none
	File   string              // the setup file's path (its name shows)
}

// HandoffReport is the IT hand-off report of setup as Markdown, with the
// live tests of sessions (the last one is on screen: blocked is its
// diagnosis when it has no test result that says so, e.g. a failed
// prerequisite). Every line passes a redactor that knows the typed
// passwords, although none should hold one.
func HandoffReport(words *i18n.Localizer, setup *setupfile.Setup, sessions []*wizard.Session, blocked providers.Diagnosis, o HandoffOptions) []byte {
	tests := map[string]wizard.ReportTest{}
	found := map[string]string{}
	var red secrets.Redactor
	for i, s := range sessions {
		red.Add(s.Password)
		if s.Provider != "" {
			found[s.Key()] = s.Provider
		}
		t := wizard.ReportTest{}
		if r := s.Result; r != nil {
			t = wizard.ReportTest{At: r.Started, OK: r.OK(), Duration: r.Duration, Stages: r.Stages,
				Transcript: r.Transcript, Diagnosis: r.Diagnosis}
		}
		if last := i == len(sessions)-1; last && !t.OK {
			d := blocked
			t.Diagnosis = &d
		}
		if s.Result != nil || !t.OK {
			tests[s.Key()] = t
		}
	}
	rep := wizard.NewReport(withoutProgress(setup), wizard.ReportOptions{Now: o.Now, Getenv: o.Getenv,
		Tests: tests, Providers: found})
	md := handoff.Render(handoff.Words(words, setup), rep, o.File)
	return []byte(red.Redact(string(md)))
}
