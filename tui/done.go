package tui

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/jobmail/jobmail/secrets"
	"github.com/jobmail/jobmail/tui/i18n"
	"github.com/jobmail/jobmail/wizard"
)

// The end says what was proven and never more (wizard.Session.Proof): a
// test that passed from this machine only says so and why; the
// platform's own mail service sends nothing and claims no code. The
// screen (doneView) and the summary printed after the screen is gone
// (printSummary) say the same, from the same pieces.

// doneArgs are the placeholders of the end's texts; abs makes the paths
// absolute (the summary outlives the working directory's context).
func (m *Model) doneArgs(abs bool) map[string]string {
	args := m.args()
	args["token"] = m.s.Token
	args["setup"] = m.cfg.SetupPath
	args["export"] = m.cfg.ExportPath
	if abs {
		args["setup"], args["export"] = absPath(m.cfg.SetupPath), absPath(m.cfg.ExportPath)
	}
	args["account"] = m.fin.account
	args["service"] = secrets.Service
	args["channel"] = m.words.Channel(m.s.Mailbox().ChannelID())
	args["ref"] = wizard.EnvPasswordRef
	if in := m.s.SendsAs(); in != "" {
		args["inbound"] = in
	}
	return args
}

func absPath(p string) string {
	if p == "" {
		return ""
	}
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

// doneTitle is the headline: done, done from this machine only, or done
// with the platform's own mail service.
func (m *Model) doneTitle(args map[string]string) string {
	switch m.s.Proof() {
	case wizard.ProofThisMachine:
		return m.words.T("tui.done.title.this_machine_only", args)
	case wizard.ProofNothingSent:
		return m.words.T("tui.done.title.nothing_sent", args)
	}
	return m.words.T("tui.done.title", args)
}

// doneLimits are what the passing test does not prove for the platform
// (config.local_server, config.private_ca), in words.
func (m *Model) doneLimits() []i18n.DiagnosisText {
	var out []i18n.DiagnosisText
	for _, w := range m.s.Limits() {
		d := w.Diagnosis
		args := m.args()
		for k, v := range d.Args {
			args[k] = v
		}
		d.Args = args
		out = append(out, m.words.Diagnosis(d))
	}
	return out
}

// doneNext are the next steps: the forwarding when it is not done, what
// to fix before the platform can use a server tested from here only, the
// verification code (only when a message went out), the switch in the
// platform, and the headless re-test (not for the mail service: nothing
// to test).
func (m *Model) doneNext(args map[string]string) []string {
	proof := m.s.Proof()
	var ids []string
	if m.s.Mailbox().Forwarding != "done" {
		ids = append(ids, "tui.done.next.forwarding")
	}
	if proof == wizard.ProofThisMachine {
		ids = append(ids, "tui.done.next.limits")
	}
	if proof != wizard.ProofNothingSent && m.s.Token != "" {
		ids = append(ids, "tui.done.next.token")
	}
	if proof == wizard.ProofNothingSent {
		ids = append(ids, "tui.done.next.switch_platform")
	} else {
		ids = append(ids, "tui.done.next.switch", "tui.done.next.replay")
	}
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		out = append(out, m.words.T(id, args))
	}
	return out
}

