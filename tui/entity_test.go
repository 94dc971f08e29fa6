package tui

import (
	"encoding/json"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/jobmail/jobmail/wizard"
	"github.com/jobmail/jobmail/wizard/setupfile"
)

// tokenRe matches a verification token (drawn afresh for each mailbox).
var tokenRe = regexp.MustCompile(`jm-[A-Za-z0-9_-]{10,}`)

// companyDone runs the company's SMTP path to the done screen.
func companyDone(h *harness, srv *mailServer) snapshot {
	h.t.Helper()
	smtpAnswers(h, srv)
	h.answer("company.smtp.password", "pw-123456")
	h.answer("company.smtp.ca_file", srv.caFile)
	confirmAll(h)
	return h.waitFor("done", func(s snapshot) bool { return s.mode == modeDone && strings.Contains(s.view, "> Finish") })
}

// addEntity chooses "Add a subsidiary" and submits name.
func addEntity(h *harness, name string) {
	h.t.Helper()
	h.waitFor("the done menu", func(s snapshot) bool { return s.mode == modeDone && strings.Contains(s.view, "> Finish") })
	h.down(1)
	h.enter()
	s := h.waitFor("the name question", func(s snapshot) bool {
		return s.mode == modeQuestion && strings.HasPrefix(s.key, "entities[") && strings.HasSuffix(s.key, "].name")
	})
	h.answer(s.key, name)
}

// TestSubsidiaries adds one subsidiary that uses the company's settings
// and one with its own address on the company's domain: its steps come
// prefilled from the company (server, port, encryption, CA file; never
// the login), its test runs, its password goes to the keyring, and the
// setup file (valid as a whole) and the export list both.
func TestSubsidiaries(t *testing.T) {
	cfg, store := testConfig(t, "other")
	srv := startMailServer(t, "jobs@acme.test", "pw-123456")
	srv.addUser("it@acme.test", "it-pass-789")
	h := start(t, cfg, store, nil)
	companyDone(h, srv)

	// a name is required, and unique
	h.down(1)
	h.enter()
	h.at("entities[0].name")
	h.enter()
	h.screenHas("A value is required.")
	h.typ("Acme Logistics")
	h.enter()
	s := h.at("entities[0].address")
	for _, want := range []string{"Subsidiary: Acme Logistics", "the company's settings (jobs@acme.test)"} {
		if !strings.Contains(s.view, want) {
			t.Errorf("entity address screen lacks %q:\n%s", want, s.view)
		}
	}
	requireGoldenAs(t, "entity_address", screen(s))
	h.enter() // empty: the company's settings
	s = h.screenHas("Acme Logistics uses the company's settings")
	if !strings.Contains(s.view, "Acme Logistics – uses the company's settings") {
		t.Errorf("done screen does not list the subsidiary:\n%s", s.view)
	}

	addEntity(h, "  acme   LOGISTICS ")
	h.screenHas(`The entity "acme   LOGISTICS" is listed twice.`)
	h.key('u', tea.ModCtrl) // clear
	h.typ("Acme Italia S.r.l.")
	h.enter()
	h.answer("entities[1].address", "it@acme.test")
	h.accept("entities[1].sender_name")
	h.accept("entities[1].forwarding")
	s = h.at("entities[1].channel")
	if !strings.Contains(s.view, "> SMTP") {
		t.Errorf("channel not prefilled from the company:\n%s", s.view)
	}
	h.enter()
	s = h.at("entities[1].smtp.host")
	if !strings.Contains(s.view, "> 127.0.0.1") {
		t.Errorf("host not prefilled from the company:\n%s", s.view)
	}
	h.enter()
	s = h.at("entities[1].smtp.transport")
	if !strings.Contains(s.view, "> "+strconv.Itoa(srv.addr.Port)+" – SMTP with STARTTLS") {
		t.Errorf("port and encryption not prefilled from the company:\n%s", s.view)
	}
	h.enter()
	s = h.at("entities[1].smtp.username")
	if !strings.Contains(s.view, "> it@acme.test") {
		t.Errorf("the login is not the subsidiary's own address:\n%s", s.view)
	}
	h.enter()
	h.answer("entities[1].smtp.password", "it-pass-789")
	h.accept("entities[1].smtp.ca_file")
	for _, id := range []string{"not_shared_mailbox", "ip_allowlist", "external_apps_allowed"} {
		h.accept("entities[1].prerequisites." + id)
	}
	s = h.waitFor("the subsidiary done", func(s snapshot) bool {
		return s.mode == modeDone && strings.Contains(s.view, "send as it@acme.test")
	})
	requireGoldenAs(t, "entity_done", tokenRe.ReplaceAllString(screen(s), "jm-TOKEN"))
	h.enter() // Finish
	m := h.final()

	res := m.Result()
	if res.Outcome != OutcomeDone || res.Err != nil || res.Account != "smtp:jobs@acme.test" ||
		strings.Join(res.Accounts, " ") != "smtp:jobs@acme.test smtp:it@acme.test" {
		t.Fatalf("result %+v", res)
	}
	if pw, _ := store.Value("smtp:it@acme.test"); pw != "it-pass-789" {
		t.Fatalf("keyring holds %q for the subsidiary", pw)
	}
	if n := len(srv.messages()); n != 2 {
		t.Fatalf("server got %d messages, want the company's and the subsidiary's", n)
	}
	l, err := setupfile.LoadFile(cfg.SetupPath)
	if err != nil {
		t.Fatalf("the written setup file is not valid: %v", err)
	}
	es := l.Setup.Entities
	if len(es) != 2 || es[0].Name != "Acme Logistics" || es[0].Address != "" || es[0].Channel != "" ||
		es[1].Name != "Acme Italia S.r.l." || es[1].Address != "it@acme.test" || es[1].SMTP == nil ||
		es[1].SMTP.Host != "127.0.0.1" || es[1].SMTP.Port != srv.addr.Port || es[1].SMTP.Password != "keyring" {
		t.Fatalf("entities %+v / %+v", es, es[1].SMTP)
	}
	raw, _ := os.ReadFile(cfg.SetupPath)
	if strings.Contains(string(raw), "it-pass-789") || strings.Contains(string(raw), "pw-123456") {
		t.Fatal("a password reached the setup file")
	}
	var exp wizard.Export
	data, err := os.ReadFile(cfg.ExportPath)
	if err != nil || json.Unmarshal(data, &exp) != nil || len(exp.Entities) != 3 {
		t.Fatalf("export: %v\n%s", err, data)
	}
	if exp.Entities[0].LastTest == nil || !exp.Entities[1].InheritsCompany || exp.Entities[2].LastTest == nil ||
		!exp.Entities[2].LastTest.OK {
		t.Errorf("export entities %+v", exp.Entities)
	}
}

