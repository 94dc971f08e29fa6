package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/secrets"
	"github.com/jobmail/jobmail/tui/i18n"
	"github.com/jobmail/jobmail/wizard"
	"github.com/jobmail/jobmail/wizard/setupfile"
)

// stageObserver prints each stage as it finishes, on stderr: the person
// sees progress even in --json mode, where stdout is for machines.
func (o *Options) stageObserver() providers.Observer {
	// One column for the names, as wide as the longest in this language.
	width := 0
	for _, n := range []providers.StageName{providers.StageResolve, providers.StageConnect, providers.StageGreeting, providers.StageTLS,
		providers.StageEHLO, providers.StageAuth, providers.StageMail, providers.StageRcpt, providers.StageData, providers.StageQuit} {
		width = max(width, utf8.RuneCountInString(o.words.Stage(n)))
	}
	return func(ev providers.StageEvent) {
		if !ev.Done {
			return
		}
		mark := "✓"
		if !ev.OK {
			mark = "✗"
		}
		name := o.words.Stage(ev.Name)
		pad := strings.Repeat(" ", max(0, width-utf8.RuneCountInString(name)))
		fmt.Fprintf(o.f.Stderr, "  %s %s%s %8s\n", mark, name, pad, o.words.Duration(ev.Duration))
	}
}

// printOutcomes writes the results of a run: one mailbox as one object
// (the DESIGN.md contract), several as one object per entity under
// "entities" plus a summary table for people.
func printOutcomes(o *Options, outs []outcome, exportPath string, code int) {
	if len(outs) == 1 {
		printOutcome(o, outs[0], exportPath)
		return
	}
	if o.JSON {
		all := jsonRun{OK: code == ExitOK, Export: exportPath, ExitCode: code}
		for _, out := range outs {
			all.Entities = append(all.Entities, o.jsonOf(out, ""))
		}
		writeJSON(o, all)
	}
	printSummary(o, outs)
	if code == ExitOK && exportPath != "" {
		fmt.Fprintln(o.f.Stderr, o.words.T("cli.export_written", map[string]string{"path": exportPath}))
	}
}

