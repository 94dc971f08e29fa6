package tui

import (
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
	"charm.land/lipgloss/v2"

	"github.com/jobmail/jobmail/wizard"
)

// View draws the screen: the header with the four steps, the body of the
// current step, and the help line at the bottom, all within the window.
func (m *Model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = !m.cfg.NoAltScreen
	return v
}

func (m *Model) render() string {
	// the cut is a safety net only: every part wraps to the width itself
	// (tests check that it never cuts: widest)
	return truncateLines(m.compose(), max(m.width, 20))
}

// compose is the screen before the safety net.
func (m *Model) compose() string {
	w := max(m.width, 20)
	header := m.header(w)
	body, room, _ := m.layout()
	if n := lipgloss.Height(body); n < room {
		body += strings.Repeat("\n", room-n)
	}
	return header + "\n" + body + "\n\n" + m.help()
}

// layout is the body within the room between header and help lines, and
// how far its context can be scrolled.
func (m *Model) layout() (body string, room, maxScroll int) {
	w, h := max(m.width, 20), max(m.height, 8)
	room = h - 2 - 1 - lipgloss.Height(m.help()) // header and rule; blank line and help
	context, main := m.body(w)
	more := m.st.faint.Render("  ↓ " + m.words.T("tui.key.more"))
	above := m.st.faint.Render("  ↑ " + m.words.T("tui.key.more_above"))
	body, maxScroll = fit(context, main, room, m.scroll, more, above)
	return body, room, maxScroll
}

// scrollBy moves the context window by n lines, within its bounds.
func (m *Model) scrollBy(n int) {
	_, _, maxScroll := m.layout()
	m.scroll = min(max(m.scroll+n, 0), maxScroll)
}

// page is how far pgdn/pgup move the context: its window less one line,
// so no line is ever skipped (half the terminal's height skipped lines
// when the choices below left the context fewer rows than that).
func (m *Model) page() int {
	_, room, _ := m.layout()
	_, main := m.body(max(m.width, 20))
	return max(room-lipgloss.Height(main)-2, 1)
}

// body is the current screen below the header: context (what was
// answered, instructions, results) and main (the field or the choices).
func (m *Model) body(w int) (context, main string) {
	tw := min(w, 100) - 2
	switch m.mode {
	case modeQuestion:
		context, main = m.stepContext(tw), m.form.View()
	case modeRunning:
		context, main = m.stepSummary(m.state(), tw), m.runningView(tw)
	case modeBlocked:
		context, main = m.blockedContext(tw), m.menu.View()
	case modeFinishing:
		main = m.spin.View() + " " + m.words.T("tui.finish.running")
	case modeKeyring:
		context, main = m.keyringView(tw), m.menu.View()
	case modeDone:
		context = m.doneView(tw) // scrollable: long paths wrap
		if m.menu != nil {
			main = m.menu.View()
		}
	case modeQuit:
		context, main = m.quitContext(tw), m.quitForm.View()
	case modeResume:
		context, main = m.resumeView(tw), m.menu.View()
	}
	return m.withEntityLine(context, tw), main
}

// header is "jobmail  ✓ 1 Forwarding  ● 2 Connection  ○ 3 …" and a rule.
// When the names do not fit, the program name goes first, then the
// names of the steps other than the current one ("✓ 1  ● 2 Connection  ○ 3").
func (m *Model) header(w int) string {
	cur := m.state().Index()
	steps := func(names bool) []string {
		var parts []string
		for i, s := range wizard.States[:4] {
			label := string(rune('1' + i))
			if names || i == cur {
				label += " " + m.words.Step(s)
			}
			switch {
			case i < cur && s == wizard.StatePrerequisites && m.prereqWarned():
				parts = append(parts, m.st.warn.Render(markWarn+" "+label)) // as the checklist says
			case i < cur:
				parts = append(parts, m.st.stepDone.Render(markOK+" "+label))
			case i == cur:
				parts = append(parts, m.st.stepNow.Render("● "+label))
			default:
				parts = append(parts, m.st.stepTodo.Render("○ "+label))
			}
		}
		return parts
	}
	line := strings.Join(append([]string{m.st.title.Render("jobmail")}, steps(true)...), "  ")
	if lipgloss.Width(line) > w {
		line = strings.Join(steps(true), "  ")
	}
	if lipgloss.Width(line) > w {
		line = strings.Join(append([]string{m.st.title.Render("jobmail")}, steps(false)...), "  ")
	}
	return line + "\n" + m.st.rule.Render(strings.Repeat("─", w))
}

// prereqWarned reports whether a prerequisite was not confirmed or a check
// warned: the header then marks the step "!", never ✓, as its checklist
// does.
func (m *Model) prereqWarned() bool {
	for _, c := range m.checks {
		if !c.OK {
			return true
		}
	}
	for _, ok := range m.s.Mailbox().Prerequisites {
		if !ok {
			return true
		}
	}
	return false
}

// The full-screen mode's huh forms: built with the wizard's look and
// measured again whenever what they show or the terminal changes.

func (m *Model) resizeForms() {
	m.wrapField()
	for _, f := range []*huh.Form{m.form, m.menu, m.quitForm, m.sign.form} {
		if f != nil {
			f.WithWidth(m.formWidth())
			m.relayout(f)
		}
	}
}

// relayout makes the form measure itself again. huh sizes a group's
// viewport only on a window-size message, from the content of that
// moment; a field that wraps differently, or an error that appears below
// it, would otherwise be cut off.
func (m *Model) relayout(f *huh.Form) {
	if f == nil || f.State != huh.StateNormal {
		return
	}
	fm, _ := f.Update(tea.WindowSizeMsg{Width: m.formWidth(), Height: max(m.height-4, 6)})
	_ = fm
}

func (m *Model) formWidth() int { return max(min(m.width, 100)-2, 20) }

// newMenu is a one-select form over m.choice that keeps its choices as
// data (menuTitle, menuOpts) for the accessible mode.
func (m *Model) newMenu(title string, opts []huh.Option[string]) *huh.Form {
	m.menuTitle, m.menuOpts = title, opts
	return m.newForm(huh.NewSelect[string]().Title(title).Options(opts...).Value(&m.choice))
}

// newForm is a one-group form with the wizard's look: huh's own help
// line is off (the wizard draws one for the whole screen).
func (m *Model) newForm(fields ...huh.Field) *huh.Form {
	f := huh.NewForm(huh.NewGroup(fields...)).
		WithTheme(formTheme()).
		WithShowHelp(false).
		WithShowErrors(true).
		WithWidth(m.formWidth())
	m.relayout(f)
	return f
}
