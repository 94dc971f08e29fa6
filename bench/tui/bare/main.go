// Command bare is the floor for bench/tui: a bubbletea program with
// nothing else, which draws one full 80×24 frame in the alternate screen
// (a styled header, a body, the help line last, as the wizard does) and
// waits for ctrl+c.
package main

import (
	"fmt"
	"os"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

type model struct{ w, h int }

func (m model) Init() tea.Cmd { return nil }

func (m model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.w, m.h = msg.Width, msg.Height
	case tea.KeyPressMsg:
		if msg.String() == "ctrl+c" {
			return m, tea.Quit
		}
	}
	return m, nil
}

var (
	title = lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("12"))
	faint = lipgloss.NewStyle().Faint(true)
)

func (m model) View() tea.View {
	if m.h == 0 {
		return tea.NewView("")
	}
	var b strings.Builder
	b.WriteString(title.Render("Forwarding · Connection · Prerequisites · Test") + "\n")
	b.WriteString(strings.Repeat("─", m.w) + "\n")
	for i := 0; i < m.h-4; i++ {
		fmt.Fprintf(&b, "  line %d of a bare bubbletea frame\n", i+1)
	}
	b.WriteString("\n" + faint.Render("enter next · ctrl+c quit"))
	v := tea.NewView(b.String())
	v.AltScreen = true
	return v
}

func main() {
	if _, err := tea.NewProgram(model{}).Run(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
