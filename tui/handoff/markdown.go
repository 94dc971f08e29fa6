// Package handoff renders the IT hand-off report (wizard.Report) as
// Markdown in the catalogue's words: what the mail administrator must do
// for each mailbox of a setup, with the last live test. `jobmail report`
// and the wizard's diagnosis view write the same text through it.
package handoff

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/tui/i18n"
	"github.com/jobmail/jobmail/wizard"
	"github.com/jobmail/jobmail/wizard/setupfile"
)

// statusWords is the catalogue id of an action's status; a switch, not a
// map literal, which the package's init would build on every start.
func statusWords(s wizard.ActionStatus) string {
	switch s {
	case wizard.StatusTodo:
		return "report.status.todo"
	case wizard.StatusConfirmed:
		return "report.status.confirmed"
	case wizard.StatusVerified:
		return "report.status.verified"
	case wizard.StatusFailed:
		return "report.status.failed"
	}
	return ""
}

// DefaultName is the report's file name beside the setup file.
const DefaultName = "jobmail-report.md"

// Render writes the hand-off report as Markdown (CommonMark with GitHub
// task lists), in w's language: the words come from the catalogue; names
// from the setup file are escaped, server words go into code blocks. file
// is the setup file the report was made from (only its base name shows).
// w should come from Words, so the texts name the setup's platform.
func Render(w *i18n.Localizer, rep *wizard.Report, file string) []byte {
	var b strings.Builder
	p := rep.Platform
	fmt.Fprintf(&b, "# %s\n\n", w.T("report.title"))
	fmt.Fprintf(&b, "%s\n\n", w.T("report.generated", map[string]string{"date": w.Date(rep.GeneratedAt), "file": filepath.Base(file)}))
	fmt.Fprintf(&b, "%s\n\n", w.T("report.intro"))
	fmt.Fprintf(&b, "- %s `%s`\n", w.T("report.platform.account"), p.Account)
	fmt.Fprintf(&b, "- %s `%s`\n", w.T("report.platform.inbound"), p.InboundAddress)
	fmt.Fprintf(&b, "- %s %s\n\n", w.T("report.platform.ips"), codeList(p.OutgoingIPs))
	if rep.Tested {
		fmt.Fprintf(&b, "%s\n\n", w.T("report.tested"))
	} else {
		fmt.Fprintf(&b, "%s\n\n", w.T("report.untested"))
	}
	overview(&b, w, rep)
	for i, m := range rep.Mailboxes {
		mailbox(&b, w, i+1, m)
	}
	return []byte(b.String())
}

func overview(b *strings.Builder, w *i18n.Localizer, rep *wizard.Report) {
	fmt.Fprintf(b, "## %s\n\n", w.T("report.overview"))
	fmt.Fprintf(b, "| # | %s | %s | %s | %s | %s |\n|---|---|---|---|---|---|\n", w.T("report.col.name"), w.T("report.col.address"),
		w.T("report.col.channel"), w.T("report.col.open"), w.T("report.col.test"))
	for i, m := range rep.Mailboxes {
		open := 0
		for _, a := range m.Actions {
			if a.Status == wizard.StatusTodo || a.Status == wizard.StatusFailed {
				open++
			}
		}
		result := w.T("report.result.untested")
		switch {
		case m.Test != nil && m.Test.OK:
			result = w.T("report.result.ok")
		case m.Test != nil:
			result = w.T("report.result.failed")
			if m.Test.Diagnosis != nil {
				result += " (`" + string(m.Test.Diagnosis.Code) + "`)"
			}
		}
		fmt.Fprintf(b, "| %d | %s | `%s` | %s | %d | %s |\n", i+1, cell(nameOf(w, m.Name)), m.Address,
			cell(w.Channel(m.Channel)), open, result)
	}
	b.WriteString("\n")
}

