package tui

import (
	"fmt"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/jobmail/jobmail/wizard"
	"github.com/jobmail/jobmail/wizard/setupfile"
)

// Subsidiaries (legal entities). Once the company's connection passed and
// its files are written, the done screen offers to add one: the
// machine's entity session (wizard.NewEntitySession) asks its name and
// address and, unless the address is left empty (the company's settings),
// the mailbox's own steps with the company's settings as defaults. Each
// finished entity is saved with the setup file at once, its login in the
// keyring, so stopping later loses nothing that was finished.

// entityRun is the subsidiary being added.
type entityRun struct {
	index int // in Setup.Entities
}

// doneState is the done screen as it was before a subsidiary was started,
// to return to when it is left or needs no connection of its own.
type doneState struct {
	s   *wizard.Session
	fin finishedMsg
}

// The choices of the done screen.
const (
	choiceFinish = "finish"
	choiceEntity = "entity"
)

func (m *Model) showDoneMenu() tea.Cmd {
	m.choice = choiceFinish // first: enter ends the run, as it always did
	m.menu = m.newMenu(m.words.T("tui.diag.choose"), []huh.Option[string]{
		huh.NewOption(m.words.T("tui.entity.finish"), choiceFinish),
		huh.NewOption(m.words.T("tui.entity.add"), choiceEntity),
	})
	return m.menu.Init()
}

func (m *Model) onDoneChoice() tea.Cmd {
	if m.choice == choiceEntity {
		return m.startEntity()
	}
	return tea.Quit
}

// startEntity appends an empty subsidiary and starts the machine's
// session that asks for it (wizard.NewEntitySession): its name, its
// address, then the mailbox's own steps with the company's settings as
// defaults.
func (m *Model) startEntity() tea.Cmd {
	m.beforeEnt = &doneState{s: m.s, fin: m.fin}
	m.scroll, m.notice = 0, ""
	setup := m.company.Setup
	setup.Entities = append(setup.Entities, setupfile.Entity{})
	i := len(setup.Entities) - 1
	m.entity = &entityRun{index: i}
	m.s = wizard.NewEntitySession(setup, i, true)
	m.s.Getenv = m.cfg.Getenv
	m.checks, m.stages, m.blocked = nil, nil, nil
	m.fin, m.sign = finishedMsg{}, signIn{}
	m.det = detection{}
	m.stopDiscovery()
	return m.advance()
}

// entityName is the name given to the subsidiary being added, so far.
func (m *Model) entityName() string {
	if m.entity == nil {
		return ""
	}
	return m.company.Setup.Entities[m.entity.index].Name
}

// entityArgs are the placeholders of the subsidiary texts.
func (m *Model) entityArgs() map[string]string {
	a := m.args()
	a["company"] = m.company.Mailbox().Address
	if n := m.entityName(); n != "" {
		a["name"] = n
	}
	return a
}

// inheritEntity keeps an entity without an address of its own (the
// machine's session is done: it uses the company's settings), name only.
func (m *Model) inheritEntity() tea.Cmd {
	name := m.entityName()
	m.restoreDone()
	return m.saveSetup(m.words.T("tui.entity.inherits", map[string]string{"name": name}))
}

// leaveEntity drops the subsidiary being added and shows the done screen
// as it was (esc on its name; quitting during its steps).
func (m *Model) leaveEntity() tea.Cmd {
	m.dropEntity()
	m.restoreDone()
	m.mode = modeDone
	return m.showDoneMenu()
}

// dropEntity removes an unfinished subsidiary from the setup: what is
// written stays as it was.
func (m *Model) dropEntity() {
	if m.entity == nil {
		return
	}
	setup := m.company.Setup
	if m.entity.index < len(setup.Entities) {
		setup.Entities = slices.Delete(setup.Entities, m.entity.index, m.entity.index+1)
	}
	m.entity = nil
}

func (m *Model) restoreDone() {
	m.stopDiscovery()
	m.entity = nil
	if b := m.beforeEnt; b != nil {
		m.s, m.fin = b.s, b.fin
	}
	m.beforeEnt, m.blocked, m.q = nil, nil, nil
}

// withEntityLine puts "Subsidiary: <name>" above the context of the
// entity's steps, so the steps are not taken for the company's.
func (m *Model) withEntityLine(context string, w int) string {
	if m.entityName() == "" {
		return context
	}
	line := m.st.bold.Render(wrap(m.words.T("tui.entity.current", m.entityArgs()), w))
	if context == "" {
		return line
	}
	return line + "\n\n" + context
}

// entityList names the subsidiaries in the setup and whose settings they
// use, for the done and name screens.
func (m *Model) entityList(w int) string {
	es := m.company.Setup.Entities
	if len(es) == 0 {
		return ""
	}
	lines := []string{m.st.bold.Render(m.words.T("tui.entity.list"))}
	for i, e := range es {
		if m.entity != nil && i == m.entity.index {
			continue
		}
		args := map[string]string{"name": e.Name, "address": e.Address}
		id := "tui.entity.own"
		if e.Address == "" {
			id = "tui.entity.shared"
		}
		lines = append(lines, hanging("• ", m.words.T(id, args), w))
	}
	if len(lines) == 1 {
		return ""
	}
	return strings.Join(lines, "\n")
}

type setupSavedMsg struct {
	note string
	err  error
}

// saveSetup writes the setup file and the export (file I/O: in a
// command) and then shows the done screen with note.
func (m *Model) saveSetup(note string) tea.Cmd {
	m.mode = modeFinishing
	cfg, setup, tested := m.cfg, m.company.Setup, slices.Clone(m.tested)
	work := func() tea.Msg {
		if err := setupfile.Save(cfg.SetupPath, setup); err != nil {
			return setupSavedMsg{err: fmt.Errorf("write setup file: %w", err)}
		}
		if cfg.WriteExport != nil && cfg.ExportPath != "" {
			if err := cfg.WriteExport(cfg.ExportPath, setup, tested); err != nil {
				return setupSavedMsg{err: fmt.Errorf("write export: %w", err)}
			}
		}
		return setupSavedMsg{note: note}
	}
	return tea.Batch(m.startSpinner(), m.writes.do(work))
}

func (m *Model) onSetupSaved(msg setupSavedMsg) tea.Cmd {
	m.mode, m.scroll = modeDone, 0
	m.notice = msg.note
	if msg.err != nil {
		m.notice = msg.err.Error()
		m.result.Err = msg.err
	}
	return m.showDoneMenu()
}
