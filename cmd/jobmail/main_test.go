package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jobmail/jobmail/secrets"
	"github.com/jobmail/jobmail/secrets/secretstest"
)

type mainRig struct {
	stdout, stderr bytes.Buffer
	env            map[string]string
	store          *secretstest.MemStore
	terminal       bool
}

func (r *mainRig) factory() *Factory {
	return &Factory{
		Stdin: strings.NewReader(""), Stdout: &r.stdout, Stderr: &r.stderr,
		IsTerminal: func() bool { return r.terminal },
		Getenv:     func(k string) string { return r.env[k] },
		LookupEnv:  func(k string) (string, bool) { v, ok := r.env[k]; return v, ok },
		ReadFile:   nil, // the production reader (secrets/safefile)
		Now:        time.Now,
		Keyring:    func() secrets.Store { return r.store },
	}
}

func writeSetup(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "jobmail.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

const platformSetup = "version: 1\nplatform:\n  account: acme\ncompany:\n  address: jobs@acme.de\n"

// TestMainExitCodesAndJSON drives Main as the binary would, through the
// Factory: the exit-code table and the --json contract of DESIGN.md.
func TestMainExitCodesAndJSON(t *testing.T) {
	smtpKeyring := "version: 1\nplatform:\n  account: acme\ncompany:\n  address: jobs@acme.de\n  channel: smtp\n  smtp:\n    host: smtp.acme.test\n    password: keyring\n"
	cases := []struct {
		name    string
		args    func(t *testing.T) []string
		unavail bool
		exit    int
		code    string // diagnosis code in --json; "" = null
		stderr  string
	}{
		{"no terminal, no config", func(*testing.T) []string { return nil }, false, ExitUsage, "", "--config"},
		{"unknown flag", func(*testing.T) []string { return []string{"--frobnicate"} }, false, ExitUsage, "", ""},
		{"unknown command", func(*testing.T) []string { return []string{"frobnicate"} }, false, ExitUsage, "", ""},
		{"test without config", func(*testing.T) []string { return []string{"test"} }, false, ExitUsage, "", "--config"},
		{"platform channel passes", func(t *testing.T) []string {
			return []string{"--config", writeSetup(t, platformSetup), "--json"}
		}, false, ExitOK, "", ""},
		{"invalid setup", func(t *testing.T) []string {
			return []string{"--config", writeSetup(t, platformSetup+"  colour: blue\n"), "--json"}
		}, false, ExitUsage, "config.invalid", "company.colour"},
		{"missing key", func(t *testing.T) []string {
			return []string{"--config", writeSetup(t, "version: 1\nplatform:\n  account: acme\ncompany:\n  channel: smtp\n  smtp:\n    host: smtp.acme.test\n"), "--json"}
		}, false, ExitUsage, "config.invalid", "company.address"},
		{"unsupported host", func(t *testing.T) []string {
			return []string{"--config", writeSetup(t, strings.Replace(smtpKeyring, "smtp.acme.test", "smtp-relay.gmail.com", 1)), "--json"}
		}, false, ExitPrereq, "config.unsupported_host", "smtp.gmail.com"},
		{"keyring unavailable", func(t *testing.T) []string {
			return []string{"--config", writeSetup(t, smtpKeyring), "--json"}
		}, true, ExitSecrets, "secrets.keyring_unavailable", "env:"},
		{"keyring has no entry", func(t *testing.T) []string {
			return []string{"--config", writeSetup(t, smtpKeyring), "--json"}
		}, false, ExitSecrets, "secrets.keyring_unavailable", ""},
		{"negative timeout", func(t *testing.T) []string {
			return []string{"--config", writeSetup(t, platformSetup), "--timeout", "-1s"}
		}, false, ExitUsage, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := &mainRig{env: map[string]string{"LANG": "C"}, store: secretstest.NewMemStore(nil)}
			if tc.unavail {
				r.store.SetUnavailable(true)
			}
			args := tc.args(t)
			got := Main(context.Background(), args, r.factory())
			if got != tc.exit {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", got, tc.exit, r.stdout.String(), r.stderr.String())
			}
			if tc.stderr != "" && !strings.Contains(r.stderr.String(), tc.stderr) {
				t.Errorf("stderr lacks %q:\n%s", tc.stderr, r.stderr.String())
			}
			if strings.Contains(r.stderr.String(), "goroutine ") {
				t.Fatalf("stack trace:\n%s", r.stderr.String())
			}
			if !strings.Contains(strings.Join(args, " "), "--json") {
				return
			}
			var j map[string]any
			if err := json.Unmarshal(r.stdout.Bytes(), &j); err != nil {
				t.Fatalf("stdout is not one JSON object: %v\n%s", err, r.stdout.String())
			}
			for _, k := range []string{"ok", "stages", "diagnosis", "exit_code"} {
				if _, ok := j[k]; !ok {
					t.Errorf("json lacks %q: %s", k, r.stdout.String())
				}
			}
			if int(j["exit_code"].(float64)) != tc.exit || j["ok"] != (tc.exit == ExitOK) {
				t.Errorf("json exit_code/ok disagree with the exit code: %s", r.stdout.String())
			}
			d, _ := j["diagnosis"].(map[string]any)
			gotCode, _ := d["code"].(string)
			if gotCode != tc.code {
				t.Errorf("diagnosis code %q, want %q", gotCode, tc.code)
			}
			if d != nil && (d["remedy"] == "" || d["title"] == "") {
				t.Errorf("diagnosis without words: %v", d)
			}
		})
	}
}