// printSummary is the table of a many-entity run: entity, address,
// channel, result, duration, diagnosis code.
func printSummary(o *Options, outs []outcome) {
	// tabwriter writes every cell and every run of padding on its own:
	// buffered, the table is a few writes instead of a dozen a mailbox.
	bw := bufio.NewWriter(o.f.Stderr)
	tw := tabwriter.NewWriter(bw, 2, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", o.words.T("cli.col.entity"), o.words.T("cli.col.address"),
		o.words.T("cli.col.channel"), o.words.T("cli.col.result"), o.words.T("cli.col.duration"), o.words.T("cli.col.code"))
	passed, failed := o.words.T("cli.result.ok"), o.words.T("cli.result.failed")
	for _, out := range outs {
		j := out.head()
		result, code, dur := passed, j.code(), ""
		if !j.OK {
			result = failed
		}
		if out.Session != nil && out.Session.Result != nil {
			dur = o.words.Duration(out.Session.Result.Duration)
		}
		name := out.Entity
		if name == setupfile.CompanyName {
			name = o.words.T("cli.company")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", i18n.Escape(name), i18n.Escape(j.Address), j.Channel, result, dur, i18n.Escape(code))
	}
	_ = tw.Flush()
	_ = bw.Flush()
	for _, out := range outs {
		if out.SharedWith != "" {
			continue
		}
		if out.Step.Blocked != nil || out.Err != nil {
			fmt.Fprintf(o.f.Stderr, "\n[%s]\n", i18n.Escape(out.Entity))
			if out.Step.Blocked != nil {
				printDiagnosis(o, o.f.Stderr, *out.Step.Blocked)
			} else {
				printError(o, out.Err)
			}
		}
	}
}

// printOutcome writes the result: JSON on stdout when asked, and always
// the words for people on stderr.
func printOutcome(o *Options, out outcome, exportPath string) {
	if o.JSON {
		writeJSON(o, o.jsonOf(out, exportPath))
	}
	w := o.f.Stderr
	s := out.Session
	if s != nil {
		for _, wn := range s.Warnings {
			title, remedy := o.words.Warning(wn.Diagnosis)
			fmt.Fprintf(w, "%s %s\n  %s\n", o.words.T("cli.warning"), title, remedy)
		}
	}
	switch {
	case out.Step.Blocked != nil:
		printDiagnosis(o, w, *out.Step.Blocked)
	case out.Err != nil:
		printError(o, out.Err)
	case out.ExitCode == ExitOK && s != nil:
		args := map[string]string{"address": s.Mailbox().Address, "token": s.Token, "inbound": s.Setup.InboundAddress()}
		if s.Result != nil {
			args["duration"] = o.words.Duration(s.Result.Duration)
		}
		fmt.Fprintln(w, o.words.T(passedWords[s.Proof()], args))
		if exportPath != "" {
			fmt.Fprintln(w, o.words.T("cli.export_written", map[string]string{"path": exportPath}))
		}
		if o.savedSecret != "" {
			fmt.Fprintln(w, o.words.T("cli.secret_saved", map[string]string{"account": o.savedSecret}))
		}
	}
}

// passedWords: the last line of a passed run for what it proved
// (wizard.Session.Proof decides; this only picks the words).
var passedWords = map[wizard.Proof]string{
	wizard.ProofSent:        "cli.test_passed",
	wizard.ProofThisMachine: "cli.test_passed.this_machine_only",
	wizard.ProofNothingSent: "cli.test_passed.nothing_sent",
}

// printDiagnosis is the diagnosis for people: what, the server's words,
// what to do, who must do it.
func printDiagnosis(o *Options, w io.Writer, d providers.Diagnosis) {
	t := o.words.Diagnosis(d)
	fmt.Fprintf(w, "\n✗ %s\n", t.Title)
	if t.Explain != "" {
		fmt.Fprintf(w, "  %s\n", t.Explain)
	}
	if d.Reply != "" {
		fmt.Fprintf(w, "  %s\n", o.words.T("cli.server_said"))
		for _, l := range strings.Split(d.Reply, "\n") {
			fmt.Fprintf(w, "    %s\n", i18n.Escape(l))
		}
	}
	fmt.Fprintf(w, "  %s %s\n", o.words.T("cli.what_to_do"), t.Remedy)
	if t.Actor != "" {
		fmt.Fprintf(w, "  %s %s\n", o.words.T("cli.who_acts"), t.Actor)
	}
	if d.Field != "" {
		fmt.Fprintf(w, "  %s %s\n", o.words.T("cli.setting"), i18n.Escape(d.Field))
	}
}

// printError turns an error into a sentence for people, on stderr.
func printError(o *Options, err error) {
	// Escaped once more as a whole: an error's own words may quote a path
	// or a server.
	fmt.Fprintf(o.f.Stderr, "jobmail: %s\n", i18n.Escape(o.errorText(err)))
}

// errorText localizes the errors the program knows; anything else is an
// unexpected error and keeps its own (English, lowercase) words.
func (o *Options) errorText(err error) string {
	var me *setupfile.MissingError
	var re *secrets.ResolveError
	if fe, ok := asFieldError(err); ok {
		return o.words.Field(fe)
	}
	if ue, ok := asUsageError(err); ok {
		return o.words.T(ue.key, ue.args)
	}
	if d, ok := providers.SecretsDiagnosis(err); ok {
		t := o.words.Diagnosis(d)
		return t.Explain + " " + t.Remedy
	}
	if text, ok := o.writeErrorText(err); ok {
		return text
	}
	switch {
	case errors.As(err, &me):
		return o.words.Missing(me)
	case errors.Is(err, errNoTerminal):
		return o.words.T("cli.error.no_terminal")
	case errors.Is(err, errNoConfig):
		return o.words.T("cli.error.no_config")
	case errors.Is(err, errNoOutput):
		return o.words.T("cli.error.no_output")
	case errors.Is(err, secrets.ErrUnavailable), errors.Is(err, secrets.ErrNotFound), errors.Is(err, secrets.ErrTooLarge):
		d := diagnosisOfError(err)
		t := o.words.Diagnosis(d)
		return t.Title + ": " + t.Remedy
	case errors.As(err, &re):
		return o.words.T("cli.error.secret_ref", map[string]string{"ref": re.Ref.String()})
	}
	return o.words.T("cli.error.unexpected", map[string]string{"error": err.Error()})
}

func asFieldError(err error) (*setupfile.FieldError, bool) {
	var fe *setupfile.FieldError
	ok := errors.As(err, &fe)
	return fe, ok
}

// diagnosisOfError gives every error that ends a run a diagnosis code:
// the machine's one mapping (wizard.DiagnosisOf), without the error's
// text (cmd words it itself, errorText).
func diagnosisOfError(err error) providers.Diagnosis {
	if ue, ok := asUsageError(err); ok {
		return ue.diagnosis()
	}
	d := wizard.DiagnosisOf(err)
	d.Reply = ""
	return d
}

// reportSetupError prints an invalid setup file (exit 2), in JSON too.
func reportSetupError(o *Options, err error) error {
	code := exitCodeOf(err)
	if o.JSON {
		writeJSON(o, jsonResult{Stages: []jsonStage{}, Warnings: []jsonDiagnosis{}, Diagnosis: o.errorDiagnosis(err), ExitCode: code})
	}
	printError(o, err)
	return withExit(code, nil)
}
