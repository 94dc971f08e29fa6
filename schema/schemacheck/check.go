// Package schemacheck validates documents against the shipped JSON Schemas
// (package schema): the setup file's and the export's. Tests use it to
// hold the loader and the export to the published contract; the program
// itself does not link the validator.
package schemacheck

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"

	"github.com/jobmail/jobmail/schema"
)

// Compiled compiles the embedded schemas once, when first needed.
var Compiled = sync.OnceValues(func() (map[string]*jsonschema.Schema, error) {
	c := jsonschema.NewCompiler()
	out := map[string]*jsonschema.Schema{}
	for id, raw := range map[string][]byte{schema.SetupID: schema.Setup, schema.ExportID: schema.Export} {
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		if err != nil {
			return nil, fmt.Errorf("embedded schema %s: %w", id, err)
		}
		if err := c.AddResource(id, doc); err != nil {
			return nil, fmt.Errorf("embedded schema %s: %w", id, err)
		}
	}
	for _, id := range []string{schema.SetupID, schema.ExportID} {
		s, err := c.Compile(id)
		if err != nil {
			return nil, fmt.Errorf("compile schema %s: %w", id, err)
		}
		out[id] = s
	}
	return out, nil
})

func checkSchema(id string, doc any) error {
	schemas, err := Compiled()
	if err != nil {
		return err
	}
	return schemas[id].Validate(doc)
}

// Export validates an export's JSON against the shipped schema.
func Export(data []byte) error {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("export is not JSON: %w", err)
	}
	if err := checkSchema(schema.ExportID, doc); err != nil {
		return fmt.Errorf("export does not match its schema: %w", err)
	}
	return nil
}

// Setup validates setup-file content (YAML) against the shipped
// schema, after converting it to JSON values. The loader is stricter; this
// is the contract as scripts and editors see it.
func Setup(data []byte) error {
	doc, err := SetupDocument(data)
	if err != nil {
		return err
	}
	if err := checkSchema(schema.SetupID, doc); err != nil {
		return fmt.Errorf("setup file does not match its schema: %w", err)
	}
	return nil
}

// SetupDocument converts one YAML document to the values a JSON decoder
// would give (maps, lists, strings, numbers, booleans, nil). Aliases are
// refused, as the loader refuses them.
func SetupDocument(data []byte) (any, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc, extra yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, fmt.Errorf("parse yaml: %w", err)
	}
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, errors.New("parse yaml: more than one document")
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	return yamlToJSON(doc.Content[0])
}

var errAlias = errors.New("yaml aliases are not supported")

func yamlToJSON(n *yaml.Node) (any, error) {
	if n.Kind == yaml.AliasNode || n.Anchor != "" {
		return nil, errAlias
	}
	switch n.Kind {
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind != yaml.ScalarNode {
				return nil, fmt.Errorf("line %d: a key must be text", k.Line)
			}
			if _, dup := m[k.Value]; dup {
				return nil, fmt.Errorf("line %d: key %q given twice", k.Line, k.Value)
			}
			v, err := yamlToJSON(n.Content[i+1])
			if err != nil {
				return nil, err
			}
			m[n.Content[i].Value] = v
		}
		return m, nil
	case yaml.SequenceNode:
		l := make([]any, 0, len(n.Content))
		for _, item := range n.Content {
			v, err := yamlToJSON(item)
			if err != nil {
				return nil, err
			}
			l = append(l, v)
		}
		return l, nil
	}
	switch n.ShortTag() {
	case "!!null":
		return nil, nil
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err == nil {
			return b, nil
		}
	case "!!int":
		var i int64
		if err := n.Decode(&i); err == nil {
			return i, nil
		}
		var f float64
		if err := n.Decode(&f); err == nil {
			return f, nil
		}
	case "!!float":
		var f float64
		if err := n.Decode(&f); err == nil {
			return f, nil
		}
	}
	return n.Value, nil
}
