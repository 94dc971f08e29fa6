// A fork of github.com/mattn/go-runewidth v0.0.30 (MIT: LICENSE), the root
// package without upstream's tests, benchmarks and scripts, used through
// the replace directive in jobmail's go.mod (v0.0.30 is the version
// jobmail's build resolves; x/ansi's go.mod asks for v0.0.27). Why
// (issue 15: no work at init that a run may not need): upstream painted
// the first 0x300 entries of both rows of its 2.2 MB strict-width table
// and its 7.6 KB joiner bitmap in package init, at every start, `jobmail
// version` included. Here the first width lookup (or joiner test) does it,
// through lowOnce in runewidth.go; until then strictWidthLUTLimit is 0,
// which sends RuneWidth's one compare to the slow path that runs it. The
// rest of the table is still built later, on the first rune above 0x2FF,
// as upstream does; handleEnv (EastAsianWidth, DefaultCondition: only env
// reads) stays in init. lazy_test.go checks both. Everything else is
// upstream's, unchanged.
module github.com/mattn/go-runewidth

go 1.23

require github.com/clipperhouse/uax29/v2 v2.2.0
