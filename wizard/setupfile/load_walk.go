package setupfile

import (
	"reflect"
	"strconv"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

// decoder walks the YAML node tree against the Setup type, fills the model
// and records the line of every key. The allowed keys and their types are
// read from the model's yaml tags, so the strict check cannot drift from
// the model when a key is added.
type decoder struct {
	lines Lines
	nulls map[string]bool // keys written without a value
	errs  []*FieldError
}

func (d *decoder) fail(key string, line int, reason string, args map[string]string) {
	if len(d.errs) > maxErrors {
		return
	}
	d.errs = append(d.errs, &FieldError{Key: key, Line: line, Reason: reason, Args: args})
}

func (d *decoder) decode(n *yaml.Node, v reflect.Value, key string) {
	if len(d.errs) > maxErrors {
		return
	}
	// Anchors and aliases have no use in a setup file and are how
	// "billion laughs" documents blow up; refusing them outright keeps
	// the walk linear in the size of the file.
	if n.Kind == yaml.AliasNode || n.Anchor != "" {
		d.fail(key, n.Line, ReasonAliasForbidden, nil)
		return
	}
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		d.nulls[key] = true // `key:` with no value: the same as leaving it out
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		d.decode(n, v.Elem(), key)
	case reflect.Struct:
		d.decodeStruct(n, v, key)
	case reflect.Slice:
		d.decodeList(n, v, key)
	case reflect.Map:
		d.decodeMap(n, v, key)
	case reflect.String:
		// YAML 1.2 has no timestamp type: an unquoted 2024-01-01 is text,
		// as JSON Schema tools see it too.
		if n.Kind != yaml.ScalarNode || (n.ShortTag() != "!!str" && n.ShortTag() != "!!timestamp") {
			d.wrongType(key, n, "string")
			return
		}
		v.SetString(n.Value)
	case reflect.Int:
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" {
			d.wrongType(key, n, "integer")
			return
		}
		var i int64
		if n.Decode(&i) != nil || int64(int32(i)) != i {
			d.intRange(key, n)
			return
		}
		v.SetInt(i)
	case reflect.Bool:
		var b bool
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" || n.Decode(&b) != nil {
			d.wrongType(key, n, "boolean")
			return
		}
		v.SetBool(b)
	default:
		d.fail(key, n.Line, ReasonWrongType, map[string]string{"expected": v.Kind().String(), "got": nodeType(n)})
	}
}

// intRange reports an integer too large to be meant: as the port or
// version rule would, so people see the same words either way.
func (d *decoder) intRange(key string, n *yaml.Node) {
	switch {
	case key == "version":
		d.fail(key, n.Line, ReasonVersionUnsupported, map[string]string{"version": SafeArg(n.Value), "supported": strconv.Itoa(SetupVersion)})
	case strings.HasSuffix(key, "port"):
		d.fail(key, n.Line, ReasonPortRange, map[string]string{"min": "1", "max": "65535", "value": SafeArg(n.Value)})
	default:
		d.fail(key, n.Line, ReasonWrongType, map[string]string{"expected": "integer", "got": "number"})
	}
}

func (d *decoder) wrongType(key string, n *yaml.Node, expected string) {
	d.fail(key, n.Line, ReasonWrongType, map[string]string{"expected": expected, "got": nodeType(n)})
}

// nodeType names a node's type in the words of Args["expected"].
func nodeType(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "list"
	case yaml.AliasNode:
		return "alias"
	}
	switch n.ShortTag() {
	case "!!str":
		return "string"
	case "!!int":
		return "integer"
	case "!!float":
		return "number"
	case "!!bool":
		return "boolean"
	case "!!null":
		return "null"
	case "!!timestamp":
		return "date"
	case "!!binary":
		return "binary"
	}
	return "tagged"
}

// mapEntries yields the key/value pairs of a mapping, refusing keys that
// are not plain text and keys given twice (yaml.v3's node parser accepts
// both; the last one silently winning would hide a mistake).
func (d *decoder) mapEntries(n *yaml.Node, key string, each func(name, path string, k, v *yaml.Node)) {
	if n.Kind != yaml.MappingNode {
		d.wrongType(key, n, "mapping")
		return
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.AliasNode || k.Anchor != "" || k.ShortTag() == "!!merge" {
			d.fail(key, k.Line, ReasonAliasForbidden, nil)
			continue
		}
		if k.Kind != yaml.ScalarNode {
			d.fail(key, k.Line, ReasonKeyInvalid, nil)
			continue
		}
		name := k.Value
		path := joinKey(key, safeKey(name))
		if first, dup := seen[name]; dup {
			d.fail(path, k.Line, ReasonDuplicateKey, map[string]string{"key": SafeArg(name), "first_line": strconv.Itoa(first)})
			continue
		}
		seen[name] = k.Line
		each(name, path, k, v)
	}
}

