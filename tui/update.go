package tui

import (
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/jobmail/jobmail/wizard"
)

// The full-screen mode's update: messages and keys reach the screen on
// screen, and what they complete goes back to the driver loop (advance).

// Update handles one message.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.resizeForms()
		return m, nil
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, m.keys.PageDown):
			m.scrollBy(m.page())
			return m, nil
		case key.Matches(msg, m.keys.PageUp):
			m.scrollBy(-m.page())
			return m, nil
		}
		return m, m.onKey(msg)
	case spinner.TickMsg:
		return m, m.onTick(msg)
	case detectedMsg:
		return m, m.onDetected(msg)
	case stageMsg:
		return m, m.onStage(msg)
	case signInMsg:
		return m, m.onSignIn(msg)
	case deviceTickMsg:
		return m, m.onDeviceTick(msg)
	case discoveredMsg:
		return m, m.onDiscovered(msg)
	case setupSavedMsg:
		return m, m.onSetupSaved(msg)
	case actionDoneMsg:
		return m, m.onActionDone(msg)
	case finishedMsg:
		return m, m.onFinished(msg)
	case reportSavedMsg:
		return m, m.onReportSaved(msg)
	case progressSavedMsg:
		return m, m.onProgressSaved(msg)
	}
	return m, m.updateActiveForm(msg)
}

// onKey routes a key: the wizard's own keys first, the rest to the form.
func (m *Model) onKey(k tea.KeyPressMsg) tea.Cmd {
	switch m.mode {
	case modeQuestion:
		switch {
		case key.Matches(k, m.keys.Quit):
			return m.askQuit()
		case key.Matches(k, m.keys.Back):
			return m.back()
		case key.Matches(k, m.keys.PrevStep):
			if m.entity != nil && m.q != nil && m.q.State.Index() == 0 {
				return m.leaveEntity() // before its first step: not adding it after all
			}
			return m.prevStep()
		}
	case modeRunning:
		if m.run != nil && m.run.action.Kind == wizard.ActionAuthorize {
			if key.Matches(k, m.keys.Quit) || key.Matches(k, m.keys.PrevStep) {
				m.cancelSignIn()
				return nil
			}
			// c copies the link (ctrl+y too, which the paste field leaves alone)
			if key.Matches(k, m.keys.CopyLink) || (k.String() == "c" && (m.sign.form == nil || m.sign.submitted)) {
				return m.copyLink()
			}
			return m.updatePaste(k)
		}
		if key.Matches(k, m.keys.Quit) {
			m.cancelAction()
		}
		return nil
	case modeBlocked, modeKeyring, modeResume:
		if key.Matches(k, m.keys.Quit) {
			return m.askQuit()
		}
		if m.mode == modeBlocked && key.Matches(k, m.keys.PrevStep) {
			return m.prevStepFrom(m.blocked.state)
		}
	case modeQuit:
		if key.Matches(k, m.keys.Quit) { // a second ctrl+c: quit at once
			m.quitYes = true
			return m.quitNow()
		}
		if key.Matches(k, m.keys.PrevStep) {
			m.mode = m.prevMode
			return nil
		}
	case modeDone:
		if key.Matches(k, m.keys.Exit) && (m.menu == nil || !key.Matches(k, m.keys.Next)) {
			return tea.Quit
		}
	case modeFinishing:
		return nil
	}
	return m.updateActiveForm(k)
}

// updateActiveForm hands msg to the form on screen and reacts when the
// form is submitted.
func (m *Model) updateActiveForm(msg tea.Msg) tea.Cmd {
	var f **huh.Form
	switch m.mode {
	case modeRunning:
		return m.updatePaste(msg)
	case modeQuestion:
		f = &m.form
	case modeBlocked, modeKeyring, modeResume, modeDone:
		f = &m.menu
	case modeQuit:
		f = &m.quitForm
	default:
		return nil
	}
	if *f == nil {
		return nil
	}
	fm, cmd := (*f).Update(msg)
	*f = fm.(*huh.Form)
	m.relayout(*f)
	if (*f).State != huh.StateCompleted {
		return cmd
	}
	switch m.mode {
	case modeQuestion:
		return tea.Batch(cmd, m.answered())
	case modeBlocked:
		return tea.Batch(cmd, m.onBlockedChoice())
	case modeKeyring:
		return tea.Batch(cmd, m.onKeyringChoice())
	case modeResume:
		return tea.Batch(cmd, m.onResumeChoice())
	case modeDone:
		return tea.Batch(cmd, m.onDoneChoice())
	case modeQuit:
		return tea.Batch(cmd, m.onQuitAnswer())
	}
	return cmd
}
