package tui

import (
	"errors"
	"slices"
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/jobmail/jobmail/tui/i18n"
	"github.com/jobmail/jobmail/wizard"
	"github.com/jobmail/jobmail/wizard/setupfile"
)

// otherChoice is the extra option of an open choice: "another value…".
const otherChoice = "\x00other"

// answer is the plain struct the field on screen is bound to: one of its
// members, by the question's kind.
type answer struct {
	Text   string
	Choice string
	Yes    bool
}

// ask shows question q as a one-field huh form, prefilled with the
// machine's value (the earlier answer or the default).
func (m *Model) ask(q wizard.Question) tea.Cmd {
	if q.Open && q.Value != "" && !slices.Contains(q.Options, q.Value) {
		q.Kind = wizard.KindInput // a value of its own: let it be edited
	}
	m.mode, m.scroll = modeQuestion, 0
	m.q = &q
	m.ans = newAnswer(q)
	m.form = m.newForm(m.field(q, m.ans, m.words))
	m.wrapField()
	return m.form.Init()
}

// wrapField wraps the question's title and help with the wizard's own
// wrap (never at a hyphen, long words at a sensible boundary) to the
// width of the field, so that huh's word wrap, which breaks
// acme-jobs@m-personio.de and IP lists, has nothing left to break. Called
// again on every resize.
func (m *Model) wrapField() {
	if m.form == nil || m.q == nil || m.mode != modeQuestion {
		return
	}
	t := m.words.Question(*m.q)
	help := t.Help
	if m.entity != nil && m.q.Field == wizard.FieldAddress {
		help = m.words.T("tui.entity.address_help", m.entityArgs())
	}
	w := m.formWidth() - 2 // huh's border and its padding
	title, desc := wrap(t.Title, w), wrap(help, w)
	switch f := m.form.GetFocusedField().(type) {
	case *huh.Input:
		f.Title(title).Description(desc)
	case *huh.Select[string]:
		f.Title(title).Description(desc)
	case *huh.Confirm:
		f.Title(title).Description(desc)
	}
	m.relayout(m.form)
}

func newAnswer(q wizard.Question) *answer {
	a := &answer{Text: q.Value, Choice: q.Value}
	if q.Kind == wizard.KindConfirm {
		yes, err := wizard.ParseConfirm(q.Value)
		a.Yes = err == nil && yes
	}
	return a
}

// field builds the huh field for q, bound to a. Its validator is the
// machine's Answer: the value is judged (and stored) by the wizard, and
// its error is shown at the field in the catalogue's words.
func (m *Model) field(q wizard.Question, a *answer, words *i18n.Localizer) huh.Field {
	t := words.Question(q)
	switch q.Kind {
	case wizard.KindSelect:
		opts := make([]huh.Option[string], 0, len(t.Options)+1)
		for _, o := range t.Options {
			opts = append(opts, huh.NewOption(o.Label, o.Value))
		}
		if q.Open { // any valid value: "another value…" turns it into a text field
			opts = append(opts, huh.NewOption(words.T("tui.option.other"), otherChoice))
		}
		return huh.NewSelect[string]().
			Key(q.Key).
			Title(t.Title).
			Description(t.Help).
			Options(opts...).
			Value(&a.Choice).
			Validate(func(v string) error {
				if v == otherChoice {
					return nil // asked next as a text field
				}
				return m.answer(q.Key, v)
			})
	case wizard.KindConfirm:
		return huh.NewConfirm().
			Key(q.Key).
			Title(t.Title).
			Description(t.Help).
			Affirmative(words.T("tui.yes")).
			Negative(words.T("tui.no")).
			Value(&a.Yes).
			Validate(func(v bool) error { return m.answer(q.Key, strconv.FormatBool(v)) })
	case wizard.KindPassword:
		return huh.NewInput().
			Key(q.Key).
			Title(t.Title).
			Description(t.Help).
			EchoMode(huh.EchoModePassword).
			Value(&a.Text).
			Validate(func(v string) error { return m.answer(q.Key, v) })
	}
	help, entityAddress := t.Help, m.entity != nil && q.Field == wizard.FieldAddress
	if entityAddress {
		help = words.T("tui.entity.address_help", m.entityArgs())
	}
	return huh.NewInput().
		Key(q.Key).
		Title(t.Title).
		Description(help).
		Value(&a.Text).
		Validate(func(v string) error {
			if m.keepOnEmpty && strings.TrimSpace(v) == "" {
				v = q.Value // accessible prompts show the prefill but return "" for it
			}
			return m.answer(q.Key, v)
		})
}

// answer gives v to the machine. huh may validate the same value twice
// (on enter and on blur); Answer stores the same value again, harmless.
func (m *Model) answer(key, v string) error {
	err := m.s.Answer(key, v)
	if err == nil {
		return nil
	}
	var fe *setupfile.FieldError
	if errors.As(err, &fe) {
		at := *fe
		at.Key = "" // shown at the field itself
		return errors.New(m.words.Field(&at))
	}
	return err
}

// answered records the submitted question and moves on.
func (m *Model) answered() tea.Cmd {
	q := *m.q
	if q.Kind == wizard.KindSelect && m.ans.Choice == otherChoice {
		q.Kind, q.Value = wizard.KindInput, "" // typed from scratch
		return m.ask(q)
	}
	m.notice = ""
	if m.s.Inherits() {
		return m.inheritEntity() // no address of its own: the company's settings
	}
	return m.advance()
}

// shownAnswer is an answer of the machine's as the summary shows it.
func (m *Model) shownAnswer(q wizard.Question) string {
	switch q.Kind {
	case wizard.KindPassword:
		return "••••••••"
	case wizard.KindConfirm:
		if yes, err := wizard.ParseConfirm(q.Value); err == nil && yes {
			return m.words.T("tui.yes")
		}
		return m.words.T("tui.no")
	case wizard.KindSelect:
		return m.words.OptionLabel(q.Field, q.Value, q.Args)
	}
	return q.Value
}

// back returns to the previous question (shift+tab), across steps. The
// machine keeps every answer as the prefill.
func (m *Model) back() tea.Cmd {
	if !m.s.Prev() {
		return nil
	}
	return m.advance()
}

// prevStep returns to the start of the step before the current one (esc).
func (m *Model) prevStep() tea.Cmd { return m.prevStepFrom(m.state()) }

func (m *Model) prevStepFrom(cur wizard.State) tea.Cmd {
	if !m.s.PrevStep(cur) {
		return nil
	}
	m.blocked = nil
	return m.advance()
}

// untouched reports whether the field on screen still holds its prefill.
func (m *Model) untouched() bool {
	if m.q == nil || m.ans == nil {
		return false
	}
	fresh := newAnswer(*m.q)
	if m.q.Kind == wizard.KindSelect && m.hovered() != fresh.Choice {
		return false // the cursor moved: a new prefill must not pull it back
	}
	return *fresh == *m.ans
}

// hovered is the option under the cursor of the select on screen.
func (m *Model) hovered() string {
	if m.form == nil || m.q == nil || m.q.Kind != wizard.KindSelect {
		return ""
	}
	if s, ok := m.form.GetFocusedField().(*huh.Select[string]); ok {
		if v, ok := s.Hovered(); ok {
			return v
		}
	}
	return m.ans.Choice
}
