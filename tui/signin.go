package tui

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/jobmail/jobmail/providers/oauth"
	"github.com/jobmail/jobmail/wizard"
)

// The direct integrations (Google, Microsoft 365) sign in while the
// machine's authorize action runs. The flow tells its driver what to show
// through an oauth.Prompter: the sign-in page (opened in the browser when
// an opener is configured, and shown so it can be opened by hand), the
// page to open on another device with a field for the address the browser
// ended on (paste), or a device code. Here those events become the
// running view, and what the person pastes goes back to the flow.

// chanPrompter hands the flow's events to the UI without ever blocking,
// and gives the flow what the person pasted.
type chanPrompter struct {
	ch    chan oauth.Event
	paste chan string
}

func (p chanPrompter) Notify(e oauth.Event) {
	select {
	case p.ch <- e:
	default:
	}
}

// ReadRedirect waits for the person to submit the paste field (the UI
// puts the text on p.paste) or for the sign-in to end.
func (p chanPrompter) ReadRedirect(ctx context.Context) (string, error) {
	select {
	case s := <-p.paste:
		return s, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// withPrompter returns env with p as the OAuth runner's prompter (a copy:
// the caller's Env stays as it was). Without a sign-in mode the loopback
// sign-in is used: it works with or without a browser opener, since the
// sign-in page is shown too.
func withPrompter(env *wizard.Env, p oauth.Prompter) *wizard.Env {
	if env == nil {
		return nil
	}
	o, ok := env.OAuth.(*wizard.OAuth)
	if !ok || o == nil || o.Prompter != nil {
		return env
	}
	oc := *o
	oc.Prompter = p
	if oc.Mode == "" {
		oc.Mode = oauth.ModeLoopback
	}
	e := *env
	e.OAuth = &oc
	return &e
}

// withMode returns env with the OAuth runner's sign-in mode set to mode
// (a copy), for a sign-in started again in another mode.
func withMode(env *wizard.Env, mode oauth.Mode) *wizard.Env {
	o, ok := env.OAuth.(*wizard.OAuth)
	if !ok || o == nil || mode == "" {
		return env
	}
	oc := *o
	oc.Mode = mode
	e := *env
	e.OAuth = &oc
	return &e
}

// signInMode is the mode a sign-in with env runs in.
func signInMode(env *wizard.Env) oauth.Mode {
	if env != nil {
		if o, ok := env.OAuth.(*wizard.OAuth); ok && o != nil {
			return o.Mode
		}
	}
	return ""
}

// signIn is what the running view shows of one sign-in.
type signIn struct {
	mode      oauth.Mode
	ev        oauth.Event // the last event that changes the screen (polls do not)
	form      *huh.Form   // the paste field, once the flow waits for a paste
	text      string      // bound to the paste field
	pasteErr  error       // why the last paste held no sign-in
	submitted bool        // a paste was handed to the flow; it checks it
	device    *deviceCode
	fallback  bool // the browser did not open: sign in again, pasting
	toStep    bool // the person canceled: back to the step
	copied    bool // the link went to the clipboard (OSC 52)
}

// signInURL is the address the person opens: the device page, or the
// sign-in page; "" before the flow said.
func (m *Model) signInURL() string {
	if d := m.sign.device; d != nil {
		return d.url
	}
	switch m.sign.ev.Kind {
	case oauth.EventAuthURL, oauth.EventBrowserFailed, oauth.EventAwaitPaste:
		return m.sign.ev.URL
	}
	return ""
}

// copyLink puts the sign-in link on the clipboard with OSC 52: the
// terminal copies it whole, however the screen had to break it.
func (m *Model) copyLink() tea.Cmd {
	u := m.signInURL()
	if u == "" {
		return nil
	}
	m.sign.copied = true
	return tea.SetClipboard(u)
}

// deviceCode is the code to enter on another device and when it expires
// (by the UI's clock, so the countdown needs no event).
type deviceCode struct {
	code, url string
	deadline  time.Time
}

type signInMsg struct {
	run int
	ev  oauth.Event
}

type deviceTickMsg struct{ run int }

// beginSignIn prepares the view of a sign-in that starts now: events or
// a paste left over from a canceled one must not reach it.
func (m *Model) beginSignIn(env *wizard.Env) {
	m.sign = signIn{mode: signInMode(env)}
	for drained := false; !drained; {
		select {
		case <-m.signInCh:
		case <-m.pasteCh:
		default:
			drained = true
		}
	}
}

// listenSignIn delivers the next sign-in event of run r.
func (m *Model) listenSignIn(r *actionRun) tea.Cmd {
	ch := m.signInCh
	if ch == nil {
		return nil
	}
	return func() tea.Msg {
		select {
		case ev := <-ch:
			return signInMsg{run: r.id, ev: ev}
		case <-r.done:
			return nil
		}
	}
}

func (m *Model) onSignIn(msg signInMsg) tea.Cmd {
	if m.run == nil || msg.run != m.run.id {
		return nil
	}
	ev := msg.ev
	cmds := []tea.Cmd{m.listenSignIn(m.run)}
	switch ev.Kind {
	case oauth.EventDevicePoll:
		if d := m.sign.device; d != nil && ev.Remaining > 0 {
			d.deadline = m.clock().Add(ev.Remaining) // the flow's word wins over our tick
		}
	case oauth.EventDeviceCode:
		m.sign.ev = ev
		m.sign.device = &deviceCode{code: ev.UserCode, url: ev.VerificationURI, deadline: m.clock().Add(ev.Remaining)}
		cmds = append(cmds, m.deviceTick())
	case oauth.EventAwaitPaste:
		m.sign.ev = ev
		cmds = append(cmds, m.showPaste())
	case oauth.EventPasteInvalid:
		m.sign.pasteErr = ev.Err
		cmds = append(cmds, m.showPaste())
	case oauth.EventBrowserFailed:
		m.sign.ev = ev
		if m.sign.mode == oauth.ModeLoopback && !m.run.canceled {
			// The loopback flow reads no paste: start it again in paste
			// mode, which shows the page to open anywhere and the field,
			// and still takes a redirect a local browser delivers.
			m.sign.fallback = true
			m.cancelAction()
		}
	default:
		m.sign.ev = ev
	}
	return tea.Batch(cmds...)
}

// showPaste shows an empty paste field (again, after an invalid paste).
func (m *Model) showPaste() tea.Cmd {
	m.sign.text, m.sign.submitted = "", false
	args := m.args()
	args["redirect"] = m.sign.ev.RedirectURI
	m.sign.form = m.newForm(huh.NewInput().
		Title(m.words.T("tui.paste.title")).
		Description(wrap(m.words.T("tui.paste.help", args), m.formWidth()-4)).
		Value(&m.sign.text))
	return m.sign.form.Init()
}

// updatePaste hands msg (keys, a bracketed paste) to the paste field and
// gives the flow the text once it is submitted.
func (m *Model) updatePaste(msg tea.Msg) tea.Cmd {
	f := m.sign.form
	if f == nil || m.sign.submitted {
		return nil
	}
	fm, cmd := f.Update(msg)
	m.sign.form = fm.(*huh.Form)
	m.relayout(m.sign.form)
	if m.sign.form.State != huh.StateCompleted {
		return cmd
	}
	m.sign.submitted, m.sign.pasteErr = true, nil
	select {
	case m.pasteCh <- strings.TrimSpace(m.sign.text):
	default: // the flow has not taken the last one: it is checking it
	}
	return tea.Batch(cmd, m.startSpinner())
}

// cancelSignIn ends the sign-in on the person's word (esc, ctrl+c): the
// run reports back canceled, and the step's last question is shown.
func (m *Model) cancelSignIn() {
	m.sign.toStep = true
	m.cancelAction()
}

// afterSignIn decides what a canceled sign-in leads to: the paste
// fallback starts the sign-in again; the person's cancel goes back to
// the step. It reports false when neither applies.
func (m *Model) afterSignIn(a wizard.Action) (tea.Cmd, bool) {
	switch {
	case m.sign.fallback:
		m.signInOverride = oauth.ModePaste // the browser will not open next time either
		return m.startAction(a), true
	case m.sign.toStep:
		m.sign = signIn{}
		cmd := m.back()
		if cmd == nil { // nothing to go back to: the step from its start
			m.s.Back(wizard.StatePrerequisites)
			cmd = m.advance()
		}
		m.notice = m.words.T("tui.authorize.canceled")
		return cmd, true
	}
	return nil, false
}

// deviceTick redraws the countdown every second while the code shows.
func (m *Model) deviceTick() tea.Cmd {
	id := m.run.id
	return tea.Tick(time.Second, func(time.Time) tea.Msg { return deviceTickMsg{run: id} })
}

func (m *Model) onDeviceTick(msg deviceTickMsg) tea.Cmd {
	if m.run == nil || msg.run != m.run.id || m.sign.device == nil {
		return nil
	}
	return m.deviceTick()
}

func (m *Model) clock() time.Time {
	if m.now != nil {
		return m.now()
	}
	return time.Now()
}

// countdown is the time left as m:ss, never below zero.
func countdown(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	s := int((d + time.Second - 1) / time.Second) // 14:59.2 left shows 15:00
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// printPrompter tells the sign-in in plain lines (accessible mode) and
// asks for a pasted address with an accessible prompt.
type printPrompter struct {
	m   *Model
	in  io.Reader
	out io.Writer
}

func (p printPrompter) Notify(e oauth.Event) {
	if e.Kind == oauth.EventDevicePoll {
		return // a countdown every few seconds would drown a screen reader
	}
	if s := p.m.signInLines(e, 1<<20, false); s != "" {
		fmt.Fprintln(p.out, strings.TrimSpace(s))
	}
}

// ReadRedirect asks for the address with a static accessible prompt.
// Nothing else reads the terminal meanwhile: the accessible wizard waits
// for the sign-in in line.
func (p printPrompter) ReadRedirect(ctx context.Context) (string, error) {
	var text string
	form := huh.NewForm(huh.NewGroup(huh.NewInput().
		Title(p.m.words.T("tui.paste.title")).
		Value(&text))).
		WithAccessible(true).
		WithShowHelp(false).
		WithInput(p.in).
		WithOutput(p.out)
	done := make(chan error, 1)
	go func() { done <- form.Run() }()
	select {
	case err := <-done:
		if err != nil {
			return "", fmt.Errorf("read the pasted address: %w", err)
		}
		return strings.TrimSpace(text), nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}
