package tui

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/tui/i18n"
	"github.com/jobmail/jobmail/wizard"
)

// The accessible mode asks with plain lines of its own (no huh form): the
// title with the default read out ("Account [jobs@acme.de]:"), a list's
// options once, numbered, then one line per answer, from a reader that
// keeps answers piped in line by line. What the machine refuses is said
// in words and the question is asked again, without repeating the list.

// errInputEnded: the answers ran out (end of a pipe, ctrl+d).
var errInputEnded = errors.New("input ended")

// ask asks q until the machine takes an answer; false when the person
// left or the input ended (progress is saved by the caller's quit).
func (a *accessible) ask(q wizard.Question) bool {
	t := a.words.Question(q)
	opts := t.Options
	if q.Kind == wizard.KindSelect && q.Open {
		opts = append(opts, i18n.Option{Value: otherChoice, Label: a.words.T("tui.option.other")})
	}
	if q.Kind == wizard.KindSelect {
		for i, o := range opts {
			a.say(fmt.Sprintf("  %d. %s", i+1, o.Label))
		}
	}
	for {
		v, err := a.readAnswer(q, t.Title, opts)
		var re *retryableError
		if errors.As(err, &re) {
			a.say(re.msg)
			continue
		}
		if err != nil {
			if a.ctx.Err() == nil {
				if errors.Is(err, errInputEnded) {
					a.say(a.words.T("tui.accessible.input_ended"))
				} else {
					a.say(err.Error())
				}
			}
			return false
		}
		if v == otherChoice { // another value: typed from scratch
			q.Kind, q.Value, q.Open = wizard.KindInput, "", false
			return a.ask(q)
		}
		if err := a.answer(q.Key, v); err != nil {
			a.say(err.Error())
			continue
		}
		return true
	}
}

// readAnswer prompts once and reads one answer: the default for an empty
// line, a list's option by number, value or label, yes/no in any of the
// catalogue's words.
func (a *accessible) readAnswer(q wizard.Question, title string, opts []i18n.Option) (string, error) {
	prompt := title
	def := q.Value
	switch q.Kind {
	case wizard.KindSelect:
		if i := optionIndex(opts, def); i >= 0 {
			prompt += fmt.Sprintf(" [%d. %s]", i+1, opts[i].Label)
		}
	case wizard.KindConfirm:
		yes, no := a.words.T("tui.yes"), a.words.T("tui.no")
		prompt += " (" + strings.ToLower(yes) + "/" + strings.ToLower(no) + ")"
		if b, err := wizard.ParseConfirm(def); err == nil {
			prompt += " [" + strings.ToLower(map[bool]string{true: yes, false: no}[b]) + "]"
		}
	case wizard.KindPassword:
		def = "" // never read out, never a default
	default:
		if def != "" {
			prompt += " [" + def + "]"
		}
	}
	fmt.Fprint(a.out, prompt+": ")
	var line string
	var err error
	if q.Kind == wizard.KindPassword {
		line, err = a.lines.ReadSecret()
		fmt.Fprintln(a.out) // the person's Enter was not echoed (or came from a pipe)
	} else {
		line, err = a.lines.ReadLine()
		if a.echo {
			fmt.Fprintln(a.out, line)
		}
	}
	switch {
	case errors.Is(err, io.EOF):
		return "", errInputEnded
	case err != nil:
		return "", err
	}
	line = strings.TrimSpace(line)
	if line == "" {
		return def, nil
	}
	switch q.Kind {
	case wizard.KindSelect:
		return a.pick(opts, line)
	case wizard.KindConfirm:
		return a.yesNo(line), nil
	}
	return line, nil
}

// pick maps a typed choice to an option's value: its number, its value
// or its label; anything else goes to the machine as typed (an open
// choice takes any valid value; the machine's error names the options).
func (a *accessible) pick(opts []i18n.Option, line string) (string, error) {
	if n, err := strconv.Atoi(line); err == nil {
		if n >= 1 && n <= len(opts) {
			return opts[n-1].Value, nil
		}
		return "", a.retryable(a.words.T("tui.accessible.number", map[string]string{"max": strconv.Itoa(len(opts))}))
	}
	for _, o := range opts {
		if strings.EqualFold(line, o.Value) || strings.EqualFold(line, o.Label) {
			return o.Value, nil
		}
	}
	return line, nil
}

// yesNo reads yes/no in the catalogue's words too ("ja", "sì").
func (a *accessible) yesNo(line string) string {
	switch l := strings.ToLower(line); {
	case l == strings.ToLower(a.words.T("tui.yes")):
		return "true"
	case l == strings.ToLower(a.words.T("tui.no")):
		return "false"
	}
	return line // the machine judges it (ParseConfirm) and says what it expects
}

func optionIndex(opts []i18n.Option, v string) int {
	for i, o := range opts {
		if o.Value == v {
			return i
		}
	}
	return -1
}

// retryableError is a typed answer the prompt refuses itself (a number
// out of range): said, then the question is asked again.
type retryableError struct{ msg string }

func (e *retryableError) Error() string { return e.msg }

func (a *accessible) retryable(msg string) error { return &retryableError{msg: msg} }

// stageWords is a finished live-test stage in words: a screen reader
// says "passed" or "failed", not a check mark.
func (a *accessible) stageWords(ev providers.StageEvent) string {
	id := "tui.accessible.stage_passed"
	if !ev.OK {
		id = "tui.accessible.stage_failed"
	}
	return "  " + a.words.T(id, map[string]string{"stage": a.words.Stage(ev.Name), "duration": a.dur(ev.Duration)})
}

// checksWords lists the prerequisites with passed / warning / failed.
func (a *accessible) checksWords() []string {
	args := a.args()
	lines := make([]string, 0, len(a.checks))
	for _, c := range a.checks {
		id := "tui.accessible.check_passed"
		switch {
		case c.OK:
		case c.Warning:
			id = "tui.accessible.check_warning"
		default:
			id = "tui.accessible.check_failed"
		}
		lines = append(lines, "  "+a.words.T(id, map[string]string{"check": a.words.Check(c.ID, args).Title}))
	}
	return lines
}
