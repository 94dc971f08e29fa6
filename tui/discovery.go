package tui

import (
	"context"
	"strconv"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/jobmail/jobmail/providers"
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
	pending *wizard.SMTP // learnt while an action owned the session
}

type discoveredMsg struct {
	address string
	rep     *discover.Report
	err     error
}

// discover starts the discovery for the mailbox's address unless it
// already ran for it or is turned off. It never blocks: the verdict
// arrives as a message.
func (m *Model) discover() tea.Cmd {
	addr := m.s.Mailbox().Address
	if m.cfg.NoDiscover || addr == "" || addr == m.disc.address {
		return nil
	}
	m.stopDiscovery()
	opts := m.discoverOptions()
	// Run bounds itself by ProbeTimeout; the extra second only guards
	// against a resolver that ignores its context.
	ctx, cancel := context.WithTimeout(m.ctx, opts.ProbeTimeout+time.Second)
	m.disc = discovery{address: addr, running: true, cancel: cancel}
	run := func() tea.Msg {
		defer cancel()
		rep, err := discover.Run(ctx, addr, opts)
		return discoveredMsg{address: addr, rep: rep, err: err}
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

func (m *Model) discoverOptions() discover.Options {
	var o discover.Options
	if m.cfg.Discover != nil {
		o = *m.cfg.Discover
	}
	if o.ProbeTimeout <= 0 {
		o.ProbeTimeout = DiscoverBudget
	}
	if o.OutgoingIPs == nil {
		o.OutgoingIPs = m.s.Setup.Platform.OutgoingIPs
		if len(o.OutgoingIPs) == 0 {
			o.OutgoingIPs = wizard.DefaultOutgoingIPs
		}
	}
	return o
}

// onDiscovered keeps the verdict and hands its server to the machine.
func (m *Model) onDiscovered(msg discoveredMsg) tea.Cmd {
	if msg.address != m.disc.address || !m.disc.running {
		return nil // another address (or mailbox) meanwhile
	}
	m.disc.running, m.disc.done = false, true
	if msg.rep == nil || msg.rep.Verdict.Recommended == nil {
		return nil
	}
	rec := msg.rep.Verdict.Recommended
	m.disc.rec, m.disc.ready = rec, msg.rep.Verdict.Ready
	sug := suggestion(rec)
	if m.mode == modeRunning {
		m.disc.pending = &sug
		return nil
	}
	m.s.Suggested = sug
	return m.refreshPrefill()
}

func suggestion(c *discover.Choice) wizard.SMTP {
	return wizard.SMTP{Host: c.Host, Port: c.Port, Security: string(c.Security), Username: c.Username}
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
	if m.q == nil || m.cfg.NoDiscover {
		return false
	}
	switch m.q.Field {
	case "channel":
		return true
	case "smtp.host", "smtp.security", "smtp.port":
		return m.s.Mailbox().ChannelID() == providers.ChannelSMTP
	}
	return false
}
