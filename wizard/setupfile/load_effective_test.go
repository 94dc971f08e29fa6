package setupfile

import (
	"strings"
	"testing"

	"github.com/jobmail/jobmail/providers"
)

func TestEffectiveDefaultsAndInheritance(t *testing.T) {
	s := &Setup{
		Version:  1,
		Platform: Platform{Account: "acme"},
		Company: Mailbox{Address: "jobs@acme.de", SenderName: "employee", Channel: "smtp",
			SMTP: &SMTP{Host: "Mail.Bücher.de", Port: 2525, Security: "starttls-noverify", Username: "relay@acme.de",
				Password: "env:ACME_PW", CAFile: "/etc/acme-ca.pem"}},
		Entities: []Entity{
			{Name: "Acme Logistics"}, // no address: the company's mailbox
			{Name: "Acme Italia", Mailbox: Mailbox{Address: "jobs@acme.it"}},                                            // inherits the server, not the login
			{Name: "Acme France", Mailbox: Mailbox{Address: "jobs@acme.fr", SMTP: &SMTP{Security: "smtps"}}},            // own security: own default port
			{Name: "Acme Spain", Mailbox: Mailbox{Address: "jobs@acme.es", SMTP: &SMTP{Host: "smtp.acme.es"}}},          // own server: nothing inherited
			{Name: "Acme UK", Mailbox: Mailbox{Address: "jobs@acme.co.uk", Channel: "platform", SenderName: "company"}}, // own channel
			// the company's host, spelt otherwise, and its security: the company's server whole
			{Name: "Acme Austria", Mailbox: Mailbox{Address: "jobs@acme.at", SMTP: &SMTP{Host: "mail.xn--bcher-kva.de", Security: "starttls-noverify"}}},
			// the company's host with another security: that security's default port
			{Name: "Acme Swiss", Mailbox: Mailbox{Address: "jobs@acme.ch", SMTP: &SMTP{Host: "MAIL.BÜCHER.DE", Security: "smtps"}}},
		},
	}
	eff := s.Effective()
	if len(eff) != 8 {
		t.Fatalf("%d mailboxes", len(eff))
	}
	want := []struct {
		key, name, address, sender string
		ch                         providers.Channel
		smtp                       *SMTP
		inherited                  bool
	}{
		{"company", "company", "jobs@acme.de", "employee", "smtp",
			&SMTP{Host: "mail.xn--bcher-kva.de", Port: 2525, Security: "starttls-noverify", Username: "relay@acme.de", Password: "env:ACME_PW", CAFile: "/etc/acme-ca.pem"}, false},
		{"entities[0]", "Acme Logistics", "jobs@acme.de", "employee", "smtp",
			&SMTP{Host: "mail.xn--bcher-kva.de", Port: 2525, Security: "starttls-noverify", Username: "relay@acme.de", Password: "env:ACME_PW", CAFile: "/etc/acme-ca.pem"}, true},
		{"entities[1]", "Acme Italia", "jobs@acme.it", "employee", "smtp",
			&SMTP{Host: "mail.xn--bcher-kva.de", Port: 2525, Security: "starttls-noverify", Username: "jobs@acme.it", Password: "keyring", CAFile: "/etc/acme-ca.pem"}, false},
		{"entities[2]", "Acme France", "jobs@acme.fr", "employee", "smtp",
			&SMTP{Host: "mail.xn--bcher-kva.de", Port: 465, Security: "smtps", Username: "jobs@acme.fr", Password: "keyring", CAFile: "/etc/acme-ca.pem"}, false},
		{"entities[3]", "Acme Spain", "jobs@acme.es", "employee", "smtp",
			&SMTP{Host: "smtp.acme.es", Port: 587, Security: "starttls", Username: "jobs@acme.es", Password: "keyring"}, false},
		{"entities[4]", "Acme UK", "jobs@acme.co.uk", "company", "platform", nil, false},
		{"entities[5]", "Acme Austria", "jobs@acme.at", "employee", "smtp",
			&SMTP{Host: "mail.xn--bcher-kva.de", Port: 2525, Security: "starttls-noverify", Username: "jobs@acme.at", Password: "keyring", CAFile: "/etc/acme-ca.pem"}, false},
		{"entities[6]", "Acme Swiss", "jobs@acme.ch", "employee", "smtp",
			&SMTP{Host: "mail.xn--bcher-kva.de", Port: 465, Security: "smtps", Username: "jobs@acme.ch", Password: "keyring", CAFile: "/etc/acme-ca.pem"}, false},
	}
	for i, w := range want {
		m := eff[i]
		if m.Key != w.key || m.Name != w.name || m.Address != w.address || m.SenderName != w.sender || m.Channel != w.ch || m.Inherited != w.inherited {
			t.Errorf("%d: got %+v", i, m)
		}
		switch {
		case w.smtp == nil && m.SMTP != nil:
			t.Errorf("%d: smtp %+v, want none", i, *m.SMTP)
		case w.smtp != nil && (m.SMTP == nil || *m.SMTP != *w.smtp):
			t.Errorf("%d: smtp %+v, want %+v", i, m.SMTP, *w.smtp)
		}
	}
	// The model itself is untouched: Save writes what was loaded.
	if s.Entities[1].SMTP != nil || s.Company.SMTP.Host != "Mail.Bücher.de" {
		t.Fatal("Effective changed the setup")
	}
	// Mutating an effective mailbox does not reach the setup either.
	eff[0].SMTP.Host = "x"
	if s.Company.SMTP.Host != "Mail.Bücher.de" {
		t.Fatal("effective settings alias the setup's")
	}
}

