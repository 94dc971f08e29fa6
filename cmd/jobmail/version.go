package main

import (
	"fmt"
	"runtime"

	"github.com/spf13/cobra"
)

// Set by the release build (-ldflags "-X main.version=… -X main.commit=… -X main.date=…").
var (
	version = "dev"
	commit  = "none"
	date    = "unknown"
)

func newVersionCmd(opts *Options) *cobra.Command {
	return &cobra.Command{
		Use:  "version",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.JSON {
				writeJSON(opts, map[string]string{"version": version, "commit": commit, "date": date, "go": runtime.Version()})
				return nil
			}
			fmt.Fprintf(opts.f.Stdout, "jobmail %s (%s, %s, %s)\n", version, commit, date, runtime.Version())
			return nil
		},
	}
}
