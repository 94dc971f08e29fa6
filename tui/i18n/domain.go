package i18n

import (
	"maps"
	"strconv"
	"strings"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/wizard"
	"github.com/jobmail/jobmail/wizard/setupfile"
)

// The helpers below build message ids from the core's values. Each family
// is listed in the catalogue test (dynamicFamilies), which checks that
// every member has its words in every language.

// DiagnosisText is a diagnosis in words: a short title, what happened,
// what to do, and who must do it.
type DiagnosisText struct {
	Title   string
	Explain string
	Remedy  string
	Actor   string
}

// Diagnosis renders d from diag.<code>.title|explain|remedy and
// actor.<actor>, with d.Args as template arguments. An argument "reason"
// that names an entry unsupported.<reason> (config.unsupported_host) is
// replaced by that entry's text. An unknown code renders as "unknown";
// an empty actor as "".
func (l *Localizer) Diagnosis(d providers.Diagnosis) DiagnosisText {
	p, args := l.diagnosisArgs(d)
	t := DiagnosisText{
		Title:   l.T(p+".title", args),
		Explain: l.T(p+".explain", args),
		Remedy:  l.T(p+".remedy", args),
	}
	if d.Actor != "" {
		t.Actor = l.Actor(d.Actor)
	}
	return t
}

// Warning is the two texts of d a warning line shows, its title and its
// remedy, rendered as Diagnosis renders them; the others are not rendered
// at all (a run's end printed two warnings and rendered eight texts).
func (l *Localizer) Warning(d providers.Diagnosis) (title, remedy string) {
	p, args := l.diagnosisArgs(d)
	return l.T(p+".title", args), l.T(p+".remedy", args)
}

// diagnosisArgs is the catalogue prefix of d's texts and their arguments.
func (l *Localizer) diagnosisArgs(d providers.Diagnosis) (string, map[string]string) {
	code := d.Code
	if code == "" || !l.known("diag."+string(code)+".title") {
		code = providers.CodeUnknown
	}
	args := maps.Clone(d.Args)
	if args == nil {
		args = map[string]string{}
	}
	// A reason is a code; one without words (a provider added it and the
	// catalogue lags behind) is left out rather than shown raw.
	if r := args["reason"]; r != "" && !l.known("unsupported."+r) && !l.known("reason."+r) {
		delete(args, "reason")
	}
	// {{.address}} is the company's e-mail address in every text (e.g.
	// Set-CASMailbox -Identity {{.address}}); a network address that a
	// tester put there (203.0.113.5:587) is kept apart as "remote".
	if a := args["address"]; a != "" && !strings.Contains(a, "@") {
		args["remote"] = a
		delete(args, "address")
	}
	return "diag." + string(code), args
}

// Actor names who acts: actor.user|mail_admin|platform.
func (l *Localizer) Actor(a providers.Actor) string { return l.T("actor." + string(a)) }

// Stage names a live-test stage: stage.<name>.
func (l *Localizer) Stage(n providers.StageName) string { return l.T("stage." + string(n)) }

// Step names a wizard step: step.<state>.
func (l *Localizer) Step(s wizard.State) string { return l.T("step." + string(s)) }

// Channel names a channel in the platform's words: channel.<channel>.
func (l *Localizer) Channel(c providers.Channel) string { return l.T("channel." + string(c)) }

// ChannelHint is the one-line description of a channel: channel.<channel>.hint.
func (l *Localizer) ChannelHint(c providers.Channel) string {
	return l.T("channel." + string(c) + ".hint")
}

// Security names a transport security mode as the platform's settings
// form does: security.<mode>.
func (l *Localizer) Security(s providers.Security) string { return l.T("security." + string(s)) }

// SecurityHint explains a security mode in one line: security.<mode>.hint.
func (l *Localizer) SecurityHint(s providers.Security) string {
	return l.T("security." + string(s) + ".hint")
}

// Port explains a common SMTP port: port.<n>; other ports render as the
// bare number.
func (l *Localizer) Port(port int) string {
	id := "port." + strconv.Itoa(port)
	if !l.known(id) {
		return strconv.Itoa(port)
	}
	return l.T(id)
}