func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, key string) {
	fields := yamlFields(v.Type())
	d.mapEntries(n, key, func(name, path string, k, val *yaml.Node) {
		idx, ok := fields[name]
		if !ok {
			args := map[string]string{"key": SafeArg(name)}
			if s := suggestKey(name, fields); s != "" {
				args["suggestion"] = s
			}
			d.fail(path, k.Line, ReasonUnknownKey, args)
			return
		}
		d.lines[path] = k.Line
		d.decode(val, v.FieldByIndex(idx), path)
	})
}

func (d *decoder) decodeMap(n *yaml.Node, v reflect.Value, key string) {
	if v.IsNil() {
		v.Set(reflect.MakeMap(v.Type()))
	}
	d.mapEntries(n, key, func(name, path string, k, val *yaml.Node) {
		d.lines[path] = k.Line
		elem := reflect.New(v.Type().Elem()).Elem()
		before := len(d.errs)
		d.decode(val, elem, path)
		if len(d.errs) == before {
			v.SetMapIndex(reflect.ValueOf(name), elem)
		}
	})
}

func (d *decoder) decodeList(n *yaml.Node, v reflect.Value, key string) {
	if n.Kind != yaml.SequenceNode {
		d.wrongType(key, n, "list")
		return
	}
	out := reflect.MakeSlice(v.Type(), 0, len(n.Content))
	for i, item := range n.Content {
		path := key + "[" + strconv.Itoa(i) + "]"
		d.lines[path] = item.Line
		elem := reflect.New(v.Type().Elem()).Elem()
		d.decode(item, elem, path)
		out = reflect.Append(out, elem)
	}
	v.Set(out)
}

func joinKey(parent, name string) string {
	if parent == "" {
		return name
	}
	return parent + "." + name
}

// safeKey keeps an unknown key printable in a key path.
func safeKey(name string) string {
	if name == "" {
		return `""`
	}
	return SafeArg(name)
}

// yamlFields maps the yaml key of each field of struct type t (following
// `,inline` embedding) to its index path. The map is built once per type
// (the walk asks for it at every mapping: 300 entities, 600 times) and
// shared: read it, never change it.
func yamlFields(t reflect.Type) map[string][]int {
	if f, ok := fieldsByType.Load(t); ok {
		return f.(map[string][]int)
	}
	f, _ := fieldsByType.LoadOrStore(t, buildYAMLFields(t))
	return f.(map[string][]int)
}

var fieldsByType sync.Map // reflect.Type → map[string][]int

func buildYAMLFields(t reflect.Type) map[string][]int {
	out := map[string][]int{}
	for i := 0; i < t.NumField(); i++ {
		name, inline, ok := yamlKey(t.Field(i))
		switch {
		case !ok:
		case inline:
			for k, idx := range yamlFields(t.Field(i).Type) {
				out[k] = append([]int{i}, idx...)
			}
		default:
			out[name] = []int{i}
		}
	}
	return out
}

// yamlKey reads a struct field's yaml tag as yaml.v3 does: its key (the
// lower-cased field name when the tag names none), whether it is an
// embedded `,inline` struct, and whether it is (un)serialised at all.
// The loader and Save both read tags through it, so they agree on keys.
func yamlKey(f reflect.StructField) (name string, inline, ok bool) {
	tag := f.Tag.Get("yaml")
	if tag == "-" || !f.IsExported() {
		return "", false, false
	}
	name, opts, _ := strings.Cut(tag, ",")
	if strings.Contains(","+opts+",", ",inline,") && f.Type.Kind() == reflect.Struct {
		return "", true, true
	}
	if name == "" {
		name = strings.ToLower(f.Name)
	}
	return name, false, true
}

// suggestKey finds the allowed key a misspelt one most likely meant: the
// same letters in another case, or at most two edits away.
func suggestKey(name string, fields map[string][]int) string {
	best, bestDist := "", 3
	for k := range fields {
		if strings.EqualFold(k, name) {
			return k
		}
		if dist := editDistance(strings.ToLower(name), k, 3); dist < bestDist || (dist == bestDist && dist < 3 && k < best) {
			best, bestDist = k, dist
		}
	}
	return best
}

// editDistance is the Levenshtein distance of a and b, or limit when it is
// at least limit (names over 64 bytes are not worth comparing).
func editDistance(a, b string, limit int) int {
	if len(a) > 64 || len(b) > 64 {
		return limit
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return min(prev[len(b)], limit)
}
