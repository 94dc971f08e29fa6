package main

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/jobmail/jobmail/secrets/filetest"
	"github.com/jobmail/jobmail/secrets/secretstest"
)

// TestSecretsUnavailableExitCodes drives the exit-code table through every
// secret source: each way a source gives no secret is exit 5, with its own
// --json code and the source named, in every language; a malformed
// reference is a setup-file error (exit 2).
func TestSecretsUnavailableExitCodes(t *testing.T) {
	dir := t.TempDir()
	file := func(n, content string, mode os.FileMode) string { return filetest.File(t, dir, n, content, mode) }
	fifo := filetest.FIFO(t, dir, "fifo")
	setup := func(ref string) string {
		return "version: 1\nplatform:\n  account: acme\ncompany:\n  address: jobs@acme.de\n  channel: smtp\n  smtp:\n    host: 127.0.0.1\n    port: 9\n    password: \"" + ref + "\"\n"
	}
	cases := []struct {
		name, ref string
		env       map[string]string
		exit      int
		code, why string
		named     string // in stderr: the source
	}{
		{"env unset", "env:JM_UNSET", nil, ExitSecrets, "secrets.env_unavailable", "unset", "JM_UNSET"},
		{"env empty", "env:JM_EMPTY", map[string]string{"JM_EMPTY": ""}, ExitSecrets, "secrets.env_unavailable", "empty", "JM_EMPTY"},
		{"stdin empty", "stdin", nil, ExitSecrets, "secrets.stdin_unavailable", "empty", "stdin"},
		{"file only a newline", "file:" + file("nl", "\n", 0o600), nil, ExitSecrets, "secrets.file_unavailable", "empty", "nl"},
		{"file world-readable", "file:" + file("open", "pw", 0o644), nil, ExitSecrets, "secrets.file_unavailable", "too_open", "chmod 600"},
		{"file fifo", "file:" + fifo, nil, ExitSecrets, "secrets.file_unavailable", "not_regular", "fifo"},
		{"file device", "file:/dev/zero", nil, ExitSecrets, "secrets.file_unavailable", "not_regular", "/dev/zero"},
		{"file too large", "file:" + file("big", strings.Repeat("x", 70<<10), 0o600), nil, ExitSecrets, "secrets.file_unavailable", "too_large", "big"},
		{"malformed reference", "env:1BAD", nil, ExitUsage, "config.invalid", "", "password"},
	}
	for _, tc := range cases {
		for _, lang := range []string{"en", "de", "it"} {
			t.Run(tc.name+"/"+lang, func(t *testing.T) {
				env := map[string]string{"LANG": "C"}
				for k, v := range tc.env {
					env[k] = v
				}
				r := &mainRig{env: env, store: secretstest.NewMemStore(nil)}
				args := []string{"--config", writeSetup(t, setup(tc.ref)), "--json", "--lang", lang}
				if got := Main(context.Background(), args, r.factory()); got != tc.exit {
					t.Fatalf("exit %d, want %d\nstderr: %s", got, tc.exit, r.stderr.String())
				}
				if !strings.Contains(r.stderr.String(), tc.named) {
					t.Errorf("stderr does not name %q:\n%s", tc.named, r.stderr.String())
				}
				var j struct {
					Diagnosis struct {
						Code, Title, Explain, Remedy string
						Args                         map[string]string
					}
					ExitCode int `json:"exit_code"`
				}
				if err := json.Unmarshal(r.stdout.Bytes(), &j); err != nil {
					t.Fatalf("stdout: %v\n%s", err, r.stdout.String())
				}
				d := j.Diagnosis
				if d.Code != tc.code || j.ExitCode != tc.exit || (tc.why != "" && d.Args["why"] != tc.why) {
					t.Fatalf("json %+v exit %d, want %s/%s exit %d", d, j.ExitCode, tc.code, tc.why, tc.exit)
				}
				if d.Title == "" || d.Remedy == "" || strings.Contains(d.Explain+d.Remedy, "{{") {
					t.Fatalf("diagnosis without words: %+v", d)
				}
			})
		}
	}
}
