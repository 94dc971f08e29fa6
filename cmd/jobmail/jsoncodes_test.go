package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/jobmail/jobmail/providers/smtp/smtptest"
	"github.com/jobmail/jobmail/secrets/secretstest"
)

// TestJSONCarriesReplyCodes: a live test refused with the words of a real
// reply gives the new codes in --json, with the remedy for that cause in
// the chosen language, the server's quoted words and exit code 4.
func TestJSONCarriesReplyCodes(t *testing.T) {
	cases := []struct {
		rule   smtptest.Rule
		code   string
		lang   string
		remedy string
	}{
		{smtptest.Rule{Prefix: ".", Reply: "550 5.4.5 Daily user sending quota exceeded. o65sm25351206pga.71 - gsmtp"},
			"send.quota_exceeded", "en", "up to 24 hours"},
		{smtptest.Rule{Prefix: "RCPT", Reply: "450 4.7.25 Client host rejected: cannot find your hostname, [192.0.2.22]"},
			"smtp.ip_blocked", "de", "3.121.59.239"},
		{smtptest.Rule{Prefix: "AUTH", Reply: "454 4.7.0 Too many login attempts, please try again later. f67sm20755463wmd.0 - gsmtp"},
			"auth.rate_limited", "it", "controlli prima la password"},
		{smtptest.Rule{Prefix: ".", Reply: "552 5.3.4 Message size exceeds fixed limit"},
			"send.message_too_large", "en", "raises the limit"},
	}
	for _, tc := range cases {
		t.Run(tc.code, func(t *testing.T) {
			raw := smtptest.NewRaw(t, smtptest.Scripted("220 mail.test ESMTP", tc.rule))
			setup := fmt.Sprintf("version: 1\nplatform:\n  account: acme\ncompany:\n  address: jobs@acme.de\n  channel: smtp\n"+
				"  smtp:\n    host: 127.0.0.1\n    port: %d\n    security: none\n    username: jobs@acme.de\n    password: env:PW\n", raw.Port)
			r := &mainRig{env: map[string]string{"LANG": "C", "PW": "secret-pw"}, store: secretstest.NewMemStore(nil)}
			args := []string{"test", "--config", writeSetup(t, setup), "--json", "--allow-insecure", "--lang", tc.lang}
			if got := Main(context.Background(), args, r.factory()); got != ExitTestFailed {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", got, ExitTestFailed, r.stdout.String(), r.stderr.String())
			}
			var j struct {
				Diagnosis struct {
					Code   string            `json:"code"`
					Reply  string            `json:"reply"`
					Remedy string            `json:"remedy"`
					Args   map[string]string `json:"args"`
				} `json:"diagnosis"`
			}
			if err := json.Unmarshal(r.stdout.Bytes(), &j); err != nil {
				t.Fatalf("stdout: %v\n%s", err, r.stdout.String())
			}
			d := j.Diagnosis
			if d.Code != tc.code || d.Reply != tc.rule.Reply {
				t.Fatalf("diagnosis %s %q, want %s %q", d.Code, d.Reply, tc.code, tc.rule.Reply)
			}
			if !strings.Contains(d.Remedy, tc.remedy) || d.Args["quote"] == "" || !strings.Contains(d.Remedy, d.Args["quote"]) {
				t.Errorf("remedy %q lacks %q or the quote %q", d.Remedy, tc.remedy, d.Args["quote"])
			}
			if strings.Contains(r.stdout.String()+r.stderr.String(), "secret-pw") {
				t.Error("the password leaked")
			}
		})
	}
}
