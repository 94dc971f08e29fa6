package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSetupErrorsNameKeyAndLine(t *testing.T) {
	r := newRunner(t)
	cases := []struct {
		name, yaml string
		exit       int
		want       []string
	}{
		{"unknown key", "version: 1\nplatform:\n  account: acme\ncompany:\n  address: jobs@acme.de\n  colour: blue\n", 2, []string{"company.colour", ":6"}},
		{"port out of range", "version: 1\nplatform:\n  account: acme\ncompany:\n  address: jobs@acme.de\n  channel: smtp\n  smtp:\n    host: smtp.acme.de\n    port: 70000\n", 2, []string{"company.smtp.port", ":9"}},
		{"missing host", "version: 1\nplatform:\n  account: acme\ncompany:\n  address: jobs@acme.de\n  channel: smtp\n  smtp:\n    port: 587\n", 2, []string{"company.smtp.host"}},
		{"not yaml", "version: [1\n", 2, []string{"bad.yaml:1:"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(r.dir, "bad.yaml")
			if err := os.WriteFile(p, []byte(tc.yaml), 0o600); err != nil {
				t.Fatal(err)
			}
			res := r.run(nil, "", "--config", p)
			if res.Code != tc.exit {
				t.Fatalf("exit %d, want %d: %s", res.Code, tc.exit, res.Stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(res.Stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, res.Stderr)
				}
			}
			jres := r.run(nil, "", "--config", p, "--json")
			if diagCode(jres.JSON) == "" || jres.JSON["ok"] != false {
				t.Errorf("json: %s", jres.Stdout)
			}
		})
	}
}

func TestNoTerminalNoConfig(t *testing.T) {
	r := newRunner(t)
	res := r.run(nil, "")
	if res.Code != 2 || !strings.Contains(res.Stderr, "--config") {
		t.Fatalf("exit %d, stderr %q: want 2 naming --config", res.Code, res.Stderr)
	}
}

func TestTestWritesNothingExportWritesExport(t *testing.T) {
	r := newRunner(t)
	cfg := r.setup("plain", map[string]string{"host": "localhost", "port": r.mp.Get("MAILPEER_SUBMISSION_PORT", "12587"),
		"security": "starttls", "password": "env:JOBMAIL_TEST_PW", "ca_file": r.mp.Get("MAILPEER_CA_FILE", "")})
	env := []string{"JOBMAIL_TEST_PW=" + r.mp.Get("MAILPEER_PASSWORD", "")}
	before, _ := os.ReadDir(r.dir)
	if res := r.run(env, "", "test", "--config", cfg); res.Code != 0 {
		t.Fatalf("test: exit %d: %s", res.Code, res.Stderr)
	}
	after, _ := os.ReadDir(r.dir)
	if len(after) != len(before) {
		t.Fatalf("jobmail test wrote files: %d → %d entries", len(before), len(after))
	}
	out := filepath.Join(r.dir, "out.json")
	if res := r.run(nil, "", "export", "--config", cfg, "--output", out); res.Code != 0 {
		t.Fatalf("export: exit %d: %s", res.Code, res.Stderr)
	}
	fi, err := os.Stat(out)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("export file: %v %v", fi, err)
	}
}

func TestKeyringRoundTrip(t *testing.T) {
	r := newRunner(t)
	cfg := r.setup("keyring", map[string]string{"host": "localhost", "port": r.mp.Get("MAILPEER_SUBMISSION_PORT", "12587"),
		"security": "starttls", "password": "keyring", "ca_file": r.mp.Get("MAILPEER_CA_FILE", "")})
	t.Run("unavailable", func(t *testing.T) {
		res := r.run([]string{"DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent/bus"}, "", "--config", cfg, "--json")
		if res.Code != 5 || diagCode(res.JSON) != "secrets.keyring_unavailable" {
			t.Fatalf("exit %d code %q, want 5 secrets.keyring_unavailable\n%s\n%s", res.Code, diagCode(res.JSON), res.Stdout, res.Stderr)
		}
		for _, alt := range []string{"env:", "file:", "stdin"} {
			if !strings.Contains(res.Stderr, alt) {
				t.Errorf("stderr does not offer %s:\n%s", alt, res.Stderr)
			}
		}
	})
	e2eenv_requireKeyring(t)
	t.Run("save then replay", func(t *testing.T) {
		pw := r.mp.Get("MAILPEER_PASSWORD", "")
		res := r.run(nil, pw+"\n", "--config", cfg, "--password-stdin", "--save-secret")
		if res.Code != 0 {
			t.Fatalf("save: exit %d: %s", res.Code, res.Stderr)
		}
		res = r.run(nil, "", "--config", cfg, "--json")
		if res.Code != 0 {
			t.Fatalf("replay from keyring: exit %d: %s", res.Code, res.Stderr)
		}
	})
}
