package main

import (
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/jobmail/jobmail/tui/i18n"
)

// localizeHelp fills every command's short help and every flag's usage
// from the catalogue (keys cli.<command path>.short and flag.<name>), so
// `jobmail --help` speaks the user's language too.
func localizeHelp(root *cobra.Command, w *i18n.Localizer) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		path := strings.ReplaceAll(c.CommandPath(), " ", ".")
		c.Short = w.T("cli." + path + ".short")
		set := func(f *pflag.Flag) { f.Usage = w.T("flag." + f.Name) }
		c.LocalFlags().VisitAll(set)
		c.PersistentFlags().VisitAll(set)
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// langArg finds --lang in raw arguments (before cobra parses them).
func langArg(args []string) string {
	for i, a := range args {
		switch {
		case a == "--lang" && i+1 < len(args):
			return args[i+1]
		case strings.HasPrefix(a, "--lang="):
			return strings.TrimPrefix(a, "--lang=")
		}
	}
	return ""
}

// noArgs is cobra.NoArgs as a usage error (exit 2): `jobmail frobnicate`
// is a typo, not an unexpected failure.
func noArgs(cmd *cobra.Command, args []string) error {
	if err := cobra.NoArgs(cmd, args); err != nil {
		return withExit(ExitUsage, err)
	}
	return nil
}
