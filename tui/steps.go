package tui

import (
	"strconv"
	"strings"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/wizard"
)

// stepContext is what the current step shows above its field: the
// answers given so far in the step, then what belongs to the step
// (the inbound address and forwarding instructions, the MX suggestion,
// the port and security explanations).
func (m *Model) stepContext(w int) string {
	var parts []string
	if s := m.stepSummary(m.q.State, w); s != "" {
		parts = append(parts, s)
	}
	if m.loadNote != "" && !m.s.CanPrev() {
		parts = append(parts, m.st.warn.Render(wrap(m.loadNote, w)))
	}
	if m.notice != "" {
		parts = append(parts, m.st.warn.Render(wrap(m.notice, w)))
	}
	switch m.q.State {
	case wizard.StateForwarding:
		parts = append(parts, m.forwardingContext(w)...)
	case wizard.StateChannel:
		parts = append(parts, m.channelContext(w)...)
	case wizard.StatePrerequisites:
		parts = append(parts, m.prereqContext(w)...)
	}
	return strings.Join(parts, "\n\n")
}

// stepSummary lists the answers already given in step st, one a line.
func (m *Model) stepSummary(st wizard.State, w int) string {
	var lines []string
	for _, q := range m.s.Recap(st) {
		title := m.words.Question(wizard.Question{Field: q.Field, Kind: q.Kind, Args: m.args()}).Title
		lines = append(lines, hangingMark(m.answerMark(q), m.st.label.Render(title)+" "+m.shownAnswer(q), w))
	}
	return strings.Join(lines, "\n")
}

// answerMark is ✓ for an answer given, but a "no" to a prerequisite (a
// yes/no or the IP-allowlist choice) is never ✓: ✗ when it stops the run, ! when it is a warning — the marks
// the checklist gives the same check.
func (m *Model) answerMark(q wizard.Question) string {
	switch denied, blocks := wizard.Denied(q); {
	case blocks:
		return m.st.bad.Render(markBad)
	case denied:
		return m.st.warn.Render(markWarn)
	}
	return m.st.ok.Render(markOK)
}

// args are the placeholders the step texts use.
func (m *Model) args() map[string]string {
	mb := m.s.Mailbox()
	a := map[string]string{
		"address":  mb.Address,
		"inbound":  m.s.Setup.InboundAddress(),
		"domain":   domainOf(mb.Address),
		"provider": m.s.Provider,
		"platform": m.s.Setup.PlatformName(),
	}
	if c := wizard.PasswordBlock(mb); c != nil {
		a["host"] = c.Host
		if c.Port != 0 {
			a["port"] = strconv.Itoa(c.Port)
		}
	}
	return a
}

// forwardingContext: the inbound address, big and alone on its line so it
// is easy to select and copy, and the provider's forwarding instructions
// while the person decides whether forwarding is done.
func (m *Model) forwardingContext(w int) []string {
	var parts []string
	args := m.args()
	if in := args["inbound"]; in != "" {
		parts = append(parts, m.st.label.Render(wrap(m.words.T("tui.inbound.label", args), w))+"\n"+m.st.inbound.Render(in))
	}
	if m.q.Field == wizard.FieldName {
		if l := m.entityList(w); l != "" {
			parts = append(parts, l)
		}
	}
	if m.q.Field != wizard.FieldForwarding {
		return parts
	}
	if m.det.running {
		parts = append(parts, m.spin.View()+" "+m.words.T("tui.detect.running", args))
	}
	return append(parts, m.forwardingSteps(w))
}

// forwardingSteps are the forwarding instructions for the detected
// provider: title, numbered steps, the provider's pitfall, how it is
// verified.
func (m *Model) forwardingSteps(w int) string {
	ft := m.words.Forwarding(m.s.Provider, m.args())
	var b strings.Builder
	b.WriteString(m.st.bold.Render(ft.Title))
	for i, s := range ft.Steps {
		b.WriteString("\n" + hanging(strconv.Itoa(i+1)+". ", s, w))
	}
	if ft.Note != "" {
		b.WriteString("\n" + m.st.warn.Render(wrap(markWarn+" "+ft.Note, w)))
	}
	if ft.Verify != "" {
		b.WriteString("\n" + m.st.faint.Render(wrap(ft.Verify, w)))
	}
	return b.String()
}

// channelContext: what the MX records say (a spinner while they are
// looked up; typing is never blocked), the suggestion, the hovered
// channel's one-line hint, and why SMTP does not work for Google.
func (m *Model) channelContext(w int) []string {
	args := m.args()
	var parts []string
	switch {
	case m.det.running:
		parts = append(parts, m.spin.View()+" "+m.words.T("tui.detect.running", args))
	case m.det.done:
		line := m.words.T(foundID(m.det.result), withMX(args, m.det.result))
		if m.q.Field == wizard.FieldChannel {
			args["channel"] = m.words.Channel(providers.Channel(m.q.Value))
			line += "\n" + m.st.bold.Render(m.words.T("tui.detect.suggest", args))
		}
		parts = append(parts, wrap(line, w))
	}
	if m.discoveryMatters() {
		if l := m.discoveryLine(w, false); l != "" {
			parts = append(parts, l)
		}
	}
	if m.q.Field != wizard.FieldChannel {
		return parts
	}
	h := providers.Channel(m.hovered())
	if h != "" {
		parts = append(parts, m.st.faint.Render(wrap(m.words.ChannelHint(h), w)))
	}
	if cw := m.s.ChannelWarning(h); cw != nil {
		for k, v := range cw.Args {
			args[k] = v
		}
		cw.Args = args
		d := m.words.Diagnosis(*cw)
		parts = append(parts, m.st.warn.Render(wrap(markWarn+" "+d.Title, w))+"\n"+wrap(d.Explain+" "+d.Remedy, w))
	}
	return parts
}

// prereqContext explains the choice under the cursor of the security
// select; ports explain themselves in their labels.
func (m *Model) prereqContext(w int) []string {
	var parts []string
	if m.discoveryMatters() {
		if l := m.discoveryLine(w, m.q.Field == wizard.FieldSMTPHost); l != "" {
			parts = append(parts, l)
		}
	}
	if m.q.Field == wizard.FieldSMTPSecurity {
		if h := m.hovered(); h != "" {
			parts = append(parts, m.st.faint.Render(wrap(m.words.SecurityHint(providers.Security(h)), w)))
		}
	}
	return parts
}

// domainOf is the part of an address after the last @.
func domainOf(address string) string {
	i := strings.LastIndexByte(address, '@')
	if i < 0 {
		return ""
	}
	return strings.ToLower(strings.TrimSpace(address[i+1:]))
}

// foundID is the message for what the lookup found. A well-known domain
// (gmail.com) is named even when DNS did not answer; "other" without MX
// hosts names nothing.
func foundID(d Detection) string {
	switch {
	case d.Provider == "google":
		return "tui.detect.found.google"
	case d.Provider == "microsoft":
		return "tui.detect.found.microsoft"
	case d.Provider == "other" && len(d.MX) > 0:
		return "tui.detect.found.other"
	}
	return "tui.detect.found.unknown"
}

// hanging wraps text after a list marker, continuation lines aligned
// with the text: "  1. first line\n     second line".
func hanging(marker, text string, w int) string {
	pad := "  " + strings.Repeat(" ", len(marker))
	lines := strings.Split(wrap(text, w-len(pad)), "\n")
	for i := range lines {
		if i == 0 {
			lines[i] = "  " + marker + lines[i]
		} else if lines[i] != "" {
			lines[i] = pad + lines[i]
		}
	}
	return strings.Join(lines, "\n")
}
