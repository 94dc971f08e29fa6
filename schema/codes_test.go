package schema_test

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/schema"
)

// CodeEnum is the export schema's enum of diagnosis codes.
func codeEnum(t *testing.T) []string {
	t.Helper()
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
	return doc.Defs.Code.Enum
}

// TestCodeEnumIsAllCodes: the export's code enum and providers.AllCodes
// are the same set, so a new code cannot reach the export unannounced.
func TestCodeEnumIsAllCodes(t *testing.T) {
	enum := codeEnum(t)
	if len(enum) == 0 {
		t.Fatal("export schema: $defs.code has no enum")
	}
	for _, c := range providers.AllCodes {
		if !slices.Contains(enum, string(c)) {
			t.Errorf("code %s is not in the export schema's enum", c)
		}
	}
	for _, e := range enum {
		if !slices.Contains(providers.AllCodes, providers.Code(e)) {
			t.Errorf("enum value %s is not in providers.AllCodes", e)
		}
	}
	if len(enum) != len(slices.Compact(slices.Sorted(slices.Values(enum)))) {
		t.Error("enum lists a code twice")
	}
}
