package i18n

import (
	"regexp"
	"strings"
	"testing"
	"text/template"
)

// viaTextTemplate renders src as go-i18n does (text/template,
// missingkey=zero); ok is false when it does not parse or execute.
func viaTextTemplate(src string, data map[string]string) (string, bool) {
	t, err := template.New("").Option("missingkey=zero").Parse(src)
	if err != nil {
		return "", false
	}
	var b strings.Builder
	if err := t.Execute(&b, data); err != nil {
		return "", false
	}
	return b.String(), true
}

func viaQuick(q quick, data map[string]string) string {
	var b strings.Builder
	q.execute(&b, data, "")
	return b.String()
}

var literalRe = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)

// dataSets are the arguments every template is tried with: none, each
// placeholder missing, empty or present in turn, all present with
// characters that mean something to templates, shells or terminals, and
// every placeholder set to each literal the template compares with (so
// that each eq branch is taken).
func dataSets(src string) []map[string]string {
	keys := placeholders(src)
	sets := []map[string]string{nil, {}}
	all := func(v string) map[string]string {
		m := map[string]string{}
		for _, k := range keys {
			m[k] = v
		}
		return m
	}
	for _, v := range []string{"", "v", `{{.x}} <&>"' %v $x`, "line\nbreak\ttab", "ünï €", " "} {
		sets = append(sets, all(v))
	}
	for i, k := range keys {
		only, but, empty := map[string]string{k: "v_" + k}, all("w"), all("w")
		delete(but, k)
		empty[k] = ""
		sets = append(sets, only, but, empty)
		if i%2 == 0 { // every other one present: mixtures
			mix := map[string]string{}
			for j, k2 := range keys {
				if j%2 == i%4/2 {
					mix[k2] = "m_" + k2
				}
			}
			sets = append(sets, mix)
		}
	}
	for _, lit := range literalRe.FindAllString(src, -1) {
		s := strings.Trim(lit, `"`)
		sets = append(sets, all(s))
		for _, k := range keys {
			one := all("x")
			one[k] = s
			sets = append(sets, one)
		}
	}
	return sets
}

// TestQuickSameAsTextTemplate: every template of every language takes
// the quick path and renders byte for byte what text/template renders.
func TestQuickSameAsTextTemplate(t *testing.T) {
	n := 0
	for _, l := range Langs {
		for _, line := range strings.Split(tableOf(l), "\n") {
			key, text, ok := strings.Cut(line, "\t")
			if !ok || strings.HasPrefix(line, "#") {
				continue
			}
			src := unescape(text)
			if !strings.Contains(src, "{{") {
				continue
			}
			q, ok := compileQuick(src)
			if !ok {
				t.Errorf("%s %s: %q does not take the quick path", l, key, src)
				continue
			}
			for _, data := range dataSets(src) {
				want, ok := viaTextTemplate(src, data)
				if !ok {
					t.Errorf("%s %s: text/template fails on %q", l, key, src)
					break
				}
				if got := viaQuick(q, data); got != want {
					t.Errorf("%s %s with %v:\nquick         %q\ntext/template %q", l, key, data, got, want)
				}
				n++
			}
		}
	}
	if n < 1000 {
		t.Errorf("only %d renderings compared", n)
	}
}