func mailbox(b *strings.Builder, w *i18n.Localizer, n int, m wizard.ReportMailbox) {
	fmt.Fprintf(b, "## %d. %s – `%s`\n\n", n, escape(nameOf(w, m.Name)), m.Address)
	if m.Inherited {
		fmt.Fprintf(b, "%s\n\n", w.T("report.inherits", map[string]string{"address": m.Address}))
		test(b, w, m)
		return
	}
	fmt.Fprintf(b, "%s %s", w.T("report.channel"), w.Channel(m.Channel))
	if s := m.Settings; s.Host != "" {
		fmt.Fprintf(b, " · `%s:%d` · %s · %s `%s`", s.Host, s.Port, w.Security(providers.Security(s.Security)),
			w.T("report.account"), s.Username)
	}
	b.WriteString("\n\n")
	if len(m.Problems) > 0 {
		fmt.Fprintf(b, "### %s\n\n", w.T("report.problems"))
		for _, d := range m.Problems {
			t := w.Diagnosis(withAddress(d, m.Address))
			fmt.Fprintf(b, "- **%s** (`%s`, %s `%s`): %s %s\n", t.Title, d.Code, w.T("report.setting"), d.Field, t.Explain, t.Remedy)
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(b, "### %s\n\n", w.T("report.todo"))
	if m.ProviderFrom == "" {
		fmt.Fprintf(b, "%s\n\n", w.T("report.provider_unknown"))
	}
	for _, a := range m.Actions {
		action(b, w, m, a)
	}
	test(b, w, m)
}

func action(b *strings.Builder, w *i18n.Localizer, m wizard.ReportMailbox, a wizard.ReportAction) {
	box := " "
	if a.Status == wizard.StatusConfirmed || a.Status == wizard.StatusVerified {
		box = "x"
	}
	status := w.T(statusWords(a.Status))
	if a.ID == wizard.ActionForwarding {
		f := w.Forwarding(m.Provider, a.Args)
		fmt.Fprintf(b, "- [%s] **%s** – %s\n\n  %s\n\n", box, f.Title, status, f.Intro)
		for i, s := range f.Steps {
			fmt.Fprintf(b, "  %d. %s\n", i+1, s)
		}
		fmt.Fprintf(b, "\n  %s\n\n  %s\n\n", f.Note, f.Verify)
		return
	}
	c := w.Check(a.ID, a.Args)
	fmt.Fprintf(b, "- [%s] **%s** – %s\n\n  %s\n\n", box, c.Title, status, c.Why)
	switch a.ID {
	case "smtp_auth_enabled":
		fmt.Fprintf(b, "  %s\n\n", w.T("report.smtp_auth.how"))
		fence(b, "  ", "powershell", []string{
			"Set-CASMailbox -Identity " + a.Args["address"] + " -SmtpClientAuthenticationDisabled $false",
			"Get-CASMailbox -Identity " + a.Args["address"] + " | Format-List SmtpClientAuthenticationDisabled",
		})
	case "ip_allowlist":
		fmt.Fprintf(b, "  %s\n\n", w.T("report.ip_allowlist.how", map[string]string{"port": strconv.Itoa(m.Settings.Port)}))
		fence(b, "  ", "", strings.Split(a.Args["ips"], ", "))
	case wizard.CheckOAuthApp:
		for i := 1; ; i++ {
			id := "report.oauth_app." + a.Args["channel"] + ".step" + strconv.Itoa(i)
			if !w.Has(id) {
				break
			}
			fmt.Fprintf(b, "  %d. %s\n", i, w.T(id, a.Args))
		}
		b.WriteString("\n")
	case "admin_rights_or_consent":
		if u := a.Args["admin_consent_url"]; u != "" {
			fmt.Fprintf(b, "  %s\n\n  <%s>\n\n", w.T("report.admin_consent.how", map[string]string{"tenant": a.Args["tenant"]}), u)
		}
	}
}

// test is the mailbox's live test: the result, the diagnosis in words,
// the server's own reply, the stages and the redacted transcript.
func test(b *strings.Builder, w *i18n.Localizer, m wizard.ReportMailbox) {
	t := m.Test
	if t == nil {
		return
	}
	fmt.Fprintf(b, "### %s\n\n", w.T("report.last_test"))
	args := map[string]string{}
	if !t.At.IsZero() {
		args["date"] = w.Date(t.At.UTC())
	}
	if t.Duration > 0 {
		args["duration"] = w.Duration(t.Duration)
	}
	if t.OK {
		fmt.Fprintf(b, "%s\n\n", w.T("report.test.ok", args))
	} else {
		fmt.Fprintf(b, "%s\n\n", w.T("report.test.failed", args))
	}
	if t.TestedWith != "" {
		fmt.Fprintf(b, "%s\n\n", w.T("report.test.shared", map[string]string{"name": nameOf(w, t.TestedWith)}))
		return // its details are told once, under the mailbox that ran it
	}
	if d := t.Diagnosis; d != nil {
		dt := w.Diagnosis(withAddress(*d, m.Address))
		fmt.Fprintf(b, "**%s** (`%s`)\n\n", dt.Title, d.Code)
		if dt.Explain != "" {
			fmt.Fprintf(b, "%s\n\n", dt.Explain)
		}
		if d.Reply != "" {
			fmt.Fprintf(b, "%s\n\n", w.T("report.server_said"))
			fence(b, "", "", strings.Split(d.Reply, "\n"))
		}
		fmt.Fprintf(b, "%s %s\n\n", w.T("report.what_to_do"), dt.Remedy)
		if dt.Actor != "" {
			fmt.Fprintf(b, "%s %s\n\n", w.T("report.who_acts"), dt.Actor)
		}
	}
	if len(t.Stages) > 0 {
		parts := make([]string, 0, len(t.Stages))
		for _, st := range t.Stages {
			mark := "✓"
			if !st.OK {
				mark = "✗"
			}
			parts = append(parts, mark+" "+w.Stage(st.Name)+" "+w.Duration(st.Duration))
		}
		fmt.Fprintf(b, "%s %s\n\n", w.T("report.stages"), strings.Join(parts, " · "))
	}
	if len(t.Transcript) > 0 && !t.OK {
		fmt.Fprintf(b, "%s\n\n", w.T("report.transcript"))
		fence(b, "", "", t.Transcript)
	}
}

// withAddress gives a diagnosis the mailbox's address for its texts
// (Set-CASMailbox -Identity {{.address}}) unless it names one: a tester
// may have put the server's network address there, which the catalogue
// knows as {{.remote}}.
func withAddress(d providers.Diagnosis, address string) providers.Diagnosis {
	old := d.Args["address"]
	if strings.Contains(old, "@") || address == "" {
		return d
	}
	args := map[string]string{}
	for k, v := range d.Args {
		args[k] = v
	}
	if old != "" && args["remote"] == "" {
		args["remote"] = old
	}
	args["address"] = address
	d.Args = args
	return d
}

func nameOf(w *i18n.Localizer, name string) string {
	if name == setupfile.CompanyName {
		return w.T("report.company")
	}
	return name
}

// fence writes lines as a fenced code block, indented by indent. The
// fence is longer than any run of backticks in the lines, so a server
// cannot close it early (CommonMark).
func fence(b *strings.Builder, indent, lang string, lines []string) {
	n := 3
	for _, l := range lines {
		run := 0
		for _, r := range l {
			if r == '`' {
				run++
				n = max(n, run+1)
			} else {
				run = 0
			}
		}
	}
	f := strings.Repeat("`", n)
	fmt.Fprintf(b, "%s%s%s\n", indent, f, lang)
	for _, l := range lines {
		fmt.Fprintf(b, "%s%s\n", indent, l)
	}
	fmt.Fprintf(b, "%s%s\n\n", indent, f)
}

func codeList(vs []string) string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = "`" + v + "`"
	}
	return strings.Join(out, ", ")
}

// escape keeps a name from the setup file from turning into Markdown.
var mdEscaper = strings.NewReplacer(`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`,
	"<", `\<`, ">", `\>`, "#", `\#`, "|", `\|`)

func escape(s string) string { return mdEscaper.Replace(s) }

func cell(s string) string { return escape(s) }
