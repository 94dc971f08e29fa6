package smtp_test

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/providers/smtp"
	"github.com/jobmail/jobmail/secrets"
)

func TestPrerequisites(t *testing.T) {
	dir := t.TempDir()
	pki := newPKI(t)
	goodCA, err := pki.WriteCA(dir)
	if err != nil {
		t.Fatal(err)
	}
	junk := filepath.Join(dir, "junk.pem")
	if err := os.WriteFile(junk, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	base := smtp.Config{Host: "smtp.acme.de", Port: 587, Security: providers.SecurityStartTLS,
		Username: "jobs@acme.de", Password: secrets.New("pw")}
	type want struct {
		id      string
		ok      bool
		warning bool
		code    providers.Code
		field   string
	}
	tests := []struct {
		name    string
		mutate  func(*smtp.Config)
		address string
		want    []want
	}{
		{name: "all good", want: []want{{id: "host_supported", ok: true}, {id: "transport_secure", ok: true}, {id: "username_matches", ok: true}}},
		{name: "username differs only in case", mutate: func(c *smtp.Config) { c.Username = "Jobs@ACME.de" },
			want: []want{{id: "username_matches", ok: true}}},
		{name: "google relay", mutate: func(c *smtp.Config) { c.Host = "smtp-relay.gmail.com" },
			want: []want{{id: "host_supported", code: providers.CodeConfigUnsupportedHost, field: "smtp.host"}}},
		{name: "ms direct send", mutate: func(c *smtp.Config) { c.Host = "acme-de.mail.protection.outlook.com." },
			want: []want{{id: "host_supported", code: providers.CodeConfigUnsupportedHost, field: "smtp.host"}}},
		{name: "empty host", mutate: func(c *smtp.Config) { c.Host = " " },
			want: []want{{id: "host_supported", code: smtp.CodeInvalidValue, field: "smtp.host"}}},
		{name: "port out of range", mutate: func(c *smtp.Config) { c.Port = 70000 },
			want: []want{{id: "host_supported", code: smtp.CodeInvalidValue, field: "smtp.port"}}},
		{name: "bad security", mutate: func(c *smtp.Config) { c.Security = "ssl" },
			want: []want{{id: "transport_secure", code: smtp.CodeInvalidValue, field: "smtp.security"}}},
		{name: "credentials in clear", mutate: func(c *smtp.Config) { c.Security = providers.SecurityNone },
			want: []want{{id: "transport_secure", code: providers.CodeConfigInsecure, field: "smtp.security"}}},
		{name: "token in clear", mutate: func(c *smtp.Config) {
			c.Security, c.Password, c.OAuthToken = providers.SecurityNone, secrets.Secret{}, secrets.New("t")
		}, want: []want{{id: "transport_secure", code: providers.CodeConfigInsecure}}},
		{name: "credentials in clear allowed", mutate: func(c *smtp.Config) { c.Security, c.AllowInsecure = providers.SecurityNone, true },
			want: []want{{id: "transport_secure", warning: true, code: providers.CodeConfigInsecure}}},
		{name: "none without credentials", mutate: func(c *smtp.Config) { c.Security, c.Password = providers.SecurityNone, secrets.Secret{} },
			want: []want{{id: "transport_secure", ok: true}}},
		{name: "noverify warns", mutate: func(c *smtp.Config) { c.Security = providers.SecurityStartTLSNoVerify },
			want: []want{{id: "transport_secure", warning: true, code: providers.CodeConfigNoVerify, field: "smtp.security"}}},
		{name: "username mismatch warns", mutate: func(c *smtp.Config) { c.Username = "hr@acme.de" },
			want: []want{{id: "username_matches", warning: true, code: providers.CodeConfigUsernameMismatch, field: "smtp.username"}}},
		{name: "ca file readable", mutate: func(c *smtp.Config) { c.CAFile = goodCA },
			want: []want{{id: "ca_file_readable", ok: true}}},
		{name: "ca file missing", mutate: func(c *smtp.Config) { c.CAFile = filepath.Join(dir, "nope.pem") },
			want: []want{{id: "ca_file_readable", code: smtp.CodeInvalidValue, field: "smtp.ca_file"}}},
		{name: "ca file without certificates", mutate: func(c *smtp.Config) { c.CAFile = junk },
			want: []want{{id: "ca_file_readable", code: smtp.CodeInvalidValue, field: "smtp.ca_file"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := base
			if tt.mutate != nil {
				tt.mutate(&cfg)
			}
			addr := tt.address
			if addr == "" {
				addr = "jobs@acme.de"
			}
			checks := smtp.Prerequisites(cfg, addr)
			for _, w := range tt.want {
				var c *providers.Check
				for i := range checks {
					if checks[i].ID == w.id {
						c = &checks[i]
					}
				}
				if c == nil {
					t.Fatalf("no check %s in %+v", w.id, checks)
				}
				if !c.Automatic || c.OK != w.ok || c.Warning != w.warning {
					t.Errorf("%s: ok=%v warning=%v automatic=%v, want ok=%v warning=%v", w.id, c.OK, c.Warning, c.Automatic, w.ok, w.warning)
				}
				switch {
				case w.code == "" && c.Diagnosis != nil:
					t.Errorf("%s: unexpected diagnosis %+v", w.id, c.Diagnosis)
				case w.code != "" && (c.Diagnosis == nil || c.Diagnosis.Code != w.code):
					t.Errorf("%s: diagnosis %+v, want %s", w.id, c.Diagnosis, w.code)
				case w.field != "" && c.Diagnosis.Field != w.field:
					t.Errorf("%s: field %q, want %q", w.id, c.Diagnosis.Field, w.field)
				}
			}
		})
	}
}

// noDial fails the test if the tester tries to connect at all.
type noDial struct{ t *testing.T }

func (d noDial) DialContext(context.Context, string, string) (net.Conn, error) {
	d.t.Error("dialled although the input must be refused first")
	return nil, net.ErrClosed
}

// TestRefusesBadInput checks header injection and unusable values are
// refused before any connection.
func TestRefusesBadInput(t *testing.T) {
	tests := []struct {
		name  string
		msg   func(*providers.Message)
		cfg   func(*smtp.Config)
		field string
	}{
		{name: "CR LF in sender name", msg: func(m *providers.Message) { m.SenderName = "Acme\r\nBcc: victim@evil.test" }, field: "sender_name"},
		{name: "LF in subject", msg: func(m *providers.Message) { m.Subject += "\nBcc: x@evil.test" }},
		{name: "CR in from", msg: func(m *providers.Message) { m.From = "jobs@acme.de\rRCPT TO:<x@evil.test>" }, field: "address"},
		{name: "LF in to", msg: func(m *providers.Message) { m.To = "jobs@acme.de\nDATA" }, field: "address"},
		{name: "space in token", msg: func(m *providers.Message) { m.Token = "a b" }},
		{name: "empty token", msg: func(m *providers.Message) { m.Token = "" }},
		{name: "address without at", msg: func(m *providers.Message) { m.From = "jobs" }, field: "address"},
		{name: "address with angle", msg: func(m *providers.Message) { m.To = "<jobs@acme.de>" }, field: "address"},
		{name: "NUL in body", msg: func(m *providers.Message) { m.Body = "a\x00b" }},
		{name: "LF in username", cfg: func(c *smtp.Config) { c.Username = "jobs@acme.de\nAUTH" }, field: "smtp.username"},
		{name: "LF in hello name", cfg: func(c *smtp.Config) { c.HelloName = "a\nMAIL FROM:<x>" }},
		{name: "LF in host", cfg: func(c *smtp.Config) { c.Host = "smtp.acme.de\n" }, field: "smtp.host"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := smtp.Config{Host: "127.0.0.1", Port: 587, Security: providers.SecurityStartTLS,
				Password: secrets.New("pw"), Dialer: noDial{t}}
			msg := testMessage()
			if tt.msg != nil {
				tt.msg(&msg)
			}
			if tt.cfg != nil {
				tt.cfg(&cfg)
			}
			res := smtp.New(cfg).Test(t.Context(), msg, nil)
			if res.Diagnosis == nil || res.Diagnosis.Code != smtp.CodeInvalidValue || len(res.Stages) != 0 {
				t.Fatalf("got %+v, stages %v", res.Diagnosis, res.Stages)
			}
			if res.Diagnosis.Field != tt.field {
				t.Errorf("field = %q, want %q", res.Diagnosis.Field, tt.field)
			}
			if strings.Contains(res.Err.Error(), "evil") {
				t.Errorf("error repeats the injected value: %v", res.Err)
			}
		})
	}
}
