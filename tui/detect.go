package tui

import (
	"context"

	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"

	"github.com/jobmail/jobmail/wizard"
)

// detection is the state of the MX lookup for the company domain.
type detection struct {
	domain  string
	running bool
	done    bool
	result  Detection
	err     error
	pending *wizard.Provider // learnt while an action owned the session
}

type detectedMsg struct {
	domain string
	result Detection
	err    error
}

// detector is the machine's Detector with this configuration's overrides
// (a fixed MX answer, a test DNS server, discovery off).
func (m *Model) detector() *wizard.Detector {
	var d wizard.Detector
	if e := m.cfg.Env; e != nil && e.Detect != nil {
		d.Provider, d.Discover, d.NoDiscover = e.Detect.Provider, e.Detect.Discover, e.Detect.NoDiscover
	}
	if fn := m.cfg.Detect; fn != nil {
		d.Provider = func(ctx context.Context, domain string) (wizard.Provider, error) {
			r, err := fn(ctx, domain)
			return wizard.Provider{ID: r.Provider, MX: r.MX}, err
		}
	}
	if m.cfg.Discover != nil {
		d.Discover = m.cfg.Discover
	}
	d.NoDiscover = d.NoDiscover || m.cfg.NoDiscover
	return &d
}

// detect starts the MX lookup for the address's domain, unless it already
// ran for that domain. It never blocks: the answer arrives as a message.
func (m *Model) detect() tea.Cmd {
	addr := m.s.DetectAddress()
	domain := wizard.DomainOf(addr)
	if domain == "" || domain == m.det.domain {
		return nil
	}
	m.det = detection{domain: domain, running: true}
	d, ctx := m.detector(), m.ctx
	lookup := func() tea.Msg {
		p, err := d.LookupProvider(ctx, addr)
		return detectedMsg{domain: domain, result: Detection{Provider: p.ID, MX: p.MX}, err: err}
	}
	return tea.Batch(m.startSpinner(), lookup)
}

// onDetected gives the provider to the machine, so that its defaults
// (channel, SMTP host) follow it. A field still showing its prefill is
// asked again with the new default.
func (m *Model) onDetected(msg detectedMsg) tea.Cmd {
	if msg.domain != m.det.domain {
		return nil // the address changed meanwhile
	}
	m.det.running, m.det.done = false, true
	m.det.result, m.det.err = msg.result, msg.err
	p := wizard.Provider{ID: msg.result.Provider, MX: msg.result.MX}
	if m.mode == modeRunning {
		m.det.pending = &p
		return nil
	}
	return m.applyProvider(p)
}

func (m *Model) applyProvider(p wizard.Provider) tea.Cmd {
	m.det.pending = nil
	if m.s.Provider == p.ID {
		m.s.RecordProvider(m.s.DetectAddress(), p)
		return nil
	}
	m.s.RecordProvider(m.s.DetectAddress(), p)
	return m.refreshPrefill()
}

// startSpinner starts the spinner's ticks unless they already run.
func (m *Model) startSpinner() tea.Cmd {
	if m.ticking {
		return nil
	}
	m.ticking = true
	return m.spin.Tick
}

// onTick advances the spinner while something spins, and lets the ticks
// die out when nothing does.
func (m *Model) onTick(msg spinner.TickMsg) tea.Cmd {
	if !m.det.running && !m.disc.running && m.mode != modeRunning && m.mode != modeFinishing {
		m.ticking = false
		return nil
	}
	var cmd tea.Cmd
	m.spin, cmd = m.spin.Update(msg)
	return cmd
}
