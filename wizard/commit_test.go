package wizard

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/jobmail/jobmail/secrets"
	"github.com/jobmail/jobmail/wizard/setupfile"
)

// memStore is a keyring in memory; fail makes Set refuse.
type memStore struct {
	got  map[string]string
	fail error
}

func (m *memStore) Get(context.Context, string) (secrets.Secret, error) {
	return secrets.Secret{}, secrets.ErrNotFound
}
func (m *memStore) Set(_ context.Context, account string, s secrets.Secret) error {
	if m.fail != nil {
		return m.fail
	}
	if m.got == nil {
		m.got = map[string]string{}
	}
	m.got[account] = s.Reveal()
	return nil
}
func (m *memStore) Delete(context.Context, string) error { return nil }

// Reading the questions leaves the model as it is: no block is allocated
// for a channel merely looked at, nothing is written.
func TestReadingQuestionsIsPure(t *testing.T) {
	for _, ch := range []string{"smtp", "google", "microsoft", "platform"} {
		t.Run(ch, func(t *testing.T) {
			setup := &setupfile.Setup{Version: setupfile.SetupVersion, Company: setupfile.Mailbox{Address: "jobs@acme.de", Channel: ch}}
			before := *setup
			s := NewSession(setup, true)
			for i := 0; i < 3; i++ {
				_ = next(s)
				_ = s.questions()
				_, _ = s.question("company.smtp.host")
			}
			if !reflect.DeepEqual(*setup, before) {
				t.Fatalf("reading changed the setup:\n got %+v\nwant %+v", *setup, before)
			}
		})
	}
}

// A refused answer writes nothing, not even an empty block.
func TestRefusedAnswerAllocatesNothing(t *testing.T) {
	s := NewSession(&setupfile.Setup{Company: setupfile.Mailbox{Address: "jobs@acme.de", Channel: "smtp"}}, true)
	if err := s.Answer("company.smtp.host", "not a host!"); err == nil {
		t.Fatal("bad host accepted")
	}
	if s.Mailbox().SMTP != nil {
		t.Fatalf("refused answer allocated %+v", s.Mailbox().SMTP)
	}
}

var googleAnswers = map[string]string{
	"company.channel":                               "google",
	"company.google.app":                            "own",
	"company.google.client_id":                      "1234-abc.apps.googleusercontent.com",
	"company.prerequisites.not_shared_mailbox":      "yes",
	"company.prerequisites.admin_rights_or_consent": "yes",
}

// The stale-channel case: SMTP → back → Google → save gives a file with
// no smtp: block and no SMTP-only confirmation.
func TestCommitDropsTheChannelLeft(t *testing.T) {
	s := NewSession(nil, true)
	s.Provider = "other"
	script(t, s, smtpAnswers)
	if s.Mailbox().SMTP == nil || s.Mailbox().Prerequisites["ip_allowlist"] != true {
		t.Fatal("the smtp answers were not stored")
	}
	s.Back(StateChannel)
	answers := map[string]string{}
	for k, v := range smtpAnswers {
		answers[k] = v
	}
	for k, v := range googleAnswers {
		answers[k] = v
	}
	script(t, s, answers)
	if s.Mailbox().SMTP == nil {
		t.Fatal("going back dropped the smtp answers too early (they are the prefill)")
	}
	path := filepath.Join(t.TempDir(), "jobmail.yaml")
	store := &memStore{}
	c := Commit(context.Background(), s, CommitDeps{Store: store, SetupPath: path})
	if err := c.Err(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, stale := range []string{"smtp:", "smtp.acme.de", "ip_allowlist", "external_apps_allowed"} {
		if strings.Contains(string(data), stale) {
			t.Errorf("saved file holds %q from the channel left:\n%s", stale, data)
		}
	}
	if !strings.Contains(string(data), "channel: google") || !strings.Contains(string(data), "not_shared_mailbox: true") {
		t.Errorf("saved file lost the chosen channel's answers:\n%s", data)
	}
	if len(store.got) != 0 {
		t.Errorf("a google session without a grant stored %v", store.got)
	}
	if _, err := setupfile.LoadFile(path); err != nil {
		t.Fatalf("the saved file does not load: %v", err)
	}
}

func TestCommitOrder(t *testing.T) {
	newSession := func() *Session {
		s := NewSession(nil, true)
		s.Provider = "other"
		script(t, s, smtpAnswers)
		return s
	}
	t.Run("secret first, then setup, then export", func(t *testing.T) {
		dir := t.TempDir()
		store := &memStore{}
		var exported *setupfile.Setup
		c := Commit(context.Background(), newSession(), CommitDeps{Store: store, SetupPath: filepath.Join(dir, "s.yaml"),
			ExportPath: filepath.Join(dir, "e.json"), WriteExport: func(_ string, s *setupfile.Setup) error { exported = s; return nil }})
		if c.Err() != nil || c.Account != "smtp:jobs@acme.de" || store.got["smtp:jobs@acme.de"] != "s3cret-typed" {
			t.Fatalf("commit %+v, store %v", c, store.got)
		}
		if exported == nil {
			t.Fatal("no export written")
		}
		data, _ := os.ReadFile(filepath.Join(dir, "s.yaml"))
		if strings.Contains(string(data), "s3cret-typed") {
			t.Fatal("the secret reached the setup file")
		}
	})
	t.Run("a refused secret writes nothing", func(t *testing.T) {
		dir := t.TempDir()
		exported := false
		c := Commit(context.Background(), newSession(), CommitDeps{Store: &memStore{fail: secrets.ErrUnavailable}, SetupPath: filepath.Join(dir, "s.yaml"),
			ExportPath: "e.json", WriteExport: func(string, *setupfile.Setup) error { exported = true; return nil }})
		if !errors.Is(c.SecretErr, secrets.ErrUnavailable) || c.Err() != c.SecretErr {
			t.Fatalf("commit %+v", c)
		}
		if _, err := os.Stat(filepath.Join(dir, "s.yaml")); err == nil || exported {
			t.Fatal("written after the keyring refused")
		}
	})
	t.Run("no keyring", func(t *testing.T) {
		c := Commit(context.Background(), newSession(), CommitDeps{})
		if !errors.Is(c.SecretErr, secrets.ErrUnavailable) {
			t.Fatalf("commit %+v", c)
		}
	})
	t.Run("skip secret (env fallback)", func(t *testing.T) {
		dir := t.TempDir()
		c := Commit(context.Background(), newSession(), CommitDeps{SkipSecret: true, SetupPath: filepath.Join(dir, "s.yaml")})
		if c.Err() != nil || c.Account != "" {
			t.Fatalf("commit %+v", c)
		}
	})
}
