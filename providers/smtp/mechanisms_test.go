package smtp_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/providers/smtp"
	"github.com/jobmail/jobmail/providers/smtp/smtptest"
	"github.com/jobmail/jobmail/secrets"
	"github.com/jobmail/jobmail/secrets/leaktest"
)

// TestMechanismChoice: the strongest mechanism the server offers is used
// (smtp.PasswordMechanisms), and a server offering only mechanisms the
// test lacks gets auth.mechanism_unsupported with what it offered.
func TestMechanismChoice(t *testing.T) {
	tests := []struct {
		offered []string
		want    string // the mechanism the server saw; "" when none is usable
	}{
		{[]string{"PLAIN", "SCRAM-SHA-1", "SCRAM-SHA-256", "NTLM"}, "SCRAM-SHA-256"},
		{[]string{"LOGIN", "PLAIN", "SCRAM-SHA-1"}, "SCRAM-SHA-1"},
		{[]string{"CRAM-MD5", "LOGIN", "PLAIN"}, "PLAIN"},
		{[]string{"CRAM-MD5", "LOGIN"}, "LOGIN"},
		{[]string{"NTLM", "LOGIN"}, "LOGIN"},
		{[]string{"CRAM-MD5", "NTLM"}, "NTLM"},
		{[]string{"NTLM", "GSSAPI"}, "NTLM"},
		{[]string{"CRAM-MD5"}, "CRAM-MD5"},
		{[]string{"GSSAPI"}, ""},
		{[]string{"GSSAPI", "KERBEROS_V4", "XOAUTH2"}, ""},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.offered, " "), func(t *testing.T) {
			o := accounts(smtptest.Options{Mechanisms: tt.offered})
			pki := newPKI(t)
			o.TLS = serverTLS(t, pki, smtptest.Leaf{})
			srv := smtptest.NewServer(t, o)
			res, _ := run(t, cfgFor(srv.Host, srv.Port, providers.SecurityStartTLS, pki.Pool), 5*time.Second)
			if tt.want == "" {
				if res.OK() || res.Diagnosis.Code != providers.CodeAuthMechanism {
					t.Fatalf("diagnosis %+v, want %s", res.Diagnosis, providers.CodeAuthMechanism)
				}
				return
			}
			if !res.OK() {
				t.Fatalf("failed: %+v\n%s", res.Diagnosis, strings.Join(res.Transcript, "\n"))
			}
			if got := srv.Messages()[0].Mechanism; got != tt.want {
				t.Errorf("mechanism %s, want %s", got, tt.want)
			}
		})
	}
}

