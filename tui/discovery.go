package tui

import (
	"context"
	"strconv"

	tea "charm.land/bubbletea/v2"

	"github.com/jobmail/jobmail/providers/discover"
	"github.com/jobmail/jobmail/wizard"
)

// discovery is jobmail doctor's server discovery for the mailbox's
// address, run in a command while the person answers steps 1 and 2. Its
// recommended server becomes the session's Suggested, which the machine
// uses to prefill host, security and port.
type discovery struct {
	address string
	running bool
	done    bool
	rec     *discover.Choice // the recommended server; nil: none found
	ready   bool             // it works with a verified TLS connection
	cancel  context.CancelFunc
	pending *wizard.Server // learnt while an action owned the session
}

type discoveredMsg struct {
	address string
	server  wizard.Server
	err     error
}

// discover starts the discovery for the mailbox's address unless it
// already ran for it or is turned off. It never blocks: the verdict
// arrives as a message.
func (m *Model) discover() tea.Cmd {
	addr := m.s.DetectAddress()
	d := m.detector()
	if d.NoDiscover || addr == "" || addr == m.disc.address {
		return nil
	}
	m.stopDiscovery()
	ctx, cancel := context.WithCancel(m.ctx)
	m.disc = discovery{address: addr, running: true, cancel: cancel}
	setup := m.s.Setup
	run := func() tea.Msg {
		defer cancel()
		sv, err := d.LookupServer(ctx, setup, addr)
		return discoveredMsg{address: addr, server: sv, err: err}
	}
	return tea.Batch(m.startSpinner(), run)
}

// stopDiscovery cancels a discovery still running (another address, a
// subsidiary, the end of the run).
func (m *Model) stopDiscovery() {
	if m.disc.cancel != nil {
		m.disc.cancel()
	}
	m.disc = discovery{}
}

// onDiscovered keeps the verdict and hands its server to the machine.
func (m *Model) onDiscovered(msg discoveredMsg) tea.Cmd {
	if msg.address != m.disc.address || !m.disc.running {
		return nil // another address (or mailbox) meanwhile
	}
	m.disc.running, m.disc.done = false, true
	if msg.server.Recommended == nil {
		return nil
	}
	m.disc.rec, m.disc.ready = msg.server.Recommended, msg.server.Ready
	if m.mode == modeRunning {
		sv := msg.server
		m.disc.pending = &sv
		return nil
	}
	m.s.RecordServer(msg.address, msg.server)
	return m.refreshPrefill()
}

// refreshPrefill asks the question on screen again when its default has
// changed (a provider or a server was found) and the person has not
// touched it yet.
func (m *Model) refreshPrefill() tea.Cmd {
	if m.mode != modeQuestion || !m.untouched() {
		return nil
	}
	if st := m.s.Next(); st.Question != nil && st.Question.Key == m.q.Key && st.Question.Value != m.q.Value {
		return m.ask(*st.Question)
	}
	return nil
}

// discoveryLine tells what the discovery found: a spinner while it runs,
// then the server with its port and encryption (and what still stands in
// its way when it is only the best of bad options).
func (m *Model) discoveryLine(w int, none bool) string {
	args := m.args()
	switch {
	case m.disc.running:
		return m.spin.View() + " " + indent(wrap(m.words.T("tui.discover.running", args), w-2), "  ")[2:]
	case m.disc.rec != nil:
		r := m.disc.rec
		args["host"], args["port"] = r.Host, strconv.Itoa(r.Port)
		args["security"] = m.words.Security(r.Security)
		s := m.st.ok.Render(markOK) + " " + indent(wrap(m.words.T("tui.discover.found", args), w-2), "  ")[2:]
		if !m.disc.ready && r.Diagnosis != nil {
			d := *r.Diagnosis
			if d.Args == nil {
				d.Args = args
			}
			s += "\n" + m.st.warn.Render(wrap(markWarn+" "+m.words.Diagnosis(d).Title, w))
		}
		return s
	case m.disc.done && none:
		return m.st.faint.Render(wrap(m.words.T("tui.discover.none", args), w))
	}
	return ""
}

// discoveryMatters reports whether the step shows the discovery: the
// channel step, and the SMTP questions of step 3.
func (m *Model) discoveryMatters() bool {
	if m.q == nil || m.detector().NoDiscover {
		return false
	}
	return m.s.ShowsDiscovery(*m.q)
}