// quickCases are templates beyond the catalogues': the shapes quick
// takes, and those it must leave to text/template.
var quickCases = []struct {
	src   string
	quick bool
}{
	{"a {{.x}} b", true},
	{"{{ .x }}{{\t$.y\n}}", true},
	{"{{with .x}}<{{.}}|{{$.y}}>{{else}}none {{.y}}{{end}}", true},
	{"{{with .x}}{{with $.y}}{{.}}{{end}}{{.}}{{end}}", true},
	{`{{if eq .x "a"}}A{{else if eq .x "b\"}}"}}B{{else if .y}}Y{{else}}Z{{end}}!`, true},
	{`{{with .x}}{{if eq . "a"}}A{{else}}{{.}}{{end}}{{end}}`, true},
	{`{{or .x .y "z"}}`, true},
	{`{{with .x}}{{or . $.y}}{{end}}`, true},
	{`{{if .x}}{{if .y}}xy{{end}}{{else}}-{{end}}`, true},
	{`}} {{.x}} }}`, true},
	{"{{.}}", false},                    // the map itself
	{"{{with .x}}{{.y}}{{end}}", false}, // a field of a string: an error
	{"{{- .x}}", false},
	{"{{.x -}}", false},
	{"{{/* c */}}", false},
	{"{{.x | printf \"%q\"}}", false},
	{"{{$v := .x}}{{$v}}", false},
	{"{{.x.y}}", false},
	{"{{$}}", false},
	{"{{$x}}", false},
	{"{{.1}}", false},
	{`{{"lit"}}`, false},
	{"{{`raw`}}", false},
	{"{{and .x .y}}", false},
	{"{{or .x}}", false},
	{"{{not .x}}", false},
	{"{{eq .x \"a\"}}", false},
	{`{{if eq .x "a" "b"}}{{end}}`, false},
	{`{{with eq .x "a"}}{{end}}`, false},
	{"{{with .x}}{{else with .y}}{{end}}", false},
	{"{{with .x}}{{.}}{{else if .y}}{{.y}}{{end}}", false}, // a parse error
	{"{{with .x}}{{.}}{{else}}{{if .y}}{{.y}}{{end}}{{end}}", true},
	{"{{if .x}}{{else}}{{else}}{{end}}", false},
	{"{{if .x}}", false},
	{"{{end}}", false},
	{"{{if .x}}{{end x}}", false},
	{"{{.x", false},
	{"{{.x}", false},
	{"{{}}", false},
	{"{{if}}{{end}}", false},
	{"{{range .x}}{{end}}", false},
	{`{{"a}}`, false},
	{`{{.ü}}`, false},
	{"{{.x\"a\"}}", false},
	{"{{(.x)}}", false},
	{"{{nil}}", false},
}

// TestQuickShapes: quick takes what it can render exactly and declines
// the rest (execute then uses text/template).
func TestQuickShapes(t *testing.T) {
	for _, c := range quickCases {
		t.Run(c.src, func(t *testing.T) {
			q, ok := compileQuick(c.src)
			if ok != c.quick {
				t.Fatalf("compileQuick ok = %v, want %v", ok, c.quick)
			}
			if !ok {
				return
			}
			for _, data := range dataSets(c.src + "{{.x}}{{.y}}") {
				want, wok := viaTextTemplate(c.src, data)
				if got := viaQuick(q, data); !wok || got != want {
					t.Errorf("with %v: quick %q, text/template %q (ok %v)", data, got, want, wok)
				}
			}
		})
	}
}

// TestExecuteFallsBack: what quick declines still renders (text/template)
// or fails as go-i18n does.
func TestExecuteFallsBack(t *testing.T) {
	data := map[string]string{"x": "X"}
	for src, want := range map[string]string{"{{.x | printf \"<%s>\"}}": "<X>", "{{- .x}} ": "X ", "{{/* c */}}a": "a"} {
		if got, err := execute(src, data); err != nil || got != want {
			t.Errorf("execute(%q) = %q, %v; want %q", src, got, err, want)
		}
	}
	for _, src := range []string{"{{if .x}}", "{{with .x}}{{.y}}{{end}}"} {
		if _, err := execute(src, data); err == nil {
			t.Errorf("execute(%q): no error", src)
		}
	}
}

// FuzzQuick: whatever quick takes, text/template parses and renders the
// same.
func FuzzQuick(f *testing.F) {
	for _, c := range quickCases {
		f.Add(c.src, "a", "")
	}
	f.Fuzz(func(t *testing.T, src, x, y string) {
		q, ok := compileQuick(src)
		if !ok {
			return
		}
		for _, data := range []map[string]string{nil, {"x": x}, {"x": x, "y": y}, {"y": y, "z": x}} {
			want, wok := viaTextTemplate(src, data)
			if got := viaQuick(q, data); !wok || got != want {
				t.Fatalf("%q with %v: quick %q, text/template %q (ok %v)", src, data, got, want, wok)
			}
		}
	})
}
