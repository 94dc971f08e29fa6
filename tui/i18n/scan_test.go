package i18n

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// source is what the catalogue tests learn from the repository's non-test
// Go files: which message ids the code names, and which values the core
// emits that have words of their own (codes, reasons, check ids…).
type source struct {
	literals  map[string]bool            // every string literal
	tKeys     map[string][]string        // literal first argument of .T( / .N( → where
	consts    map[string]map[string]bool // declared type name → string constants of that type
	checkIDs  map[string]bool            // untyped constants named Check* (prerequisite ids)
	kv        map[string]map[string]bool // "dir:key" → string values of key: "x" and m["key"] = "x"
	fieldName map[string]bool            // wizard question fields (name: "smtp.host")
	uses      map[string]bool            // cobra commands (Use: "test")
	fieldErrs map[string]bool            // Reason: "x" in FieldError{…} literals
	flags     map[string]bool            // cobra flags
}

// repoRoot is the module root, two levels above tui/i18n.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root not found above tui/i18n: %v", err)
	}
	return root
}

var flagRe = regexp.MustCompile(`\.(?:Bool|String|Int|Duration|StringSlice|StringArray|Count|Float64)(?:Var)?P?\((?:&[\w.]+,\s*)?"([a-z][a-z0-9-]*)"`)

// scanSource parses every non-test .go file of the module. A file that
// does not parse (another engineer mid-edit) is still searched for string
// literals with a regular expression, so its keys are not lost.
func scanSource(t *testing.T) *source {
	t.Helper()
	s := &source{
		literals: map[string]bool{}, tKeys: map[string][]string{}, consts: map[string]map[string]bool{},
		checkIDs: map[string]bool{}, kv: map[string]map[string]bool{}, fieldName: map[string]bool{},
		uses: map[string]bool{}, flags: map[string]bool{}, fieldErrs: map[string]bool{},
	}
	root := repoRoot(t)
	fset := token.NewFileSet()
	litRe := regexp.MustCompile(`"((?:[^"\\\n]|\\.)*)"`)
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "vendor") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		dir := strings.SplitN(filepath.ToSlash(rel), "/", 2)[0]
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if dir == "cmd" {
			for _, m := range flagRe.FindAllStringSubmatch(string(data), -1) {
				s.flags[m[1]] = true
			}
		}
		f, perr := parser.ParseFile(fset, path, data, parser.SkipObjectResolution)
		if perr != nil {
			t.Logf("%s does not parse (%v); searching it for literals only", rel, perr)
			for _, m := range litRe.FindAllStringSubmatch(string(data), -1) {
				if v, err := strconv.Unquote(`"` + m[1] + `"`); err == nil {
					s.literals[v] = true
				}
			}
			return nil
		}
		s.walk(f, fset, rel, dir)
		return nil
	})
	if err != nil {
		t.Fatalf("scan the repository: %v", err)
	}
	return s
}

func strLit(e ast.Expr) (string, bool) {
	bl, ok := e.(*ast.BasicLit)
	if !ok || bl.Kind != token.STRING {
		return "", false
	}
	v, err := strconv.Unquote(bl.Value)
	return v, err == nil
}

func typeName(e ast.Expr) string {
	switch x := e.(type) {
	case *ast.Ident:
		return x.Name
	case *ast.SelectorExpr:
		return x.Sel.Name
	}
	return ""
}

func (s *source) addKV(dir, key, v string) {
	k := dir + ":" + key
	if s.kv[k] == nil {
		s.kv[k] = map[string]bool{}
	}
	s.kv[k][v] = true
}

func (s *source) walk(f *ast.File, fset *token.FileSet, rel, dir string) {
	ast.Inspect(f, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.BasicLit:
			if v, ok := strLit(x); ok {
				s.literals[v] = true
			}
		case *ast.CallExpr:
			if sel, ok := x.Fun.(*ast.SelectorExpr); ok && (sel.Sel.Name == "T" || sel.Sel.Name == "N") && len(x.Args) > 0 {
				if v, ok := strLit(x.Args[0]); ok {
					s.tKeys[v] = append(s.tKeys[v], fset.Position(x.Pos()).String())
				}
			}
		case *ast.ValueSpec:
			for i, v := range x.Values {
				lit, ok := strLit(v)
				if !ok || i >= len(x.Names) {
					continue
				}
				if tn := typeName(x.Type); tn != "" {
					if s.consts[tn] == nil {
						s.consts[tn] = map[string]bool{}
					}
					s.consts[tn][lit] = true
				} else if x.Type == nil && strings.HasPrefix(x.Names[i].Name, "Check") {
					s.checkIDs[lit] = true
				} else if x.Type == nil && dir == "wizard" && strings.HasPrefix(x.Names[i].Name, "Field") {
					s.fieldName[lit] = true // wizard.FieldSMTPHost = "smtp.host", named in a field definition
				}
			}
		case *ast.CompositeLit:
			if typeName(x.Type) == "FieldError" {
				for _, e := range x.Elts {
					if kv, ok := e.(*ast.KeyValueExpr); ok && typeName(kv.Key) == "Reason" {
						if v, ok := strLit(kv.Value); ok {
							s.fieldErrs[v] = true
						}
					}
				}
			}
		case *ast.KeyValueExpr:
			v, ok := strLit(x.Value)
			if !ok {
				return true
			}
			switch k := x.Key.(type) {
			case *ast.Ident:
				s.addKV(dir, k.Name, v)
				if dir == "cmd" && k.Name == "Use" {
					s.uses[strings.Fields(v + " ")[0]] = true
				}
				if dir == "wizard" && k.Name == "name" {
					s.fieldName[v] = true
				}
			case *ast.BasicLit:
				if kk, ok := strLit(k); ok {
					s.addKV(dir, kk, v)
				}
			}
		case *ast.AssignStmt:
			for i, l := range x.Lhs {
				ix, ok := l.(*ast.IndexExpr)
				if !ok || i >= len(x.Rhs) {
					continue
				}
				k, ok1 := strLit(ix.Index)
				v, ok2 := strLit(x.Rhs[i])
				if ok1 && ok2 {
					s.addKV(dir, k, v)
				}
			}
		}
		return true
	})
}

// values returns the string values given to key ("reason", "Reason") in
// the non-test files of the top-level directories dirs.
func (s *source) values(key string, dirs ...string) []string {
	var out []string
	for _, d := range dirs {
		for v := range s.kv[d+":"+key] {
			out = append(out, v)
		}
	}
	return out
}

// constsOf returns the string constants declared with one of the types.
func (s *source) constsOf(types ...string) []string {
	var out []string
	for _, tn := range types {
		for v := range s.consts[tn] {
			out = append(out, v)
		}
	}
	return out
}
