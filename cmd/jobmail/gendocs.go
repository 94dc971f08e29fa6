//go:build gendocs

// gen-docs writes what the release archives ship besides the binary
// (.goreleaser.yaml runs it as a before hook):
//
//	go run -tags gendocs ./cmd/jobmail gen-docs DIR [VERSION]
//
//	DIR/man/jobmail.1, jobmail-<command>.1   man pages from the cobra tree (cobra/doc), English
//	DIR/completions/jobmail.bash, _jobmail (zsh), jobmail.fish, jobmail.ps1
//
// Only a build with -tags gendocs has it, so cobra/doc and its Markdown
// and roff renderers stay out of the binary and its start-up.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"

	"github.com/jobmail/jobmail/tui/i18n"
)

func init() { genDocs = runGenDocs }

func runGenDocs(args []string) (handled bool, code int) {
	if len(args) == 0 || args[0] != "gen-docs" {
		return false, 0
	}
	if len(args) < 2 || len(args) > 3 {
		fmt.Fprintln(os.Stderr, "usage: go run -tags gendocs ./cmd/jobmail gen-docs DIR [VERSION]")
		return true, ExitUsage
	}
	v := currentVersion().Version
	if len(args) == 3 {
		v = args[2]
	}
	if err := writeDocs(args[1], v); err != nil {
		fmt.Fprintln(os.Stderr, "gen-docs:", err)
		return true, ExitUnexpected
	}
	return true, ExitOK
}

// writeDocs writes the man pages (the man page of version v) and the
// completions under dir.
func writeDocs(dir, v string) error {
	root := newRootCmd(&Options{f: systemFactory()})
	localizeHelp(root, i18n.New(i18n.English))
	root.DisableAutoGenTag = true
	man := filepath.Join(dir, "man")
	comp := filepath.Join(dir, "completions")
	for _, d := range []string{man, comp} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	header := &doc.GenManHeader{Title: "JOBMAIL", Section: "1", Source: "jobmail " + v, Manual: "jobmail manual"}
	if err := doc.GenManTree(root, header, man); err != nil {
		return fmt.Errorf("man pages: %w", err)
	}
	for name, gen := range map[string]func(*cobra.Command, string) error{
		"jobmail.bash": func(c *cobra.Command, p string) error { return c.GenBashCompletionFileV2(p, true) },
		"_jobmail":     func(c *cobra.Command, p string) error { return c.GenZshCompletionFile(p) },
		"jobmail.fish": func(c *cobra.Command, p string) error { return c.GenFishCompletionFile(p, true) },
		"jobmail.ps1":  func(c *cobra.Command, p string) error { return c.GenPowerShellCompletionFileWithDesc(p) },
	} {
		if err := gen(root, filepath.Join(comp, name)); err != nil {
			return fmt.Errorf("completion %s: %w", name, err)
		}
	}
	return nil
}
