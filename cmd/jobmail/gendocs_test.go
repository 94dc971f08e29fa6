package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestGenDocs builds the release's docs generator (-tags gendocs, as
// .goreleaser.yaml runs it) and checks it writes a man page for every
// command of the tree, naming the version, and the four completions.
func TestGenDocs(t *testing.T) {
	if testing.Short() {
		t.Skip("builds jobmail with -tags gendocs")
	}
	dir := t.TempDir()
	cmd := exec.Command("go", "run", "-tags", "gendocs", ".", "gen-docs", dir, "v9.8.7")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("gen-docs: %v\n%s", err, out)
	}
	root := newRootCmd(&Options{f: (&mainRig{}).factory()})
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	pages := []string{"jobmail.1"}
	for _, c := range root.Commands() {
		if c.IsAvailableCommand() {
			pages = append(pages, "jobmail-"+c.Name()+".1")
		}
	}
	for _, p := range pages {
		b, err := os.ReadFile(filepath.Join(dir, "man", p))
		if err != nil {
			t.Errorf("man page %s: %v", p, err)
			continue
		}
		if s := string(b); !strings.Contains(s, `.TH "JOBMAIL" "1"`) || !strings.Contains(s, "jobmail v9.8.7") || !strings.Contains(s, ".SH SYNOPSIS") {
			t.Errorf("%s is not a man page of jobmail v9.8.7:\n%s", p, s)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "man", "jobmail-test.1")); !strings.Contains(string(b), "--config") {
		t.Errorf("jobmail-test.1 does not document --config:\n%s", b)
	}
	for _, c := range []string{"jobmail.bash", "_jobmail", "jobmail.fish", "jobmail.ps1"} {
		if b, err := os.ReadFile(filepath.Join(dir, "completions", c)); err != nil || !strings.Contains(string(b), "jobmail") {
			t.Errorf("completion %s: %v (%d bytes)", c, err, len(b))
		}
	}
}
