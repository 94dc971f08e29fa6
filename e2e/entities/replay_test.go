package entities_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEntitiesReplay: 25 mailboxes (24 entities), 23 distinct connections, three
// planted failures. Each mailbox gets its own code, the others pass and
// their test messages arrive in their own Maildirs, identical connections
// are tested once, and the run exits with its worst result (3).
func TestEntitiesReplay(t *testing.T) {
	s := newSuite(t)
	es := s.mailboxes(true)
	cfg, env := s.write("entities.yaml", es)
	export := filepath.Join(s.dir, "export.json")
	r := s.run(env, "--config", cfg, "--json", "--export", export)
	if r.code != 3 || r.json.ExitCode != 3 || r.json.OK {
		t.Fatalf("exit %d (json %d, ok %v), want 3: the worst result is the unsupported host\nstderr: %s", r.code, r.json.ExitCode, r.json.OK, r.stderr)
	}
	if len(r.json.Entities) != len(es)+1 {
		t.Fatalf("%d entities in the JSON, want %d", len(r.json.Entities), len(es)+1)
	}
	if _, err := os.Stat(export); err == nil {
		t.Error("an export was written although tests failed")
	}
	got := byKey(r.json)
	company := got["company"]
	if !company.OK || company.Token == "" || company.TestedWith != "" {
		t.Fatalf("company: %+v", company)
	}
	s.waitForToken("e01", company.Token)
	tested := 1
	for i, e := range es {
		key := fmt.Sprintf("entities[%d]", i)
		t.Run(e.name, func(t *testing.T) {
			j, ok := got[key]
			if !ok || j.Entity != e.name {
				t.Fatalf("no result for %s (%s): %+v", key, e.name, j)
			}
			if j.code() != e.code || j.ExitCode != e.exit || j.OK != (e.code == "") || j.TestedWith != e.with {
				t.Fatalf("got code %q exit %d ok %v tested_with %q; want %q %d %q", j.code(), j.ExitCode, j.OK, j.TestedWith, e.code, e.exit, e.with)
			}
			switch {
			case e.with != "":
				if j.Token != company.Token || !strings.EqualFold(j.Address, "e01@example.test") {
					t.Errorf("shared connection: token %q address %q, want the company's", j.Token, j.Address)
				}
			case e.code == "":
				tested++
				if j.Token == "" || j.Token == company.Token {
					t.Fatalf("token %q", j.Token)
				}
				s.waitForToken(strings.TrimSuffix(e.address, "@example.test"), j.Token)
			case e.code == "auth.rejected":
				tested++
				tr := strings.Join(j.Transcript, "\n")
				if !strings.Contains(tr, "535") || !strings.Contains(tr, "AUTH") {
					t.Errorf("transcript lacks the refused AUTH:\n%s", tr)
				}
			default:
				tested++
			}
		})
	}
	if tested != 23 {
		t.Errorf("%d connections tested, want 23", tested)
	}
	// The summary table names every entity for people, on stderr.
	for _, e := range es {
		if !strings.Contains(r.stderr, e.name) {
			t.Errorf("summary lacks %q", e.name)
		}
	}
}

// TestEntitiesParallelSameAsSerial: --parallel 1 and the default give the
// same result per entity.
func TestEntitiesParallelSameAsSerial(t *testing.T) {
	s := newSuite(t)
	cfg, env := s.write("entities.yaml", s.mailboxes(true))
	type row struct {
		Entity, Key, TestedWith, Code string
		OK                            bool
		Exit                          int
	}
	rows := func(r run) []row {
		var out []row
		for _, e := range r.json.Entities {
			out = append(out, row{e.Entity, e.Key, e.TestedWith, e.code(), e.OK, e.ExitCode})
		}
		return out
	}
	serial := s.run(env, "test", "--config", cfg, "--json", "--parallel", "1")
	parallel := s.run(env, "test", "--config", cfg, "--json")
	a, b := rows(serial), rows(parallel)
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if serial.code != parallel.code || string(ja) != string(jb) || len(a) != 25 {
		t.Fatalf("--parallel 1 (exit %d):\n%s\ndefault (exit %d):\n%s", serial.code, ja, parallel.code, jb)
	}
}

