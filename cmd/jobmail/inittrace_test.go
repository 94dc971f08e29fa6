package main

import (
	"os"
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
	"github.com/atotto/clipboard", // tui/third_party/clipboard: PATH look-ups on first copy
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
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("jobmail version: %v\n%s", err, out)
	}
	const maxAllocs = 32
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

// clipboardTools are the programs github.com/atotto/clipboard looks for
// (upstream: in its init, along every PATH entry).
var clipboardTools = []string{"wl-copy", "wl-paste", "xclip", "xsel", "termux-clipboard-set", "termux-clipboard-get", "clip.exe", "powershell.exe"}

// TestStartLooksUpNoPrograms: a run that copies nothing never looks a
// clipboard program up (issue 15 item 2). The system calls are counted
// under strace, so the test runs where strace is installed (the CI image)
// and is skipped elsewhere; TestInitDoesNoWork and the fork's own
// TestLookUpIsLazy hold the same line without it. PATH is given a few
// entries, so an eager look-up could not go unseen.
func TestStartLooksUpNoPrograms(t *testing.T) {
	if testing.Short() {
		t.Skip("builds jobmail")
	}
	strace, err := exec.LookPath("strace")
	if err != nil {
		t.Skip("strace not installed")
	}
	bin := buildJobmail(t)
	for _, args := range [][]string{{"version"}, {"--help"}, {"test", "--config", filepath.Join(t.TempDir(), "missing.yaml")}} {
		t.Run(strings.Join(args[:1], " "), func(t *testing.T) {
			trace := filepath.Join(t.TempDir(), "trace")
			cmd := exec.Command(strace, append([]string{"-f", "-qq", "-o", trace, "-e", "trace=execve,%%stat,access,faccessat,faccessat2", bin}, args...)...)
			cmd.Env = append(os.Environ(), "PATH=/usr/local/bin:/usr/bin:/bin:/nonexistent/a:/nonexistent/b")
			if out, err := cmd.CombinedOutput(); err != nil {
				if _, ok := err.(*exec.ExitError); !ok { // jobmail's own exit code is not the point here
					t.Fatalf("strace: %v\n%s", err, out)
				}
			}
			b, err := os.ReadFile(trace)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(b), "execve(") { // the exec itself is always traced
				t.Skip("strace traced nothing (no ptrace here?)")
			}
			var hits []string
			for _, l := range strings.Split(string(b), "\n") {
				for _, tool := range clipboardTools {
					if strings.Contains(l, "/"+tool+"\"") {
						hits = append(hits, l)
					}
				}
			}
			if len(hits) > 0 {
				t.Errorf("jobmail %s looked clipboard programs up %d times without a copy, first: %s", strings.Join(args, " "), len(hits), hits[0])
			}
		})
	}
}

// buildJobmail builds the command once per test into a temporary directory.
func buildJobmail(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "jobmail")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}
