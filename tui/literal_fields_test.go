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

// driverFiles are the files of the driver loop (drive.go) and its two
// frontends: what they do next is the machine's Step, never a field.
var driverFiles = map[string]bool{"drive.go": true, "model.go": true, "update.go": true,
	"action.go": true, "accessible.go": true}

// decidesByFieldConstant finds where src decides what happens next by a
// question's field or key compared with a wizard.Field* constant: in a
// driver file anywhere, elsewhere in a function that returns a tea.Cmd
// (what the full screen does next). Views may compare (which context a
// question shows); the flow may not — that is data on the Step.
func decidesByFieldConstant(t *testing.T, name, src string) []string {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, name, src, 0)
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || fn.Body == nil || !driverFiles[filepath.Base(name)] && !returnsCmd(fn) {
			continue
		}
		ast.Inspect(fn.Body, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.BinaryExpr:
				if (n.Op == token.EQL || n.Op == token.NEQ) &&
					(isKeyOrField(n.X) && isFieldConstant(n.Y) || isKeyOrField(n.Y) && isFieldConstant(n.X)) {
					found = append(found, fset.Position(n.Pos()).String()+": "+fn.Name.Name+" compares with a wizard.Field constant")
				}
			case *ast.SwitchStmt:
				if n.Tag == nil || !isKeyOrField(n.Tag) {
					return true
				}
				for _, c := range n.Body.List {
					for _, e := range c.(*ast.CaseClause).List {
						if isFieldConstant(e) {
							found = append(found, fset.Position(e.Pos()).String()+": "+fn.Name.Name+" switches on a wizard.Field constant")
						}
					}
				}
			}
			return true
		})
	}
	return found
}

// returnsCmd reports whether fn's results include a tea.Cmd.
func returnsCmd(fn *ast.FuncDecl) bool {
	if fn.Type.Results == nil {
		return false
	}
	for _, r := range fn.Type.Results.List {
		if sel, ok := r.Type.(*ast.SelectorExpr); ok && sel.Sel.Name == "Cmd" {
			if pkg, ok := sel.X.(*ast.Ident); ok && pkg.Name == "tea" {
				return true
			}
		}
	}
	return false
}

// isFieldConstant reports whether e is wizard.Field<Name> (not the
// FieldError or FieldOf helpers).
func isFieldConstant(e ast.Expr) bool {
	sel, ok := e.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	pkg, ok := sel.X.(*ast.Ident)
	n := sel.Sel.Name
	return ok && pkg.Name == "wizard" && strings.HasPrefix(n, "Field") && n != "FieldError" && n != "FieldOf" && len(n) > len("Field")
}

func TestDecidesByFieldConstantFindsIt(t *testing.T) {
	tests := []struct {
		file, src string
		want      int
	}{
		{"model.go", `func f() { if q.Field == wizard.FieldAddress { x() } }`, 1},
		{"accessible.go", `func f() { switch st.Question.Field { case wizard.FieldChannel, wizard.FieldName: } }`, 2},
		{"question.go", `func f() tea.Cmd { if wizard.FieldSMTPHost != m.q.Field { return x() }; return nil }`, 1},
		{"steps.go", `func f() string { if m.q.Field == wizard.FieldChannel { return "a" }; return "" }`, 0},
		{"model.go", `func f() { var fe *wizard.FieldError; _ = fe; if d.Field != "" || q.Kind == wizard.KindSelect { x() } }`, 0},
	}
	for _, tt := range tests {
		if got := decidesByFieldConstant(t, tt.file, "package p\n"+tt.src+"\n"); len(got) != tt.want {
			t.Errorf("%s: %s: found %v, want %d", tt.file, tt.src, got, tt.want)
		}
	}
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
// question key or field name with a string literal to decide anything,
// and the driver loop decides nothing by a wizard.Field* constant.
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
		found = append(found, decidesByFieldConstant(t, path, string(src))...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(found) > 0 {
		t.Errorf("a driver decides by a field name (the rule belongs in wizard, as data on the Step; views may compare with wizard.Field*):\n%s",
			strings.Join(found, "\n"))
	}
}
