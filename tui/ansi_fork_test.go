package tui

import (
	"bytes"
	"testing"

	"github.com/charmbracelet/x/ansi/parser"
)

// TestANSITransitionTableIsGenerated: the x/ansi fork (tui/third_party/ansi)
// holds its parser's transition table as a literal instead of building it
// at init (issue 15); it must be exactly the table upstream builds.
func TestANSITransitionTableIsGenerated(t *testing.T) {
	if want := parser.GenerateTransitionTable(); !bytes.Equal(parser.Table, want) {
		t.Fatal("tui/third_party/ansi/parser/table_static.go differs from GenerateTransitionTable(): regenerate it")
	}
}
