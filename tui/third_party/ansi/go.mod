// A fork of github.com/charmbracelet/x/ansi v0.11.9 (MIT: LICENSE), the
// module without its tests and fixtures, used through the replace
// directive in jobmail's go.mod. Why (issue 15: no work at init that a
// run may not need): upstream built its DEC transition table
// (parser.Table = GenerateTransitionTable()) and its zero-width rune sets
// (wcwidth.go) in package init, together ~0.2 ms of every start,
// `jobmail version` included. Here the table is a generated literal
// (parser/table_static.go; jobmail's tui tests check it against
// GenerateTransitionTable) and the sets are built on the first width
// asked for. Everything else is upstream's, unchanged.
module github.com/charmbracelet/x/ansi

go 1.24.2

require (
	github.com/bits-and-blooms/bitset v1.24.6
	github.com/clipperhouse/displaywidth v0.11.0
	github.com/clipperhouse/uax29/v2 v2.7.0
	github.com/lucasb-eyer/go-colorful v1.4.1
	github.com/mattn/go-runewidth v0.0.27
)
