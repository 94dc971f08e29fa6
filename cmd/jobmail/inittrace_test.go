package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
)

// TestInitDoesNoWork: jobmail's own packages do no work at init that a
// run may not need — no catalogue parsing, no regexp or template
// compiling, no tables built (issue 15): each allocates at most a few
// small objects before main, as GODEBUG=inittrace=1 counts them
// (allocations, not time: the count is the same on any machine).
func TestInitDoesNoWork(t *testing.T) {
	if testing.Short() {
		t.Skip("builds jobmail")
	}
	bin := filepath.Join(t.TempDir(), "jobmail")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "version")
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("jobmail version: %v\n%s", err, out)
	}
	const maxAllocs = 32
	line := regexp.MustCompile(`(?m)^init (github\.com/jobmail/jobmail\S*) @\S+ ms, \S+ ms clock, (\d+) bytes, (\d+) allocs$`)
	found := 0
	for _, m := range line.FindAllStringSubmatch(string(out), -1) {
		found++
		if allocs, _ := strconv.Atoi(m[3]); allocs > maxAllocs {
			t.Errorf("init of %s allocates %s objects (%s bytes): build it on first use (at most %d)", m[1], m[3], m[2], maxAllocs)
		}
	}
	if found == 0 {
		t.Fatalf("no init of a jobmail package traced:\n%s", out)
	}
}
