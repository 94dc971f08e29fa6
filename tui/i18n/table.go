package i18n

import (
	_ "embed"
	"errors"
	"strings"
	"sync"
	"text/template"
)

// The compiled catalogues: one line per message (per plural form), sorted
// by key, "key<TAB>text" with the text's backslash, tab, CR and newline
// escaped. A plain message's key is its id; a plural message has one line
// per form, keyed "id|form". They are generated from active.*.yaml by
//
//	go test ./tui/i18n -run TestCompiledCatalogues -update-catalogues
//
// and embedded as strings, so a run parses nothing at start: a lookup is
// a binary search over the lines, and only a message that is printed has
// its template parsed (once, cached). TestCompiledCatalogues keeps them in
// step with the YAML; TestSameAsGoI18n proves the rendering is go-i18n's.
// A merge conflict in a compiled file is resolved by regenerating it: the
// package compiles whatever the files hold (a broken line only makes its
// message render as its id).
var (
	//go:embed active.en.tsv
	tableEN string
	//go:embed active.de.tsv
	tableDE string
	//go:embed active.it.tsv
	tableIT string
)

func tableOf(l Lang) string {
	switch l {
	case German:
		return tableDE
	case Italian:
		return tableIT
	}
	return tableEN
}

// find returns the text stored under key in a compiled table.
func find(table, key string) (string, bool) {
	lo, hi := 0, len(table) // [lo, hi) holds whole lines
	for lo < hi {
		mid := lo + (hi-lo)/2
		start := lo
		if i := strings.LastIndexByte(table[lo:mid], '\n'); i >= 0 {
			start = lo + i + 1
		}
		end := hi
		if i := strings.IndexByte(table[start:hi], '\n'); i >= 0 {
			end = start + i
		}
		k, v, _ := strings.Cut(table[start:end], "\t")
		switch {
		case k == key:
			return unescape(v), true
		case k < key:
			lo = end + 1
		default:
			hi = start
		}
	}
	return "", false
}

// unescape reads the compiled tables' text encoding; its writer, escape,
// is in compiled_test.go, where the tables are compiled (-update-catalogues).
var unescaper = strings.NewReplacer(`\\`, `\`, `\t`, "\t", `\r`, "\r", `\n`, "\n")

func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	return unescaper.Replace(s)
}

// pluralForm is the CLDR cardinal form of an integer count (go-i18n's
// rules): English and German have one (1) and other; Italian also many
// (a non-zero multiple of a million: "1 milione di …").
func pluralForm(l Lang, n int) string {
	if n < 0 {
		n = -n
	}
	switch {
	case n == 1:
		return "one"
	case l == Italian && n != 0 && n%1000000 == 0:
		return "many"
	}
	return "other"
}

// textOf returns the template text of id in lang for the plural form
// ("" for a message without a count): the form's own text, else the
// "other" form, as go-i18n falls back.
func textOf(lang Lang, id, form string) (string, bool) {
	t := tableOf(lang)
	if form == "" {
		// A message without a count is most often a plain one: its own
		// line first (a plural message has none, so the order changes
		// nothing but the searches made).
		if s, ok := find(t, id); ok {
			return s, true
		}
		return find(t, id+"|other")
	}
	if form != "other" {
		if s, ok := find(t, id+"|"+form); ok {
			return s, true
		}
	}
	if s, ok := find(t, id+"|other"); ok {
		return s, true
	}
	return find(t, id)
}

// has reports whether lang's table holds id (in any form).
func has(lang Lang, id string) bool {
	_, ok := textOf(lang, id, "one")
	return ok
}

// templates caches compiled templates by their source text.
var templates sync.Map // string → quick, *template.Template or error

var errTemplate = errors.New("template does not parse")

// execute renders src with data as go-i18n does: text/template with
// missingkey=zero, compiled only when src has an action, by compileQuick
// when it can (see quick.go), else by text/template.
func execute(src string, data map[string]string) (string, error) {
	if !strings.Contains(src, "{{") {
		return src, nil
	}
	v, ok := templates.Load(src)
	if !ok {
		v = compileTemplate(src)
		templates.Store(src, v)
	}
	var b strings.Builder
	switch t := v.(type) {
	case quick:
		b.Grow(len(src))
		t.execute(&b, data, "")
	case *template.Template:
		if err := t.Execute(&b, data); err != nil {
			return "", err
		}
	default:
		return "", errTemplate
	}
	return b.String(), nil
}

// compileTemplate is src compiled: a quick, a *template.Template, or
// errTemplate.
func compileTemplate(src string) any {
	if q, ok := compileQuick(src); ok {
		return q
	}
	t, err := template.New("").Option("missingkey=zero").Parse(src)
	if err != nil {
		return errTemplate
	}
	return t
}

// localize renders id in lang (falling back to English when lang lacks
// it) for the plural form of count (nil: no count).
func localize(lang Lang, id string, count *int, data map[string]string) (string, error) {
	m, ok := lookup(lang, id, count)
	if !ok {
		return "", errors.New("message " + id + " not found")
	}
	return m.execute(lang, id, data)
}

// message is the template text a message renders from, and its plural
// form ("" without a count).
type message struct{ src, form string }

// lookup finds id's text in lang, else in English, for count's form.
func lookup(lang Lang, id string, count *int) (message, bool) {
	form := ""
	if count != nil {
		form = pluralForm(lang, *count)
	}
	src, ok := textOf(lang, id, form)
	if !ok && lang != English {
		if count != nil {
			form = pluralForm(English, *count)
		}
		src, ok = textOf(English, id, form)
	}
	return message{src: src, form: form}, ok
}

// execute renders m with data; when a count's form fails, lang's "other"
// form is tried, as go-i18n does.
func (m message) execute(lang Lang, id string, data map[string]string) (string, error) {
	s, err := execute(m.src, data)
	if err != nil && m.form != "" && m.form != "other" {
		if other, ok := textOf(lang, id, "other"); ok {
			if s2, err2 := execute(other, data); err2 == nil {
				return s2, err
			}
		}
	}
	return s, err
}