// TestChallengeResponse proves NTLMv2 and SCRAM against the in-process
// server (Debian's Dovecot has no NTLM; SCRAM is also proven against
// mailpeer, TestE2ESCRAM): the right password passes, a wrong one is
// auth.rejected with the server's words, and a DOMAIN\user name goes to
// NTLM as user and domain.
func TestChallengeResponse(t *testing.T) {
	pki := newPKI(t)
	tests := []struct {
		name     string
		mech     string
		user     string
		password string
		code     providers.Code // "" for a pass
	}{
		{"ntlm passes", "NTLM", testUser, testPassword, ""},
		{"ntlm domain and user", "NTLM", `ACME\jobs`, testPassword, ""},
		{"ntlm wrong password", "NTLM", testUser, "wrong-" + testPassword, providers.CodeAuthRejected},
		{"ntlm unknown user", "NTLM", "nobody@example.test", testPassword, providers.CodeAuthRejected},
		{"scram-sha-256 passes", "SCRAM-SHA-256", testUser, testPassword, ""},
		{"scram-sha-1 passes", "SCRAM-SHA-1", testUser, testPassword, ""},
		{"scram-sha-256 wrong password", "SCRAM-SHA-256", testUser, "wrong-" + testPassword, providers.CodeAuthRejected},
		{"scram-sha-1 unknown user", "SCRAM-SHA-1", "nobody@example.test", testPassword, providers.CodeAuthRejected},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := smtptest.Options{Mechanisms: []string{tt.mech}, TLS: serverTLS(t, pki, smtptest.Leaf{}),
				Users: map[string]string{testUser: testPassword, `ACME\jobs`: testPassword}}
			srv := smtptest.NewServer(t, o)
			cfg := cfgFor(srv.Host, srv.Port, providers.SecurityStartTLS, pki.Pool)
			cfg.Username, cfg.Password = tt.user, secrets.New(tt.password)
			res, _ := run(t, cfg, 5*time.Second)
			if tt.code == "" {
				if !res.OK() {
					t.Fatalf("failed: %+v\n%s", res.Diagnosis, strings.Join(res.Transcript, "\n"))
				}
				if m := srv.Messages()[0]; m.Mechanism != tt.mech {
					t.Errorf("mechanism %s", m.Mechanism)
				}
				return
			}
			d := res.Diagnosis
			if res.OK() || d.Code != tt.code || d.Args["mechanism"] != tt.mech || !strings.HasPrefix(d.Reply, "535 5.7.8") {
				t.Fatalf("diagnosis %+v, want %s for %s with the server's reply", d, tt.code, tt.mech)
			}
			if last := res.Stages[len(res.Stages)-1]; last.Name != providers.StageAuth || last.OK {
				t.Errorf("failed stage %+v, want auth", last)
			}
		})
	}
}

// recorder is a Dialer that keeps every byte the client writes, so a test
// knows the SASL payloads that went out.
type recorder struct {
	net.Dialer
	mu    sync.Mutex
	wrote bytes.Buffer
}

func (r *recorder) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	c, err := r.Dialer.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	return &recordedConn{Conn: c, r: r}, nil
}

type recordedConn struct {
	net.Conn
	r *recorder
}

func (c *recordedConn) Write(p []byte) (int, error) {
	c.r.mu.Lock()
	c.r.wrote.Write(p)
	c.r.mu.Unlock()
	return c.Conn.Write(p)
}

// payloads are the SASL lines the client sent: the initial response on the
// AUTH line and every line after it up to MAIL or the end.
func (r *recorder) payloads() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	inAuth := false
	for _, l := range strings.Split(r.wrote.String(), "\r\n") {
		switch {
		case strings.HasPrefix(l, "AUTH "):
			inAuth = true
			if f := strings.Fields(l); len(f) == 3 {
				out = append(out, f[2])
			}
		case strings.HasPrefix(l, "MAIL ") || strings.HasPrefix(l, "QUIT"):
			inAuth = false
		case inAuth && len(l) > 4:
			out = append(out, l)
		}
	}
	return out
}

