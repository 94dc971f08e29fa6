package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/jobmail/jobmail/secrets/secretstest"
	"github.com/jobmail/jobmail/tui/i18n"
)

// TestUsageMistakes: every mistake on the command line is exit 2 with a
// sentence of its own in the user's language, never "Unexpected error".
func TestUsageMistakes(t *testing.T) {
	cfg := writeSetup(t, platformSetup)
	cases := []struct {
		name  string
		args  []string
		key   string
		args2 map[string]string
	}{
		{"unknown sign-in", []string{"--sign-in", "browser", "--config", cfg}, "cli.usage.sign_in", map[string]string{"value": "browser"}},
		{"save-secret without password-stdin", []string{"--config", cfg, "--save-secret"}, "cli.usage.save_secret", nil},
		{"timeout zero", []string{"--timeout", "0s", "--config", cfg}, "cli.usage.timeout", map[string]string{"value": "0s"}},
		{"unknown flag", []string{"--frobnicate"}, "cli.usage.unknown_flag", map[string]string{"flag": "--frobnicate", "command": "jobmail"}},
		{"unknown short flag", []string{"test", "-q"}, "cli.usage.unknown_flag", map[string]string{"flag": "-q", "command": "jobmail test"}},
		{"flag without value", []string{"report", "--output"}, "cli.usage.flag_needs_value", map[string]string{"flag": "--output", "command": "jobmail report"}},
		{"bad value", []string{"--timeout", "soon"}, "cli.usage.flag_bad_value", map[string]string{"flag": "--timeout", "value": "soon", "command": "jobmail"}},
		{"unknown command", []string{"frobnicate"}, "cli.usage.args", map[string]string{"command": "jobmail", "arg": "frobnicate"}},
		{"report to stdout twice", []string{"report", "--config", cfg, "--json", "--output", "-"}, "cli.usage.output_json", nil},
	}
	for _, lang := range i18n.Langs {
		w := i18n.New(lang)
		for _, tc := range cases {
			t.Run(string(lang)+"/"+tc.name, func(t *testing.T) {
				r := &mainRig{env: map[string]string{}, store: secretstest.NewMemStore(nil)}
				code := Main(context.Background(), append([]string{"--lang", string(lang)}, tc.args...), r.factory())
				if code != ExitUsage {
					t.Fatalf("exit %d, want %d\nstderr: %s", code, ExitUsage, r.stderr.String())
				}
				want := "jobmail: " + w.T(tc.key, tc.args2) + "\n"
				if got := r.stderr.String(); got != want {
					t.Errorf("stderr\n got %q\nwant %q", got, want)
				}
				if un := w.T("cli.error.unexpected", map[string]string{"error": ""}); strings.Contains(r.stderr.String(), strings.TrimSpace(un)) {
					t.Errorf("a usage mistake reads as unexpected: %s", r.stderr.String())
				}
			})
		}
	}
}

// TestUsageMistakesInJSON: with --json a usage mistake answers a script
// on stdout too — code cli.usage, its reason, exit 2 — also when the
// flags themselves could not be parsed.
func TestUsageMistakesInJSON(t *testing.T) {
	cfg := writeSetup(t, platformSetup)
	for _, tc := range []struct {
		name   string
		args   []string
		reason string
	}{
		{"unknown sign-in", []string{"--json", "--sign-in", "browser", "--config", cfg}, "sign_in"},
		{"unknown flag", []string{"--json", "--frobnicate"}, "unknown_flag"},
		{"timeout zero", []string{"test", "--json", "--timeout", "0s", "--config", cfg}, "timeout"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &mainRig{env: map[string]string{}, store: secretstest.NewMemStore(nil)}
			if code := Main(context.Background(), tc.args, r.factory()); code != ExitUsage {
				t.Fatalf("exit %d, want %d", code, ExitUsage)
			}
			var got struct {
				Diagnosis struct {
					Code string            `json:"code"`
					Args map[string]string `json:"args"`
				} `json:"diagnosis"`
				ExitCode int `json:"exit_code"`
			}
			if err := json.Unmarshal(r.stdout.Bytes(), &got); err != nil {
				t.Fatalf("stdout is not JSON (%v): %q", err, r.stdout.String())
			}
			if got.Diagnosis.Code != "cli.usage" || got.Diagnosis.Args["reason"] != tc.reason || got.ExitCode != ExitUsage {
				t.Errorf("diagnosis %+v exit %d, want cli.usage/%s exit 2", got.Diagnosis, got.ExitCode, tc.reason)
			}
		})
	}
}
