package tui

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/aymanbagabas/go-udiff"
	_ "github.com/charmbracelet/x/exp/golden" // registers -update
	"github.com/jobmail/jobmail/wizard/setupfile"
)

// pkgDir is the package directory: the tests change the working
// directory, the golden files stay here.
var pkgDir, _ = os.Getwd()

// requireGolden compares got with testdata/<test name>.golden; with
// -update it writes the file first (as charmbracelet/x/exp/golden does,
// but independent of the working directory).
func requireGolden(t *testing.T, got string) {
	t.Helper()
	requireGoldenAs(t, filepath.FromSlash(t.Name())+".golden", got)
}

// requireGoldenAs is requireGolden for a test with several screens:
// testdata/<test name>/<name>.golden.
func requireGoldenAs(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join(pkgDir, "testdata", name)
	if !strings.HasSuffix(name, ".golden") {
		path = filepath.Join(pkgDir, "testdata", filepath.FromSlash(t.Name()), name+".golden")
	}
	if f := flag.Lookup("update"); f != nil && f.Value.String() == "true" {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if d := udiff.Unified("golden", "got", string(want), got); d != "" {
		t.Fatalf("screen differs from %s:\n%s\ngot:\n%s", path, d, got)
	}
}

// screen is a snapshot's text as a golden file holds it: no trailing
// blanks (editors strip them), one newline at the end.
func screen(s snapshot) string {
	lines := strings.Split(s.view, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.TrimRight(strings.Join(lines, "\n"), "\n") + "\n"
}

// TestScreens compares every step's screen, the live test, the diagnosis,
// the end and the quit and resume screens at 80×24 with the golden files
// in testdata/TestScreens/ (go test ./tui -run TestScreens -update
// rewrites them).
func TestScreens(t *testing.T) {
	fixedToken := func(m *Model) { m.s.Token = "jm-GOLDENtokenGOLDENtoken" }
	tests := []struct {
		name     string
		provider string
		drive    func(t *testing.T, h *harness, srv *mailServer) snapshot
	}{
		{"1_address", "other", func(t *testing.T, h *harness, _ *mailServer) snapshot {
			return h.at("company.address")
		}},
		{"1_forwarding", "microsoft", func(t *testing.T, h *harness, _ *mailServer) snapshot {
			h.answer("company.address", "jobs@acme.test")
			h.answer("platform.account", "acme")
			h.accept("company.sender_name")
			h.at("company.forwarding")
			return h.screenHas("Forwarding in Microsoft 365")
		}},
		{"2_channel", "other", func(t *testing.T, h *harness, _ *mailServer) snapshot {
			step1(h)
			h.at("company.channel")
			return h.screenHas("Suggested: SMTP")
		}},
		{"2_google_smtp", "google", func(t *testing.T, h *harness, _ *mailServer) snapshot {
			step1(h)
			h.at("company.channel")
			h.screenHas("Suggested: Google")
			h.down(2)
			return h.screenHas("> SMTP")
		}},
		{"3_unsupported_host", "other", func(t *testing.T, h *harness, _ *mailServer) snapshot {
			step1(h)
			h.accept("company.channel")
			h.answer("company.smtp.host", "smtp-relay.gmail.com")
			return h.screenHas("cannot be used")
		}},
		{"3_transport", "other", func(t *testing.T, h *harness, _ *mailServer) snapshot {
			step1(h)
			h.accept("company.channel")
			h.answer("company.smtp.host", "smtp.acme.test")
			return h.at("company.smtp.transport")
		}},
		{"3_confirm", "other", func(t *testing.T, h *harness, _ *mailServer) snapshot {
			step1(h)
			h.accept("company.channel")
			h.answer("company.smtp.host", "smtp.acme.test")
			h.accept("company.smtp.transport")
			h.accept("company.smtp.username")
			h.answer("company.smtp.password", "pw-123456")
			h.accept("company.smtp.ca_file")
			return h.at("company.prerequisites.not_shared_mailbox")
		}},
		{"4_live_test", "other", func(t *testing.T, h *harness, srv *mailServer) snapshot {
			release := srv.holdData()
			t.Cleanup(release)
			smtpAnswers(h, srv)
			h.answer("company.smtp.password", "pw-123456")
			h.answer("company.smtp.ca_file", srv.caFile)
			confirmAll(h)
			return h.waitFor("the test in DATA", func(s snapshot) bool {
				return s.mode == modeRunning && strings.Contains(s.view, "◌ Message (DATA)")
			})
		}},
		{"4_diagnosis", "other", func(t *testing.T, h *harness, srv *mailServer) snapshot {
			smtpAnswers(h, srv)
			h.answer("company.smtp.password", "wrong-password")
			h.answer("company.smtp.ca_file", srv.caFile)
			confirmAll(h)
			return h.waitFor("diagnosis", func(s snapshot) bool { return s.mode == modeBlocked })
		}},
		{"5_done", "other", func(t *testing.T, h *harness, srv *mailServer) snapshot {
			smtpAnswers(h, srv)
			h.answer("company.smtp.password", "pw-123456")
			h.answer("company.smtp.ca_file", srv.caFile)
			confirmAll(h)
			return h.waitFor("done", func(s snapshot) bool { return s.mode == modeDone })
		}},
		{"5_done_platform", "other", func(t *testing.T, h *harness, _ *mailServer) snapshot {
			step1(h)
			h.at("company.channel")
			h.screenHas("Suggested: SMTP")
			for range 3 { // SMTP → the first choice: the platform's own mail service
				h.key(tea.KeyUp, 0)
			}
			h.screenHas("> Personio mail service")
			h.enter()
			return h.waitFor("done", func(s snapshot) bool { return s.mode == modeDone })
		}},
		{"quit", "other", func(t *testing.T, h *harness, _ *mailServer) snapshot {
			step1(h)
			h.at("company.channel")
			h.ctrlC()
			return h.waitFor("quit", func(s snapshot) bool { return s.mode == modeQuit })
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, store := testConfig(t, tc.provider)
			srv := startMailServer(t, "jobs@acme.test", "pw-123456")
			h := start(t, cfg, store, fixedToken)
			requireGolden(t, screen(tc.drive(t, h, srv)))
		})
	}

	t.Run("resume", func(t *testing.T) {
		cfg, store := testConfig(t, "other")
		setup := &setupfile.Setup{Version: 1, Platform: setupfile.Platform{Account: "acme"},
			Company:  setupfile.Mailbox{Address: "jobs@acme.test", Channel: "smtp", SMTP: &setupfile.SMTP{Host: "smtp.acme.test"}},
			Progress: &setupfile.Progress{Step: "prerequisites", Field: "company.smtp.transport"}}
		if err := setupfile.Save(cfg.SetupPath, setup); err != nil {
			t.Fatal(err)
		}
		h := start(t, cfg, store, fixedToken)
		requireGolden(t, screen(h.screenHas("Continue the setup you started?")))
	})
}

// step1 answers the forwarding step.
func step1(h *harness) {
	h.t.Helper()
	h.answer("company.address", "jobs@acme.test")
	h.answer("platform.account", "acme")
	h.accept("company.sender_name")
	h.accept("company.forwarding")
}