// TestChallengeResponseNeverLeaks extends the leak sweep to NTLM and SCRAM:
// the payloads that went out (NEGOTIATE and AUTHENTICATE; SCRAM's first
// message) are in no output, not even when the server echoes them back.
func TestChallengeResponseNeverLeaks(t *testing.T) {
	challenge := base64.StdEncoding.EncodeToString(smtptest.NTLMChallenge([]byte("8bytes!!")))
	tests := []struct {
		name string
		srv  func(t *testing.T) (host string, port int)
		ok   bool
	}{
		{"ntlm ok", func(t *testing.T) (string, int) {
			s := smtptest.NewServer(t, accounts(smtptest.Options{Mechanisms: []string{"NTLM"}, AllowInsecureAuth: true}))
			return s.Host, s.Port
		}, true},
		{"ntlm refused by a server that quotes the AUTHENTICATE message", func(t *testing.T) (string, int) {
			s := smtptest.NewServer(t, smtptest.Options{Mechanisms: []string{"NTLM"}, AllowInsecureAuth: true, EchoAuth: true,
				Users: map[string]string{testUser: "another password"}})
			return s.Host, s.Port
		}, false},
		{"scram ok", func(t *testing.T) (string, int) {
			s := smtptest.NewServer(t, accounts(smtptest.Options{Mechanisms: []string{"SCRAM-SHA-256"}, AllowInsecureAuth: true}))
			return s.Host, s.Port
		}, true},
		{"scram refused by a server that quotes the final message (the proof)", func(t *testing.T) (string, int) {
			s := smtptest.NewServer(t, smtptest.Options{Mechanisms: []string{"SCRAM-SHA-1"}, AllowInsecureAuth: true, EchoAuth: true,
				Users: map[string]string{testUser: "another password"}})
			return s.Host, s.Port
		}, false},
		{"ntlm refused, AUTHENTICATE echoed", func(t *testing.T) (string, int) {
			r := smtptest.NewRaw(t, smtptest.Scripted("220 mail.test ESMTP",
				smtptest.Rule{Prefix: "EHLO", Reply: "250-mail.test\n250 AUTH NTLM"},
				smtptest.Rule{Prefix: "AUTH NTLM", Reply: "334 " + challenge},
				smtptest.Rule{Prefix: "", Reply: "535 5.7.8 Bad response:", Echo: true}))
			return r.Host, r.Port
		}, false},
		{"ntlm NEGOTIATE echoed", func(t *testing.T) (string, int) {
			r := smtptest.NewRaw(t, smtptest.Scripted("220 mail.test ESMTP",
				smtptest.Rule{Prefix: "EHLO", Reply: "250-mail.test\n250 AUTH NTLM"},
				smtptest.Rule{Prefix: "AUTH NTLM", Reply: "501 5.5.2 Cannot decode:", Echo: true}))
			return r.Host, r.Port
		}, false},
		{"scram first message echoed", func(t *testing.T) (string, int) {
			r := smtptest.NewRaw(t, smtptest.Scripted("220 mail.test ESMTP",
				smtptest.Rule{Prefix: "EHLO", Reply: "250-mail.test\n250 AUTH SCRAM-SHA-256 PLAIN"},
				smtptest.Rule{Prefix: "AUTH SCRAM-SHA-256", Reply: "334 "},
				smtptest.Rule{Prefix: "", Reply: "535 5.7.8 Bad first message:", Echo: true}))
			return r.Host, r.Port
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			host, port := tt.srv(t)
			rec := &recorder{}
			cfg := cfgFor(host, port, providers.SecurityNone, nil)
			cfg.AllowInsecure, cfg.Dialer = true, rec
			res, _ := run(t, cfg, 3*time.Second)
			if res.OK() != tt.ok {
				t.Fatalf("ok = %v, want %v: %+v\n%s", res.OK(), tt.ok, res.Diagnosis, strings.Join(res.Transcript, "\n"))
			}
			sent := rec.payloads()
			if len(sent) == 0 {
				t.Fatal("no SASL payload went out")
			}
			all := everything(res)
			for _, p := range append(sent, testPassword) {
				if strings.Contains(all, p) {
					t.Errorf("payload %q is in the output:\n%s", p, all)
				}
				if dec, err := base64.StdEncoding.DecodeString(p); err == nil && len(dec) > 8 {
					if form := leaktest.Find(all, string(dec)); form != "" {
						t.Errorf("payload %q leaked decoded (%s)", p, form)
					}
				}
			}
			if !strings.Contains(all, secrets.Redacted) {
				t.Errorf("no [redacted] marker in:\n%s", all)
			}
		})
	}
}

