package tui

import (
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/tui/i18n"
	"github.com/jobmail/jobmail/wizard"
)

// blockedView is a failed check or live test (or an action that could not
// run): the diagnosis and the machine's remedies for it.
type blockedView struct {
	d        providers.Diagnosis
	state    wizard.State
	remedies []wizard.Remedy
}

// The choices of the diagnosis view: the machine's remedies, then the
// driver's own (reports, quit).
const (
	choiceFix    = string(wizard.RemedyFixField)
	choiceRetry  = string(wizard.RemedyRetry)
	choiceBack   = string(wizard.RemedyBack)
	choiceReport = "report"
	choiceIT     = "handoff"
	choiceQuit   = "quit"
)

// showBlocked shows the blocked step with its choices: the machine's
// remedies (the field that fixes it first, retry), save a support report
// or an IT hand-off, go back a step, quit.
func (m *Model) showBlocked(st wizard.Step) tea.Cmd {
	m.mode, m.scroll, m.notice = modeBlocked, 0, ""
	m.blocked = &blockedView{d: *st.Blocked, state: st.State, remedies: st.Remedies}
	return m.showBlockedMenu()
}

func (m *Model) showBlockedMenu() tea.Cmd {
	b := m.blocked
	var opts, last []huh.Option[string]
	for _, r := range b.remedies {
		switch r.Kind {
		case wizard.RemedyFixField:
			args := map[string]string{"field": m.fieldTitle(r.Field)}
			opts = append(opts, huh.NewOption(m.words.T("tui.diag.fix", args), choiceFix))
		case wizard.RemedyRetry:
			opts = append(opts, huh.NewOption(m.words.T("tui.diag.retry"), choiceRetry))
		case wizard.RemedyBack:
			last = append(last, huh.NewOption(m.words.T("tui.diag.back"), choiceBack))
		}
	}
	opts = append(opts, huh.NewOption(m.words.T("tui.diag.report"), choiceReport),
		huh.NewOption(m.words.T("tui.diag.handoff"), choiceIT))
	opts = append(append(opts, last...), huh.NewOption(m.words.T("tui.diag.quit"), choiceQuit))
	m.choice = opts[0].Value
	m.menu = m.newMenu(m.words.T("tui.diag.choose"), opts)
	return m.menu.Init()
}

// fieldTitle names a setup key by its question's title.
func (m *Model) fieldTitle(key string) string {
	t := m.words.Question(wizard.Question{Field: wizard.FieldOf(key), Args: m.args()}).Title
	if t == "" || strings.HasPrefix(t, "question.") || strings.HasPrefix(t, "check.") {
		return key
	}
	return t
}

func (m *Model) onBlockedChoice() tea.Cmd {
	switch m.choice {
	case choiceReport:
		return tea.Batch(m.saveReport(), m.showBlockedMenu())
	case choiceIT:
		return tea.Batch(m.saveHandoff(), m.showBlockedMenu())
	case choiceQuit:
		return m.quitNow()
	}
	m.resolveBlocked(m.choice)
	return m.advance()
}

// resolveBlocked hands the chosen remedy to the machine; the caller then
// asks the machine what comes next.
func (m *Model) resolveBlocked(choice string) {
	b := m.blocked
	m.blocked = nil
	if r, ok := remedyOf(b.remedies, choice); ok {
		m.s.Apply(r)
	}
}

// blockedContext is the diagnosis: title, what happened, the server's
// reply verbatim, what to do and who must do it; then where a failed test
// broke, or the checklist. The choices follow below it (the menu).
func (m *Model) blockedContext(w int) string {
	d := m.blocked.d
	args := m.args()
	for k, v := range d.Args {
		args[k] = v
	}
	d.Args = args
	t := m.words.Diagnosis(d)
	var b strings.Builder
	b.WriteString(m.st.bad.Render(markBad+" "+t.Title) + "\n")
	if t.Explain != "" {
		b.WriteString(wrap(t.Explain, w) + "\n")
	}
	if d.Reply != "" {
		b.WriteString(m.st.label.Render(m.words.T("tui.diag.reply")) + "\n")
		b.WriteString(indent(wrap(i18n.Escape(d.Reply), w-2), "  ") + "\n") // verbatim, wrapped, never cut
	}
	b.WriteString(wrap(m.st.label.Render(m.words.T("tui.diag.remedy"))+" "+t.Remedy, w) + "\n")
	if t.Actor != "" {
		b.WriteString(m.st.label.Render(m.words.T("tui.diag.actor")) + " " + m.st.bold.Render(t.Actor) + "\n")
	}
	if m.blocked.state == wizard.StateTest && len(m.stages) > 0 {
		b.WriteString(m.stagesLine(w) + "\n")
	} else if c := m.checksView(w, true); c != "" {
		b.WriteString(c + "\n")
	}
	if m.notice != "" {
		b.WriteString(m.st.ok.Render(wrap(m.notice, w)) + "\n")
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// stagesLine is the stages of a finished test on as few lines as fit:
// "✓ Connect 2 ms · ✓ TLS encryption 9 ms · ✗ Sign-in 510 ms".
func (m *Model) stagesLine(w int) string {
	parts := make([]string, 0, len(m.stages))
	for _, s := range m.stages {
		mark := m.st.ok.Render(markOK)
		if !s.ok {
			mark = m.st.bad.Render(markBad)
		}
		parts = append(parts, mark+" "+m.words.Stage(s.name)+" "+m.st.faint.Render(m.dur(s.dur)))
	}
	return wrap(strings.Join(parts, " · "), w)
}