// doneView: the headline, where the password and the files went, the
// subsidiaries, then what the test could not prove, then the next steps.
// The limits come after the ✓ lines and the subsidiary list so those
// stay on the first screen; the rest scrolls (pgdn).
func (m *Model) doneView(w int) string {
	args := m.doneArgs(false)
	var lines []string
	mark := func(markStyled, text string) {
		lines = append(lines, markStyled+" "+indent(wrap(text, w-2), "  ")[2:])
	}
	ok := func(id string) { mark(m.st.ok.Render(markOK), m.words.T(id, args)) }
	bad := func(err error) { mark(m.st.bad.Render(markBad), err.Error()) }
	lines = append(lines, m.st.bold.Render(wrap(m.doneTitle(args), w)), "")
	if r := m.s.Result; r != nil && r.OK() && len(m.stages) > 0 { // what passed, with timings, as a failure shows them
		lines = append(lines, m.stagesLine(w), "")
	}
	if m.notice != "" { // what just happened to a subsidiary, first
		mark(m.st.ok.Render(markOK), m.notice)
	}
	switch {
	case m.fin.account != "":
		args["secret"] = secretKind(m.fin.account)
		ok("tui.done.keyring")
	case m.s.SecretWayTaken() == wizard.WayEnv:
		ok("tui.done.env")
	case m.s.SecretWayTaken() == wizard.WayFile:
		mark(m.st.warn.Render(markWarn), m.words.T("tui.done.file", m.keyringArgs()))
	}
	if m.fin.setupErr != nil {
		bad(m.fin.setupErr)
	} else {
		ok("tui.done.setup")
		if m.fin.exportErr != nil {
			bad(m.fin.exportErr)
		} else if m.cfg.ExportPath != "" {
			ok("tui.done.export")
		}
	}
	if m.s.Proof() == wizard.ProofNothingSent {
		mark(m.st.warn.Render(markWarn), m.words.T("tui.done.nothing_sent", args))
	}
	if l := m.entityList(w); l != "" {
		lines = append(lines, "", l)
	}
	if limits := m.doneLimits(); len(limits) > 0 {
		lines = append(lines, "", m.st.bold.Render(wrap(m.words.T("tui.done.limits", args), w)))
		for _, t := range limits {
			mark(m.st.warn.Render(markWarn), m.st.warn.Render(t.Title))
			lines = append(lines, indent(wrap(t.Explain, w-2), "  "))
			lines = append(lines, indent(wrap(m.st.label.Render(m.words.T("tui.diag.remedy"))+" "+t.Remedy, w-2), "  "))
		}
	}
	lines = append(lines, "", m.st.bold.Render(m.words.T("tui.done.next")))
	for i, text := range m.doneNext(args) {
		lines = append(lines, hanging(fmt.Sprintf("%d. ", i+1), text, w))
	}
	return strings.Join(lines, "\n")
}

// printSummary repeats the outcome on the normal screen once the wizard's
// screen is gone, for the scrollback: when done, the headline, the
// absolute paths written, what the test could not prove, the
// verification code and the next steps; otherwise where the progress is.
// Lines are not wrapped: the terminal wraps them, and paths stay whole
// for copying. Without full, only what was written where (the accessible
// mode has printed the whole end in line already).
func (m *Model) printSummary(w io.Writer, full bool) {
	if w == nil {
		return
	}
	res := m.result
	args := m.doneArgs(true)
	args["setup"], args["export"] = absPath(res.SetupPath), absPath(res.ExportPath)
	switch res.Outcome {
	case OutcomeDone:
		if full {
			fmt.Fprintln(w, m.doneTitle(args))
		}
		if res.SetupPath != "" {
			fmt.Fprintln(w, markOK+" "+m.words.T("tui.summary.setup", args))
		}
		if res.ExportPath != "" {
			fmt.Fprintln(w, markOK+" "+m.words.T("tui.summary.export", args))
		}
		accounts := res.Accounts
		if len(accounts) == 0 && res.Account != "" {
			accounts = []string{res.Account}
		}
		for _, a := range accounts {
			fmt.Fprintln(w, markOK+" "+m.words.T("tui.summary.keyring", map[string]string{"account": a, "secret": secretKind(a)}))
		}
		if !full {
			break
		}
		if m.s.Proof() == wizard.ProofNothingSent {
			fmt.Fprintln(w, markWarn+" "+m.words.T("tui.done.nothing_sent", args))
		}
		for _, t := range m.doneLimits() {
			fmt.Fprintln(w, markWarn+" "+t.Title+": "+t.Explain)
		}
		if m.s.Proof() != wizard.ProofNothingSent && m.s.Token != "" {
			fmt.Fprintln(w, m.words.T("tui.summary.token", args))
		}
		if res.SetupPath != "" { // the steps build on the files written
			fmt.Fprintln(w, m.words.T("tui.done.next")+":")
			for i, text := range m.doneNext(args) {
				fmt.Fprintf(w, "  %d. %s\n", i+1, text)
			}
		}
	default:
		if res.SetupPath != "" {
			fmt.Fprintln(w, m.words.T("tui.summary.progress", args))
		}
	}
	if res.Err != nil {
		fmt.Fprintln(w, "jobmail: "+res.Err.Error())
	}
}

// secretKind says what a keyring entry holds, for the words: the sign-in
// (a refresh token) of a direct integration, or a password.
func secretKind(account string) string {
	if strings.HasPrefix(account, "google:") || strings.HasPrefix(account, "microsoft:") {
		return "sign_in"
	}
	return "password"
}
