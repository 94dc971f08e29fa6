package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

// Set by the release build (-ldflags "-X main.version=… -X main.commit=… -X main.date=…").
var (
	version = "dev"
	commit  = "none"
	date    = "unknown"
)

// buildVersion is what `jobmail version` and `jobmail --version` say.
type buildVersion struct {
	Version string `json:"version"`
	Commit  string `json:"commit"`
	Date    string `json:"date"`
	Dirty   bool   `json:"dirty"`
	Go      string `json:"go"`
}

// resolveVersion prefers what the release build set; a binary built
// otherwise (a plain `go build` or `go install ./cmd/jobmail` in a
// checkout) takes the module's build info: the module version (a tag, or
// Go's pseudo-version), the VCS revision, its time and whether the tree
// had uncommitted changes. `go install …@v1.2.0` would fill the module
// version too, but Go refuses it while go.mod has a replace directive
// (the clipboard fork); the tag case is kept for when it is gone.
func resolveVersion(ldVersion, ldCommit, ldDate string, bi *debug.BuildInfo, ok bool) buildVersion {
	v := buildVersion{Version: ldVersion, Commit: ldCommit, Date: ldDate, Go: runtime.Version()}
	if ldVersion != "dev" || !ok || bi == nil {
		return v
	}
	if m := bi.Main.Version; m != "" && m != "(devel)" {
		v.Version = m
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			v.Commit = s.Value[:min(len(s.Value), 12)]
		case "vcs.time":
			v.Date = s.Value
		case "vcs.modified":
			v.Dirty = s.Value == "true"
		}
	}
	if v.Dirty && !strings.Contains(v.Version, "dirty") {
		v.Commit += "-dirty"
	}
	return v
}

func currentVersion() buildVersion {
	bi, ok := debug.ReadBuildInfo()
	return resolveVersion(version, commit, date, bi, ok)
}

func newVersionCmd(opts *Options) *cobra.Command {
	return &cobra.Command{
		Use:  "version",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			printVersion(opts)
			return nil
		},
	}
}

// isVersionProbe: `jobmail version` or `jobmail --version` alone, the
// commonest probe of packagers and scripts, answered without building the
// command tree or setting up signal handling.
func isVersionProbe(args []string) bool {
	return len(args) == 1 && (args[0] == "version" || args[0] == "--version")
}

// printVersion serves `jobmail version` and `jobmail --version`.
func printVersion(opts *Options) {
	v := currentVersion()
	if opts.JSON {
		writeJSON(opts, v)
		return
	}
	fmt.Fprintf(opts.f.Stdout, "jobmail %s (%s, %s, %s)\n", v.Version, v.Commit, v.Date, v.Go)
}
