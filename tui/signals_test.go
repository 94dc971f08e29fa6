package tui

import (
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/teatest/v2"
	"github.com/jobmail/jobmail/wizard/setupfile"
)

// TestSaveOnExit ends the program the way a signal does (bubbletea's
// SIGTERM handler and the hang-up handler both just end the program) at
// several points, then runs what Run runs after the program: the setup
// file must hold every answer given and never the password; a finished
// run and an unanswered resume offer keep the file as it was. The real
// signals against the real binary are in e2e/tui (TestWizardSignals).
func TestSaveOnExit(t *testing.T) {
	tests := []struct {
		name  string
		drive func(h *harness, srv *mailServer)
		// want in the file; step is the progress step ("" = no progress)
		want []string
		step string
	}{
		{"mid step 1", func(h *harness, _ *mailServer) {
			h.answer("company.address", "jobs@acme.test")
			h.answer("platform.account", "acme")
			h.at("company.sender_name")
		}, []string{"address: jobs@acme.test", "account: acme"}, "forwarding"},
		{"after the password", func(h *harness, srv *mailServer) {
			smtpAnswers(h, srv)
			h.answer("company.smtp.password", "pw-123456")
			h.answer("company.smtp.ca_file", srv.caFile)
			h.at("company.prerequisites.not_shared_mailbox")
		}, []string{"address: jobs@acme.test", "host: 127.0.0.1", "ca_file: ca.pem", "security: starttls"}, "prerequisites"},
		{"quit dialog open", func(h *harness, _ *mailServer) {
			step1(h)
			h.at("company.channel")
			h.ctrlC()
			h.waitFor("quit", func(s snapshot) bool { return s.mode == modeQuit })
		}, []string{"address: jobs@acme.test", "forwarding: later"}, "channel"},
		{"diagnosis", func(h *harness, srv *mailServer) {
			smtpAnswers(h, srv)
			h.answer("company.smtp.password", "wrong-password")
			h.answer("company.smtp.ca_file", srv.caFile)
			confirmAll(h)
			h.waitFor("diagnosis", func(s snapshot) bool { return s.mode == modeBlocked })
		}, []string{"host: 127.0.0.1", "ca_file: ca.pem"}, "test"},
		{"done", func(h *harness, srv *mailServer) {
			smtpAnswers(h, srv)
			h.answer("company.smtp.password", "pw-123456")
			h.answer("company.smtp.ca_file", srv.caFile)
			confirmAll(h)
			h.waitFor("done", func(s snapshot) bool { return s.mode == modeDone })
		}, []string{"password: keyring"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, store := testConfig(t, "other")
			srv := startMailServer(t, "jobs@acme.test", "pw-123456")
			h := start(t, cfg, store, nil)
			tc.drive(h, srv)
			m := endLikeASignal(t, h)
			m.saveOnExit()
			b, err := os.ReadFile(cfg.SetupPath)
			if err != nil {
				t.Fatalf("no setup file: %v", err)
			}
			want := tc.want
			if tc.step == "prerequisites" || tc.step == "test" {
				want = append(want, "port: "+strconv.Itoa(srv.addr.Port))
			}
			for _, w := range want {
				if !strings.Contains(string(b), w) {
					t.Errorf("setup file lacks %q:\n%s", w, b)
				}
			}
			l, err := setupfile.Load(cfg.SetupPath, setupfile.LoadOptions{Partial: true})
			if err != nil {
				t.Fatalf("the saved file does not load: %v\n%s", err, b)
			}
			switch p := l.Setup.Progress; {
			case tc.step == "" && p != nil:
				t.Errorf("a finished run got progress %+v", p)
			case tc.step != "" && (p == nil || p.Step != tc.step):
				t.Errorf("progress %+v, want step %s", p, tc.step)
			}
			for _, pw := range []string{"pw-123456", "wrong-password"} {
				if strings.Contains(string(b), pw) {
					t.Fatalf("the password reached the setup file:\n%s", b)
				}
			}
			if tc.step != "" && (m.Result().Outcome == "" || m.Result().SetupPath != cfg.SetupPath) {
				t.Errorf("result %+v", m.Result())
			}
		})
	}

	t.Run("resume offer", func(t *testing.T) {
		cfg, store := testConfig(t, "other")
		setup := &setupfile.Setup{Version: 1, Platform: setupfile.Platform{Account: "acme"},
			Company:  setupfile.Mailbox{Address: "jobs@acme.test", Channel: "smtp", SMTP: &setupfile.SMTP{Host: "smtp.acme.test"}},
			Progress: &setupfile.Progress{Step: "prerequisites", Field: "company.smtp.security"}}
		if err := setupfile.Save(cfg.SetupPath, setup); err != nil {
			t.Fatal(err)
		}
		before, _ := os.ReadFile(cfg.SetupPath)
		h := start(t, cfg, store, nil)
		h.screenHas("Continue the setup you started?")
		endLikeASignal(t, h).saveOnExit()
		if after, _ := os.ReadFile(cfg.SetupPath); string(after) != string(before) {
			t.Errorf("the resume offer rewrote the file:\n%s\nwas:\n%s", after, before)
		}
	})
}

// endLikeASignal ends the program from outside (as SIGTERM's QuitMsg and
// the hang-up handler's Quit do) and returns the model as Run gets it.
func endLikeASignal(t *testing.T, h *harness) *Model {
	t.Helper()
	if err := h.tm.Quit(); err != nil {
		t.Fatal(err)
	}
	m := h.tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(probe).m
	if m.run != nil {
		m.run.cancel()
		<-m.run.done
	}
	return m
}
