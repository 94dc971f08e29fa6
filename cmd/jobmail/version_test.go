package main

import (
	"context"
	"encoding/json"
	"runtime/debug"
	"strings"
	"testing"
)

func TestResolveVersion(t *testing.T) {
	checkout := &debug.BuildInfo{Main: debug.Module{Path: "github.com/jobmail/jobmail", Version: "v0.0.0-20261202142715-f18c2900f81e"},
		Settings: []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: "f18c2900f81e9f125c07f82beeca1ab2b3a701b2"},
			{Key: "vcs.time", Value: "2026-12-02T14:27:15Z"}, {Key: "vcs.modified", Value: "false"}}}
	dirty := &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261202142715-f18c2900f81e+dirty"},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "f18c2900f81e9f125c07f82beeca1ab2b3a701b2"}, {Key: "vcs.modified", Value: "true"}}}
	dirtyNoTag := &debug.BuildInfo{Main: debug.Module{Version: "(devel)"},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "abc"}, {Key: "vcs.modified", Value: "true"}}}
	tests := []struct {
		name                  string
		ldV, ldC, ldD         string
		bi                    *debug.BuildInfo
		ok                    bool
		version, commit, date string
		wantDirty             bool
	}{
		{"release build wins", "1.4.0", "f18c290", "2026-12-01T10:00:00Z", checkout, true, "1.4.0", "f18c290", "2026-12-01T10:00:00Z", false},
		{"go install @tag", "dev", "none", "unknown", &debug.BuildInfo{Main: debug.Module{Version: "v1.4.0"}}, true, "v1.4.0", "none", "unknown", false},
		{"go build in a checkout", "dev", "none", "unknown", checkout, true, "v0.0.0-20261202142715-f18c2900f81e", "f18c2900f81e", "2026-12-02T14:27:15Z", false},
		{"dirty checkout", "dev", "none", "unknown", dirty, true, "v0.0.0-20261202142715-f18c2900f81e+dirty", "f18c2900f81e", "unknown", true},
		{"dirty, no module version", "dev", "none", "unknown", dirtyNoTag, true, "dev", "abc-dirty", "unknown", true},
		{"no build info", "dev", "none", "unknown", nil, false, "dev", "none", "unknown", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := resolveVersion(tt.ldV, tt.ldC, tt.ldD, tt.bi, tt.ok)
			if v.Version != tt.version || v.Commit != tt.commit || v.Date != tt.date || v.Dirty != tt.wantDirty || !strings.HasPrefix(v.Go, "go") {
				t.Errorf("got %+v, want version %q commit %q date %q dirty %v", v, tt.version, tt.commit, tt.date, tt.wantDirty)
			}
		})
	}
}

// TestVersionFlag: `jobmail --version` says what `jobmail version` says,
// in words and as JSON, with exit 0.
func TestVersionFlag(t *testing.T) {
	run := func(args ...string) string {
		r := &mainRig{}
		if code := Main(context.Background(), args, r.factory()); code != ExitOK {
			t.Fatalf("%v: exit %d, stderr %s", args, code, r.stderr.String())
		}
		return r.stdout.String()
	}
	words := run("version")
	if !strings.HasPrefix(words, "jobmail ") || !strings.Contains(words, "go1.") {
		t.Errorf("jobmail version = %q", words)
	}
	if got := run("--version"); got != words {
		t.Errorf("jobmail --version = %q, jobmail version = %q", got, words)
	}
	var v buildVersion
	if err := json.Unmarshal([]byte(run("--version", "--json")), &v); err != nil || v.Version == "" || v.Go == "" {
		t.Errorf("--version --json: %+v, %v", v, err)
	}
}
