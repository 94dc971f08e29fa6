package setupfile

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/jobmail/jobmail/secrets"
	"github.com/jobmail/jobmail/secrets/safefile"
)

// setupHeader opens every saved setup file. It says what the file is and
// that it holds no secret, for the person who opens it in an editor.
const setupHeader = `# jobmail setup file (version 1): the answers of a jobmail run, replayable
# with "jobmail --config FILE". It holds no secret: passwords and tokens
# appear only as references (keyring, env:NAME, file:PATH or stdin).
`

// Save writes s to path atomically (a temporary file in the same
// directory, mode 0600, synced, then renamed over path), so that a crash
// or kill at any moment leaves either the previous file or the new one,
// never a mix. Keys are written in the contract's order, empty ones left
// out. A secret field that does not hold a reference, or a value with a
// line break, is refused before anything is written.
func Save(path string, s *Setup) error {
	data, err := MarshalSetup(s)
	if err != nil {
		return fmt.Errorf("save setup file: %w", err)
	}
	if err := WriteFileAtomic(path, data, 0o600); err != nil {
		return fmt.Errorf("save setup file: %w", err)
	}
	return nil
}

// MarshalSetup is the content Save writes.
func MarshalSetup(s *Setup) ([]byte, error) {
	if s == nil {
		return nil, errors.New("no setup to write")
	}
	if err := checkSavable(s); err != nil {
		return nil, err
	}
	root := toNode(reflect.ValueOf(s).Elem())
	if root == nil {
		root = &yaml.Node{Kind: yaml.MappingNode}
	}
	var buf bytes.Buffer
	buf.WriteString(setupHeader)
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(root); err != nil {
		return nil, fmt.Errorf("encode setup: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("encode setup: %w", err)
	}
	return buf.Bytes(), nil
}

// toNode builds the YAML of a model value in field order, leaving out
// what is empty (zero scalars, nil or empty blocks and lists), so that a
// saved file never holds `host: ""`, which the loader would refuse as a
// value given empty. Confirmations (map values) are kept even when false:
// a "no" is an answer. Strings are tagged !!str, so the encoder quotes
// those that would read back as another type ("587", "true").
func toNode(v reflect.Value) *yaml.Node {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return nil
		}
		return toNode(v.Elem())
	case reflect.Struct:
		n := &yaml.Node{Kind: yaml.MappingNode}
		appendFields(n, v)
		if len(n.Content) == 0 {
			return nil
		}
		return n
	case reflect.Slice:
		if v.Len() == 0 {
			return nil
		}
		n := &yaml.Node{Kind: yaml.SequenceNode}
		for i := 0; i < v.Len(); i++ {
			item := toNode(v.Index(i))
			if item == nil {
				item = &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle}
			}
			n.Content = append(n.Content, item)
		}
		return n
	case reflect.Map:
		if v.Len() == 0 {
			return nil
		}
		n := &yaml.Node{Kind: yaml.MappingNode}
		keys := v.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
		for _, k := range keys {
			n.Content = append(n.Content, strNode(k.String()), scalarNode(v.MapIndex(k)))
		}
		return n
	case reflect.String:
		if v.String() == "" {
			return nil
		}
		return strNode(v.String())
	case reflect.Int:
		if v.Int() == 0 {
			return nil
		}
		return scalarNode(v)
	case reflect.Bool:
		return scalarNode(v)
	}
	return nil
}

// appendFields adds the non-empty fields of struct v to mapping n, in
// declaration order, following `,inline` embedding.
func appendFields(n *yaml.Node, v reflect.Value) {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		name, inline, ok := yamlKey(t.Field(i))
		switch {
		case !ok:
		case inline:
			appendFields(n, v.Field(i))
		default:
			if child := toNode(v.Field(i)); child != nil {
				n.Content = append(n.Content, strNode(name), child)
			}
		}
	}
}

func strNode(s string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
}

func scalarNode(v reflect.Value) *yaml.Node {
	switch v.Kind() {
	case reflect.Bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(v.Bool())}
	case reflect.Int:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.FormatInt(v.Int(), 10)}
	}
	return strNode(v.String())
}

// checkSavable refuses to write what must never be in the file: a secret
// field holding anything but a reference (the model only ever holds
// references; this is the last line of defence should a value slip in),
// and control characters, which the loader would refuse anyway.
func checkSavable(s *Setup) error {
	refs := func(key string, m *Mailbox) error {
		type ref struct{ key, v string }
		var rs []ref
		if m.SMTP != nil {
			rs = append(rs, ref{key + ".smtp.password", m.SMTP.Password})
		}
		if m.Google != nil {
			rs = append(rs, ref{key + ".google.refresh_token", m.Google.RefreshToken})
		}
		if m.Microsoft != nil {
			rs = append(rs, ref{key + ".microsoft.refresh_token", m.Microsoft.RefreshToken})
		}
		for _, r := range rs {
			if r.v == "" {
				continue
			}
			if _, err := secrets.ParseRef(r.v); err != nil {
				return &FieldError{Key: r.key, Reason: ReasonSecretUnsafe} // never the value
			}
		}
		return nil
	}
	if err := refs("company", &s.Company); err != nil {
		return err
	}
	for i := range s.Entities {
		if err := refs(EntityKey(i), &s.Entities[i].Mailbox); err != nil {
			return err
		}
	}
	return controlFree(reflect.ValueOf(s).Elem(), "")
}

// controlFree walks every string of the model for control characters.
func controlFree(v reflect.Value, key string) error {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			return controlFree(v.Elem(), key)
		}
	case reflect.Struct:
		fields := yamlFields(v.Type())
		for _, name := range slices.Sorted(maps.Keys(fields)) {
			if err := controlFree(v.FieldByIndex(fields[name]), joinKey(key, name)); err != nil {
				return err
			}
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			if err := controlFree(v.Index(i), key+"["+strconv.Itoa(i)+"]"); err != nil {
				return err
			}
		}
	case reflect.Map:
		iter := v.MapRange()
		for iter.Next() {
			k := iter.Key().String()
			if err := checkControl(k); err != nil {
				err.(*FieldError).Key = key
				return err
			}
		}
	case reflect.String:
		if err := checkControl(v.String()); err != nil {
			err.(*FieldError).Key = key
			return err
		}
	}
	return nil
}

// WriteFileAtomic replaces path with data through the one safe writer
// (safefile.Write): temporary file, perm, sync, rename, directory synced.
// It refuses a symbolic link (neither the link nor its target is
// touched), a directory, a device or other non-regular file, and any file
// protect names (compared by identity), each with an error naming path.
func WriteFileAtomic(path string, data []byte, perm fs.FileMode, protect ...string) error {
	return safefile.Write(path, data, safefile.WriteOptions{Perm: perm, Protect: protect})
}
