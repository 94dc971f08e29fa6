package tui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/jobmail/jobmail/providers/oauth"
	"github.com/jobmail/jobmail/wizard"
)

// The direct integrations (Google, Microsoft 365) sign in while the
// machine's authorize action runs. The flow tells its driver what to show
// through an oauth.Prompter: the sign-in page (opened in the browser when
// an opener is configured, and shown so it can be opened by hand), or a
// device code. Here those events become lines of the running view.

// errNoPaste: pasting the redirected address needs an input field the
// running view does not have; loopback and device sign-in do not need it.
var errNoPaste = errors.New("paste sign-in is not available in the wizard screen: use the loopback or device sign-in")

// chanPrompter hands the flow's events to the UI without ever blocking.
type chanPrompter struct{ ch chan oauth.Event }

func (p chanPrompter) Notify(e oauth.Event) {
	select {
	case p.ch <- e:
	default:
	}
}

func (chanPrompter) ReadRedirect(context.Context) (string, error) { return "", errNoPaste }

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

type signInMsg struct {
	run int
	ev  oauth.Event
}

// listenSignIn delivers the next sign-in event of run r.
func (m *Model) listenSignIn(r *actionRun) tea.Cmd {
	ch := m.signIn
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
	m.signInEv = msg.ev
	return m.listenSignIn(m.run)
}

// signInLines renders the last sign-in event.
func (m *Model) signInLines(e oauth.Event, w int, link bool) string {
	args := m.args()
	switch e.Kind {
	case oauth.EventAuthURL, oauth.EventBrowserFailed, oauth.EventAwaitPaste:
		open := m.words.T("tui.authorize.open", args)
		if link {
			open = lipgloss.NewStyle().Underline(true).Hyperlink(e.URL).Render(open)
		}
		return wrap(open, w) + "\n" + m.st.faint.Render(wrap(e.URL, w))
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

// printPrompter tells the sign-in in plain lines (accessible mode).
type printPrompter struct {
	m   *Model
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

func (printPrompter) ReadRedirect(context.Context) (string, error) { return "", errNoPaste }
