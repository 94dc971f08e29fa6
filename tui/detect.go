package tui

import (
	"context"
	"net"
	"strings"

	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
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

// MXResolver is the part of *net.Resolver the default detector uses.
type MXResolver interface {
	LookupMX(ctx context.Context, name string) ([]*net.MX, error)
}

// LookupProvider tells the provider of domain from its MX records
// (KNOWLEDGE.md): *.google.com and *.googlemail.com are Google,
// *.mail.protection.outlook.com is Microsoft 365, anything else is
// "other"; no answer means unknown (""). It is the wizard's fallback
// until providers/discover offers DetectProvider.
func LookupProvider(ctx context.Context, r MXResolver, domain string) (Detection, error) {
	mxs, err := r.LookupMX(ctx, domain)
	if err != nil && len(mxs) == 0 {
		return Detection{}, err
	}
	var d Detection
	for _, mx := range mxs {
		h := strings.TrimSuffix(strings.ToLower(mx.Host), ".")
		if h == "" {
			continue
		}
		d.MX = append(d.MX, h)
		if d.Provider != "" {
			continue
		}
		switch {
		case h == "google.com" || strings.HasSuffix(h, ".google.com") ||
			h == "googlemail.com" || strings.HasSuffix(h, ".googlemail.com"):
			d.Provider = "google"
		case strings.HasSuffix(h, ".mail.protection.outlook.com"):
			d.Provider = "microsoft"
		}
	}
	if d.Provider == "" && len(d.MX) > 0 {
		d.Provider = "other"
	}
	return d, nil
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
		fn = func(ctx context.Context, d string) (Detection, error) {
			return LookupProvider(ctx, net.DefaultResolver, d)
		}
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
	if m.mode != modeQuestion || !m.untouched() {
		return nil
	}
	if st := m.s.Next(); st.Question != nil && st.Question.Key == m.q.Key && st.Question.Value != m.q.Value {
		return m.ask(*st.Question)
	}
	return nil
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
	if !m.det.running && m.mode != modeRunning && m.mode != modeFinishing {
		m.ticking = false
		return nil
	}
	var cmd tea.Cmd
	m.spin, cmd = m.spin.Update(msg)
	return cmd
}
