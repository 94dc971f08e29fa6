package wizard

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/wizard/setupfile"
)

// TestNoChannelSwitches keeps the channels behind their registry: a
// `switch … ChannelID()` or a `case providers.Channel…` anywhere in the
// module's code (tests aside) is a per-channel rule outside the one table
// (wizard/channels.go, providers/registry.go) and fails here.
func TestNoChannelSwitches(t *testing.T) {
	root := filepath.Join("..")
	fset := token.NewFileSet()
	var found []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); n == "testdata" || n == "third_party" || (strings.HasPrefix(n, ".") && n != "..") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		driver := strings.HasPrefix(filepath.ToSlash(path), "../tui/") || strings.HasPrefix(filepath.ToSlash(path), "../cmd/")
		found = append(found, channelBranches(fset, f, driver)...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range found {
		t.Errorf("%s: branch on a channel outside the registry (add a method to wizard's channel table or a field to providers.ChannelSpec)", f)
	}
}

// channelBranches lists the switches on ChannelID() and the case clauses
// naming a Channel constant in f; in a driver's file (tui, cmd) also any
// comparison with one: a driver asks the machine (wizard.PasswordBlock,
// Session.PasswordAccount) instead of deciding by channel.
func channelBranches(fset *token.FileSet, f *ast.File, driver bool) []string {
	var out []string
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.SwitchStmt:
			if n.Tag != nil && callsChannelID(n.Tag) {
				out = append(out, fset.Position(n.Pos()).String()+": switch on ChannelID()")
			}
		case *ast.BinaryExpr:
			if driver && (n.Op == token.EQL || n.Op == token.NEQ) && (isChannelConst(n.X) || isChannelConst(n.Y)) {
				out = append(out, fset.Position(n.Pos()).String()+": a driver compares with a channel")
			}
		case *ast.CaseClause:
			for _, e := range n.List {
				if isChannelConst(e) {
					out = append(out, fset.Position(e.Pos()).String()+": case on a channel")
				}
			}
		}
		return true
	})
	return out
}

func callsChannelID(e ast.Expr) bool {
	found := false
	ast.Inspect(e, func(n ast.Node) bool {
		if c, ok := n.(*ast.CallExpr); ok {
			if s, ok := c.Fun.(*ast.SelectorExpr); ok && s.Sel.Name == "ChannelID" {
				found = true
			}
		}
		return !found
	})
	return found
}

// isChannelConst: providers.ChannelX from outside providers, ChannelX
// inside it.
func isChannelConst(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.SelectorExpr:
		x, ok := e.X.(*ast.Ident)
		return ok && x.Name == "providers" && isChannelName(e.Sel.Name)
	case *ast.Ident:
		return isChannelName(e.Name)
	}
	return false
}

// isChannelName: the constants of providers.Channels.
func isChannelName(n string) bool {
	switch n {
	case "ChannelPlatform", "ChannelGoogle", "ChannelMicrosoft", "ChannelSMTP":
		return true
	}
	return false
}

// TestChannelTable: every channel offered has its behaviour and its spec,
// and the table holds nothing else.
func TestChannelTable(t *testing.T) {
	if len(channels) != len(providers.Channels) {
		t.Errorf("channels has %d entries, providers.Channels %d", len(channels), len(providers.Channels))
	}
	for _, ch := range providers.Channels {
		if _, ok := channels[ch]; !ok {
			t.Errorf("channel %q has no entry in wizard's channel table", ch)
		}
		if sp := providers.SpecOf(ch); sp.ID != ch {
			t.Errorf("SpecOf(%q).ID = %q", ch, sp.ID)
		}
		_, signIn := signInOf(ch)
		if signIn != providers.SpecOf(ch).SignIn {
			t.Errorf("channel %q: sign-in half %v, spec SignIn %v", ch, signIn, providers.SpecOf(ch).SignIn)
		}
	}
	if _, ok := signInOf("carrier-pigeon"); ok {
		t.Error("an unknown channel has a sign-in")
	}
}

// TestPasswordBlock: only the smtp channel signs in with a password; a
// settings block left from another choice is no password to offer.
func TestPasswordBlock(t *testing.T) {
	for _, ch := range providers.Channels {
		t.Run(string(ch), func(t *testing.T) {
			m := &setupfile.Mailbox{Address: "jobs@acme.test", Channel: string(ch), SMTP: &setupfile.SMTP{Host: "mail.acme.test", Username: "jobs"}}
			s := NewMailboxSession(&setupfile.Setup{Version: 1}, "company", m, true)
			got, acct := PasswordBlock(m), s.PasswordAccount()
			if ch == providers.ChannelSMTP {
				if got != m.SMTP || acct != KeyringAccount(ch, "jobs") {
					t.Errorf("smtp: block %v, account %q", got, acct)
				}
				return
			}
			if got != nil || acct != "" {
				t.Errorf("%s offers a password: block %v, account %q", ch, got, acct)
			}
		})
	}
}
