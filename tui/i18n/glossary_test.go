package i18n

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// glossaryTerm is one concept of glossary.yaml.
type glossaryTerm struct {
	Concept string                   `yaml:"concept"`
	EN      string                   `yaml:"en"`
	Langs   map[string]glossaryWords `yaml:",inline"`
}

type glossaryWords struct {
	Use   string   `yaml:"use"`
	Avoid []string `yaml:"avoid"`
}

var placeholder = regexp.MustCompile(`{{[^}]*}}`)

// TestGlossary: the same thing is always called the same. Where an English
// message names a concept of glossary.yaml, its German and Italian texts
// use the glossary's words for it; no text anywhere uses a form the
// glossary rules out.
func TestGlossary(t *testing.T) {
	data, err := os.ReadFile("glossary.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var terms []glossaryTerm
	if err := yaml.Unmarshal(data, &terms); err != nil {
		t.Fatalf("glossary.yaml: %v", err)
	}
	if len(terms) < 5 {
		t.Fatalf("glossary.yaml has %d terms", len(terms))
	}
	cats := loadCatalogues(t)
	text := func(l Lang, id string) string {
		m, ok := cats[l][id]
		if !ok {
			return ""
		}
		var parts []string
		for _, f := range forms(m) {
			parts = append(parts, f)
		}
		return placeholder.ReplaceAllString(strings.Join(parts, " "), " ")
	}
	for _, term := range terms {
		en := regexp.MustCompile(term.EN)
		named := 0
		for _, id := range sortedKeys(cats[English]) {
			if !en.MatchString(text(English, id)) {
				continue
			}
			named++
			for _, l := range []Lang{German, Italian} {
				w, ok := term.Langs[string(l)]
				if !ok || w.Use == "" {
					t.Fatalf("%s: no %s words", term.Concept, l)
				}
				if got := text(l, id); !regexp.MustCompile(w.Use).MatchString(got) {
					t.Errorf("%s %q names %q without %q: %q", l, id, term.Concept, w.Use, got)
				}
			}
		}
		if named == 0 {
			t.Errorf("%s: no English message names it (is the pattern %q right?)", term.Concept, term.EN)
		}
		for _, l := range []Lang{German, Italian} {
			for _, avoid := range term.Langs[string(l)].Avoid {
				re := regexp.MustCompile(`(?i)(^|[^\pL])` + regexp.QuoteMeta(avoid)) // a word of its own: "Nutzername" is not in "Benutzername"
				for _, id := range sortedKeys(cats[l]) {
					if re.MatchString(text(l, id)) {
						t.Errorf("%s %q says %q for %q; the glossary says %q", l, id, avoid, term.Concept, term.Langs[string(l)].Use)
					}
				}
			}
		}
	}
}