// CheckText is one prerequisite in words: Title states it ("SMTP AUTH is
// enabled…"), Question asks a person to confirm it, Why says why it
// matters.
type CheckText struct {
	Title    string
	Question string
	Why      string
}

// Check renders prerequisite id from check.<id>.title|question|why.
// Question is empty for checks only the program makes.
func (l *Localizer) Check(id string, args map[string]string) CheckText {
	p := "check." + id
	t := CheckText{Title: l.T(p+".title", args), Why: l.T(p+".why", args)}
	if l.known(p + ".question") {
		t.Question = l.T(p+".question", args)
	}
	return t
}

// Option is one choice of a select question: the value that goes into the
// setup file and its label.
type Option struct {
	Value string
	Label string
}

// QuestionText is a wizard question in words.
type QuestionText struct {
	Title   string
	Help    string
	Options []Option
}

// Question renders a wizard question: question.<field>.title|help, and
// for each option its label. Option labels reuse the names people see
// elsewhere: channel.<v> for "channel", security.<v> for "smtp.security",
// port.<v> for "smtp.port", otherwise option.<field>.<v>. A prerequisite
// confirmation ("prerequisites.<id>") is asked with check.<id>.question
// and explained with check.<id>.why, so the checklist and the question
// cannot drift apart.
func (l *Localizer) Question(q wizard.Question) QuestionText {
	var t QuestionText
	if id, ok := wizard.PrerequisiteOf(q.Field); ok {
		c := l.Check(id, q.Args)
		t.Title, t.Help = c.Question, c.Why
		if t.Title == "" {
			t.Title = c.Title
		}
	} else {
		t.Title = l.T("question."+q.Field+".title", q.Args)
		t.Help = l.T("question."+q.Field+".help", q.Args)
	}
	if id, ok := prefillWords[q.Args["prefill"]]; ok { // where a value the person did not give comes from
		t.Help = strings.TrimSpace(t.Help + "\n" + l.T(id, q.Args))
	}
	for _, v := range q.Options {
		t.Options = append(t.Options, Option{Value: v, Label: l.OptionLabel(q.Field, v, q.Args)})
	}
	return t
}

// OptionLabel is the label of value v of select question field (see
// Question for the ids).
func (l *Localizer) OptionLabel(field, v string, args map[string]string) string {
	switch field {
	case wizard.FieldChannel:
		return l.T("channel."+v, args)
	case wizard.FieldSMTPSecurity:
		return l.T("security."+v, args)
	case wizard.FieldSMTPPort:
		n, err := strconv.Atoi(v)
		if err != nil {
			return v
		}
		return l.Port(n)
	case wizard.FieldSMTPTransport:
		return l.transportLabel(v, args)
	}
	return l.T("option."+field+"."+v, args)
}

// ForwardingText tells how to forward the company address to the
// platform's inbound address with one provider.
type ForwardingText struct {
	Title  string
	Intro  string   // what forwarding is for (same for every provider)
	Steps  []string // what to do, in order
	Note   string   // the provider's pitfall
	Verify string   // how the platform confirms it works
}

// ForwardingProviders are the providers with their own instructions; any
// other value of Forwarding's provider gets "other".
var ForwardingProviders = []string{"google", "microsoft", "other"}

// Forwarding renders forwarding.<provider>.title|note and the numbered
// steps forwarding.<provider>.step1, step2, … (as many as the English
// catalogue has), plus forwarding.intro and forwarding.verify. args
// should carry address (the company address) and inbound
// (<account>-jobs@<mail domain>).
func (l *Localizer) Forwarding(provider string, args map[string]string) ForwardingText {
	if provider != "google" && provider != "microsoft" {
		provider = "other"
	}
	p := "forwarding." + provider
	t := ForwardingText{
		Title:  l.T(p+".title", args),
		Intro:  l.T("forwarding.intro", args),
		Note:   l.T(p+".note", args),
		Verify: l.T("forwarding.verify", args),
	}
	for i := 1; ; i++ {
		id := p + ".step" + strconv.Itoa(i)
		if !l.known(id) {
			break
		}
		t.Steps = append(t.Steps, l.T(id, args))
	}
	return t
}