// TestMessageIsValidMIME parses the delivered message back with net/mail
// and mime: the German sender name with an ampersand and an en dash comes
// back exactly, and every header the platform relies on is there.
func TestMessageIsValidMIME(t *testing.T) {
	pki := newPKI(t)
	srv := smtptest.NewServer(t, accounts(smtptest.Options{TLS: serverTLS(t, pki, smtptest.Leaf{})}))
	msg := testMessage()
	msg.SenderName = "Müller & Söhne – Personalabteilung"
	msg.From, msg.To = "jobs@mueller-soehne.example", testUser
	msg.Subject = "Prüfung der Absenderadresse " + testVerify
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	cfg := cfgFor(srv.Host, srv.Port, providers.SecurityStartTLS, pki.Pool)
	res := smtp.New(cfg).Test(ctx, msg, nil)
	if !res.OK() {
		t.Fatalf("failed: %+v\n%s", res.Diagnosis, strings.Join(res.Transcript, "\n"))
	}
	data := srv.Messages()[0].Data
	m, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("net/mail: %v\n%s", err, data)
	}
	from, err := m.Header.AddressList("From")
	if err != nil || len(from) != 1 || from[0].Name != msg.SenderName || from[0].Address != msg.From {
		t.Fatalf("From %q → %+v (%v)", m.Header.Get("From"), from, err)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil || subject != msg.Subject {
		t.Errorf("Subject %q (%v)", subject, err)
	}
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil || mt != "text/plain" || !strings.EqualFold(params["charset"], "utf-8") {
		t.Errorf("Content-Type %q: %s %v %v", m.Header.Get("Content-Type"), mt, params, err)
	}
	if cte := m.Header.Get("Content-Transfer-Encoding"); cte != "quoted-printable" {
		t.Errorf("Content-Transfer-Encoding %q", cte)
	}
	body, err := io.ReadAll(quotedprintable.NewReader(m.Body))
	if err != nil || strings.ReplaceAll(string(body), "\r\n", "\n") != msg.Body {
		t.Errorf("body %q (%v), want %q", body, err, msg.Body)
	}
	if d, err := m.Header.Date(); err != nil || d.IsZero() {
		t.Errorf("Date %q: %v", m.Header.Get("Date"), err)
	}
	id := m.Header.Get("Message-Id")
	if !strings.HasPrefix(id, "<jobmail.") || !strings.HasSuffix(id, "@mueller-soehne.example>") {
		t.Errorf("Message-ID %q is not on the company's domain", id)
	}
	if got := m.Header.Get(smtp.HeaderVerification); got != testVerify {
		t.Errorf("%s = %q", smtp.HeaderVerification, got)
	}
	for i, line := range bytes.Split(data, []byte("\r\n")) {
		if len(line) > 998 || bytes.ContainsAny(line, "\r\n") {
			t.Errorf("line %d: %q", i, line)
		}
	}
}

// TestSCRAMRefusesAForgedServer: a server whose first message does not
// continue the client's nonce cannot be the one that knows the password;
// the exchange stops there (smtp.protocol, the server's words) and the
// client's proof never goes out.
func TestSCRAMRefusesAForgedServer(t *testing.T) {
	forged := base64.StdEncoding.EncodeToString([]byte("r=forged-nonce,s=c2FsdA==,i=4096"))
	rec := &recorder{}
	cfg := rawCfg(t, smtptest.Scripted("220 mail.test ESMTP",
		smtptest.Rule{Prefix: "EHLO", Reply: "250-mail.test\n250 AUTH SCRAM-SHA-256"},
		smtptest.Rule{Prefix: "AUTH", Reply: "334 "},
		smtptest.Rule{Prefix: "", Reply: "334 " + forged}), providers.SecurityNone)
	cfg.Password, cfg.AllowInsecure, cfg.Dialer = secrets.New(testPassword), true, rec
	res, _ := run(t, cfg, 3*time.Second)
	if res.OK() || res.Diagnosis.Code != providers.CodeSMTPProtocol || !strings.Contains(res.Diagnosis.Reply, forged) {
		t.Fatalf("diagnosis %+v, want smtp.protocol with the forged reply\n%s", res.Diagnosis, strings.Join(res.Transcript, "\n"))
	}
	if sent := rec.payloads(); len(sent) != 1 { // the first message only
		t.Errorf("payloads sent %q, want only the first message", sent)
	}
}
