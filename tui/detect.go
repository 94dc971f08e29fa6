package tui

import (
	"context"

	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"

	"github.com/jobmail/jobmail/providers/discover"
)

// detection is the state of the MX lookup for the company domain.
type detection struct {
	domain  string
	running bool
	done    bool
	result  Detection
	err     error
	pending *string // a provider learnt while an action owned the session
}

type detectedMsg struct {
	domain string
	result Detection
	err    error
}

// DetectProvider is the default detector: providers/discover's MX lookup
// (one query and its table of known domains, no probing). A failed lookup
// is "unknown" unless the table knows the domain anyway.
func DetectProvider(ctx context.Context, domain string) (Detection, error) {
	p, err := discover.DetectProvider(ctx, nil, domain)
	if err != nil && p.Known == "" {
		return Detection{MX: p.MX}, err
	}
	return Detection{Provider: string(p.ID), MX: p.MX}, nil
}

// detect starts the MX lookup for the company address's domain, unless it
// already ran for that domain. It never blocks: the answer arrives as a
// message while the person keeps typing.
func (m *Model) detect() tea.Cmd {
	domain := domainOf(m.s.Mailbox().Address)
	if domain == "" || domain == m.det.domain {
		return nil
	}
	m.det = detection{domain: domain, running: true}
	fn := m.cfg.Detect
	if fn == nil {
		fn = DetectProvider
	}
	ctx := m.ctx
	lookup := func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, DetectBudget)
		defer cancel()
		d, err := fn(ctx, domain)
		return detectedMsg{domain: domain, result: d, err: err}
	}
	return tea.Batch(m.startSpinner(), lookup)
}

// onDetected stores the provider in the session, so that the machine's
// defaults (channel, SMTP host) follow it. A field still showing its
// prefill is asked again with the new default.
func (m *Model) onDetected(msg detectedMsg) tea.Cmd {
	if msg.domain != m.det.domain {
		return nil // the address changed meanwhile
	}
	m.det.running, m.det.done = false, true
	m.det.result, m.det.err = msg.result, msg.err
	p := msg.result.Provider
	m.s.MX = msg.result.MX // the provider table also matches by MX (the machine's prefill)
	if m.mode == modeRunning {
		m.det.pending = &p
		return nil
	}
	return m.applyProvider(p)
}

func (m *Model) applyProvider(p string) tea.Cmd {
	m.det.pending = nil
	if m.s.Provider == p {
		return nil
	}
	m.s.Provider = p
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