func TestEffectiveDefaultsMinimal(t *testing.T) {
	s := &Setup{Version: 1, Company: Mailbox{Address: "jobs@acme.de", Channel: "smtp", SMTP: &SMTP{Host: "smtp.acme.de"}}}
	m := s.Effective()[0]
	if m.SenderName != "company" || *m.SMTP != (SMTP{Host: "smtp.acme.de", Port: 587, Security: "starttls", Username: "jobs@acme.de", Password: "keyring"}) {
		t.Fatalf("%+v %+v", m, *m.SMTP)
	}
	s = &Setup{Version: 1, Company: Mailbox{Address: "jobs@acme.de"}}
	if m := s.Effective()[0]; m.Channel != providers.ChannelPlatform || m.SMTP != nil {
		t.Fatalf("%+v", m)
	}
	s = &Setup{Version: 1, Company: Mailbox{Address: "jobs@acme.de", Channel: "microsoft",
		Microsoft: &Microsoft{Tenant: "acme.onmicrosoft.com", ClientID: "cid", RefreshToken: "env:RT"}},
		Entities: []Entity{{Name: "Acme IT", Mailbox: Mailbox{Address: "jobs@acme.it"}}}}
	eff := s.Effective()
	if ms := eff[1].Microsoft; ms == nil || ms.Tenant != "acme.onmicrosoft.com" || ms.ClientID != "cid" || ms.RefreshToken != "keyring" {
		t.Fatalf("entity microsoft %+v", eff[1].Microsoft)
	}
}

func TestConnectionKey(t *testing.T) {
	s := &Setup{
		Version: 1,
		Company: Mailbox{Address: "jobs@bücher.de", Channel: "smtp", SMTP: &SMTP{Host: "smtp.acme.de"}},
		Entities: []Entity{
			{Name: "same mailbox"},
			{Name: "same mailbox, other spelling", Mailbox: Mailbox{Address: "JOBS@xn--bcher-kva.de", Channel: "smtp",
				SMTP: &SMTP{Host: "SMTP.acme.de", Username: "jobs@bücher.de"}}},
			{Name: "other address", Mailbox: Mailbox{Address: "jobs@acme.it"}},
			{Name: "other port", Mailbox: Mailbox{Address: "jobs@bücher.de", SMTP: &SMTP{Port: 465}}},
			{Name: "platform A", Mailbox: Mailbox{Address: "a@acme.de", Channel: "platform"}},
			{Name: "platform B", Mailbox: Mailbox{Address: "b@acme.de", Channel: "platform"}},
		},
	}
	eff := s.Effective()
	k := func(i int) string { return eff[i].ConnectionKey() }
	if k(0) != k(1) {
		t.Error("entity without address must share the company's connection")
	}
	if k(0) != k(2) {
		t.Errorf("same connection spelt differently:\n%s\n%s", k(0), k(2))
	}
	if k(0) == k(3) || k(0) == k(4) {
		t.Error("different address or port must be tested separately")
	}
	if k(5) != k(6) || k(5) != "platform" {
		t.Error("the platform service needs one test at most")
	}
}

// TestBlockTable: every channel offered has its settings block's rules,
// and the table holds nothing else; an unknown channel has none.
func TestBlockTable(t *testing.T) {
	if len(blocks) != len(providers.Channels) {
		t.Errorf("blocks has %d entries, providers.Channels %d", len(blocks), len(providers.Channels))
	}
	for _, ch := range providers.Channels {
		if _, ok := blocks[ch]; !ok {
			t.Errorf("channel %q has no entry in the setup file's block table", ch)
		}
	}
	if _, ok := blockOf("carrier-pigeon").(platformBlock); !ok {
		t.Error("an unknown channel has a settings block")
	}
}

// TestASCIIHostFastPath: names asciiHost returns unchanged without the
// IDNA mapping give what the mapping gives, valid or not.
func TestASCIIHostFastPath(t *testing.T) {
	for _, h := range []string{"localhost", "smtp.acme.de", "192.0.2.1", "1.2.3.999", "a..b", "-a.de", "a-.de",
		"xn--bcher-kva.de", "xn--zz.de", "x." + strings.Repeat("a", 64) + ".de", strings.Repeat("a.", 130) + "de",
		"Mail.Acme.DE", "mail.bücher.de", "mail.acme.de.", "::1", "[::1]"} {
		t.Run(h, func(t *testing.T) {
			if got, want := asciiHost(h), mappedHost(h); got != want {
				t.Errorf("asciiHost = %q, the mapping gives %q (fast path: %v)", got, want, alreadyASCII(h))
			}
		})
	}
}