// TestMessage is the subject and body of the live test's message;
// the subject carries token (the platform matches it when forwarding
// brings the message back). args may add address and platform.
func (l *Localizer) TestMessage(token string, args map[string]string) (subject, body string) {
	a := maps.Clone(args)
	if a == nil {
		a = map[string]string{}
	}
	a["token"] = token
	return l.T("testmail.subject", a), l.T("testmail.body", a)
}

// Field renders an invalid answer: "company.smtp.port: <why>", prefixed
// with "file:line: " when known. The text is invalid.<reason> with e.Args
// (plus key and line); a reason that is also a diagnosis (e.Code set,
// e.g. config.unsupported_host) is told with the diagnosis's explanation
// and remedy.
func (l *Localizer) Field(e *setupfile.FieldError) string {
	if e == nil {
		return ""
	}
	args := maps.Clone(e.Args)
	if args == nil {
		args = map[string]string{}
	}
	if _, ok := args["key"]; !ok {
		args["key"] = e.Key
	}
	if e.Line > 0 {
		args["line"] = strconv.Itoa(e.Line)
	}
	var text string
	switch id := "invalid." + e.Reason; {
	case e.Code != "" && l.known("diag."+string(e.Code)+".title"):
		d := l.Diagnosis(providers.Diagnosis{Code: e.Code, Args: args})
		text = d.Explain + " " + d.Remedy
	case e.Reason != "" && e.Reason != "invalid" && l.known(id):
		text = l.T(id, args)
	default:
		text = l.T("invalid.invalid", args)
		if e.Err != nil {
			// The only detail there is; it is technical, like a server reply.
			text += " (" + Escape(e.Err.Error()) + ")"
		}
	}
	var b strings.Builder
	switch {
	case e.File != "" && e.Line > 0:
		b.WriteString(Escape(e.File) + ":" + strconv.Itoa(e.Line) + ": ")
	case e.Line > 0:
		b.WriteString(l.T("field.line", args) + ": ")
	case e.File != "":
		b.WriteString(Escape(e.File) + ": ")
	}
	if e.Key != "" {
		b.WriteString(Escape(e.Key) + ": ")
	}
	b.WriteString(text)
	return b.String()
}

// Missing renders a key that a headless run needs and the setup file
// lacks: missing.in_file or missing.no_file.
func (l *Localizer) Missing(e *setupfile.MissingError) string {
	if e == nil {
		return ""
	}
	if e.File == "" {
		return l.T("missing.no_file", map[string]string{"key": e.Key})
	}
	return l.T("missing.in_file", map[string]string{"key": e.Key, "file": e.File})
}

// known reports whether id exists in the catalogue (in any language:
// English is the fallback for all).
func (l *Localizer) known(id string) bool {
	return l.T(id) != id
}

// prefillWords say where a prefilled value comes from (wizard.Prefill*).
var prefillWords = map[string]string{
	wizard.PrefillProbe:     "question.prefilled.probe",
	wizard.PrefillWellKnown: "question.prefilled.wellknown",
	wizard.PrefillProvider:  "question.prefilled.provider",
}

// transportWords label the common port/encryption pairs; any other pair
// is "port – encryption".
var transportWords = map[string]string{
	"starttls-587":        "option.smtp.transport.starttls-587",
	"smtps-465":           "option.smtp.transport.smtps-465",
	"starttls-25":         "option.smtp.transport.starttls-25",
	"starttls-2525":       "option.smtp.transport.starttls-2525",
	wizard.TransportOther: "option.smtp.transport.other",
}

func (l *Localizer) transportLabel(v string, args map[string]string) string {
	if id, ok := transportWords[v]; ok {
		return l.T(id, args)
	}
	sec, port, err := wizard.ParseTransport(v)
	if err != nil {
		return v
	}
	return strconv.Itoa(port) + " – " + l.Security(sec) // as port.<n> reads: "587 – …"
}
