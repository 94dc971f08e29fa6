// Command jobmail connects a company's recruiting mailbox to the recruiting
// platform: an interactive wizard in a terminal, or a headless replay of a
// setup file (`jobmail --config jobmail.yaml`). This package turns flags
// into options, runs them, and turns results and errors into words for
// people (stderr) or JSON (stdout) and into the exit-code table.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// genDocs is set only in a build with -tags gendocs (gendocs.go: the man
// pages and shell completions of the release archives).
var genDocs func(args []string) (handled bool, code int)

func main() {
	if genDocs != nil {
		if handled, code := genDocs(os.Args[1:]); handled {
			os.Exit(code)
		}
	}
	if isVersionProbe(os.Args[1:]) { // nothing to interrupt: no signal handling to set up
		os.Exit(Main(context.Background(), os.Args[1:], systemFactory()))
	}
	// The handlers stay until the process ends: os.Exit ends it at once,
	// while stopping them first (signal.Stop) made the runtime's
	// signal thread update its mask, a hand-off between threads that cost
	// ~0.2-1 ms of every run's exit (issue 15).
	ctx, _ := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	os.Exit(Main(ctx, os.Args[1:], systemFactory()))
}
