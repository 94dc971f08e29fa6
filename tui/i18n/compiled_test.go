package i18n

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"testing"

	"gopkg.in/yaml.v3"
)

var updateCatalogues = flag.Bool("update-catalogues", false, "rewrite active.*.json from active.*.yaml")

// TestCompiledCatalogues keeps the embedded JSON in step with the YAML
// people edit: a YAML change without `go test ./tui/i18n
// -update-catalogues` fails here, never silently in the binary.
func TestCompiledCatalogues(t *testing.T) {
	for _, l := range Langs {
		src, err := os.ReadFile("active." + string(l) + ".yaml")
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := yaml.Unmarshal(src, &m); err != nil {
			t.Fatalf("%s: %v", l, err)
		}
		want, err := json.MarshalIndent(m, "", " ") // keys sorted: stable diffs
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, '\n')
		name := "active." + string(l) + ".json"
		if *updateCatalogues {
			if err := os.WriteFile(name, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(name)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s is not the compilation of active.%s.yaml: run go test ./tui/i18n -run TestCompiledCatalogues -update-catalogues", name, l)
		}
	}
}