// TestLanguages: the same failure in each language names the same code
// and key, in that language's words.
func TestLanguages(t *testing.T) {
	titles := map[string]string{}
	for _, lang := range []string{"en", "de", "it"} {
		t.Run(lang, func(t *testing.T) {
			r := &mainRig{env: map[string]string{}, store: secretstest.NewMemStore(nil)}
			r.store.SetUnavailable(true)
			cfg := writeSetup(t, "version: 1\nplatform:\n  account: acme\ncompany:\n  address: jobs@acme.de\n  channel: smtp\n  smtp:\n    host: smtp.acme.test\n")
			if got := Main(context.Background(), []string{"--config", cfg, "--json", "--lang", lang}, r.factory()); got != ExitSecrets {
				t.Fatalf("exit %d: %s", got, r.stderr.String())
			}
			var j struct {
				Diagnosis struct{ Code, Title, Remedy string }
			}
			if err := json.Unmarshal(r.stdout.Bytes(), &j); err != nil {
				t.Fatal(err)
			}
			if j.Diagnosis.Code != "secrets.keyring_unavailable" || j.Diagnosis.Title == "" {
				t.Fatalf("%+v", j.Diagnosis)
			}
			if strings.Contains(r.stderr.String(), "cli.") {
				t.Errorf("a catalogue key leaked into the words:\n%s", r.stderr.String())
			}
			for other, title := range titles {
				if title == j.Diagnosis.Title {
					t.Errorf("%s and %s share the title %q", lang, other, title)
				}
			}
			titles[lang] = j.Diagnosis.Title
		})
	}
}

// TestHelpSpeaksTheLanguage: cobra's headings, its built-in commands and
// flags come from the catalogue too.
func TestHelpSpeaksTheLanguage(t *testing.T) {
	cases := []struct {
		lang    string
		want    []string
		notWant []string
	}{
		{"de", []string{"Aufruf:", "Befehle:", "Optionen:", "Diese Hilfe anzeigen", "Hilfe zu einem Befehl"}, []string{"Available Commands", "Flags:", "Help about any command"}},
		{"it", []string{"Uso:", "Comandi:", "Opzioni:", "Mostra questo aiuto"}, []string{"Available Commands", "Flags:"}},
	}
	for _, tc := range cases {
		t.Run(tc.lang, func(t *testing.T) {
			r := &mainRig{env: map[string]string{}, store: secretstest.NewMemStore(nil)}
			if got := Main(context.Background(), []string{"--help", "--lang", tc.lang}, r.factory()); got != ExitOK {
				t.Fatalf("exit %d", got)
			}
			out := r.stdout.String()
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("help lacks %q:\n%s", w, out)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(out, w) {
					t.Errorf("help still has English %q", w)
				}
			}
		})
	}
}
