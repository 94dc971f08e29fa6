package smtp_test

import (
	"bytes"
	"crypto/x509"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/providers/smtp"
	"github.com/jobmail/jobmail/providers/smtp/smtptest"
	"github.com/jobmail/jobmail/secrets"
)

var (
	fullTLS = []providers.StageName{"resolve", "connect", "greeting", "tls", "ehlo", "auth", "mail", "rcpt", "data", "quit"}
	smtps   = []providers.StageName{"resolve", "connect", "tls", "greeting", "ehlo", "auth", "mail", "rcpt", "data", "quit"}
	plain   = []providers.StageName{"resolve", "connect", "greeting", "ehlo", "mail", "rcpt", "data", "quit"}
)

// TestSendPasses drives every way of passing against the in-process server
// and checks the stages, the mechanism used and the delivered message.
func TestSendPasses(t *testing.T) {
	pki := newPKI(t)
	longToken := "ya29." + strings.Repeat("L0ngT0ken-", 300) // 3,005 chars: over Postfix's 2,048
	caDir := t.TempDir()
	caFile, err := pki.WriteCA(caDir)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		opts     smtptest.Options
		mutate   func(*smtp.Config)
		stages   []providers.StageName
		wantMech string
		wantTLS  bool
	}{
		{name: "starttls plain", opts: smtptest.Options{}, stages: fullTLS, wantMech: "PLAIN", wantTLS: true},
		{name: "starttls login", opts: smtptest.Options{Mechanisms: []string{"LOGIN"}}, stages: fullTLS, wantMech: "LOGIN", wantTLS: true},
		{name: "starttls cram-md5", opts: smtptest.Options{Mechanisms: []string{"CRAM-MD5", "GSSAPI"}}, stages: fullTLS, wantMech: "CRAM-MD5", wantTLS: true},
		{name: "smtps plain", opts: smtptest.Options{Implicit: true}, mutate: func(c *smtp.Config) { c.Security = providers.SecuritySMTPS },
			stages: smtps, wantMech: "PLAIN", wantTLS: true},
		{name: "xoauth2", opts: smtptest.Options{}, mutate: func(c *smtp.Config) { c.Password = secrets.Secret{}; c.OAuthToken = secrets.New(testToken) },
			stages: fullTLS, wantMech: "XOAUTH2", wantTLS: true},
		{name: "xoauth2 token over 2048 chars", opts: smtptest.Options{Tokens: map[string]string{longToken: testUser}},
			mutate: func(c *smtp.Config) { c.Password = secrets.Secret{}; c.OAuthToken = secrets.New(longToken) },
			stages: fullTLS, wantMech: "XOAUTH2", wantTLS: true},
		{name: "oauthbearer when only offered", opts: smtptest.Options{Mechanisms: []string{"OAUTHBEARER"}},
			mutate: func(c *smtp.Config) { c.Password = secrets.Secret{}; c.OAuthToken = secrets.New(testToken) },
			stages: fullTLS, wantMech: "OAUTHBEARER", wantTLS: true},
		{name: "starttls-noverify self-signed", opts: smtptest.Options{TLS: serverTLS(t, pki, smtptest.Leaf{SelfSigned: true})},
			mutate: func(c *smtp.Config) { c.Security = providers.SecurityStartTLSNoVerify }, stages: fullTLS, wantMech: "PLAIN", wantTLS: true},
		{name: "ca file adds the trust anchor", opts: smtptest.Options{},
			mutate: func(c *smtp.Config) { c.RootCAs = x509.NewCertPool(); c.CAFile = caFile }, stages: fullTLS, wantMech: "PLAIN", wantTLS: true},
		{name: "none without credentials", opts: smtptest.Options{TLS: nil},
			mutate: func(c *smtp.Config) { c.Security = providers.SecurityNone; c.Password = secrets.Secret{} }, stages: plain},
		{name: "none with credentials allowed", opts: smtptest.Options{AllowInsecureAuth: true},
			mutate: func(c *smtp.Config) { c.Security = providers.SecurityNone; c.AllowInsecure = true },
			stages: []providers.StageName{"resolve", "connect", "greeting", "ehlo", "auth", "mail", "rcpt", "data", "quit"}, wantMech: "PLAIN"},
	}
	for _, tt := range tests {
		for _, way := range ways {
			t.Run(tt.name+"/"+way, func(t *testing.T) {
				o := accounts(tt.opts)
				if tt.opts.Tokens != nil {
					o.Tokens = tt.opts.Tokens
				}
				if o.TLS == nil && tt.name != "none without credentials" && tt.name != "none with credentials allowed" {
					o.TLS = serverTLS(t, pki, smtptest.Leaf{})
				}
				srv := smtptest.NewServer(t, o)
				cfg := cfgFor(srv.Host, srv.Port, providers.SecurityStartTLS, pki.Pool)
				if tt.mutate != nil {
					tt.mutate(&cfg)
				}
				res, events := runWay(t, way, cfg, 5*time.Second)
				if !res.OK() {
					t.Fatalf("test failed: %+v %v\n%s", res.Diagnosis, res.Err, strings.Join(res.Transcript, "\n"))
				}
				if got := stageNames(res); !slices.Equal(got, tt.stages) {
					t.Fatalf("stages = %v, want %v", got, tt.stages)
				}
				for _, s := range res.Stages {
					if !s.OK || s.Duration <= 0 {
						t.Errorf("stage %s: ok=%v duration=%v", s.Name, s.OK, s.Duration)
					}
				}
				checkEvents(t, events, res.Stages)
				msgs := srv.Messages()
				if len(msgs) != 1 {
					t.Fatalf("server got %d messages, want 1", len(msgs))
				}
				m := msgs[0]
				if m.Mechanism != tt.wantMech || m.TLS != tt.wantTLS || m.From != testUser || !slices.Equal(m.To, []string{testUser}) {
					t.Errorf("delivered %+v, want mechanism %q tls %v", m, tt.wantMech, tt.wantTLS)
				}
				checkMessage(t, m.Data, testMessage())
				if res.Duration <= 0 || res.Started.IsZero() || res.Channel != providers.ChannelSMTP {
					t.Errorf("result metadata: %+v", res)
				}
			})
		}
	}
}

