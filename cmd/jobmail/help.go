package main

import (
	"slices"
	"strings"
	"sync"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/jobmail/jobmail/tui/i18n"
)

// lazyHelp localizes the command tree (localizeHelp) only when this run
// shows it: help (--help, -h, the help command, which all go through the
// help function) or shell completion with descriptions (__complete).
// Doing it at every start cost ~4 % of a live test's CPU.
func lazyHelp(root *cobra.Command, words func() *i18n.Localizer, args []string) {
	var once sync.Once
	localize := func() { once.Do(func() { localizeHelp(root, words()) }) }
	if slices.Contains(args, cobra.ShellCompRequestCmd) {
		localize()
		return
	}
	help := root.HelpFunc()
	root.SetHelpFunc(func(c *cobra.Command, a []string) {
		localize()
		help(c, a)
	})
}

// completionOnDemand keeps cobra's default `completion` command out of a
// run that cannot reach it. cobra builds it at every Execute (five
// commands with their flags and help texts, ~1 % of a live test's CPU),
// yet a command line naming one of jobmail's own commands never shows or
// runs it. Help, shell completion (`__complete`, added by cobra as
// `completion` is), `completion` itself, a bare `jobmail` and an unknown
// command (whose error may suggest it) are left as cobra has them.
func completionOnDemand(root *cobra.Command, args []string) {
	c, _, err := root.Find(args)
	if err != nil || c == root {
		return
	}
	root.CompletionOptions.DisableDefaultCmd = true
}

// localizeHelp fills every command's short help and every flag's usage
// from the catalogue (keys cli.<command path>.short and flag.<name>), so
// `jobmail --help` speaks the user's language too.
func localizeHelp(root *cobra.Command, w *i18n.Localizer) {
	// cobra adds these lazily at Execute; add them now so they get words too.
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	root.SetUsageTemplate(usageTemplate(w))
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.InitDefaultHelpFlag()
		path := strings.ReplaceAll(c.CommandPath(), " ", ".")
		c.Short = w.T("cli." + path + ".short")
		c.Long = "" // cobra's own long texts are English; the short one says it
		set := func(f *pflag.Flag) { f.Usage = w.T("flag." + f.Name) }
		c.LocalFlags().VisitAll(set)
		c.PersistentFlags().VisitAll(set)
		for name, id := range commandFlagHelp[c.Name()] {
			if f := c.LocalFlags().Lookup(name); f != nil {
				f.Usage = w.T(id)
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// commandFlagHelp: where a command's flag means something else than the
// flag of the same name elsewhere (report --output writes the report, not
// the export), its own words, by command and flag name.
var commandFlagHelp = map[string]map[string]string{
	"report": {"output": "flag.report.output", "config": "flag.report.config"},
	"export": {"config": "flag.export.config"},
	"test":   {"config": "flag.test.config"},
}

// usageTemplate is cobra's usage template with its headings in the
// user's language.
func usageTemplate(w *i18n.Localizer) string {
	return strings.NewReplacer(
		"Usage:", w.T("cli.help.usage"),
		"Aliases:", w.T("cli.help.aliases"),
		"Examples:", w.T("cli.help.examples"),
		"Available Commands:", w.T("cli.help.commands"),
		"Additional Commands:", w.T("cli.help.more_commands"),
		"Global Flags:", w.T("cli.help.global_flags"),
		"Flags:", w.T("cli.help.flags"),
		"Additional help topics:", w.T("cli.help.topics"),
		"[command]", w.T("cli.help.command"),
		`Use "{{.CommandPath}} [command] --help" for more information about a command.`,
		w.T("cli.help.more", map[string]string{"command": "{{.CommandPath}}"}),
	).Replace(defaultUsageTemplate)
}

// defaultUsageTemplate is cobra v1.10's, whose headings usageTemplate
// replaces (a test checks every heading is replaced).
const defaultUsageTemplate = `Usage:{{if .Runnable}}
  {{.UseLine}}{{end}}{{if .HasAvailableSubCommands}}
  {{.CommandPath}} [command]{{end}}{{if gt (len .Aliases) 0}}

Aliases:
  {{.NameAndAliases}}{{end}}{{if .HasExample}}

Examples:
{{.Example}}{{end}}{{if .HasAvailableSubCommands}}{{$cmds := .Commands}}{{if eq (len .Groups) 0}}

Available Commands:{{range $cmds}}{{if (or .IsAvailableCommand (eq .Name "help"))}}
  {{rpad .Name .NamePadding }} {{.Short}}{{end}}{{end}}{{else}}{{range $group := .Groups}}

{{.Title}}{{range $cmds}}{{if (and (eq .GroupID $group.ID) (or .IsAvailableCommand (eq .Name "help")))}}
  {{rpad .Name .NamePadding }} {{.Short}}{{end}}{{end}}{{end}}{{if not .AllChildCommandsHaveGroup}}

Additional Commands:{{range $cmds}}{{if (and (eq .GroupID "") (or .IsAvailableCommand (eq .Name "help")))}}
  {{rpad .Name .NamePadding }} {{.Short}}{{end}}{{end}}{{end}}{{end}}{{end}}{{if .HasAvailableLocalFlags}}

Flags:
{{.LocalFlags.FlagUsages | trimTrailingWhitespaces}}{{end}}{{if .HasAvailableInheritedFlags}}

Global Flags:
{{.InheritedFlags.FlagUsages | trimTrailingWhitespaces}}{{end}}{{if .HasHelpSubCommands}}

Additional help topics:{{range .Commands}}{{if .IsAdditionalHelpTopicCommand}}
  {{rpad .CommandPath .CommandPathPadding}} {{.Short}}{{end}}{{end}}{{end}}{{if .HasAvailableSubCommands}}

Use "{{.CommandPath}} [command] --help" for more information about a command.{{end}}
`

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
	if len(args) > 0 {
		return usage("cli.usage.args", map[string]string{"command": cmd.CommandPath(), "arg": args[0]})
	}
	return nil
}
