// Package schema ships the JSON Schemas (draft 2020-12) of jobmail's two
// files inside the binary: the setup file (jobmail.yaml, checked after
// converting YAML to JSON) and the platform export (recruiting-email.json).
// They document the public contract for scripts and editors; jobmail's own
// loader checks more than a schema can say (see the descriptions).
package schema

import _ "embed"

// Schema identifiers ($id), also the names under which they are compiled.
const (
	SetupID  = "https://github.com/jobmail/jobmail/schema/jobmail.schema.json"
	ExportID = "https://github.com/jobmail/jobmail/schema/export.schema.json"
)

// Setup is the JSON Schema of the setup file.
//
//go:embed jobmail.schema.json
var Setup []byte

// Export is the JSON Schema of the platform export.
//
//go:embed export.schema.json
var Export []byte
