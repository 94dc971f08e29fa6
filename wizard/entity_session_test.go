package wizard

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/jobmail/jobmail/wizard/setupfile"
)

// walk answers an entity session's questions by key, accepting the
// offered value (as a person pressing enter would) where answers has
// none, and returns what each question offered and where it stopped.
func walk(t *testing.T, s *Session, answers map[string]string) (map[string]string, Step) {
	t.Helper()
	offered := map[string]string{}
	for i := 0; i < 100; i++ {
		st := next(s)
		if st.Question == nil {
			return offered, st
		}
		q := st.Question
		offered[q.Key] = q.Value
		v, ok := answers[q.Key]
		if !ok {
			v = q.Value
		}
		if err := s.Answer(q.Key, v); err != nil {
			t.Fatalf("answer %s=%q: %v", q.Key, v, err)
		}
	}
	t.Fatal("machine did not settle in 100 steps")
	return nil, Step{}
}

// testCA is the test CA, by absolute path (the setup file resolves
// relative ones against its own directory).
func testCA(t *testing.T) string {
	ca, err := filepath.Abs("setupfile/testdata/certs/ca.pem")
	if err != nil {
		t.Fatal(err)
	}
	return ca
}

func entitySetup(t *testing.T) *setupfile.Setup {
	return &setupfile.Setup{Version: 1, Platform: setupfile.Platform{Account: "acme"},
		Company: setupfile.Mailbox{Address: "jobs@acme.de", SenderName: "employee", Forwarding: "done", Channel: "smtp",
			SMTP:   &setupfile.SMTP{Host: "mail.acme.de", Port: 2525, Security: "smtps", Username: "relay@acme.de", Password: "env:PW", CAFile: testCA(t)},
			Google: &setupfile.Google{ClientID: "gid", AuthURL: "https://auth.test/a", TokenURL: "https://auth.test/t"}},
		Entities: []setupfile.Entity{{Name: "Acme Logistics"}, {}}}
}

// TestEntitySessionInheritsByTheFileRule: the wizard's defaults for a
// subsidiary are the settings a replay of the written file inherits
// (setupfile.Inherit), on any domain; the login never is the company's;
// accepting every default writes a file whose effective mailbox is the
// one the session tested.
func TestEntitySessionInheritsByTheFileRule(t *testing.T) {
	ca := testCA(t)
	tests := []struct {
		name    string
		answers map[string]string
		want    map[string]string // key → value offered
		eff     setupfile.SMTP
	}{
		{"another domain, every default accepted",
			map[string]string{"entities[1].address": "jobs@acme.it"},
			map[string]string{"entities[1].sender_name": "employee", "entities[1].channel": "smtp",
				"entities[1].smtp.host": "mail.acme.de", "entities[1].smtp.transport": "smtps-2525",
				"entities[1].smtp.username": "jobs@acme.it", "entities[1].smtp.password": "", "entities[1].smtp.ca_file": ca},
			setupfile.SMTP{Host: "mail.acme.de", Port: 2525, Security: "smtps", Username: "jobs@acme.it", Password: "keyring", CAFile: ca}},
		{"the company's host, another port and security",
			map[string]string{"entities[1].address": "jobs@acme.it", "entities[1].smtp.transport": "starttls-587"},
			map[string]string{"entities[1].smtp.host": "mail.acme.de", "entities[1].smtp.transport": "smtps-2525", "entities[1].smtp.ca_file": ca},
			setupfile.SMTP{Host: "mail.acme.de", Port: 587, Security: "starttls", Username: "jobs@acme.it", Password: "keyring", CAFile: ca}},
		{"a host of its own: nothing of the company's server",
			map[string]string{"entities[1].address": "jobs@acme.it", "entities[1].smtp.host": "smtp.acme.it"},
			map[string]string{"entities[1].smtp.transport": "starttls-587", "entities[1].smtp.ca_file": ""},
			setupfile.SMTP{Host: "smtp.acme.it", Port: 587, Security: "starttls", Username: "jobs@acme.it", Password: "keyring"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			setup := entitySetup(t)
			s := NewEntitySession(setup, 1, true)
			tc.answers["entities[1].name"] = "Acme Italia"
			tc.answers["entities[1].smtp.password"] = "it-secret"
			offered, st := walk(t, s, tc.answers)
			if st.Action == nil || st.Action.Kind != ActionCheck {
				t.Fatalf("stopped at %+v, want the check", st)
			}
			for k, v := range tc.want {
				if offered[k] != v {
					t.Errorf("%s offered %q, want %q", k, offered[k], v)
				}
			}
			if setup.Entities[1].Name != "Acme Italia" {
				t.Errorf("name %q", setup.Entities[1].Name)
			}
			if c := s.connection().SMTP; c.Host != tc.eff.Host || c.Port != tc.eff.Port || c.Security != tc.eff.Security {
				t.Errorf("the session tests %+v, want %+v", *c, tc.eff)
			}
			if got := *setup.Effective()[2].SMTP; got != tc.eff {
				t.Errorf("the written entity replays as %+v, want %+v", got, tc.eff)
			}
		})
	}
}

