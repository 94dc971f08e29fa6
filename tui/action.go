package tui

import (
	"context"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/wizard"
)

// actionRun is one action of the machine running in a command. From its
// start until its actionDoneMsg arrives the session belongs to it: the
// UI only draws stage lines from the events.
type actionRun struct {
	id       int
	action   wizard.Action
	cancel   context.CancelFunc
	events   chan providers.StageEvent
	done     chan struct{}
	canceled bool
}

type stageMsg struct {
	run int
	ev  providers.StageEvent
}

type actionDoneMsg struct {
	run int
	err error
}

// stageLine is one live-test stage on screen.
type stageLine struct {
	name providers.StageName
	done bool
	ok   bool
	dur  time.Duration
}

// startAction runs a in a command with a cancellable context; stage
// events reach the UI through a channel the observer never blocks on.
func (m *Model) startAction(a wizard.Action) tea.Cmd {
	m.runSeq++
	ctx, cancel := context.WithCancel(m.ctx)
	r := &actionRun{id: m.runSeq, action: a, cancel: cancel,
		events: make(chan providers.StageEvent, 256), done: make(chan struct{})}
	m.run, m.mode, m.notice, m.scroll = r, modeRunning, "", 0
	switch a.Kind {
	case wizard.ActionTest:
		m.stages = nil
	case wizard.ActionCheck:
		m.checks = nil
	}
	env, s := m.cfg.Env, m.s
	if a.Kind == wizard.ActionAuthorize && env != nil {
		env = withMode(env, m.signInOverride)
		m.beginSignIn(env)
	}
	obs := func(ev providers.StageEvent) {
		select {
		case r.events <- ev:
		default: // never block the tester; the result's stages repair the view
		}
	}
	work := func() tea.Msg {
		defer close(r.done)
		return actionDoneMsg{run: r.id, err: execute(ctx, env, s, a, obs)}
	}
	cmds := []tea.Cmd{m.startSpinner(), work, r.listen()}
	if a.Kind == wizard.ActionAuthorize {
		cmds = append(cmds, m.listenSignIn(r))
	}
	return tea.Batch(cmds...)
}

// listen delivers the next stage event, or nothing once the run is over.
func (r *actionRun) listen() tea.Cmd {
	return func() tea.Msg {
		select {
		case ev := <-r.events:
			return stageMsg{run: r.id, ev: ev}
		case <-r.done:
			return nil
		}
	}
}

func (m *Model) onStage(msg stageMsg) tea.Cmd {
	if m.run == nil || msg.run != m.run.id {
		return nil
	}
	ev := msg.ev
	if !ev.Done {
		m.stages = append(m.stages, stageLine{name: ev.Name})
	} else {
		found := false
		for i := len(m.stages) - 1; i >= 0; i-- {
			if m.stages[i].name == ev.Name && !m.stages[i].done {
				m.stages[i] = stageLine{name: ev.Name, done: true, ok: ev.OK, dur: ev.Duration}
				found = true
				break
			}
		}
		if !found {
			m.stages = append(m.stages, stageLine{name: ev.Name, done: true, ok: ev.OK, dur: ev.Duration})
		}
	}
	return m.run.listen()
}

// cancelAction cancels the running action (ctrl+c during a test). The
// run still reports back; only then does the UI take the session again.
func (m *Model) cancelAction() {
	if m.run != nil && !m.run.canceled {
		m.run.canceled = true
		m.run.cancel()
	}
}

func (m *Model) onActionDone(msg actionDoneMsg) tea.Cmd {
	if m.run == nil || msg.run != m.run.id {
		return nil
	}
	r := m.run
	m.run = nil
	r.cancel()
	if p := m.det.pending; p != nil {
		m.s.RecordProvider(m.s.DetectAddress(), *p)
		m.det.pending = nil
	}
	if p := m.disc.pending; p != nil {
		m.s.RecordServer(m.disc.address, *p)
		m.disc.pending = nil
	}
	if r.action.Kind == wizard.ActionTest && m.s.Result != nil {
		m.stages = m.stages[:0]
		for _, st := range m.s.Result.Stages {
			m.stages = append(m.stages, stageLine{name: st.Name, done: true, ok: st.OK, dur: st.Duration})
		}
	}
	if r.action.Kind == wizard.ActionAuthorize {
		sign := m.sign
		m.sign = signIn{}
		if msg.err != nil && r.canceled {
			m.sign = sign
			if cmd, ok := m.afterSignIn(r.action); ok {
				return cmd
			}
			m.sign = signIn{}
		}
	}
	m.actionEnded(r.action, msg.err, r.canceled)
	// A test that finished before the cancel took hold counts as it is.
	return m.advance()
}

