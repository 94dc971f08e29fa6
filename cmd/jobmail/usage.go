package main

import (
	"errors"
	"maps"
	"sort"
	"strings"

	"github.com/jobmail/jobmail/providers"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// usageError is a mistake on the command line (exit 2): a catalogue key
// (cli.usage.…) and its arguments, so people read it in their
// language; Error() is the English form for logs and tests.
type usageError struct {
	key  string
	args map[string]string
}

func (e *usageError) Error() string {
	keys := make([]string, 0, len(e.args))
	for k := range e.args {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := []string{strings.TrimPrefix(e.key, "cli.")}
	for _, k := range keys {
		parts = append(parts, k+"="+e.args[k])
	}
	return strings.Join(parts, " ")
}

// diagnosis is the mistake as --json tells it: code cli.usage, the
// reason (the catalogue key's last part) and the flag, command or
// argument it names. Values typed stay out of the args (the sentence in
// explain quotes them, escaped, as stderr does).
func (e *usageError) diagnosis() providers.Diagnosis {
	args := map[string]string{"reason": strings.TrimPrefix(e.key, "cli.usage.")}
	for _, k := range []string{"flag", "command", "arg"} {
		if v, ok := e.args[k]; ok {
			args[k] = v
		}
	}
	return providers.Diagnosis{Code: providers.CodeCLIUsage, Actor: providers.ActorUser, Args: args}
}

// wantsJSON: --json was given, also when the flags could not be parsed
// (a usage mistake still answers a script in JSON).
func wantsJSON(opts *Options, args []string) bool {
	if opts.JSON {
		return true
	}
	for _, a := range args {
		if a == "--" {
			break
		}
		if a == "--json" || a == "--json=true" {
			return true
		}
	}
	return false
}

// usage is a usage error with its exit code.
func usage(key string, args map[string]string) error {
	return withExit(ExitUsage, &usageError{key: key, args: maps.Clone(args)})
}

// flagUsage turns cobra's and pflag's parse errors into usage errors with
// words of their own; anything else pflag says keeps its text inside a
// localized sentence.
func flagUsage(cmd *cobra.Command, err error) error {
	command := cmd.CommandPath()
	var ne *pflag.NotExistError
	var ve *pflag.ValueRequiredError
	var ie *pflag.InvalidValueError
	var se *pflag.InvalidSyntaxError
	switch {
	case errors.As(err, &ne):
		return usage("cli.usage.unknown_flag", map[string]string{"flag": flagName(ne.GetSpecifiedName(), ne.GetSpecifiedShortnames()), "command": command})
	case errors.As(err, &ve):
		return usage("cli.usage.flag_needs_value", map[string]string{"flag": flagName(ve.GetSpecifiedName(), ve.GetSpecifiedShortnames()), "command": command})
	case errors.As(err, &ie):
		return usage("cli.usage.flag_bad_value", map[string]string{"flag": "--" + ie.GetFlag().Name, "value": ie.GetValue(), "command": command})
	case errors.As(err, &se):
		return usage("cli.usage.flag_syntax", map[string]string{"flag": se.GetSpecifiedFlag(), "command": command})
	}
	return usage("cli.usage.flag_other", map[string]string{"error": err.Error(), "command": command})
}

// flagName is the flag as typed: --name, or -x when pflag says it was
// a shorthand (name is then the one letter).
func flagName(name, shorthands string) string {
	if shorthands != "" {
		return "-" + name
	}
	return "--" + name
}

// errUsage reports whether err is a usage error and returns it.
func asUsageError(err error) (*usageError, bool) {
	var ue *usageError
	ok := errors.As(err, &ue)
	return ue, ok
}