// checkEvents asserts a start and an end event per stage, in order.
func checkEvents(t *testing.T, events []providers.StageEvent, stages []providers.Stage) {
	t.Helper()
	if len(events) != 2*len(stages) {
		t.Fatalf("%d events for %d stages", len(events), len(stages))
	}
	for i, s := range stages {
		start, end := events[2*i], events[2*i+1]
		if start.Done || start.Name != s.Name || !end.Done || end.Stage != s {
			t.Errorf("events %d: %+v %+v, stage %+v", i, start, end, s)
		}
	}
}

// checkMessage parses what the server received as a mail reader would.
func checkMessage(t *testing.T, data []byte, want providers.Message) {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("parse delivered message: %v\n%s", err, data)
	}
	dec := new(mime.WordDecoder)
	subject, err := dec.DecodeHeader(m.Header.Get("Subject"))
	if err != nil || subject != want.Subject {
		t.Errorf("Subject = %q (%v), want %q", subject, err, want.Subject)
	}
	from, err := mail.ParseAddress(m.Header.Get("From"))
	if err != nil || from.Name != want.SenderName || from.Address != want.From {
		t.Errorf("From = %q → %+v (%v)", m.Header.Get("From"), from, err)
	}
	if got := m.Header.Get("X-Jobmail-Verification"); got != want.Token {
		t.Errorf("verification header = %q, want %q", got, want.Token)
	}
	for _, h := range []string{"Date", "Message-Id", "Mime-Version", "To"} {
		if m.Header.Get(h) == "" {
			t.Errorf("header %s missing", h)
		}
	}
	if _, err := m.Header.Date(); err != nil {
		t.Errorf("Date: %v", err)
	}
	if ct := m.Header.Get("Content-Type"); ct != "text/plain; charset=UTF-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	body, err := io.ReadAll(quotedprintable.NewReader(m.Body))
	if err != nil {
		t.Fatalf("decode body: %v", err)
	}
	if got := strings.ReplaceAll(string(body), "\r\n", "\n"); got != want.Body {
		t.Errorf("body = %q, want %q", got, want.Body)
	}
	for i, line := range bytes.Split(data, []byte("\r\n")) {
		if len(line) > 78 || bytes.ContainsFunc(line, func(r rune) bool { return r >= 0x80 }) {
			t.Errorf("line %d not 7-bit/short: %q", i, line)
		}
	}
}

