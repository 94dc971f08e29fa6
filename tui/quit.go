package tui

import (
	"fmt"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/jobmail/jobmail/wizard"
	"github.com/jobmail/jobmail/wizard/setupfile"
)

type progressSavedMsg struct {
	path string // "" when there was nothing to save
	err  error
}

// askQuit asks before quitting, saying that the answers are kept.
func (m *Model) askQuit() tea.Cmd {
	m.prevMode = m.mode
	m.mode = modeQuit
	m.quitYes = true
	args := map[string]string{"path": m.cfg.SetupPath}
	help := m.words.T("tui.quit.help", args)
	if m.entity != nil {
		args["name"] = m.entityName()
		help = m.words.T("tui.entity.quit_help", args)
	}
	m.quitForm = m.newForm(huh.NewConfirm().
		Title(m.words.T("tui.quit.title")).
		Description(help).
		Affirmative(m.words.T("tui.quit.yes")).
		Negative(m.words.T("tui.quit.no")).
		Value(&m.quitYes))
	return m.quitForm.Init()
}

func (m *Model) quitContext(w int) string {
	if m.prevMode == modeQuestion && m.q != nil {
		return m.stepSummary(m.q.State, w)
	}
	return ""
}

func (m *Model) onQuitAnswer() tea.Cmd {
	if !m.quitYes {
		m.mode = m.prevMode
		return nil
	}
	return m.quitNow()
}

// quitNow saves the progress (the answers, never a secret) and ends the
// program once it is written.
func (m *Model) quitNow() tea.Cmd {
	save := m.prepareQuit()
	m.quitSave = save
	m.mode = modeFinishing
	return tea.Batch(m.startSpinner(), m.writes.do(func() tea.Msg { return save() }))
}

// prepareQuit sets how the run ended and where it stopped; the function
// it returns writes the progress (file I/O: call it off the UI goroutine).
func (m *Model) prepareQuit() func() progressSavedMsg {
	m.stopDiscovery()
	if m.entity != nil {
		// The company (and every finished subsidiary) is written already;
		// the unfinished subsidiary is dropped rather than saved half done.
		m.dropEntity()
		path := m.result.SetupPath
		return func() progressSavedMsg { return progressSavedMsg{path: path} }
	}
	st, field := m.progressPoint()
	m.result = Result{Outcome: OutcomeQuit}
	if m.blocked != nil {
		if m.blocked.state == wizard.StateTest {
			m.result.Outcome = OutcomeTestFailed
		} else {
			m.result.Outcome = OutcomePrereqFail
		}
	}
	if m.fin.keyErr != nil {
		m.result.Outcome, m.result.Err = OutcomeSecretsFail, m.fin.keyErr
	}
	if m.s.Mailbox().Address == "" && m.s.Setup.Platform.Account == "" {
		return func() progressSavedMsg { return progressSavedMsg{} } // nothing worth keeping
	}
	m.s.Setup.Progress = &setupfile.Progress{Step: string(st), Field: field}
	path, setup := m.cfg.SetupPath, m.s.Setup
	return func() progressSavedMsg {
		if err := setupfile.Save(path, setup); err != nil {
			return progressSavedMsg{err: fmt.Errorf("save progress: %w", err)}
		}
		return progressSavedMsg{path: path}
	}
}

// progressPoint is where a resumed run should continue.
func (m *Model) progressPoint() (wizard.State, string) {
	mo := m.mode
	if mo == modeQuit {
		mo = m.prevMode
	}
	switch {
	case mo == modeQuestion && m.q != nil:
		return m.q.State, m.q.Key
	case m.blocked != nil:
		return m.blocked.state, m.blocked.d.Field
	case mo == modeKeyring:
		return wizard.StateTest, ""
	}
	return m.state(), ""
}

func (m *Model) onProgressSaved(msg progressSavedMsg) tea.Cmd {
	m.result.SetupPath = msg.path
	if msg.err != nil && m.result.Err == nil {
		m.result.Err = msg.err
	}
	return tea.Quit
}

// The choices of the resume screen.
const (
	choiceResume  = "resume"
	choiceRestart = "restart"
)

func (m *Model) showResume() tea.Cmd {
	m.mode = modeResume
	m.choice = choiceResume
	args := m.resumeArgs()
	m.menu = m.newForm(huh.NewSelect[string]().
		Title(m.words.T("tui.resume.title", args)).
		Options(
			huh.NewOption(m.words.T("tui.resume.resume", args), choiceResume),
			huh.NewOption(m.words.T("tui.resume.restart", args), choiceRestart),
		).
		Value(&m.choice))
	return m.menu.Init()
}

func (m *Model) resumeArgs() map[string]string {
	a := m.args()
	a["path"] = m.cfg.SetupPath
	a["step"] = m.words.Step(wizard.State(m.resume.Step))
	return a
}

func (m *Model) resumeView(w int) string {
	return wrap(m.words.T("tui.resume.help", m.resumeArgs()), w)
}

func (m *Model) onResumeChoice() tea.Cmd {
	p := *m.resume
	m.resume = nil
	m.s.Setup.Progress = nil
	if m.choice == choiceResume {
		m.fastForward(p)
	}
	return m.advance()
}

// fastForward answers the saved answers again, through the machine's own
// validation, up to the saved point. It stops early at the first answer
// the machine refuses (or one it must ask anyway, like the password),
// which is then asked with its value prefilled.
func (m *Model) fastForward(p setupfile.Progress) {
	target := wizard.State(p.Step)
	if target.Index() < 0 {
		return
	}
	for range 200 { // far more questions than any branch has
		st := m.s.Next()
		if a := st.Action; a != nil && a.Kind == wizard.ActionDetect {
			m.s.DeferDetect() // its lookups start with the screen after
			continue
		}
		q := st.Question
		if q == nil || q.State.Index() > target.Index() ||
			(q.State == target && (p.Field == "" || q.Key == p.Field)) {
			return
		}
		if q.Kind == wizard.KindPassword || m.s.Answer(q.Key, q.Value) != nil {
			return
		}
		m.ans = newAnswer(*q)
		m.q = q
	}
}
