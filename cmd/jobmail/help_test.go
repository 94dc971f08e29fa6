package main

import (
	"strings"
	"testing"
)

// TestCompletionOnDemand: cobra's default `completion` command is built
// only for a command line that can reach it, and still works there.
func TestCompletionOnDemand(t *testing.T) {
	for _, tc := range []struct {
		args []string
		kept bool
	}{
		{nil, true},
		{[]string{"--lang", "de"}, true},
		{[]string{"--help"}, true},
		{[]string{"help"}, true},
		{[]string{"help", "test"}, true},
		{[]string{"completion", "bash"}, true},
		{[]string{"__complete", "comp"}, true},
		{[]string{"compl"}, true}, // unknown: the error may suggest it
		{[]string{"test", "--config", "x.yaml"}, false},
		{[]string{"--lang", "it", "test", "--config", "x.yaml"}, false},
		{[]string{"version"}, false},
		{[]string{"test", "--help"}, false},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			root := newRootCmd(&Options{f: (&mainRig{}).factory()})
			completionOnDemand(root, tc.args)
			if kept := !root.CompletionOptions.DisableDefaultCmd; kept != tc.kept {
				t.Errorf("default completion command kept = %v, want %v", kept, tc.kept)
			}
		})
	}
	for _, args := range [][]string{{"completion", "bash"}, {"__complete", "comp"}, {"--help"}} {
		r := &mainRig{}
		if code := Main(t.Context(), args, r.factory()); code != ExitOK {
			t.Fatalf("%v: exit %d\n%s", args, code, r.stderr.String())
		}
		if !strings.Contains(r.stdout.String(), "completion") {
			t.Errorf("%v: no completion in the output:\n%s", args, r.stdout.String())
		}
	}
}
