package i18n

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/schema"
)

// knowledgeCodes reads testdata/knowledge-codes.txt, the code column of
// KNOWLEDGE.md's "Diagnosis codes" table.
func knowledgeCodes(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile("testdata/knowledge-codes.txt")
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, l := range strings.Split(string(data), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			codes = append(codes, l)
		}
	}
	return codes
}

var knowledgeRow = regexp.MustCompile("(?m)^\\| `([a-z_]+\\.[a-z_]+)` \\|")

// findKnowledge looks for shared/KNOWLEDGE.md beside the checkout or one
// of its parents (the project's layout), or at $JOBMAIL_KNOWLEDGE.
func findKnowledge() string {
	if p := os.Getenv("JOBMAIL_KNOWLEDGE"); p != "" {
		return p
	}
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		p := filepath.Join(dir, "shared", "KNOWLEDGE.md")
		if _, err := os.Stat(p); err == nil {
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// TestKnowledgeCodes: every diagnosis code of KNOWLEDGE.md is a code of
// providers.AllCodes, has its title, explanation and remedy in every
// language, and is in the export schema's enum. The list is kept in
// testdata so the test runs where KNOWLEDGE.md is not (CI); where it is,
// the list must still hold every code of its table.
func TestKnowledgeCodes(t *testing.T) {
	codes := knowledgeCodes(t)
	if len(codes) < 48 {
		t.Fatalf("only %d codes in testdata/knowledge-codes.txt", len(codes))
	}
	if p := findKnowledge(); p != "" {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		text := string(data)
		if i := strings.Index(text, "## Diagnosis codes"); i >= 0 {
			text = text[i:]
		}
		if i := strings.Index(text, "### Reading a reply"); i >= 0 {
			text = text[:i]
		}
		for _, m := range knowledgeRow.FindAllStringSubmatch(text, -1) {
			if !slices.Contains(codes, m[1]) {
				t.Errorf("%s names %s: add it to testdata/knowledge-codes.txt", p, m[1])
			}
		}
	} else {
		t.Log("KNOWLEDGE.md not found: checking the list in testdata only")
	}
	var doc struct {
		Defs struct {
			Code struct {
				Enum []string `json:"enum"`
			} `json:"code"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal(schema.Export, &doc); err != nil {
		t.Fatal(err)
	}
	cats := loadCatalogues(t)
	for _, c := range codes {
		if !slices.Contains(providers.AllCodes, providers.Code(c)) {
			t.Errorf("%s is not in providers.AllCodes", c)
		}
		if !slices.Contains(doc.Defs.Code.Enum, c) {
			t.Errorf("%s is not in the export schema's code enum", c)
		}
		for _, l := range Langs {
			for _, part := range []string{"title", "explain", "remedy"} {
				id := "diag." + c + "." + part
				m := cats[l][id]
				if m == nil || strings.TrimSpace(m.Other) == "" {
					t.Errorf("%s: %s missing or empty", l, id)
				}
			}
		}
	}
}
