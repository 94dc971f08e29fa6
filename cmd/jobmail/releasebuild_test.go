package main

import (
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// releaseTags are the build tags of the release build, read from
// .goreleaser.yaml (the one place they are written).
func releaseTags(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../../.goreleaser.yaml")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^\s*- -tags=(\S+)\s*$`).FindSubmatch(b)
	if m == nil {
		t.Fatal(".goreleaser.yaml names no -tags= flag")
	}
	return string(m[1])
}

// TestReleaseBuildLinksNoHTMLTemplate: html/template's package
// initialisation cost every start ~0.1 ms (issue 15); the release build
// leaves go-mail's template helpers out, and nothing of jobmail's may
// bring the package back.
func TestReleaseBuildLinksNoHTMLTemplate(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	out, err := exec.Command("go", "list", "-tags", releaseTags(t), "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if !slices.Contains(deps, "github.com/wneessen/go-mail") {
		t.Fatalf("go list printed no go-mail; the check would prove nothing:\n%s", out)
	}
	if slices.Contains(deps, "html/template") {
		t.Errorf("the release build (-tags %s) links html/template; find its importer with `go list -tags %[1]s -deps -f '{{.ImportPath}} {{.Imports}}' ./cmd/jobmail`", releaseTags(t))
	}
}
