package wizard

import (
	"context"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/wizard/setupfile"
)

// script answers questions by key until the machine asks for an action,
// blocks or is done; a question without an answer fails the test.
func script(t *testing.T, s *Session, answers map[string]string) Step {
	t.Helper()
	for i := 0; i < 100; i++ {
		st := next(s)
		if st.Question == nil {
			return st
		}
		v, ok := answers[st.Question.Key]
		if !ok {
			t.Fatalf("unexpected question %q (state %s)", st.Question.Key, st.State)
		}
		if err := s.Answer(st.Question.Key, v); err != nil {
			t.Fatalf("answer %s=%q: %v", st.Question.Key, v, err)
		}
	}
	t.Fatal("machine did not settle in 100 steps")
	return Step{}
}

var smtpAnswers = map[string]string{
	"company.address":                             "jobs@acme.de",
	"platform.account":                            "acme",
	"company.sender_name":                         "company",
	"company.forwarding":                          "done",
	"company.channel":                             "smtp",
	"company.smtp.host":                           "smtp.acme.de",
	"company.smtp.transport":                      "starttls-587",
	"company.smtp.username":                       "",
	"company.smtp.password":                       "s3cret-typed",
	"company.smtp.ca_file":                        "",
	"company.prerequisites.not_shared_mailbox":    "yes",
	"company.prerequisites.ip_allowlist":          "yes",
	"company.prerequisites.external_apps_allowed": "yes",
}

func TestInteractiveSMTPPath(t *testing.T) {
	s := NewSession(nil, true)
	s.Provider = "other"
	st := script(t, s, smtpAnswers)
	if st.Action == nil || st.Action.Kind != ActionCheck {
		t.Fatalf("after the questions: %+v, want the check action", st)
	}
	m := s.Mailbox()
	if m.SMTP.Username != "jobs@acme.de" || m.SMTP.Port != 587 || m.SMTP.Password != "keyring" {
		t.Fatalf("defaults not applied: %+v", m.SMTP)
	}
	if s.Password.Reveal() != "s3cret-typed" {
		t.Fatal("typed password not kept in the session")
	}
	if s.Setup.InboundAddress() != "acme-jobs@m-personio.de" {
		t.Fatalf("inbound %q", s.Setup.InboundAddress())
	}
	s.RecordChecks([]providers.Check{{ID: "host_supported", Automatic: true, OK: true}})
	if st := next(s); st.Action == nil || st.Action.Kind != ActionTest {
		t.Fatalf("after checks: %+v, want the test", st)
	}
	s.RecordResult(providers.Result{Diagnosis: &providers.Diagnosis{Code: providers.CodeAuthRejected, Field: "company.smtp.password"}, Err: errors.New("535")})
	st = next(s)
	if st.Blocked == nil || st.Blocked.Code != providers.CodeAuthRejected || st.State != StateTest {
		t.Fatalf("failed test: %+v", st)
	}
	if !s.BackTo(st.Blocked.Field) {
		t.Fatal("BackTo the diagnosis field failed")
	}
	if q := next(s).Question; q == nil || q.Key != "company.smtp.password" || q.Value != "" {
		t.Fatalf("after BackTo: %+v, want the password question, empty", q)
	}
	script(t, s, smtpAnswers)
	s.RecordChecks(nil)
	s.RecordResult(providers.Result{})
	if st := next(s); !st.Done {
		t.Fatalf("after a passing test: %+v", st)
	}
}