// TestEntitiesExport: a setup whose every connection passes writes the
// export, listing every entity with its effective settings and the token
// its own test message carried; `jobmail export` lists them untested.
func TestEntitiesExport(t *testing.T) {
	s := newSuite(t)
	es := s.mailboxes(false)
	cfg, env := s.write("ok.yaml", es)
	out := filepath.Join(s.dir, "export.json")
	r := s.run(env, "--config", cfg, "--json", "--export", out)
	if r.code != 0 || !r.json.OK || r.json.Export != out {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	offline := filepath.Join(s.dir, "offline.json")
	if res := s.run(nil, "export", "--config", cfg, "--output", offline); res.code != 0 {
		t.Fatalf("export: exit %d: %s", res.code, res.stderr)
	}
	tokens := byKey(r.json)
	for _, f := range []struct {
		path   string
		tested bool
	}{{out, true}, {offline, false}} {
		data, err := os.ReadFile(f.path)
		if err != nil {
			t.Fatal(err)
		}
		for i := 1; i <= 24; i++ {
			if strings.Contains(string(data), fmt.Sprintf("E%02d_PW", i)) || strings.Contains(string(data), pw(i)) {
				t.Fatalf("%s carries a secret or its reference", f.path)
			}
		}
		var ex struct {
			Entities []struct {
				Name     string `json:"name"`
				Key      string `json:"key"`
				Inherits bool   `json:"inherits_company"`
				Sender   struct {
					Address string `json:"address"`
				} `json:"sender"`
				Channel  string `json:"channel"`
				Settings struct {
					Host     string `json:"host"`
					Port     int    `json:"port"`
					Security string `json:"security"`
					Username string `json:"username"`
				} `json:"settings"`
				Verification struct {
					Token string `json:"token"`
				} `json:"verification"`
				LastTest *struct {
					OK bool `json:"ok"`
				} `json:"last_test"`
			} `json:"entities"`
		}
		if err := json.Unmarshal(data, &ex); err != nil {
			t.Fatal(err)
		}
		if len(ex.Entities) != len(es)+1 {
			t.Fatalf("%s: %d entities, want %d", f.path, len(ex.Entities), len(es)+1)
		}
		port := s.mp.Get("MAILPEER_SUBMISSION_PORT", "12587")
		for i, e := range ex.Entities {
			wantAddr, wantName, inherits := "e01@example.test", "company", false
			if i > 0 {
				src := es[i-1]
				wantName, inherits = src.name, src.address == ""
				if src.address != "" {
					wantAddr = src.address
				}
			}
			if e.Name != wantName || e.Inherits != inherits || !strings.EqualFold(e.Sender.Address, wantAddr) || e.Channel != "smtp" {
				t.Errorf("%s: entity %d: %+v", f.path, i, e)
			}
			st := e.Settings
			if strings.ToLower(st.Host) != "localhost" || fmt.Sprint(st.Port) != port || st.Security != "starttls" || !strings.EqualFold(st.Username, wantAddr) {
				t.Errorf("%s: %s: effective settings %+v", f.path, e.Name, st)
			}
			if (e.LastTest != nil) != f.tested || (f.tested && !e.LastTest.OK) {
				t.Errorf("%s: %s: last_test %+v", f.path, e.Name, e.LastTest)
			}
			if f.tested && e.Verification.Token != tokens[e.Key].Token {
				t.Errorf("%s: token %q, the test message carried %q", e.Name, e.Verification.Token, tokens[e.Key].Token)
			}
		}
	}
}

// TestEntitiesReport: `jobmail report --test` on the same setup names
// each failure's code, keeps the server's words, redacts the AUTH line.
func TestEntitiesReport(t *testing.T) {
	s := newSuite(t)
	cfg, env := s.write("entities.yaml", s.mailboxes(true))
	out := filepath.Join(s.dir, "handoff.md")
	r := s.run(env, "report", "--test", "--config", cfg, "--output", out)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	md := string(data)
	for _, want := range []string{"`auth.rejected`", "`net.refused`", "`config.unsupported_host`", "C: AUTH PLAIN [redacted]",
		"535 5.7.8", "Acme Logistics", "3.121.59.239/32"} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	for i := 1; i <= 24; i++ {
		if strings.Contains(md, pw(i)) {
			t.Fatalf("report carries %s", pw(i))
		}
	}
	if n := strings.Count(md, "| passed |"); n != 22 {
		t.Errorf("%d mailboxes passed in the overview, want 22", n)
	}
}
