package tui

import (
	"errors"
	"strings"

	"charm.land/lipgloss/v2"

	"github.com/jobmail/jobmail/providers/oauth"
)

// signInView is the running view of a sign-in: what to open or enter,
// the paste field, or the device code with its countdown.
func (m *Model) signInView(w int) string {
	args := m.args()
	var b strings.Builder
	running := "tui.authorize.running"
	switch {
	case m.sign.device != nil:
		running = "tui.authorize.device_running"
	case m.sign.mode == oauth.ModePaste:
		running = "tui.authorize.paste_running"
	}
	b.WriteString(m.spin.View() + " " + wrap(m.words.T(running, args), w-2))
	switch {
	case m.sign.device != nil:
		b.WriteString("\n\n" + m.deviceView(w))
	case m.sign.form != nil:
		b.WriteString("\n\n" + m.pasteView(w))
	default:
		if s := m.signInLines(m.sign.ev, w, true); s != "" {
			b.WriteString("\n\n" + s)
		}
	}
	if m.sign.copied {
		b.WriteString("\n\n" + m.st.ok.Render(markOK) + " " + wrap(m.words.T("tui.authorize.copied"), w-2))
	}
	if m.sign.device == nil && m.sign.mode != oauth.ModePaste {
		// the other ways, said here and not only in --help
		b.WriteString("\n\n" + m.st.faint.Render(wrap(m.words.T("tui.authorize.modes", m.args()), w)))
	}
	return b.String()
}

// deviceView: the page to open and the code, big and alone on its line
// (as the inbound address is), and the time left to enter it.
func (m *Model) deviceView(w int) string {
	d := m.sign.device
	url := d.url
	link := lipgloss.NewStyle().Underline(true).Hyperlink(d.url).Render(wrap(url, w))
	left := d.deadline.Sub(m.clock())
	count := m.words.T("tui.authorize.countdown", map[string]string{"time": countdown(left)})
	style := m.st.faint
	if left <= 0 {
		count, style = m.words.T("tui.authorize.device_expired"), m.st.warn
	}
	return wrap(m.words.T("tui.authorize.device_open", m.args()), w) + "\n" + link + "\n" +
		m.st.inbound.Render(d.code) + "\n" + style.Render(count)
}

// pasteView: the page to open anywhere, why the last paste did not work,
// and the field (or, once submitted, that the address is being checked).
func (m *Model) pasteView(w int) string {
	var b strings.Builder
	b.WriteString(m.signInLines(m.sign.ev, w, true))
	if m.sign.submitted {
		b.WriteString("\n\n" + m.spin.View() + " " + m.words.T("tui.paste.checking"))
		return b.String()
	}
	if err := m.sign.pasteErr; err != nil {
		b.WriteString("\n\n" + m.st.warn.Render(wrap(markWarn+" "+m.pasteProblem(err), w)))
	}
	b.WriteString("\n" + m.sign.form.View())
	return b.String()
}

// pasteProblem says why a pasted text held no sign-in.
func (m *Model) pasteProblem(err error) string {
	switch {
	case errors.Is(err, oauth.ErrPasteEmpty):
		return m.words.T("tui.paste.empty")
	case errors.Is(err, oauth.ErrPasteNoCode):
		return m.words.T("tui.paste.no_code")
	}
	return m.words.T("tui.paste.invalid", map[string]string{"error": err.Error()})
}

// signInLines renders one sign-in event as plain lines (also for the
// accessible wizard, without the hyperlink).
func (m *Model) signInLines(e oauth.Event, w int, link bool) string {
	args := m.args()
	switch e.Kind {
	case oauth.EventAuthURL, oauth.EventBrowserFailed, oauth.EventAwaitPaste:
		id := "tui.authorize.open"
		if e.Kind == oauth.EventAwaitPaste {
			id = "tui.authorize.open_anywhere"
		}
		open := m.words.T(id, args)
		if link {
			open = lipgloss.NewStyle().Underline(true).Hyperlink(e.URL).Render(open)
		}
		// The link is the sign-in page in every terminal cell it takes
		// (OSC 8), however the width breaks it; c copies it whole, and the
		// accessible wizard (link false, unbounded w) prints it unbroken.
		u := m.st.faint.Render(wrap(e.URL, w))
		if link {
			u = lipgloss.NewStyle().Faint(true).Hyperlink(e.URL).Render(wrap(e.URL, w))
		}
		s := wrap(open, w) + "\n" + u
		if e.Kind == oauth.EventAwaitPaste && !link { // the accessible prompt has no room for the help
			args["redirect"] = e.RedirectURI
			s += "\n" + wrap(m.words.T("tui.paste.help", args), w)
		}
		return s
	case oauth.EventPasteInvalid:
		return m.pasteProblem(e.Err)
	case oauth.EventDeviceCode, oauth.EventDevicePoll:
		args["code"], args["url"] = e.UserCode, e.VerificationURI
		s := wrap(m.words.T("tui.authorize.device", args), w)
		if e.Remaining > 0 {
			s += "\n" + m.st.faint.Render(m.words.T("tui.authorize.expires", map[string]string{"duration": m.words.Duration(e.Remaining)}))
		}
		return s
	case oauth.EventSignedIn:
		args["account"] = e.Account
		return m.st.ok.Render(markOK) + " " + m.words.T("tui.authorize.signed_in", args)
	}
	return ""
}