func TestAnswerValidation(t *testing.T) {
	cases := []struct {
		key, value, reason string
		code               providers.Code
	}{
		{"company.address", "not an address", "", ""},
		{"company.address", "jobs@@acme.de", "", ""},
		{"platform.account", "Acme Corp!", "", ""},
		{"company.smtp.host", "smtp-relay.gmail.com", "unsupported_host", providers.CodeConfigUnsupportedHost},
		{"company.smtp.host", "acme.mail.protection.outlook.com", "unsupported_host", providers.CodeConfigUnsupportedHost},
		{"company.smtp.host", "http://smtp.acme.de", "", ""},
		{"company.smtp.port", "70000", "", ""},
		{"company.smtp.port", "abc", "", ""},
		{"company.smtp.security", "tls", "", ""},
		{"company.channel", "fax", "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.key+"="+tc.value, func(t *testing.T) {
			s := NewSession(&setupfile.Setup{Company: setupfile.Mailbox{Channel: "smtp"}}, true)
			err := s.Answer(tc.key, tc.value)
			var fe *setupfile.FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("want a *FieldError, got %v", err)
			}
			if fe.Key != tc.key {
				t.Fatalf("error key %q, want %q", fe.Key, tc.key)
			}
			if tc.reason != "" && fe.Reason != tc.reason {
				t.Fatalf("reason %q, want %q", fe.Reason, tc.reason)
			}
			if fe.Code != tc.code {
				t.Fatalf("code %q, want %q", fe.Code, tc.code)
			}
			if s.Answered(tc.key) {
				t.Fatal("an invalid answer was stored")
			}
		})
	}
}

func TestBackKeepsAnswers(t *testing.T) {
	s := NewSession(nil, true)
	script(t, s, smtpAnswers)
	s.Back(StateChannel)
	q := next(s).Question
	if q == nil || q.Key != "company.channel" || q.Value != "smtp" {
		t.Fatalf("after Back: %+v, want the channel question prefilled with smtp", q)
	}
	if !s.Answered("company.address") {
		t.Fatal("Back(channel) forgot the forwarding answers")
	}
	if err := s.Answer("company.channel", "platform"); err != nil {
		t.Fatal(err)
	}
	if st := next(s); st.Action == nil || st.Action.Kind != ActionCheck {
		t.Fatalf("platform channel needs no more questions, got %+v", st)
	}
}

func TestGoogleSuggested(t *testing.T) {
	s := NewSession(nil, true)
	s.Provider = "google"
	_ = s.Answer("company.address", "jobs@acme.de")
	_ = s.Answer("platform.account", "acme")
	_ = s.Answer("company.sender_name", "")
	_ = s.Answer("company.forwarding", "")
	q := next(s).Question
	if q == nil || q.Key != "company.channel" || q.Value != "google" {
		t.Fatalf("channel question %+v, want google suggested", q)
	}
}

func TestReplay(t *testing.T) {
	smtpSetup := func(mut func(*setupfile.Setup)) *setupfile.Setup {
		s := &setupfile.Setup{Version: 1, Platform: setupfile.Platform{Account: "acme"}, Company: setupfile.Mailbox{Address: "jobs@acme.de", Channel: "smtp",
			SMTP: &setupfile.SMTP{Host: "smtp.acme.de", Password: "env:PW"}}}
		if mut != nil {
			mut(s)
		}
		return s
	}
	cases := []struct {
		name    string
		setup   *setupfile.Setup
		missing string
		blocked providers.Code
		done    bool
	}{
		{"platform channel is done at once", &setupfile.Setup{Version: 1, Platform: setupfile.Platform{Account: "acme"}, Company: setupfile.Mailbox{Address: "jobs@acme.de"}}, "", "", true},
		{"missing address", &setupfile.Setup{Version: 1, Platform: setupfile.Platform{Account: "acme"}}, "company.address", "", false},
		{"missing host", smtpSetup(func(s *setupfile.Setup) { s.Company.SMTP.Host = "" }), "company.smtp.host", "", false},
		{"shared mailbox stops at prerequisites", smtpSetup(func(s *setupfile.Setup) {
			s.Company.Prerequisites = map[string]bool{"not_shared_mailbox": false}
		}), "", providers.CodeConfigSharedMailbox, false},
		{"credentials in clear", smtpSetup(func(s *setupfile.Setup) { s.Company.SMTP.Security = "none" }), "", providers.CodeConfigInsecure, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := &Env{}
			s, st, err := replayFile(context.Background(), env, tc.setup, "jobmail.yaml", nil)
			var me *setupfile.MissingError
			switch {
			case tc.missing != "":
				if !errors.As(err, &me) || me.Key != tc.missing {
					t.Fatalf("err %v, want missing %q", err, tc.missing)
				}
				if want := `missing "` + tc.missing + `" in jobmail.yaml`; len(err.Error()) < len(want) || err.Error()[:len(want)] != want {
					t.Fatalf("message %q, want prefix %q", err, want)
				}
			case tc.blocked != "":
				if err != nil || st.Blocked == nil || st.Blocked.Code != tc.blocked || st.State != StatePrerequisites {
					t.Fatalf("step %+v err %v, want blocked %s at prerequisites", st, err, tc.blocked)
				}
			case tc.done:
				if err != nil || !st.Done || s.Result == nil || !s.Result.OK() {
					t.Fatalf("step %+v err %v, want done", st, err)
				}
			}
		})
	}
}

