package tui

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"charm.land/huh/v2"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/wizard"
)

// What the accessible mode says besides its questions (accessible_ask.go):
// plain lines, the context a step adds once, and the menus as line
// prompts.

func (a *accessible) say(lines ...string) {
	for _, l := range lines {
		fmt.Fprintln(a.out, l)
	}
}

// choose asks one static menu; "" when the person left.
func (a *accessible) choose(title string, opts []huh.Option[string]) string {
	return a.chooseLine(title, opts)
}

// chooseLine asks a menu in a plain line prompt, as ask does for the
// machine's lists: the choices printed once, a number, value or label
// taken, Enter for the first; a refused line asks again without
// reprinting the list (huh's accessible select reprints it and reads
// piped lines past their end). It sets a.choice; "" when the input ended
// or the run was cancelled.
func (a *accessible) chooseLine(title string, opts []huh.Option[string]) string {
	for i, o := range opts {
		a.say(fmt.Sprintf("  %d. %s", i+1, o.Key))
	}
	for {
		fmt.Fprintf(a.out, "%s [1. %s]: ", title, opts[0].Key)
		line, err := a.lines.ReadLine()
		if a.echo && err == nil {
			fmt.Fprintln(a.out, line)
		}
		if err != nil || a.ctx.Err() != nil {
			if a.ctx.Err() == nil && errors.Is(err, io.EOF) {
				a.say(a.words.T("tui.accessible.input_ended"))
			}
			a.choice = ""
			return ""
		}
		if v, ok := menuPick(opts, strings.TrimSpace(line)); ok {
			a.choice = v
			return v
		}
		a.say(a.words.T("tui.accessible.number", map[string]string{"max": strconv.Itoa(len(opts))}))
	}
}

// menuPick maps a typed line to a menu choice: empty is the first, else
// its number, value or label.
func menuPick(opts []huh.Option[string], line string) (string, bool) {
	if line == "" {
		return opts[0].Value, true
	}
	if n, err := strconv.Atoi(line); err == nil {
		if n >= 1 && n <= len(opts) {
			return opts[n-1].Value, true
		}
		return "", false
	}
	for _, o := range opts {
		if strings.EqualFold(line, o.Value) || strings.EqualFold(line, o.Key) {
			return o.Value, true
		}
	}
	return "", false
}

// context says, once, what the step adds to its questions: the inbound
// address as a plain line (a screen reader reads box drawing aloud), the
// forwarding instructions, the MX suggestion. The answers already given
// are not repeated.
func (a *accessible) context(q wizard.Question) {
	args := a.args()
	switch {
	case q.State == wizard.StateForwarding && args["inbound"] != "" && a.said["inbound"] != args["inbound"]:
		a.said["inbound"] = args["inbound"]
		a.say(wrap(a.words.T("tui.inbound.label", args)+" "+args["inbound"], a.width))
	}
	switch q.Field {
	case wizard.FieldForwarding:
		a.say("", a.forwardingSteps(a.width), "")
	case wizard.FieldChannel:
		if a.det.done {
			d := a.words.T(foundID(a.det.result), withMX(args, a.det.result))
			args["channel"] = a.words.Channel(providers.Channel(q.Value))
			a.say(wrap(d, a.width), a.words.T("tui.detect.suggest", args))
		}
	}
}

func withMX(args map[string]string, d Detection) map[string]string {
	if len(d.MX) > 0 {
		args["mx"] = d.MX[0]
	}
	return args
}
