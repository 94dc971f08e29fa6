package tui

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// decidesByLiteral finds where src compares a question key or field name
// with a string literal: `q.Field == "address"`, `switch q.Key { case
// "company.smtp.host": }`, `strings.HasPrefix(key, "smtp.")`. Such a rule
// belongs in the machine (wizard), which names its fields once
// (wizard.Field*). Comparisons with "" (is there a field at all?) are no
// decision by name.
func decidesByLiteral(t *testing.T, name, src string) []string {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, name, src, 0)
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	report := func(n ast.Node, what string) {
		found = append(found, fset.Position(n.Pos()).String()+": "+what)
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.BinaryExpr:
			if n.Op != token.EQL && n.Op != token.NEQ {
				return true
			}
			if isKeyOrField(n.X) && isNamedLiteral(n.Y) || isKeyOrField(n.Y) && isNamedLiteral(n.X) {
				report(n, "compared with a literal")
			}
		case *ast.SwitchStmt:
			if n.Tag == nil || !isKeyOrField(n.Tag) {
				return true
			}
			for _, c := range n.Body.List {
				for _, e := range c.(*ast.CaseClause).List {
					if isNamedLiteral(e) {
						report(e, "switched on with a literal case")
					}
				}
			}
		case *ast.CallExpr:
			sel, ok := n.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if pkg, ok := sel.X.(*ast.Ident); !ok || pkg.Name != "strings" {
				return true
			}
			var key, lit bool
			for _, a := range n.Args {
				key = key || isKeyOrField(a)
				lit = lit || isNamedLiteral(a)
			}
			if key && lit {
				report(n, "matched with a literal (strings."+sel.Sel.Name+")")
			}
		}
		return true
	})
	return found
}

// isKeyOrField reports whether e names a question's key or field: a
// selector .Key/.Field (q.Field, st.Question.Key) or a variable key/field.
func isKeyOrField(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.SelectorExpr:
		return e.Sel.Name == "Key" || e.Sel.Name == "Field"
	case *ast.Ident:
		return e.Name == "key" || e.Name == "field"
	case *ast.ParenExpr:
		return isKeyOrField(e.X)
	}
	return false
}

func isNamedLiteral(e ast.Expr) bool {
	l, ok := e.(*ast.BasicLit)
	if !ok || l.Kind != token.STRING {
		return false
	}
	v, err := strconv.Unquote(l.Value)
	return err == nil && v != ""
}

func TestDecidesByLiteralFindsIt(t *testing.T) {
	tests := []struct {
		src  string
		want int
	}{
		{`if q.Field == "address" { x() }`, 1},
		{`if "smtp.host" != st.Question.Key { x() }`, 1},
		{`switch m.q.Field { case "channel", "smtp.port": x(); case wizard.FieldName: }`, 2},
		{`if strings.HasPrefix(key, "platform.") { x() }`, 1},
		{`if q.Field == wizard.FieldAddress || d.Field != "" || q.Kind == "select" { x() }`, 0},
		{`if strings.HasPrefix(t, "question.") { x() }`, 0},
	}
	for _, tt := range tests {
		src := "package p\nfunc f() {\n" + tt.src + "\n}\n"
		if got := decidesByLiteral(t, "x.go", src); len(got) != tt.want {
			t.Errorf("%s: found %v, want %d", tt.src, got, tt.want)
		}
	}
}

// TestNoDriverDecidesByFieldLiteral: no file under tui/ compares a
// question key or field name with a string literal to decide anything.
func TestNoDriverDecidesByFieldLiteral(t *testing.T) {
	var found []string
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != "." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		found = append(found, decidesByLiteral(t, path, string(src))...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(found) > 0 {
		t.Errorf("a driver decides by a field name literal (the rule belongs in wizard; compare with wizard.Field*):\n%s",
			strings.Join(found, "\n"))
	}
}