func TestSuggestedServerPrefills(t *testing.T) {
	s := NewSession(&setupfile.Setup{Platform: setupfile.Platform{Account: "acme"}, Company: setupfile.Mailbox{Address: "jobs@acme.de", Channel: "smtp"}}, true)
	s.Suggested = setupfile.SMTP{Host: "mail.acme.de", Port: 465, Security: "smtps"}
	for _, k := range []string{"company.address", "platform.account", "company.sender_name", "company.forwarding", "company.channel"} {
		q := next(s).Question
		if q == nil || q.Key != k {
			t.Fatalf("question %+v, want %s", q, k)
		}
		if err := s.Answer(k, q.Value); err != nil {
			t.Fatal(err)
		}
	}
	for _, want := range []struct{ key, value string }{
		{"company.smtp.host", "mail.acme.de"}, {"company.smtp.transport", "smtps-465"},
	} {
		q := next(s).Question
		if q == nil || q.Key != want.key || q.Value != want.value {
			t.Fatalf("question %+v, want %s prefilled with %s", q, want.key, want.value)
		}
		if err := s.Answer(q.Key, q.Value); err != nil {
			t.Fatal(err)
		}
	}
}

// TestRelativePathsFollowTheSetupFile: ca_file and file: secrets written
// relative are relative to the setup file, whatever the working directory.
func TestRelativePathsFollowTheSetupFile(t *testing.T) {
	dir := t.TempDir() // holds testdata/certs, as the setup file names them
	if err := os.CopyFS(filepath.Join(dir, "testdata", "certs"), os.DirFS("setupfile/testdata/certs")); err != nil {
		t.Fatal(err)
	}
	body := "version: 1\nplatform:\n  account: acme\ncompany:\n  address: jobs@acme.de\n  channel: smtp\n  smtp:\n" +
		"    host: smtp.acme.de\n    password: file:testdata/certs/password.txt\n    ca_file: testdata/certs/ca.pem\n"
	path := filepath.Join(dir, "jobmail.yaml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	l, err := setupfile.LoadFile(path) // the working directory is wizard/, not dir
	if err != nil {
		t.Fatal(err)
	}
	if got, want := l.Setup.ResolvePath("testdata/certs/ca.pem"), filepath.Join(dir, "testdata/certs/ca.pem"); got != want {
		t.Fatalf("ResolvePath %q, want %q", got, want)
	}
	if got := l.Setup.ResolvePath("/etc/ssl/x.pem"); got != "/etc/ssl/x.pem" {
		t.Fatalf("absolute path changed: %q", got)
	}
	env := &Env{}
	cfg := env.smtpConfig(l.Setup, &l.Setup.Company, credentialsPending)
	if cfg.CAFile != filepath.Join(dir, "testdata/certs/ca.pem") {
		t.Fatalf("the live test would open %q", cfg.CAFile)
	}
}

// Port and encryption are one choice; "another" asks the encryption and
// then the port as text (any valid port). A diagnosis naming the port or
// the encryption goes back to the choice that set it.
func TestTransportChoice(t *testing.T) {
	s := NewSession(nil, true)
	s.Provider = "other"
	script(t, s, smtpAnswers)
	if c := s.Mailbox().SMTP; c.Port != 587 || c.Security != "starttls" {
		t.Fatalf("starttls-587 set %+v", c)
	}
	for _, q := range s.questions() {
		if q.Field == "smtp.port" || q.Field == "smtp.security" {
			t.Errorf("%s asked although the choice answered it", q.Key)
		}
	}
	if !s.BackTo("company.smtp.port") {
		t.Fatal("BackTo(port) found nothing")
	}
	if q := s.Next().Question; q == nil || q.Key != "company.smtp.transport" || q.Value != "starttls-587" {
		t.Fatalf("BackTo(port) asks %+v, want the transport choice with the current pair", q)
	}
	answers := maps.Clone(smtpAnswers)
	answers["company.smtp.transport"] = TransportOther
	answers["company.smtp.security"], answers["company.smtp.port"] = "starttls-noverify", "10587"
	recap := func() (fs []string) {
		for _, st := range States {
			for _, q := range s.Recap(st) {
				fs = append(fs, q.Field)
			}
		}
		return fs
	}
	var asked []string
	for st := s.Next(); st.Question != nil; st = s.Next() {
		q := st.Question
		asked = append(asked, q.Field)
		if q.Field == "smtp.security" && !slices.Contains(recap(), "smtp.transport") {
			t.Errorf("asking the encryption, the recap lacks the choice that led there: %v", recap())
		}
		if q.Field == "smtp.port" && (q.Kind != KindInput || q.Value != "587") {
			t.Errorf("port after another: %+v, want a text field prefilled 587", q)
		}
		if err := s.Answer(q.Key, answers[q.Key]); err != nil {
			t.Fatal(err)
		}
	}
	if len(asked) < 3 || asked[0] != "smtp.transport" || asked[1] != "smtp.security" || asked[2] != "smtp.port" {
		t.Errorf("after another: asked %v", asked)
	}
	if c := s.Mailbox().SMTP; c.Port != 10587 || c.Security != "starttls-noverify" {
		t.Fatalf("another pair set %+v", c)
	}
	if f := recap(); slices.Contains(f, "smtp.transport") || !slices.Contains(f, "smtp.security") || !slices.Contains(f, "smtp.port") {
		t.Errorf("the recap after another shows %v: the encryption and port chosen, not the menu label", f)
	}
	if q := s.questions(); q[0].Key == "" {
		t.Fatal("no questions")
	}
	for _, q := range s.questions() {
		if q.Field == "smtp.transport" && (q.Options[0] != "starttls-noverify-10587" || q.Value != TransportOther) {
			t.Errorf("the transport choice after another: %+v", q)
		}
	}
	s.BackTo("company.smtp.port")
	if err := s.Answer("company.smtp.port", "10587"); err != nil {
		t.Fatalf("a port not among the options: %v", err)
	}
}

// next is Next with ActionDetect taken as run with detection off (the
// tests set Provider and Suggested themselves).
func next(s *Session) Step {
	st := s.Next()
	if st.Action != nil && st.Action.Kind == ActionDetect {
		s.StartDetect()
		return s.Next()
	}
	return st
}

// replayFile replays the company's mailbox of setup as cmd replays every
// mailbox (a session of its own, the file's answers).
func replayFile(ctx context.Context, env *Env, setup *setupfile.Setup, file string, obs providers.Observer) (*Session, Step, error) {
	s := NewSession(setup, false)
	st, err := s.replay(ctx, env, file, obs)
	return s, st, err
}
