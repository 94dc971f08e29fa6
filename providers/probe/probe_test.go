package probe

import (
	"context"
	"slices"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/providers/probe/probetest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const (
	starttls = providers.SecurityStartTLS
	smtps    = providers.SecuritySMTPS
)

func TestProbeAgainstInProcessServers(t *testing.T) {
	pki := probetest.NewTestPKI(t)
	good := pki.TestCert(t, "localhost", "127.0.0.1")
	wrongName := pki.TestCert(t, "other.test")
	plain := probetest.SMTP(t, probetest.Plain, good)
	opt := probetest.SMTP(t, probetest.StartTLS, good)
	implicit := probetest.SMTP(t, probetest.SMTPS, good)
	mismatch := probetest.SMTP(t, probetest.StartTLS, wrongName)
	silent := probetest.Raw(t, "127.0.0.1", "")
	rejecting := probetest.Raw(t, "127.0.0.1", "554 5.7.1 No SMTP service here\r\n")
	rejectingLong := probetest.Raw(t, "127.0.0.1", "554-mx.acme.test\r\n554 5.7.1 Your IP is listed\r\n")
	busy := probetest.Raw(t, "127.0.0.1", "421 4.3.2 Too many connections\r\n")
	closed := probetest.Closed(t)
	future := func() time.Time { return time.Now().Add(48 * time.Hour) }

	tests := []struct {
		name      string
		port      int
		sec       providers.Security
		roots     bool
		now       func() time.Time
		timeout   time.Duration
		wantOK    bool
		wantCode  providers.Code
		wantCaps  bool // STARTTLS-less or TLS caps were read
		wantAuth  bool // AUTH PLAIN announced (only over TLS)
		wantReply string
	}{
		{name: "plain port offers no STARTTLS", port: plain, sec: starttls, wantCode: providers.CodeTLSStartTLSUnsupported, wantCaps: true},
		{name: "implicit TLS against plain port", port: plain, sec: smtps, wantCode: providers.CodeTLSNotTLS},
		{name: "STARTTLS with trusted CA", port: opt, sec: starttls, roots: true, wantOK: true, wantCaps: true, wantAuth: true},
		{name: "STARTTLS with unknown CA", port: opt, sec: starttls, wantCode: providers.CodeTLSUntrustedCert, wantCaps: true, wantAuth: true},
		{name: "SMTPS with trusted CA", port: implicit, sec: smtps, roots: true, wantOK: true, wantCaps: true, wantAuth: true},
		{name: "plaintext against SMTPS port", port: implicit, sec: starttls, timeout: 300 * time.Millisecond, wantCode: providers.CodeSMTPNoGreeting},
		{name: "certificate for another name", port: mismatch, sec: starttls, roots: true, wantCode: providers.CodeTLSHostnameMismatch, wantCaps: true, wantAuth: true},
		{name: "expired certificate", port: opt, sec: starttls, roots: true, now: future, wantCode: providers.CodeTLSExpiredCert, wantCaps: true, wantAuth: true},
		{name: "closed port", port: closed, sec: starttls, wantCode: providers.CodeNetRefused},
		{name: "silent server, plaintext", port: silent, sec: starttls, timeout: 300 * time.Millisecond, wantCode: providers.CodeSMTPNoGreeting},
		{name: "silent server, implicit TLS", port: silent, sec: smtps, timeout: 300 * time.Millisecond, wantCode: providers.CodeSMTPNoGreeting},
		{name: "server refuses with 554", port: rejecting, sec: starttls, wantCode: providers.CodeSMTPRejected, wantReply: "554 5.7.1 No SMTP service here"},
		// the live test's classification, every line kept as sent
		// The words say why (issue 16): the client's address is listed.
		{name: "multi-line refusal", port: rejectingLong, sec: starttls, wantCode: providers.CodeSMTPIPBlocked, wantReply: "554-mx.acme.test\n554 5.7.1 Your IP is listed"},
		{name: "temporary refusal", port: busy, sec: starttls, wantCode: providers.CodeSMTPTemporary, wantReply: "421 4.3.2 Too many connections"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := &Prober{Timeout: 5 * time.Second, Now: tc.now}
			if tc.timeout > 0 {
				p.Timeout = tc.timeout
			}
			if tc.roots {
				p.RootCAs = pki.Pool
			}
			res := p.Probe(context.Background(), Target{Host: "127.0.0.1", Port: tc.port, Security: tc.sec})
			if res.OK != tc.wantOK || res.Code() != tc.wantCode {
				t.Fatalf("ok=%v code=%q, want ok=%v code=%q (diag %+v)", res.OK, res.Code(), tc.wantOK, tc.wantCode, res.Diagnosis)
			}
			if (res.Caps != nil) != tc.wantCaps {
				t.Fatalf("caps = %+v, want caps: %v", res.Caps, tc.wantCaps)
			}
			if tc.wantCaps {
				if got := slices.Contains(res.Caps.Auth, "PLAIN"); got != tc.wantAuth {
					t.Errorf("AUTH PLAIN announced = %v, want %v (caps %+v)", got, tc.wantAuth, res.Caps)
				}
				if !res.Caps.Pipelining || !res.Caps.Chunking || !res.Caps.SMTPUTF8 || res.Caps.Size != probetest.MaxMessageBytes {
					t.Errorf("capabilities not read: %+v", res.Caps)
				}
			}
			if tc.wantReply != "" && (res.Diagnosis == nil || res.Diagnosis.Reply != tc.wantReply) {
				t.Errorf("reply = %+v, want %q", res.Diagnosis, tc.wantReply)
			}
			if tc.wantReply != "" && res.Diagnosis != nil && res.Diagnosis.Args["quote"] == "" {
				t.Errorf("no quote of the reply for the remedy: %+v", res.Diagnosis)
			}
			if tc.wantOK {
				if res.TLS == nil || !res.TLS.Certificate.Valid() || res.Banner == "" {
					t.Errorf("tls = %+v banner = %q", res.TLS, res.Banner)
				}
				if last := res.Steps[len(res.Steps)-1]; last.Name != providers.StageQuit || !last.OK {
					t.Errorf("last step = %+v, want a clean QUIT", last)
				}
			}
			if tc.timeout > 0 && res.Duration > tc.timeout+slack {
				t.Errorf("took %v, bound was %v", res.Duration, tc.timeout)
			}
		})
	}
}

