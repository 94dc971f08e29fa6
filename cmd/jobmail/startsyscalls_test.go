package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// clipboardTools are the programs github.com/atotto/clipboard looks for
// (upstream: in its init, along every PATH entry).
var clipboardTools = []string{"wl-copy", "wl-paste", "xclip", "xsel", "termux-clipboard-set", "termux-clipboard-get", "clip.exe", "powershell.exe"}

// TestStartLooksUpNoPrograms: a start that needs none of it looks up no
// program, runs none and reads no terminfo (issue 15 item 2): no
// clipboard tool is looked up without a copy (upstream clipboard did at
// init), and on a terminal inside tmux nothing opens the terminfo
// database or runs `tmux info` (upstream lipgloss detected stdout's color
// profile at init). The system calls are watched under strace, so the
// test runs where strace is installed (the CI image) and is skipped
// elsewhere, the terminal cases also need script(1) for a pty;
// TestInitDoesNoWork and the forks' comments hold the same line without
// them. PATH is given a few entries, so an eager look-up could not go
// unseen.
func TestStartLooksUpNoPrograms(t *testing.T) {
	strace, bin := straceAndJobmail(t)
	missing := filepath.Join(t.TempDir(), "missing.yaml")
	for _, tc := range []struct {
		name string
		args []string
		tty  bool // stdin, stdout and stderr on a pty
	}{
		{"version", []string{"version"}, false},
		{"help", []string{"--help"}, false},
		{"test", []string{"test", "--config", missing}, false},
		{"version on a terminal", []string{"version"}, true},
		{"test on a terminal", []string{"test", "--config", missing}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			trace := filepath.Join(t.TempDir(), "trace")
			argv := append([]string{strace, "-f", "-qq", "-o", trace, "-e", "trace=execve,%stat,access,faccessat,faccessat2,open,openat", bin}, tc.args...)
			if tc.tty {
				script, err := exec.LookPath("script")
				if err != nil {
					t.Skip("script(1) not installed: no pty")
				}
				argv = []string{script, "-qec", shellJoin(argv), "/dev/null"}
			}
			cmd := exec.Command(argv[0], argv[1:]...)
			cmd.Env = append(os.Environ(), "PATH=/usr/local/bin:/usr/bin:/bin:/nonexistent/a:/nonexistent/b",
				"TERM=xterm-256color", "COLORTERM=", "TMUX=/nonexistent/tmux-0/default,1,0")
			if out, err := cmd.CombinedOutput(); err != nil {
				if _, ok := err.(*exec.ExitError); !ok { // jobmail's own exit code is not the point here
					t.Fatalf("%s: %v\n%s", argv[0], err, out)
				}
			}
			b, err := os.ReadFile(trace)
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(string(b), "\n")
			if n := countContaining(lines, "execve("); n == 0 { // the exec itself is always traced
				t.Skip("strace traced nothing (no ptrace here?)")
			} else if n > 1 {
				t.Errorf("jobmail %s ran %d programs, first: %s", strings.Join(tc.args, " "), n-1, nthContaining(lines, "execve(", 1))
			}
			for _, l := range lines {
				for _, tool := range clipboardTools {
					if strings.Contains(l, "/"+tool+"\"") {
						t.Errorf("jobmail %s looked a clipboard program up without a copy: %s", strings.Join(tc.args, " "), l)
					}
				}
				if strings.Contains(l, "terminfo") || strings.Contains(l, "/tmux\"") {
					t.Errorf("jobmail %s looked at the terminal's capabilities at start: %s", strings.Join(tc.args, " "), l)
				}
			}
		})
	}
}

// straceAndJobmail is strace and a fresh jobmail build, for tests that
// watch jobmail's system calls; they skip where strace is missing.
func straceAndJobmail(t *testing.T) (strace, bin string) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds jobmail")
	}
	strace, err := exec.LookPath("strace")
	if err != nil {
		t.Skip("strace not installed")
	}
	return strace, buildJobmail(t)
}

func countContaining(lines []string, sub string) int {
	n := 0
	for _, l := range lines {
		if strings.Contains(l, sub) {
			n++
		}
	}
	return n
}

// nthContaining is the i-th (from 0) line holding sub.
func nthContaining(lines []string, sub string, i int) string {
	for _, l := range lines {
		if strings.Contains(l, sub) {
			if i == 0 {
				return l
			}
			i--
		}
	}
	return ""
}

// shellJoin quotes argv for sh -c (script(1) runs its command that way).
func shellJoin(argv []string) string {
	q := make([]string, len(argv))
	for i, a := range argv {
		q[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return strings.Join(q, " ")
}
