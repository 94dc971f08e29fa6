package main

import (
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// lazyDeps are dependencies whose init jobmail made lazy (a fork behind a
// replace directive in go.mod): their inits are held to the same bound
// as jobmail's own packages, so an update that brings the eager init
// back fails here.
var lazyDeps = []string{
	"github.com/atotto/clipboard",     // tui/third_party/clipboard: PATH look-ups on first copy
	"charm.land/lipgloss/v2",          // tui/third_party/lipgloss: stdout's color profile on first Print
	"github.com/dustin/go-humanize",   // tui/third_party/go-humanize: ParseSI's regexp on first use, no math/big sizes
	"go.yaml.in/yaml/v3",              // tui/third_party/yaml: its regexps and resolve tables on first use
	"github.com/charmbracelet/x/ansi", // tui/third_party/ansi: a static parser table, zero-width sets on first use
	// tui/third_party/runewidth: width table and joiner bitmap on first
	// use. Upstream's init painted BSS, allocating nothing, so the bounds
	// here cannot tell; the fork's lazy_test.go does (.ci/run).
	"github.com/mattn/go-runewidth",
}

// TestInitDoesNoWork: jobmail's own packages, and the dependencies it made
// lazy, do no work at init that a run may not need — no catalogue parsing,
// no regexp or template compiling, no tables built, no programs looked up
// (issue 15): each allocates at most a few small objects before main, as
// GODEBUG=inittrace=1 counts them (allocations, not time: the count is the
// same on any machine). A package with no init work is not listed at all.
func TestInitDoesNoWork(t *testing.T) {
	if testing.Short() {
		t.Skip("builds jobmail")
	}
	cmd := exec.Command(buildJobmail(t), "version")
	// No environment but the trace's: the process's first os.Getenv
	// copies the environment into a map (syscall.copyenv), charged to
	// whichever init calls it first (go-runewidth's handleEnv), and a
	// developer's 40 variables are not that package's work.
	cmd.Env = []string{"GODEBUG=inittrace=1"}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("jobmail version: %v\n%s", err, out)
	}
	const maxAllocs = 32
	// A dependency forked for its init keeps at most a few small values
	// there (upstream x/ansi built 13 KB of rune sets, its parser a 4 KB
	// table; the forks' inits now allocate ~0.5-1 KB).
	const maxLazyBytes = 2 << 10
	line := regexp.MustCompile(`(?m)^init (\S+) @\S+ ms, \S+ ms clock, (\d+) bytes, (\d+) allocs$`)
	found := 0
	for _, m := range line.FindAllStringSubmatch(string(out), -1) {
		own := strings.HasPrefix(m[1], "github.com/jobmail/jobmail")
		if !own && !isLazyDep(m[1]) {
			continue
		}
		if own {
			found++
		}
		if allocs, _ := strconv.Atoi(m[3]); allocs > maxAllocs {
			t.Errorf("init of %s allocates %s objects (%s bytes): build it on first use (at most %d)", m[1], m[3], m[2], maxAllocs)
		}
		if bytes, _ := strconv.Atoi(m[2]); !own && bytes > maxLazyBytes {
			t.Errorf("init of %s allocates %s bytes: its fork builds on first use (at most %d)", m[1], m[2], maxLazyBytes)
		}
	}
	if found == 0 {
		t.Fatalf("no init of a jobmail package traced:\n%s", out)
	}
}

func isLazyDep(pkg string) bool {
	for _, d := range lazyDeps {
		if pkg == d || strings.HasPrefix(pkg, d+"/") {
			return true
		}
	}
	return false
}

// buildJobmail builds the command once per test into a temporary
// directory, with the release build's tags.
func buildJobmail(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "jobmail")
	if out, err := exec.Command("go", "build", "-tags", releaseTags(t), "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}
