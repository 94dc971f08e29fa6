package setupfile

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/jobmail/jobmail/schema"
	"github.com/jobmail/jobmail/schema/schemacheck"
)

func TestEmbeddedSchemas(t *testing.T) {
	for name, raw := range map[string][]byte{"setup": schema.Setup, "export": schema.Export} {
		var doc map[string]any
		if err := json.Unmarshal(raw, &doc); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if doc["$schema"] != "https://json-schema.org/draft/2020-12/schema" {
			t.Errorf("%s: $schema %v", name, doc["$schema"])
		}
	}
	if _, err := schemacheck.Compiled(); err != nil {
		t.Fatal(err)
	}
}

// The loader checks more than the schema can express; these broken files
// are valid as far as the schema can tell, and the list says why.
var schemaCannotTell = map[string]string{
	"address-bad-punycode.yaml":  "IDNA rules",
	"ca-file-missing.yaml":       "file system",
	"ca-file-not-pem.yaml":       "file content",
	"ca-file-directory.yaml":     "file system",
	"secret-file-missing.yaml":   "file system",
	"entity-duplicate-name.yaml": "uniqueness of a property across items",
	"entity-smtp-no-host.yaml":   "inheritance from the company",
}

// TestSchemaAgreesWithLoader: for every example and every broken file,
// the schema and the loader agree (valid ⇔ loads), except where the schema
// cannot tell.
func TestSchemaAgreesWithLoader(t *testing.T) {
	files, _ := filepath.Glob("testdata/examples/*.yaml")
	broken, _ := filepath.Glob("testdata/broken/*")
	files = append(files, broken...)
	for _, f := range files {
		t.Run(f, func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			_, loadErr := Load(f, LoadOptions{})
			schemaErr := schemacheck.Setup(data)
			if why, ok := schemaCannotTell[filepath.Base(f)]; ok {
				if loadErr == nil || schemaErr != nil {
					t.Fatalf("expected load error only (%s): load %v, schema %v", why, loadErr, schemaErr)
				}
				return
			}
			if (loadErr == nil) != (schemaErr == nil) {
				t.Fatalf("disagree: load %v\nschema %v", loadErr, schemaErr)
			}
		})
	}
}

// TestSchemaAgreesOnEdgeCases feeds both judges small documents around
// the rules that are easiest to get out of step.
func TestSchemaAgreesOnEdgeCases(t *testing.T) {
	head := "version: 1\nplatform:\n  account: acme\n"
	for _, c := range []struct {
		name, doc string
		valid     bool
	}{
		{"null optional", head + "company:\n  address: jobs@acme.de\n  sender_name:\n", true},
		{"empty optional", head + "company:\n  address: jobs@acme.de\n  sender_name: \"\"\n", false},
		{"entity empty address", head + "company:\n  address: jobs@acme.de\nentities:\n  - name: X\n    address: \"\"\n", true},
		{"entity inherits, sender name", head + "company:\n  address: jobs@acme.de\nentities:\n  - name: X\n    sender_name: employee\n", true},
		{"entity inherits, smtp", head + "company:\n  address: jobs@acme.de\nentities:\n  - name: X\n    smtp: {host: a.b}\n", false},
		{"entity blank name", head + "company:\n  address: jobs@acme.de\nentities:\n  - name: \"  \"\n", false},
		{"smtp host empty", head + "company:\n  address: jobs@acme.de\n  channel: smtp\n  smtp: {host: \"\"}\n", false},
		{"ipv6 host", head + "company:\n  address: jobs@acme.de\n  channel: smtp\n  smtp: {host: \"::1\"}\n", true},
		{"port 65535", head + "company:\n  address: jobs@acme.de\n  smtp: {host: a.b, port: 65535}\n", true},
		{"port 65536", head + "company:\n  address: jobs@acme.de\n  smtp: {host: a.b, port: 65536}\n", false},
		{"stdin ref", head + "company:\n  address: jobs@acme.de\n  smtp: {host: a.b, password: stdin}\n", true},
		{"prerequisite false", head + "company:\n  address: jobs@acme.de\n  prerequisites: {ip_allowlist: false}\n", true},
		{"prerequisite bad id", head + "company:\n  address: jobs@acme.de\n  prerequisites: {IP: true}\n", false},
		{"unicode address", head + "company:\n  address: jobs@bücher.de\n", true},
		{"no platform", "version: 1\ncompany:\n  address: jobs@acme.de\n", false},
		{"progress unknown key", head + "company:\n  address: jobs@acme.de\nprogress: {step: test, when: now}\n", false},
		{"account too long", "version: 1\nplatform:\n  account: a123456789012345678901234567890123456789012345678901234567890\ncompany:\n  address: jobs@acme.de\n", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, loadErr := Parse(c.name, []byte(c.doc), LoadOptions{})
			schemaErr := schemacheck.Setup([]byte(c.doc))
			if (loadErr == nil) != c.valid || (schemaErr == nil) != c.valid {
				t.Fatalf("want valid=%v: load %v\nschema %v", c.valid, loadErr, schemaErr)
			}
		})
	}
}
