package tui

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/jobmail/jobmail/wizard"
)

// Subsidiaries (legal entities). Once the company's connection passed and
// its files are written, the done screen offers to add one: its name
// first (the machine has no question for it: an entity's name is not a
// mailbox setting), then the machine's own steps for the entity's mailbox
// (NewMailboxSession on setup.Entities[i]), prefilled from the company.
// An empty address means the entity uses the company's settings; then
// nothing else is asked. Each finished entity is saved with the setup
// file at once, its login in the keyring, so stopping later loses nothing
// that was finished.

// entityRun is the subsidiary being added.
type entityRun struct {
	index int // in Setup.Entities
	name  string
}

// doneState is the done screen as it was before a subsidiary was started,
// to return to when it is left or needs no connection of its own.
type doneState struct {
	s       *wizard.Session
	fin     finishedMsg
	history []asked
}

// The choices of the done screen.
const (
	choiceFinish = "finish"
	choiceEntity = "entity"
)

func (m *Model) showDoneMenu() tea.Cmd {
	m.choice = choiceFinish // first: enter ends the run, as it always did
	m.menu = m.newForm(huh.NewSelect[string]().
		Title(m.words.T("tui.diag.choose")).
		Options(
			huh.NewOption(m.words.T("tui.entity.finish"), choiceFinish),
			huh.NewOption(m.words.T("tui.entity.add"), choiceEntity),
		).
		Value(&m.choice))
	return m.menu.Init()
}

func (m *Model) onDoneChoice() tea.Cmd {
	if m.choice == choiceEntity {
		return m.askEntityName()
	}
	return tea.Quit
}

// askEntityName asks the subsidiary's name, validated as the setup file
// validates it (wizard.ValidateEntityName) and unique among the entities.
func (m *Model) askEntityName() tea.Cmd {
	m.beforeEnt = &doneState{s: m.s, fin: m.fin, history: m.history}
	m.mode, m.scroll, m.notice = modeEntityName, 0, ""
	m.entityName = ""
	m.entityForm = m.newForm(huh.NewInput().
		Title(m.words.T("tui.entity.name_title")).
		Description(m.words.T("tui.entity.name_help", map[string]string{"platform": m.company.Setup.PlatformName()})).
		Value(&m.entityName).
		Validate(m.validateEntityName))
	return m.entityForm.Init()
}

func (m *Model) validateEntityName(v string) error {
	if err := m.company.Setup.ValidateNewEntityName(v); err != nil {
		var fe *wizard.FieldError
		if errors.As(err, &fe) {
			return errors.New(m.words.Field(fe))
		}
		return err
	}
	return nil
}

// entityContext lists the subsidiaries already in the setup.
func (m *Model) entityContext(w int) string { return m.entityList(w) }

// onEntityName appends the entity and starts its mailbox's session.
func (m *Model) onEntityName() tea.Cmd {
	setup := m.company.Setup
	name := strings.TrimSpace(m.entityName)
	setup.Entities = append(setup.Entities, wizard.Entity{Name: name})
	i := len(setup.Entities) - 1
	m.entity = &entityRun{index: i, name: name}
	m.s = wizard.NewMailboxSession(setup, "entities["+strconv.Itoa(i)+"]", &setup.Entities[i].Mailbox, true)
	m.history, m.checks, m.stages, m.blocked = nil, nil, nil, nil
	m.fin, m.sign = finishedMsg{}, signIn{}
	m.det = detection{}
	m.stopDiscovery()
	return m.advance()
}

// entityArgs are the placeholders of the subsidiary texts.
func (m *Model) entityArgs() map[string]string {
	a := m.args()
	a["company"] = m.company.Mailbox().Address
	if m.entity != nil {
		a["name"] = m.entity.name
	}
	return a
}

// prefillEntity gives the entity's mailbox the company's answers as
// prefills once its address is known: the sender name always; on the
// company's own domain also the channel and the server (host, port,
// encryption, CA file), which a subsidiary there almost always shares;
// and the direct integration's app settings (client id, tenant,
// endpoints). Logins are never copied: a login belongs to one mailbox.
func (m *Model) prefillEntity() {
	c, e := m.company.Mailbox(), m.s.Mailbox()
	if e.SenderName == "" {
		e.SenderName = c.SenderName
	}
	if domainOf(e.Address) == domainOf(c.Address) {
		if e.Channel == "" {
			e.Channel = c.Channel
		}
		if c.SMTP != nil && e.SMTP == nil && c.Channel == e.Channel {
			e.SMTP = &wizard.SMTP{Host: c.SMTP.Host, Port: c.SMTP.Port, Security: c.SMTP.Security, CAFile: c.SMTP.CAFile}
		}
	}
	if c.Google != nil && e.Google == nil {
		g := *c.Google
		g.RefreshToken = ""
		e.Google = &g
	}
	if c.Microsoft != nil && e.Microsoft == nil {
		ms := *c.Microsoft
		ms.RefreshToken = ""
		e.Microsoft = &ms
	}
}

// inheritEntity keeps an entity without an address of its own: it uses
// the company's settings, so it is written as it is, name only.
func (m *Model) inheritEntity() tea.Cmd {
	e := &m.company.Setup.Entities[m.entity.index]
	e.Mailbox = wizard.Mailbox{SenderName: e.SenderName}
	name := m.entity.name
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
		m.s, m.fin, m.history = b.s, b.fin, b.history
	}
	m.beforeEnt, m.blocked, m.q = nil, nil, nil
}

// withEntityLine puts "Subsidiary: <name>" above the context of the
// entity's steps, so the steps are not taken for the company's.
func (m *Model) withEntityLine(context string, w int) string {
	if m.entity == nil || m.mode == modeEntityName {
		return context
	}
	line := m.st.bold.Render(truncateLines(m.words.T("tui.entity.current", m.entityArgs()), w))
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
		if err := wizard.Save(cfg.SetupPath, setup); err != nil {
			return setupSavedMsg{err: fmt.Errorf("write setup file: %w", err)}
		}
		if cfg.WriteExport != nil && cfg.ExportPath != "" {
			if err := cfg.WriteExport(cfg.ExportPath, setup, tested); err != nil {
				return setupSavedMsg{err: fmt.Errorf("write export: %w", err)}
			}
		}
		return setupSavedMsg{note: note}
	}
	return tea.Batch(m.startSpinner(), work)
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
