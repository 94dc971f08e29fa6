package tui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/lipgloss/v2"

	"github.com/jobmail/jobmail/wizard"
)

// keyMap holds the wizard's own keys. Everything else goes to the huh
// field on screen (enter, arrows, typing), so the help line lists huh's
// keys too, in the catalogue's words.
type keyMap struct {
	Quit     key.Binding // ask to quit; during a test: cancel it
	Back     key.Binding // the previous question, across steps
	PrevStep key.Binding // the start of the previous step
	CopyLink key.Binding // the sign-in link to the clipboard (OSC 52)
	Next     key.Binding // huh: submit the field
	Choose   key.Binding // huh: move in a select
	Toggle   key.Binding // huh: yes/no
	Exit     key.Binding // leave the done screen
	PageUp   key.Binding // scroll the context (instructions, diagnosis)
	PageDown key.Binding
}

func newKeyMap() keyMap {
	return keyMap{
		Quit:     key.NewBinding(key.WithKeys("ctrl+c")),
		Back:     key.NewBinding(key.WithKeys("shift+tab")),
		PrevStep: key.NewBinding(key.WithKeys("esc")),
		CopyLink: key.NewBinding(key.WithKeys("ctrl+y")),
		Next:     key.NewBinding(key.WithKeys("enter")),
		Choose:   key.NewBinding(key.WithKeys("up", "down")),
		Toggle:   key.NewBinding(key.WithKeys("left", "right")),
		Exit:     key.NewBinding(key.WithKeys("enter", "q", "esc", "ctrl+c")),
		PageUp:   key.NewBinding(key.WithKeys("pgup")),
		PageDown: key.NewBinding(key.WithKeys("pgdown")),
	}
}

// helpItem is one "key what" pair of the help line.
type helpItem struct{ key, id string }

// helpLine renders items as "enter next · shift+tab back · esc previous
// step". Items that do not fit the width go on a second line (never cut:
// German and Italian words are long); an item never breaks.
func (m *Model) helpLine(items ...helpItem) string {
	w := max(m.width, 20)
	sep := m.st.help.Render(" · ")
	var lines []string
	line, lw := "", 0
	for _, it := range items {
		part := m.st.key.Render(it.key) + " " + m.st.help.Render(m.words.T(it.id))
		pw := lipgloss.Width(part)
		switch {
		case lw == 0:
			line, lw = part, pw
		case lw+3+pw <= w:
			line, lw = line+sep+part, lw+3+pw
		default:
			lines = append(lines, line)
			line, lw = part, pw
		}
	}
	return strings.Join(append(lines, line), "\n")
}

// help is the help line for the current screen.
func (m *Model) help() string {
	switch m.mode {
	case modeQuestion:
		items := []helpItem{{"enter", "tui.key.next"}}
		if m.q != nil {
			switch m.q.Kind {
			case "select":
				items = append(items, helpItem{"↑/↓", "tui.key.choose"})
			case "confirm":
				items = append(items, helpItem{"←/→", "tui.key.toggle"})
			}
		}
		if m.s.CanPrev() {
			items = append(items, helpItem{"shift+tab", "tui.key.back"})
		}
		switch {
		case m.q != nil && m.q.State.Index() > 0:
			items = append(items, helpItem{"esc", "tui.key.prev_step"})
		case m.entity != nil:
			items = append(items, helpItem{"esc", "tui.key.cancel_entity"})
		}
		return m.helpLine(append(items, helpItem{"ctrl+c", "tui.key.quit"})...)
	case modeRunning:
		if m.run != nil && m.run.action.Kind == wizard.ActionAuthorize {
			items := []helpItem{{"esc/ctrl+c", "tui.key.cancel_signin"}}
			if m.signInURL() != "" {
				copyKey := "c"
				if m.sign.form != nil && !m.sign.submitted {
					copyKey = "ctrl+y" // c goes into the paste field
				}
				items = append([]helpItem{{copyKey, "tui.key.copy_link"}}, items...)
			}
			if m.sign.form != nil && !m.sign.submitted {
				items = append([]helpItem{{"enter", "tui.key.confirm"}}, items...)
			}
			return m.helpLine(items...)
		}
		return m.helpLine(helpItem{"ctrl+c", "tui.key.cancel"})
	case modeBlocked, modeKeyring, modeResume:
		return m.helpLine(helpItem{"↑/↓", "tui.key.choose"}, helpItem{"enter", "tui.key.confirm"},
			helpItem{"ctrl+c", "tui.key.quit"})
	case modeQuit:
		return m.helpLine(helpItem{"←/→", "tui.key.toggle"}, helpItem{"enter", "tui.key.confirm"})
	case modeDone:
		if m.menu != nil {
			return m.helpLine(helpItem{"↑/↓", "tui.key.choose"}, helpItem{"enter", "tui.key.confirm"},
				helpItem{"esc", "tui.key.exit"})
		}
		return m.helpLine(helpItem{"enter", "tui.key.exit"})
	}
	return ""
}
