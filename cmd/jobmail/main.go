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
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := Main(ctx, os.Args[1:], systemFactory())
	stop()
	os.Exit(code)
}
