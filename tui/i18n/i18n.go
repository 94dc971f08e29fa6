// Package i18n is jobmail's message catalogue: the one place where words for
// people live, in English, German and Italian. The core (wizard, providers,
// secrets) emits codes and arguments only; cmd and tui turn them into text
// through a Localizer.
//
// The catalogues are YAML files (active.<lang>.yaml) in go-i18n's format,
// compiled into sorted tables embedded in the binary (active.<lang>.tsv,
// see table.go): nothing is parsed at start, plural forms follow go-i18n's
// CLDR rules, templates are go-i18n's (text/template, missingkey=zero),
// and tests prove every message renders as go-i18n renders it. Message
// ids are flat dotted keys ("diag.net.timeout.title"), so a key found in Go
// source can be grepped in the catalogues. Templates use lowercase argument
// names ({{.host}}); a missing argument renders as nothing, never as
// "<no value>".
package i18n

import (
	"maps"
	"strconv"
	"strings"

	"github.com/jobmail/jobmail/wizard/setupfile"
)

// Lang is a language the catalogue speaks.
type Lang string

const (
	English Lang = "en"
	German  Lang = "de"
	Italian Lang = "it"
)

// Langs lists the supported languages, the default first.
var Langs = []Lang{English, German, Italian}

// ParseLang reads a language name as given to --lang or found in a locale
// variable ("de", "de_DE.UTF-8", "it-CH", "EN"). ok is false for anything
// the catalogue does not speak, including "C" and "POSIX".
func ParseLang(s string) (Lang, bool) {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, ".@"); i >= 0 {
		s = s[:i]
	}
	if i := strings.IndexAny(s, "_-"); i >= 0 {
		s = s[:i]
	}
	l := Lang(strings.ToLower(s))
	for _, known := range Langs {
		if l == known {
			return l, true
		}
	}
	return "", false
}

// Detect picks the language: the --lang flag when it names a supported
// language, else the first of LC_ALL, LC_MESSAGES, LANG that is set (as
// POSIX does: LC_ALL=C wins over LANG=de_DE), else English. An unsupported
// locale ("C", "POSIX", "fr_FR") means English. Callers that want to reject
// a bad --lang value check it with ParseLang first.
func Detect(flagValue string, getenv func(string) string) Lang {
	if l, ok := ParseLang(flagValue); ok {
		return l
	}
	if getenv == nil {
		return English
	}
	for _, name := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := getenv(name); v != "" {
			if l, ok := ParseLang(v); ok {
				return l
			}
			return English
		}
	}
	return English
}

// Localizer renders catalogue messages in one language. It is safe for
// concurrent use; the zero value is not usable, call New.
type Localizer struct {
	lang     Lang
	defaults map[string]string
}

// New returns a Localizer for lang (English for an unknown lang). Every
// message gets the platform defaults as arguments (platform, ips,
// mail_domain, mail_service) unless the caller passes its own.
func New(lang Lang) *Localizer {
	if _, ok := ParseLang(string(lang)); !ok {
		lang = English
	}
	return &Localizer{
		lang: lang,
		defaults: map[string]string{
			"platform":     setupfile.DefaultPlatformName,
			"mail_domain":  setupfile.DefaultMailDomain,
			"mail_service": setupfile.DefaultMailService,
			"ips":          strings.Join(setupfile.DefaultOutgoingIPs, ", "),
		},
	}
}

// WithDefaults returns a copy of l whose messages also get args unless a
// call passes its own: e.g. the platform name and outgoing IPs of a setup
// file that overrides them. Empty values are ignored.
func (l *Localizer) WithDefaults(args map[string]string) *Localizer {
	c := *l
	c.defaults = maps.Clone(l.defaults)
	for k, v := range args {
		if v != "" {
			c.defaults[k] = v
		}
	}
	return &c
}

// Lang is the language l speaks.
func (l *Localizer) Lang() Lang { return l.lang }

// T renders message id with args (later maps win). A message missing in
// l's language falls back to English; a message missing everywhere
// renders as its id, so a gap shows up as "diag.x.title" on screen and in
// the catalogue tests, never as a panic.
func (l *Localizer) T(id string, args ...map[string]string) string {
	return l.render(id, nil, args...)
}

// N renders message id in the plural form for count (CLDR rules of l's
// language); the template sees the count as {{.count}}.
func (l *Localizer) N(id string, count int, args map[string]string) string {
	return l.render(id, &count, args, map[string]string{"count": strconv.Itoa(count)})
}

// Has reports whether id exists in l's language (no English fallback).
func (l *Localizer) Has(id string) bool {
	return has(l.lang, id)
}

// codedArgs are arguments whose values are codes with words of their own
// in the catalogue: {{.detail}} "missing_at" is rendered from
// detail.missing_at, {{.reason}} "google_relay" from
// unsupported.google_relay. A value without an entry (a parser's own
// message, a name) is shown as it is.
var codedArgs = map[string][]string{
	"detail":   {"detail."},
	"expected": {"type."},
	"got":      {"type."},
	"reason":   {"unsupported.", "reason."},
	"source":   {"source."},
}

func (l *Localizer) render(id string, count *int, args ...map[string]string) string {
	m, found := lookup(l.lang, id, count)
	if !found {
		return id
	}
	if count == nil && !strings.Contains(m.src, "{{") {
		// A text without template actions (a stage name, a column
		// heading) is itself whatever the arguments: no copy of the
		// defaults, no argument escaped, nothing executed.
		return m.src
	}
	data := maps.Clone(l.defaults)
	if data == nil {
		data = map[string]string{}
	}
	for _, a := range args {
		for k, v := range a {
			data[k] = Escape(v) // every value is from outside; the templates are ours
		}
	}
	l.localDates(data)
	words := map[string]string{}
	for k, prefixes := range codedArgs {
		v := data[k]
		if v == "" || strings.ContainsAny(v, " \t\n") {
			continue
		}
		for _, p := range prefixes {
			// The code's own words may use the other arguments (e.g.
			// {{.platform}}) as given, never another code's words.
			if w, err := localize(l.lang, p+v, nil, data); err == nil || w != "" {
				words[k] = w
				break
			}
		}
	}
	maps.Copy(data, words)
	s, err := m.execute(l.lang, id, data)
	if s == "" && err != nil {
		return id
	}
	return s
}