func TestProbeCertificateFacts(t *testing.T) {
	pki := probetest.NewTestPKI(t)
	port := probetest.SMTP(t, probetest.SMTPS, pki.TestCert(t, "other.test"))
	p := &Prober{Timeout: 5 * time.Second} // system roots: the test CA is unknown
	res := p.Probe(context.Background(), Target{Host: "127.0.0.1", Port: port, Security: smtps})
	c := res.TLS.Certificate
	if c == nil || c.Trusted || c.HostnameOK || c.Expired || !slices.Equal(c.DNSNames, []string{"other.test"}) {
		t.Fatalf("certificate = %+v, want untrusted, wrong name, not expired", c)
	}
	if res.Code() != providers.CodeTLSUntrustedCert || res.Diagnosis.Field != "smtp.ca_file" {
		t.Fatalf("diagnosis = %+v, want untrusted first", res.Diagnosis)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		t    Target
	}{
		{"empty host", Target{Port: 587, Security: starttls}},
		{"port zero", Target{Host: "h", Security: starttls}},
		{"port too big", Target{Host: "h", Port: 70000, Security: starttls}},
		{"security none", Target{Host: "h", Port: 25, Security: providers.SecurityNone}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := (&Prober{}).Probe(context.Background(), tc.t)
			if res.Code() != CodeInvalidTarget || res.Connected {
				t.Fatalf("got %+v", res)
			}
		})
	}
}

func TestParseEHLO(t *testing.T) {
	tests := []struct {
		name string
		msg  string
		want Capabilities
	}{
		{"modern", "mx.example Hello\nPIPELINING\nSIZE 35882577\nAUTH LOGIN PLAIN XOAUTH2\nCHUNKING\nSMTPUTF8\nSTARTTLS",
			Capabilities{Extensions: []string{"PIPELINING", "SIZE", "AUTH", "CHUNKING", "SMTPUTF8", "STARTTLS"},
				Auth: []string{"LOGIN", "PLAIN", "XOAUTH2"}, Size: 35882577, StartTLS: true, Pipelining: true, Chunking: true, SMTPUTF8: true}},
		{"old AUTH= form and size without limit", "mx\nAUTH=LOGIN PLAIN\nAUTH LOGIN\nsize",
			Capabilities{Extensions: []string{"AUTH", "SIZE"}, Auth: []string{"LOGIN", "PLAIN"}}},
		{"greeting only", "mx.example", Capabilities{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := parseEHLO(tc.msg)
			if !slices.Equal(got.Extensions, tc.want.Extensions) || !slices.Equal(got.Auth, tc.want.Auth) ||
				got.Size != tc.want.Size || got.StartTLS != tc.want.StartTLS || got.Pipelining != tc.want.Pipelining ||
				got.Chunking != tc.want.Chunking || got.SMTPUTF8 != tc.want.SMTPUTF8 {
				t.Fatalf("got %+v, want %+v", *got, tc.want)
			}
		})
	}
}