// TestSubsidiaryLeft: esc on the name goes back; quitting during a
// subsidiary's steps drops it and leaves the written files as they were.
func TestSubsidiaryLeft(t *testing.T) {
	cfg, store := testConfig(t, "other")
	srv := startMailServer(t, "jobs@acme.test", "pw-123456")
	h := start(t, cfg, store, nil)
	companyDone(h, srv)
	before, err := os.ReadFile(cfg.SetupPath)
	if err != nil {
		t.Fatal(err)
	}
	h.down(1)
	h.enter()
	h.at("entities[0].name")
	h.esc()
	h.waitFor("the done menu again", func(s snapshot) bool { return s.mode == modeDone })

	addEntity(h, "Acme Portugal") // esc at its first step: not added after all
	h.answer("entities[0].address", "pt@acme.test")
	h.at("entities[0].sender_name")
	h.esc()
	s := h.waitFor("the done menu again", func(s snapshot) bool { return s.mode == modeDone })
	if strings.Contains(s.view, "Acme Portugal") {
		t.Errorf("the subsidiary left is still listed:\n%s", s.view)
	}

	addEntity(h, "Acme Spain")
	h.answer("entities[0].address", "es@acme.test")
	h.at("entities[0].sender_name")
	h.ctrlC()
	s = h.waitFor("quit", func(s snapshot) bool { return s.mode == modeQuit })
	if !strings.Contains(s.view, "Acme Spain is not finished and is not saved") {
		t.Errorf("quit question:\n%s", s.view)
	}
	h.enter()
	m := h.final()
	if r := m.Result(); r.Outcome != OutcomeDone || r.SetupPath != cfg.SetupPath || r.Err != nil {
		t.Fatalf("result %+v", r)
	}
	after, _ := os.ReadFile(cfg.SetupPath)
	if string(after) != string(before) {
		t.Errorf("setup file changed:\n%s", after)
	}
	if len(m.Session().Setup.Entities) != 0 {
		t.Errorf("the unfinished subsidiary stayed: %+v", m.Session().Setup.Entities)
	}
}