// TestNonASCIISender checks RFC 2047 encoding of name and subject.
func TestNonASCIISender(t *testing.T) {
	pki := newPKI(t)
	srv := smtptest.NewServer(t, accounts(smtptest.Options{TLS: serverTLS(t, pki, smtptest.Leaf{})}))
	msg := testMessage()
	msg.SenderName = "Müller & Söhne, Recruiting"
	msg.Subject = "Prüfnachricht – bitte nicht löschen " + strings.Repeat("ä", 60) + " " + testVerify
	res := smtp.New(cfgFor(srv.Host, srv.Port, providers.SecurityStartTLS, pki.Pool)).Test(t.Context(), msg, nil)
	if !res.OK() {
		t.Fatalf("failed: %+v", res.Diagnosis)
	}
	checkMessage(t, srv.Messages()[0].Data, msg)
}

// TestTranscript checks the session lines and that AUTH payloads are
// redacted while the protocol stays readable.
func TestTranscript(t *testing.T) {
	pki := newPKI(t)
	srv := smtptest.NewServer(t, accounts(smtptest.Options{TLS: serverTLS(t, pki, smtptest.Leaf{})}))
	cfg := cfgFor(srv.Host, srv.Port, providers.SecurityStartTLS, pki.Pool)
	cfg.HelloName = "client.test"
	cfg.Password, cfg.OAuthToken = secrets.Secret{}, secrets.New(testToken)
	res, _ := run(t, cfg, 5*time.Second)
	if !res.OK() {
		t.Fatal(res.Err)
	}
	want := []string{
		"S: 220 mail.test ESMTP Service Ready", "C: EHLO client.test", "C: STARTTLS", "S: 220 2.0.0 Ready to start TLS",
		"C: EHLO client.test", "C: AUTH XOAUTH2", "S: 334 ", "C: [redacted]", "S: 235 2.0.0 Authentication succeeded",
		"C: MAIL FROM:<" + testUser + ">", "C: RCPT TO:<" + testUser + ">", "C: DATA", "C: .", "C: QUIT", "S: 221 2.0.0 Bye",
	}
	pos := 0
	for _, line := range res.Transcript {
		if pos < len(want) && line == want[pos] {
			pos++
		}
	}
	if pos != len(want) {
		t.Errorf("transcript lacks %q in order:\n%s", want[pos], strings.Join(res.Transcript, "\n"))
	}
}

// TestCAFileOnlyOnce checks that a Tester loads its trust anchors once and
// that a CA file that vanished later does not matter to the loaded pool.
func TestTesterReuse(t *testing.T) {
	pki := newPKI(t)
	srv := smtptest.NewServer(t, accounts(smtptest.Options{TLS: serverTLS(t, pki, smtptest.Leaf{})}))
	dir := t.TempDir()
	caFile, err := pki.WriteCA(dir)
	if err != nil {
		t.Fatal(err)
	}
	cfg := cfgFor(srv.Host, srv.Port, providers.SecurityStartTLS, x509.NewCertPool())
	cfg.CAFile = caFile
	tester := smtp.New(cfg)
	for i := range 3 {
		if res := tester.Test(t.Context(), testMessage(), nil); !res.OK() {
			t.Fatalf("run %d: %+v", i, res.Diagnosis)
		}
	}
	if err := os.Remove(filepath.Join(dir, "ca.pem")); err != nil {
		t.Fatal(err)
	}
	// A fresh tester now refuses before connecting: the file is gone.
	res := smtp.New(cfg).Test(t.Context(), testMessage(), nil)
	if res.Diagnosis == nil || res.Diagnosis.Code != smtp.CodeInvalidValue || res.Diagnosis.Field != smtp.FieldCAFile || len(res.Stages) != 0 {
		t.Fatalf("missing CA file: %+v stages %v", res.Diagnosis, res.Stages)
	}
}

// BenchmarkLiveTestLoopback measures a whole STARTTLS + verification +
// AUTH PLAIN + send against the in-process server.
func BenchmarkLiveTestLoopback(b *testing.B) {
	pki := newPKI(b)
	srv := smtptest.NewServer(b, accounts(smtptest.Options{TLS: serverTLS(b, pki, smtptest.Leaf{})}))
	cfg := cfgFor(srv.Host, srv.Port, providers.SecurityStartTLS, pki.Pool)
	msg := testMessage()
	for b.Loop() {
		if res := smtp.New(cfg).Test(b.Context(), msg, nil); !res.OK() {
			b.Fatalf("failed: %+v", res.Diagnosis)
		}
	}
}
