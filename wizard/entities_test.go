package wizard

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/jobmail/jobmail/wizard/setupfile"
)

// Cases of entity inheritance the other tables leave out: what an entity
// without an address takes from the company (everything but its name and,
// if set, its sender name), what one with an address never takes
// (forwarding, confirmations, credentials), and the connection rules per
// channel.
func TestEntityInheritance(t *testing.T) {
	company := setupfile.Mailbox{Address: "jobs@acme.de", SenderName: "employee", Forwarding: "done", Channel: "smtp",
		SMTP:          &setupfile.SMTP{Host: "smtp.acme.de", Port: 2525, Security: "starttls", Password: "env:PW", CAFile: "/ca.pem"},
		Google:        &setupfile.Google{ClientID: "g-id", AuthURL: "https://auth.test", TokenURL: "https://token.test", SMTPHost: "smtp.g.test", SMTPPort: 2465, CAFile: "/g.pem"},
		Microsoft:     &setupfile.Microsoft{Tenant: "acme.onmicrosoft.com", ClientID: "m-id", AuthorityURL: "https://login.test", SMTPHost: "smtp.m.test", SMTPPort: 2587, CAFile: "/m.pem", RefreshToken: "env:RT"},
		Prerequisites: map[string]bool{"ip_allowlist": true}}
	cases := []struct {
		name   string
		entity setupfile.Mailbox
		check  func(t *testing.T, m setupfile.EffectiveMailbox)
	}{
		{"no address: the company's mailbox, own sender name", setupfile.Mailbox{SenderName: "company"}, func(t *testing.T, m setupfile.EffectiveMailbox) {
			if !m.Inherited || m.Address != "jobs@acme.de" || m.SenderName != "company" || m.Forwarding != "done" ||
				!m.Prerequisites["ip_allowlist"] || m.SMTP.Password != "env:PW" || m.SMTP.Username != "jobs@acme.de" {
				t.Errorf("%+v %+v", m, *m.SMTP)
			}
		}},
		{"own address: no forwarding, confirmations or password of the company", setupfile.Mailbox{Address: "jobs@acme.it"}, func(t *testing.T, m setupfile.EffectiveMailbox) {
			if m.Inherited || m.Forwarding != "" || len(m.Prerequisites) != 0 || m.SenderName != "employee" ||
				*m.SMTP != (setupfile.SMTP{Host: "smtp.acme.de", Port: 2525, Security: "starttls", Username: "jobs@acme.it", Password: "keyring", CAFile: "/ca.pem"}) {
				t.Errorf("%+v %+v", m, *m.SMTP)
			}
		}},
		{"own port only: the company's server on another port", setupfile.Mailbox{Address: "jobs@acme.it", SMTP: &setupfile.SMTP{Port: 587}}, func(t *testing.T, m setupfile.EffectiveMailbox) {
			if *m.SMTP != (setupfile.SMTP{Host: "smtp.acme.de", Port: 587, Security: "starttls", Username: "jobs@acme.it", Password: "keyring", CAFile: "/ca.pem"}) {
				t.Errorf("%+v", *m.SMTP)
			}
		}},
		{"own security and port", setupfile.Mailbox{Address: "jobs@acme.it", SMTP: &setupfile.SMTP{Security: "smtps", Port: 2465, Username: "relay@acme.it"}}, func(t *testing.T, m setupfile.EffectiveMailbox) {
			if *m.SMTP != (setupfile.SMTP{Host: "smtp.acme.de", Port: 2465, Security: "smtps", Username: "relay@acme.it", Password: "keyring", CAFile: "/ca.pem"}) {
				t.Errorf("%+v", *m.SMTP)
			}
		}},
		{"own channel google: the company's google settings, not its smtp", setupfile.Mailbox{Address: "jobs@acme.us", Channel: "google"}, func(t *testing.T, m setupfile.EffectiveMailbox) {
			want := setupfile.Google{ClientID: "g-id", RefreshToken: "keyring", AuthURL: "https://auth.test", TokenURL: "https://token.test", SMTPHost: "smtp.g.test", SMTPPort: 2465, CAFile: "/g.pem"}
			if m.SMTP != nil || m.Microsoft != nil || m.Google == nil || *m.Google != want {
				t.Errorf("%+v %+v", m, m.Google)
			}
		}},
		{"own channel microsoft, own tenant: the rest field by field", setupfile.Mailbox{Address: "jobs@acme.co.uk", Channel: "microsoft", Microsoft: &setupfile.Microsoft{Tenant: "acme.co.uk"}}, func(t *testing.T, m setupfile.EffectiveMailbox) {
			want := setupfile.Microsoft{Tenant: "acme.co.uk", ClientID: "m-id", RefreshToken: "keyring", AuthorityURL: "https://login.test", SMTPHost: "smtp.m.test", SMTPPort: 2587, CAFile: "/m.pem"}
			if m.Microsoft == nil || *m.Microsoft != want {
				t.Errorf("%+v", m.Microsoft)
			}
		}},
		{"own channel platform: nothing to connect to", setupfile.Mailbox{Address: "jobs@acme.ie", Channel: "platform"}, func(t *testing.T, m setupfile.EffectiveMailbox) {
			if m.SMTP != nil || m.Google != nil || m.Microsoft != nil || m.ConnectionKey() != "platform" {
				t.Errorf("%+v", m)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := &setupfile.Setup{Version: 1, Platform: setupfile.Platform{Account: "acme"}, Company: company,
				Entities: []setupfile.Entity{{Name: "Acme Sub", Mailbox: tc.entity}}}
			eff := s.Effective()
			if len(eff) != 2 || eff[1].Key != "entities[0]" || eff[1].Name != "Acme Sub" {
				t.Fatalf("%+v", eff)
			}
			tc.check(t, eff[1])
		})
	}
	// A company on the platform service gives an smtp entity nothing.
	s := &setupfile.Setup{Version: 1, Company: setupfile.Mailbox{Address: "jobs@acme.de"},
		Entities: []setupfile.Entity{{Name: "x", Mailbox: setupfile.Mailbox{Address: "jobs@acme.it", Channel: "smtp", SMTP: &setupfile.SMTP{Security: "smtps"}}}}}
	if got := *s.Effective()[1].SMTP; got != (setupfile.SMTP{Port: 465, Security: "smtps", Username: "jobs@acme.it", Password: "keyring"}) {
		t.Errorf("smtp entity of a platform company: %+v", got)
	}
}

const entityBase = "version: 1\nplatform:\n  account: acme\ncompany:\n  address: jobs@acme.de\n  channel: smtp\n  smtp:\n    host: smtp.acme.de\n    security: starttls-noverify\nentities:\n"

// Validation of entities the broken-file table leaves out: every setting
// an inheriting entity may not have, and which warnings an entity earns.
func TestEntityValidation(t *testing.T) {
	cases := []struct {
		name, entities string
		key            string // first error's key; "" for a valid file
		line           int
		warnings       []string // key=code
	}{
		{"inheriting with a sender name", "  - name: Acme Sub\n    sender_name: company\n", "", 0,
			[]string{"company.smtp.security=config.no_verify"}},
		{"empty address inherits too", "  - name: Acme Sub\n    address: \"\"\n    smtp:\n      host: smtp.acme.it\n", "entities[0].smtp", 13, nil},
		{"null address inherits too", "  - name: Acme Sub\n    address:\n    forwarding: done\n", "entities[0].forwarding", 13, nil},
		{"inheriting with prerequisites", "  - name: Acme Sub\n    prerequisites:\n      ip_allowlist: true\n", "entities[0].prerequisites", 12, nil},
		{"inheriting with google", "  - name: Acme Sub\n    google:\n      client_id: abc\n", "entities[0].google", 12, nil},
		{"inheriting with microsoft", "  - name: Acme Sub\n    microsoft: {}\n", "entities[0].microsoft", 12, nil},
		{"own address, inherited server: warnings stay with the company", "  - name: Acme Sub\n    address: jobs@acme.it\n    smtp:\n      username: relay@acme.it\n", "", 0,
			[]string{"company.smtp.security=config.no_verify", "entities[0].smtp.username=config.username_mismatch"}},
		{"own server, own security: its own warning", "  - name: Acme Sub\n    address: jobs@acme.it\n    smtp:\n      host: smtp.acme.it\n      security: none\n", "", 0,
			[]string{"company.smtp.security=config.no_verify", "entities[0].smtp.security=config.insecure"}},
		{"second entity's error names it", "  - name: Acme One\n  - name: Acme Two\n    address: jobs@acme.it\n    smtp:\n      port: 0\n", "entities[1].smtp.port", 15, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l, err := setupfile.Parse("jobmail.yaml", []byte(entityBase+tc.entities), setupfile.LoadOptions{})
			if tc.key == "" {
				if err != nil {
					t.Fatalf("invalid: %v", err)
				}
				var ws []string
				for _, w := range l.Warnings {
					ws = append(ws, w.Key+"="+string(w.Diagnosis.Code))
				}
				if !reflect.DeepEqual(ws, tc.warnings) && !(len(ws) == 0 && len(tc.warnings) == 0) {
					t.Errorf("warnings %v, want %v", ws, tc.warnings)
				}
				return
			}
			var fe *setupfile.FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("want an error at %s, got %v", tc.key, err)
			}
			if fe.Key != tc.key || fe.Line != tc.line || fe.File != "jobmail.yaml" {
				t.Errorf("error %s line %d (%s), want %s line %d", fe.Key, fe.Line, fe.Reason, tc.key, tc.line)
			}
			i := strings.TrimSuffix(strings.TrimPrefix(strings.SplitN(tc.key, ".", 2)[0], "entities["), "]")
			if fe.Args["index"] != i || !strings.HasPrefix(fe.Args["entity"], "Acme ") {
				t.Errorf("error does not name the entity: %v", fe.Args)
			}
		})
	}
}
