package i18n

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"github.com/nicksnyder/go-i18n/v2/i18n/template"
	"go.yaml.in/yaml/v3"
	"golang.org/x/text/language"
)

var updateCatalogues = flag.Bool("update-catalogues", false, "rewrite active.*.tsv from active.*.yaml")

const regenerate = "go test ./tui/i18n -run TestCompiledCatalogues -update-catalogues"

// parseYAML reads one language's YAML catalogue the way go-i18n does.
func parseYAML(t *testing.T, l Lang) []*goi18n.Message {
	t.Helper()
	name := "active." + string(l) + ".yaml"
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	mf, err := goi18n.ParseMessageFileBytes(data, name, map[string]goi18n.UnmarshalFunc{"yaml": yaml.Unmarshal})
	if err != nil {
		t.Fatalf("parse %s: %v", name, err)
	}
	return mf.Messages
}

var keyRe = regexp.MustCompile(`^[A-Za-z0-9][^\t\r\n|]*$`)

// escape is the writer of the compiled tables' text encoding; table.go's
// unescape reads it.
var escaper = strings.NewReplacer(`\`, `\\`, "\t", `\t`, "\r", `\r`, "\n", `\n`)

func escape(s string) string { return escaper.Replace(s) }

// compile is the compiled table of one language (see table.go).
func compile(t *testing.T, l Lang, msgs []*goi18n.Message) []byte {
	t.Helper()
	lines := map[string]string{}
	for _, m := range msgs {
		if !keyRe.MatchString(m.ID) {
			t.Fatalf("%s: message id %q: an id starts with a letter or digit and has no tab, line break or '|'", l, m.ID)
		}
		f := forms(m)
		if len(f) == 1 && f["other"] != "" {
			lines[m.ID] = m.Other
			continue
		}
		for form, text := range f {
			lines[m.ID+"|"+form] = text
		}
	}
	keys := sortedKeys(lines)
	sort.Strings(keys)
	var b bytes.Buffer
	fmt.Fprintf(&b, "# compiled from active.%s.yaml by %s: edit the YAML, never this file\n", l, regenerate)
	for _, k := range keys {
		b.WriteString(k + "\t" + escape(lines[k]) + "\n")
	}
	return b.Bytes()
}

// TestCompiledCatalogues keeps the embedded tables in step with the YAML
// people edit: a YAML change without -update-catalogues fails here, never
// silently in the binary. -update-catalogues rewrites them (also to
// resolve a merge conflict in one: the package compiles whatever they
// hold) and removes the JSON form they replaced.
func TestCompiledCatalogues(t *testing.T) {
	for _, l := range Langs {
		want := compile(t, l, parseYAML(t, l))
		name := "active." + string(l) + ".tsv"
		if *updateCatalogues {
			if err := os.WriteFile(name, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(name)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s is not the compilation of active.%s.yaml: run %s", name, l, regenerate)
		}
		if string(got) != tableOf(l) {
			t.Errorf("the binary embeds another %s than the file: rebuild", name)
		}
	}
	old, _ := filepath.Glob("active.*.json")
	for _, f := range old {
		if *updateCatalogues {
			if err := os.Remove(f); err != nil {
				t.Fatal(err)
			}
			continue
		}
		t.Errorf("%s is the old compiled form, no longer embedded: run %s (it removes it)", f, regenerate)
	}
}

func TestFind(t *testing.T) {
	table := "# header\na\t1\na.b\t2\na.b|one\t3\nb\tx\\ty\\\\z\\nw\nc\t\n"
	for key, want := range map[string]string{"a": "1", "a.b": "2", "a.b|one": "3", "b": "x\ty\\z\nw", "c": ""} {
		if got, ok := find(table, key); !ok || got != want {
			t.Errorf("find(%q) = %q, %v; want %q", key, got, ok, want)
		}
	}
	for _, key := range []string{"", "0", "a.", "a.b|other", "bb", "d", "# header"} {
		if got, ok := find(table, key); ok && key != "# header" {
			t.Errorf("find(%q) = %q, found; want nothing", key, got)
		}
	}
	// a table torn by a merge conflict still answers, never panics
	torn := "<<<<<<< HEAD\na\t1\n=======\na\t2\n>>>>>>> x\nb\t3"
	for _, key := range []string{"a", "b", "z", ""} {
		find(torn, key)
	}
	for _, s := range []string{"", "plain", "tab\there", `back\slash`, "line\nbreak\r\n", `\n literal`} {
		if got := unescape(escape(s)); got != s {
			t.Errorf("unescape(escape(%q)) = %q", s, got)
		}
		if strings.ContainsAny(escape(s), "\t\n\r") {
			t.Errorf("escape(%q) = %q keeps a separator", s, escape(s))
		}
	}
}

// TestSameAsGoI18n: every message of every language renders exactly as
// go-i18n renders it from the YAML (plural forms, English fallback,
// placeholders given or missing), so the compiled form changes nothing.
func TestSameAsGoI18n(t *testing.T) {
	tp := &template.TextParser{Option: "missingkey=zero"}
	ids := map[string][]string{} // id → its placeholders
	for _, l := range Langs {
		for _, m := range parseYAML(t, l) {
			for _, text := range forms(m) {
				ids[m.ID] = append(ids[m.ID], placeholders(text)...)
			}
		}
	}
	ids["no.such.message"] = nil
	counts := []int{0, 1, 2, 5, 21, 1000000, 3000000, 1000001, -1}
	for _, l := range Langs {
		b := goi18n.NewBundle(language.English)
		for _, src := range []Lang{English, l} {
			for _, m := range parseYAML(t, src) {
				if err := b.AddMessages(language.Make(string(src)), m); err != nil {
					t.Fatal(err)
				}
			}
		}
		loc := goi18n.NewLocalizer(b, string(l))
		for _, id := range sortedKeys(ids) {
			full := map[string]string{"count": "7"}
			for _, p := range ids[id] {
				full[p] = "v_" + p
			}
			for _, data := range []map[string]string{{}, full} {
				check := func(count *int) {
					cfg := &goi18n.LocalizeConfig{MessageID: id, TemplateData: data, TemplateParser: tp}
					if count != nil {
						cfg.PluralCount = *count
					}
					want, werr := loc.Localize(cfg)
					got, gerr := localize(l, id, count, data)
					// what the Localizer shows: the text, or the id when
					// there is none and an error
					if got != want || (got == "" && (werr == nil) != (gerr == nil)) {
						c := "none"
						if count != nil {
							c = fmt.Sprint(*count)
						}
						t.Errorf("%s %q count %s data %v: got %q (err %v), go-i18n %q (err %v)", l, id, c, data, got, gerr, want, werr)
					}
				}
				check(nil)
				for _, n := range counts {
					check(&n)
				}
			}
			if _, _, err := loc.LocalizeWithTag(&goi18n.LocalizeConfig{MessageID: id, TemplateParser: tp}); err == nil {
				_, tag, _ := loc.LocalizeWithTag(&goi18n.LocalizeConfig{MessageID: id, TemplateParser: tp})
				if want := tag == language.Make(string(l)); has(l, id) != want {
					t.Errorf("%s: has(%q) = %v, go-i18n says %v", l, id, !want, want)
				}
			} else if has(l, id) {
				t.Errorf("%s: has(%q) but go-i18n finds nothing", l, id)
			}
		}
	}
}

// TestPluralRules: pluralForm picks the form go-i18n's CLDR rules pick,
// for a message that has every form.
func TestPluralRules(t *testing.T) {
	for _, l := range Langs {
		b := goi18n.NewBundle(language.English)
		tag := language.Make(string(l))
		m := &goi18n.Message{ID: "m", Zero: "zero", One: "one", Two: "two", Few: "few", Many: "many", Other: "other"}
		if err := b.AddMessages(tag, m); err != nil {
			t.Fatal(err)
		}
		loc := goi18n.NewLocalizer(b, string(l))
		for n := -3; n < 3000003; n += 1 + n/7 {
			for _, c := range []int{n, 1000000 * (n%9 + 1)} {
				want, err := loc.Localize(&goi18n.LocalizeConfig{MessageID: "m", PluralCount: c})
				if err != nil {
					t.Fatal(err)
				}
				if got := pluralForm(l, c); got != want {
					t.Errorf("%s: pluralForm(%d) = %q, go-i18n %q", l, c, got, want)
				}
			}
		}
	}
}
