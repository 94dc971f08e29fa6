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

	"github.com/jobmail/jobmail/providers/stack"
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
	// A run goes ~25 frames deep into the wizard and a live test: the
	// stack it needs is taken here, while only main is on it.
	stack.Reserve()
	os.Exit(Main(onSignal(os.Interrupt, syscall.SIGTERM), os.Args[1:], systemFactory()))
}

// onSignal is signal.NotifyContext set up off the start's path: os/signal
// starts a goroutine locked to a thread of its own, the runtime a template
// thread for it, and a second goroutine waits in a blocking call; the
// threads cost ~0.5 ms, which the program's start need not wait for
// (issue 15). Until they are in place (a fraction of a millisecond, long
// before anything is written) a signal ends the process as it always did
// before main; a run that ends sooner does not wait for them. The
// handlers stay until the process ends: os.Exit ends it at once, while
// stopping them first (signal.Stop) made the runtime's signal thread
// update its mask, a hand-off between threads that cost ~0.2-1 ms of
// every run's exit.
func onSignal(sigs ...os.Signal) context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		ch := make(chan os.Signal, 1)
		signal.Notify(ch, sigs...)
		<-ch
		cancel()
	}()
	return ctx
}
