package smtp_test

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/providers/smtp"
	"github.com/jobmail/jobmail/providers/smtp/smtptest"
	"github.com/jobmail/jobmail/secrets"
	"github.com/jobmail/jobmail/secrets/leaktest"
)

// forbidden lists every form in which the configured secrets could leak.
func forbidden(cfg smtp.Config) []string {
	var out []string
	add := func(v string) {
		b := []byte(v)
		out = append(out, v, base64.StdEncoding.EncodeToString(b), base64.RawStdEncoding.EncodeToString(b))
	}
	if pw := cfg.Password.Reveal(); pw != "" {
		add(pw)
		add("\x00" + testUser + "\x00" + pw)
	}
	if tok := cfg.OAuthToken.Reveal(); tok != "" {
		add(tok)
		add("user=" + testUser + "\x01auth=Bearer " + tok + "\x01\x01")
	}
	return out
}

// everything renders all a result can show: transcript, error, diagnosis
// in every format a caller might use.
func everything(res providers.Result) string {
	js, _ := json.Marshal(res.Diagnosis)
	parts := append([]string{}, res.Transcript...)
	parts = append(parts, fmt.Sprintf("%v|%+v|%#v|%s", res.Err, res.Diagnosis, res.Diagnosis, js), fmt.Sprintf("%+v", res))
	if res.Err != nil {
		parts = append(parts, res.Err.Error())
	}
	return strings.Join(parts, "\n")
}