func TestEntitySessionOAuthSettingsInherited(t *testing.T) {
	setup := entitySetup(t)
	s := NewEntitySession(setup, 1, true)
	walk(t, s, map[string]string{"entities[1].name": "Acme Italia", "entities[1].address": "jobs@acme.it", "entities[1].channel": "google"})
	g := s.connection().Google
	if g == nil || g.ClientID != "gid" || g.AuthURL != "https://auth.test/a" || g.TokenURL != "https://auth.test/t" || g.RefreshToken != "" {
		t.Fatalf("the sign-in would use %+v", g)
	}
	if own := setup.Entities[1].Google; own.AuthURL != "" || own.TokenURL != "" {
		t.Errorf("file-only settings copied into the entity: %+v", own)
	}
	if !s.needsAuthorize() {
		t.Error("no sign-in asked for a google subsidiary")
	}
}

func TestEntitySessionEmptyAddressInherits(t *testing.T) {
	setup := entitySetup(t)
	s := NewEntitySession(setup, 1, true)
	_, st := walk(t, s, map[string]string{"entities[1].name": "Acme Italia", "entities[1].address": "jobs@acme.it",
		"entities[1].channel": "platform"})
	if st.Action == nil {
		t.Fatalf("with an address: %+v", st)
	}
	// back to the address, cleared: the mailbox's own answers go with it
	if !s.BackTo("entities[1].address") {
		t.Fatal("no address question")
	}
	if err := s.Answer("entities[1].address", ""); err != nil {
		t.Fatal(err)
	}
	if st := next(s); !st.Done || !s.Inherits() {
		t.Fatalf("after an empty address: %+v", st)
	}
	if e := setup.Entities[1]; e.Name != "Acme Italia" || e.Mailbox.Channel != "" || e.Mailbox.Forwarding != "" {
		t.Fatalf("entity %+v", e)
	}
	path := filepath.Join(t.TempDir(), "jobmail.yaml")
	if err := setupfile.Save(path, setup); err != nil {
		t.Fatal(err)
	}
	if _, err := setupfile.LoadFile(path); err != nil {
		t.Fatalf("the written setup is not valid: %v", err)
	}
	// an address again: its questions are asked afresh
	if err := s.Answer("entities[1].address", "jobs@acme.it"); err != nil {
		t.Fatal(err)
	}
	if st := next(s); st.Question == nil || st.Question.Key != "entities[1].sender_name" {
		t.Fatalf("after an address again: %+v", st)
	}
}

func TestEntitySessionName(t *testing.T) {
	tests := []struct {
		name, value, reason string
	}{
		{"required", "", "required"},
		{"taken, other case and spacing", "  acme   LOGISTICS ", setupfile.ReasonDuplicateEntity},
		{"line break", "Acme\nItalia", "crlf"},
		{"ok", "Acme Italia", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := NewEntitySession(entitySetup(t), 1, true)
			if q := next(s).Question; q == nil || q.Key != "entities[1].name" || q.State != StateForwarding {
				t.Fatalf("first question %+v", q)
			}
			err := s.Answer("entities[1].name", tc.value)
			var fe *setupfile.FieldError
			switch {
			case tc.reason == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.reason != "" && (!errors.As(err, &fe) || fe.Reason != tc.reason || fe.Key != "entities[1].name"):
				t.Fatalf("got %v, want %s at entities[1].name", err, tc.reason)
			}
		})
	}
	// its own name again (answered twice) is no duplicate of itself
	s := NewEntitySession(entitySetup(t), 1, true)
	for range 2 {
		if err := s.Answer("entities[1].name", "Acme Italia"); err != nil {
			t.Fatal(err)
		}
	}
}

// The company's session and replays of effective mailboxes have no
// entity questions.
func TestCompanySessionAsksNoEntityName(t *testing.T) {
	s := NewSession(entitySetup(t), true)
	if s.IsEntity() || s.Inherits() {
		t.Fatal("company session taken for an entity")
	}
	if err := s.Answer("company.address", ""); err == nil {
		t.Fatal("the company's address may not be empty")
	}
	if _, ok := s.question("company.name"); ok {
		t.Fatal("the company session asks a name")
	}
}
