package main

import (
	"errors"
	"maps"
	"sort"
	"strings"

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