// TestSecretsNeverLeak runs successful and failing exchanges, including
// servers that echo what they were sent, and looks for the password and
// the token in every form.
func TestSecretsNeverLeak(t *testing.T) {
	pki := newPKI(t)
	const ehlo = "250-mail.test\n250 AUTH PLAIN LOGIN XOAUTH2"
	user64 := base64.StdEncoding.EncodeToString([]byte(testUser))
	withTLS := func(o smtptest.Options) smtptest.Options { o.TLS = serverTLS(t, pki, smtptest.Leaf{}); return o }
	tests := []struct {
		name  string
		cfg   func(t *testing.T) smtp.Config
		ok    bool
		token bool
	}{
		{name: "plain ok", ok: true, cfg: func(t *testing.T) smtp.Config {
			srv := smtptest.NewServer(t, accounts(withTLS(smtptest.Options{Mechanisms: []string{"PLAIN"}})))
			return cfgFor(srv.Host, srv.Port, providers.SecurityStartTLS, pki.Pool)
		}},
		{name: "login ok", ok: true, cfg: func(t *testing.T) smtp.Config {
			srv := smtptest.NewServer(t, accounts(withTLS(smtptest.Options{Mechanisms: []string{"LOGIN"}})))
			return cfgFor(srv.Host, srv.Port, providers.SecurityStartTLS, pki.Pool)
		}},
		{name: "cram-md5 ok", ok: true, cfg: func(t *testing.T) smtp.Config {
			srv := smtptest.NewServer(t, accounts(withTLS(smtptest.Options{Mechanisms: []string{"CRAM-MD5"}})))
			return cfgFor(srv.Host, srv.Port, providers.SecurityStartTLS, pki.Pool)
		}},
		{name: "xoauth2 ok", ok: true, token: true, cfg: func(t *testing.T) smtp.Config {
			srv := smtptest.NewServer(t, accounts(withTLS(smtptest.Options{})))
			return cfgFor(srv.Host, srv.Port, providers.SecurityStartTLS, pki.Pool)
		}},
		{name: "oauthbearer ok", ok: true, token: true, cfg: func(t *testing.T) smtp.Config {
			srv := smtptest.NewServer(t, accounts(withTLS(smtptest.Options{Mechanisms: []string{"OAUTHBEARER"}})))
			return cfgFor(srv.Host, srv.Port, providers.SecurityStartTLS, pki.Pool)
		}},
		{name: "xoauth2 refused", token: true, cfg: func(t *testing.T) smtp.Config {
			srv := smtptest.NewServer(t, withTLS(smtptest.Options{}))
			return cfgFor(srv.Host, srv.Port, providers.SecurityStartTLS, pki.Pool)
		}},
		{name: "server echoes the PLAIN line", cfg: func(t *testing.T) smtp.Config {
			r := smtptest.NewRaw(t, smtptest.Scripted("220 mail.test ESMTP", smtptest.Rule{Prefix: "EHLO", Reply: ehlo},
				smtptest.Rule{Prefix: "AUTH", Reply: "501 5.5.2 Cannot decode:", Echo: true}))
			c := cfgFor(r.Host, r.Port, providers.SecurityNone, nil)
			c.AllowInsecure = true
			return c
		}},
		{name: "server echoes the LOGIN password", cfg: func(t *testing.T) smtp.Config {
			r := smtptest.NewRaw(t, smtptest.Scripted("220 mail.test ESMTP",
				smtptest.Rule{Prefix: "EHLO", Reply: "250-mail.test\n250 AUTH LOGIN"},
				smtptest.Rule{Prefix: "AUTH", Reply: "334 VXNlcm5hbWU6"},
				smtptest.Rule{Prefix: user64, Reply: "334 UGFzc3dvcmQ6"},
				smtptest.Rule{Prefix: "", Reply: "535 5.7.8 Bad password:", Echo: true}))
			c := cfgFor(r.Host, r.Port, providers.SecurityNone, nil)
			c.AllowInsecure = true
			return c
		}},
		{name: "server quotes the password", cfg: func(t *testing.T) smtp.Config {
			r := smtptest.NewRaw(t, smtptest.Scripted("220 mail.test ESMTP", smtptest.Rule{Prefix: "EHLO", Reply: ehlo},
				smtptest.Rule{Prefix: "AUTH", Reply: "535-5.7.8 password " + testPassword + " is wrong\n535 5.7.8 " +
					base64.StdEncoding.EncodeToString([]byte(testPassword))}))
			c := cfgFor(r.Host, r.Port, providers.SecurityNone, nil)
			c.AllowInsecure = true
			return c
		}},
		{name: "server quotes the password in hex", cfg: func(t *testing.T) smtp.Config {
			h := hex.EncodeToString([]byte(testPassword))
			r := smtptest.NewRaw(t, smtptest.Scripted("220 mail.test ESMTP", smtptest.Rule{Prefix: "EHLO", Reply: ehlo},
				smtptest.Rule{Prefix: "AUTH", Reply: "535-5.7.8 " + h + "\n535 5.7.8 " + strings.ToUpper(h)}))
			c := cfgFor(r.Host, r.Port, providers.SecurityNone, nil)
			c.AllowInsecure = true
			return c
		}},
		{name: "server echoes the PLAIN line in base64 at odd offsets", cfg: func(t *testing.T) smtp.Config {
			line := "AUTH PLAIN " + base64.StdEncoding.EncodeToString([]byte("\x00"+testUser+"\x00"+testPassword))
			b := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
			r := smtptest.NewRaw(t, smtptest.Scripted("220 mail.test ESMTP", smtptest.Rule{Prefix: "EHLO", Reply: ehlo},
				smtptest.Rule{Prefix: "AUTH", Reply: "501-5.5.2 " + b("x"+line) + "\n501-5.5.2 " + b("xy"+line) +
					"\n501-5.5.2 " + b("?"+testPassword+"!") + "\n501 5.5.2 " + hex.EncodeToString([]byte(line))}))
			c := cfgFor(r.Host, r.Port, providers.SecurityNone, nil)
			c.AllowInsecure = true
			return c
		}},
		{name: "server echoes the XOAUTH2 response", token: true, cfg: func(t *testing.T) smtp.Config {
			r := smtptest.NewRaw(t, smtptest.Scripted("220 mail.test ESMTP", smtptest.Rule{Prefix: "EHLO", Reply: ehlo},
				smtptest.Rule{Prefix: "AUTH", Reply: "334 "},
				smtptest.Rule{Prefix: "", Reply: "535 5.7.3 Bad token", Echo: true}))
			c := cfgFor(r.Host, r.Port, providers.SecurityNone, nil)
			c.AllowInsecure = true
			return c
		}},
	}
	for _, tt := range tests {
		for _, way := range ways {
			t.Run(tt.name+"/"+way, func(t *testing.T) {
				cfg := tt.cfg(t)
				if tt.token {
					cfg.Password, cfg.OAuthToken = secrets.Secret{}, secrets.New(testToken)
				}
				res, _ := runWay(t, way, cfg, 3*time.Second)
				if res.OK() != tt.ok {
					t.Fatalf("ok = %v, want %v: %+v", res.OK(), tt.ok, res.Diagnosis)
				}
				all := everything(res)
				for _, f := range forbidden(cfg) {
					if form := leaktest.Find(all, f); form != "" {
						t.Errorf("secret form %q leaked (%s):\n%s", f, form, all)
					}
				}
				if !strings.Contains(all, secrets.Redacted) {
					t.Errorf("no [redacted] marker in:\n%s", all)
				}
			})
		}
	}
}