// diagnosisOf is the machine's diagnosis of an error that kept an action
// from running; an action the person canceled is canceled, whatever it
// returned on its way out.
func diagnosisOf(err error, canceled bool) providers.Diagnosis {
	if canceled {
		return providers.Diagnosis{Code: providers.CodeCanceled, Actor: providers.ActorUser}
	}
	return wizard.DiagnosisOf(err)
}

// runningView shows the running action: the checks, the sign-in, or the
// live test with one line per stage.
func (m *Model) runningView(w int) string {
	var b strings.Builder
	switch m.run.action.Kind {
	case wizard.ActionCheck:
		b.WriteString(m.spin.View() + " " + m.words.T("tui.checks.running"))
	case wizard.ActionAuthorize:
		b.WriteString(m.signInView(w))
	case wizard.ActionTest:
		if c := m.checksView(w, true); c != "" {
			b.WriteString(c + "\n\n")
		}
		b.WriteString(m.st.bold.Render(wrap(m.words.T("tui.test.title", m.args()), w)) + "\n")
		b.WriteString(m.stagesView())
	}
	if m.run.canceled && m.run.action.Kind != wizard.ActionAuthorize {
		b.WriteString("\n" + m.st.warn.Render(m.words.T("tui.test.canceling")))
	}
	return b.String()
}

// stagesView is one line per stage: a spinner while it runs, then ✓ and
// its duration, or ✗.
func (m *Model) stagesView() string {
	if len(m.stages) == 0 && m.run != nil {
		return "  " + m.spin.View() + " " + m.words.T("tui.test.starting")
	}
	lines := make([]string, 0, len(m.stages))
	for _, s := range m.stages {
		name := m.words.Stage(s.name)
		switch {
		case !s.done:
			lines = append(lines, "  "+m.spin.View()+" "+name)
		case s.ok:
			lines = append(lines, "  "+m.st.ok.Render(markOK)+" "+padRight(name, 20)+" "+m.st.faint.Render(m.dur(s.dur)))
		default:
			lines = append(lines, "  "+m.st.bad.Render(markBad)+" "+padRight(name, 20)+" "+m.st.faint.Render(m.dur(s.dur)))
		}
	}
	return strings.Join(lines, "\n")
}

// checksView lists the prerequisites with ✓ (passed), ! (warning) or ✗.
// Compact shows only the count when all passed.
func (m *Model) checksView(w int, compact bool) string {
	if len(m.checks) == 0 {
		return ""
	}
	args := m.args()
	var lines []string
	allOK := true
	for _, c := range m.checks {
		t := m.words.Check(c.ID, args).Title
		switch {
		case c.OK:
			lines = append(lines, hangingMark(m.st.ok.Render(markOK), t, w))
		case c.Warning:
			allOK = false
			lines = append(lines, hangingMark(m.st.warn.Render(markWarn), t+m.checkWhy(c), w))
		default:
			allOK = false
			lines = append(lines, hangingMark(m.st.bad.Render(markBad), t+m.checkWhy(c), w))
		}
	}
	if compact && allOK {
		return m.st.ok.Render(markOK) + " " + m.words.T("tui.checks.passed", map[string]string{"count": strconv.Itoa(len(m.checks))})
	}
	return strings.Join(lines, "\n")
}

func (m *Model) checkWhy(c providers.Check) string {
	if c.Diagnosis == nil {
		return ""
	}
	return m.st.faint.Render(" — " + m.words.Diagnosis(*c.Diagnosis).Title)
}

func padRight(s string, n int) string {
	if w := len([]rune(s)); w < n {
		return s + strings.Repeat(" ", n-w)
	}
	return s
}
