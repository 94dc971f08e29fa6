package smtp_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"
	"go.uber.org/goleak"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/providers/smtp"
	"github.com/jobmail/jobmail/providers/smtp/smtptest"
	"github.com/jobmail/jobmail/secrets"
)

// The adversarial suite: one row per hostile server behaviour that the
// issue "Adversarial suite" lists, each driven by a real peer on
// 127.0.0.1, mapped to its diagnosis code and bounded in wall-clock time.
// Rows run one after the other so that each can prove, with goleak, that
// it left no goroutine behind (the client's and the peer's alike).

// hostile is one behaviour of a hostile server.
type hostile struct {
	behaviour string // the issue's words
	peer      func(t *testing.T) smtp.Config
	deadline  time.Duration // the context's deadline: the run's only bound
	code      providers.Code
	stage     providers.StageName // the stage that failed
	reply     string              // the server's words the diagnosis must carry; "" to skip
	arg       [2]string           // an Args entry the diagnosis must carry, when set
}

// slack is what a run may take beyond its deadline: unwinding, not waiting.
const slack = time.Second // a loaded 2-core CI machine under -race

const ehloLoginOnly = "250-mail.test\n250-AUTH LOGIN\n250 8BITMIME"

// insecure turns a raw-peer config into one that sends a password in the
// clear (the raw peers speak no TLS), so the AUTH exchange happens.
func insecure(cfg smtp.Config) smtp.Config {
	cfg.Password, cfg.AllowInsecure = secrets.New(testPassword), true
	return cfg
}

func tls10(t *testing.T) *tls.Config {
	c := serverTLS(t, newPKI(t), smtptest.Leaf{})
	c.MinVersion, c.MaxVersion = tls.VersionTLS10, tls.VersionTLS10
	return c
}

func hostileServers() []hostile {
	none, starttls := providers.SecurityNone, providers.SecurityStartTLS
	refuse := func(code int, enh gosmtp.EnhancedCode, text string) *gosmtp.SMTPError {
		return smtpErr(code, enh, text)
	}
	return []hostile{
		{behaviour: "no greeting", deadline: 400 * time.Millisecond,
			code: providers.CodeSMTPNoGreeting, stage: providers.StageGreeting,
			peer: func(t *testing.T) smtp.Config { return rawCfg(t, smtptest.Silent, none) }},
		{behaviour: "banner dripping a byte a second", deadline: 2500 * time.Millisecond,
			code: providers.CodeSMTPNoGreeting, stage: providers.StageGreeting, reply: "220",
			peer: func(t *testing.T) smtp.Config {
				return rawCfg(t, smtptest.Drip("220 slow.test ESMTP ready\r\n", time.Second), none)
			}},
		{behaviour: "disconnect after EHLO", deadline: 2 * time.Second,
			code: providers.CodeSMTPDisconnected, stage: providers.StageMail,
			peer: func(t *testing.T) smtp.Config {
				return rawCfg(t, smtptest.Scripted("220 mail.test ESMTP",
					smtptest.Rule{Prefix: "EHLO", Reply: "250-mail.test\n250 8BITMIME"},
					smtptest.Rule{Prefix: "", Hangup: true}), none)
			}},
		{behaviour: "disconnect during AUTH", deadline: 2 * time.Second,
			code: providers.CodeSMTPDisconnected, stage: providers.StageAuth,
			peer: func(t *testing.T) smtp.Config {
				return insecure(rawCfg(t, smtptest.Scripted("220 mail.test ESMTP",
					smtptest.Rule{Prefix: "EHLO", Reply: ehloLoginOnly},
					smtptest.Rule{Prefix: "AUTH", Reply: "334 VXNlcm5hbWU6"},
					smtptest.Rule{Prefix: "", Hangup: true}), none)) // hangs up on the username
			}},
		{behaviour: "disconnect mid-DATA", deadline: 2 * time.Second,
			code: providers.CodeSMTPDisconnected, stage: providers.StageData,
			peer: func(t *testing.T) smtp.Config { return rawCfg(t, smtptest.MidData("220 mail.test ESMTP"), none) }},
		{behaviour: "421 at connect", deadline: 2 * time.Second,
			code: providers.CodeSMTPTemporary, stage: providers.StageGreeting,
			reply: "421 4.3.2 Service not available, closing transmission channel",
			peer: func(t *testing.T) smtp.Config {
				return rawCfg(t, smtptest.Scripted("421 4.3.2 Service not available, closing transmission channel"), starttls)
			}},
		{behaviour: "4xx on RCPT", deadline: 2 * time.Second,
			code: providers.CodeSMTPTemporary, stage: providers.StageRcpt,
			reply: "450 4.2.0 <jobs@example.test>: Recipient address rejected: Mailbox busy",
			peer: func(t *testing.T) smtp.Config {
				return serverCfg(t, smtptest.Options{RcptError: refuse(450, gosmtp.EnhancedCode{4, 2, 0},
					"<jobs@example.test>: Recipient address rejected: Mailbox busy")}, starttls)
			}},
		{behaviour: "5xx on DATA", deadline: 2 * time.Second,
			code: providers.CodeSendMessageRejected, stage: providers.StageData,
			reply: "554 5.6.0 Message rejected: content not accepted",
			peer: func(t *testing.T) smtp.Config {
				return serverCfg(t, smtptest.Options{DataError: refuse(554, gosmtp.EnhancedCode{5, 6, 0},
					"Message rejected: content not accepted")}, starttls)
			}},
		{behaviour: "garbage reply line (greeting)", deadline: 2 * time.Second,
			code: providers.CodeSMTPProtocol, stage: providers.StageGreeting, arg: [2]string{"reason", "malformed_reply"},
			peer: func(t *testing.T) smtp.Config {
				return rawCfg(t, smtptest.Scripted("HTTP/1.1 400 Bad Request"), none)
			}},
		{behaviour: "garbage reply line (after EHLO)", deadline: 2 * time.Second,
			code: providers.CodeSMTPProtocol, stage: providers.StageEHLO,
			peer: func(t *testing.T) smtp.Config {
				return rawCfg(t, smtptest.Scripted("220 mail.test ESMTP",
					smtptest.Rule{Prefix: "EHLO", Reply: "\x00\xff\xfe\x1b[2J garbage \x7f"}), none)
			}},
		{behaviour: "over-long reply line", deadline: 2 * time.Second,
			code: providers.CodeSMTPProtocol, stage: providers.StageEHLO, arg: [2]string{"reason", "line_too_long"},
			peer: func(t *testing.T) smtp.Config {
				return rawCfg(t, smtptest.Scripted("220 mail.test ESMTP",
					smtptest.Rule{Prefix: "EHLO", Reply: "250 " + strings.Repeat("x", 1<<20)}), none)
			}},
		{behaviour: "STARTTLS offered but handshake fails", deadline: 2 * time.Second,
			code: providers.CodeTLSProtocol, stage: providers.StageTLS,
			peer: func(t *testing.T) smtp.Config {
				return rawCfg(t, smtptest.StartTLSThen(smtptest.AbortHandshake), starttls)
			}},
		{behaviour: "STARTTLS offered but handshake fails (server hangs up instead)", deadline: 2 * time.Second,
			code: providers.CodeTLSProtocol, stage: providers.StageTLS, arg: [2]string{"reason", "closed"},
			peer: func(t *testing.T) smtp.Config {
				return rawCfg(t, smtptest.StartTLSThen(func(net.Conn) {}), starttls)
			}},
		{behaviour: "TLS 1.0 only (SMTPS)", deadline: 2 * time.Second,
			code: providers.CodeTLSProtocol, stage: providers.StageTLS,
			peer: func(t *testing.T) smtp.Config {
				return rawCfg(t, smtptest.TLSFirst(tls10(t), smtptest.Scripted("220 old.test ESMTP")), providers.SecuritySMTPS)
			}},
		{behaviour: "TLS 1.0 only (STARTTLS)", deadline: 2 * time.Second,
			code: providers.CodeTLSProtocol, stage: providers.StageTLS,
			peer: func(t *testing.T) smtp.Config {
				return rawCfg(t, smtptest.StartTLSThen(smtptest.TLSFirst(tls10(t), smtptest.Scripted(""))), starttls)
			}},
		{behaviour: "expired certificate", deadline: 2 * time.Second,
			code: providers.CodeTLSExpiredCert, stage: providers.StageTLS, arg: [2]string{"reason", "expired"},
			peer: func(t *testing.T) smtp.Config {
				return named(t, "mail.test", smtptest.Leaf{Names: []string{"mail.test"},
					NotBefore: date(2022, 1, 1), NotAfter: date(2023, 1, 1)}, smtptest.Options{})
			}},
		{behaviour: "not-yet-valid certificate", deadline: 2 * time.Second,
			code: providers.CodeTLSExpiredCert, stage: providers.StageTLS, arg: [2]string{"reason", "not_yet_valid"},
			peer: func(t *testing.T) smtp.Config {
				return named(t, "mail.test", smtptest.Leaf{Names: []string{"mail.test"},
					NotBefore: date(2098, 1, 1), NotAfter: date(2099, 1, 1)}, smtptest.Options{})
			}},
		{behaviour: "wrong-host certificate", deadline: 2 * time.Second,
			code: providers.CodeTLSHostnameMismatch, stage: providers.StageTLS, arg: [2]string{"host", "mail.test"},
			peer: func(t *testing.T) smtp.Config {
				return named(t, "mail.test", smtptest.Leaf{Names: []string{"www.other.test"}}, smtptest.Options{})
			}},
		{behaviour: "self-signed certificate", deadline: 2 * time.Second,
			code: providers.CodeTLSUntrustedCert, stage: providers.StageTLS, arg: [2]string{"self_signed", "true"},
			peer: func(t *testing.T) smtp.Config {
				return serverCfg(t, smtptest.Options{TLS: serverTLS(t, newPKI(t), smtptest.Leaf{SelfSigned: true})}, starttls)
			}},
		{behaviour: "AUTH offered with no common mechanism", deadline: 2 * time.Second,
			code: providers.CodeAuthMechanism, stage: providers.StageAuth, arg: [2]string{"offered", "GSSAPI KERBEROS_V4"},
			peer: func(t *testing.T) smtp.Config {
				return serverCfg(t, smtptest.Options{Mechanisms: []string{"KERBEROS_V4", "GSSAPI"}}, starttls)
			}},
		{behaviour: "endless 334 loop (XOAUTH2: the client answers every challenge)", deadline: 2 * time.Second,
			code: providers.CodeSMTPProtocol, stage: providers.StageAuth, arg: [2]string{"reason", "auth_loop"},
			peer: func(t *testing.T) smtp.Config {
				cfg := rawCfg(t, smtptest.Scripted("220 mail.test ESMTP",
					smtptest.Rule{Prefix: "EHLO", Reply: "250-mail.test\n250 AUTH XOAUTH2"},
					smtptest.Rule{Prefix: "", Reply: "334 eyJzdGF0dXMiOiI0MDAifQ=="}), none)
				cfg.AllowInsecure = true
				return oauth(cfg, testToken)
			}},
		{behaviour: "endless 334 loop (LOGIN: 334 where 235 was due)", deadline: 2 * time.Second,
			code: providers.CodeSMTPProtocol, stage: providers.StageAuth, reply: "334 UGFzc3dvcmQ6",
			peer: func(t *testing.T) smtp.Config {
				return insecure(rawCfg(t, smtptest.Scripted("220 mail.test ESMTP",
					smtptest.Rule{Prefix: "EHLO", Reply: ehloLoginOnly},
					smtptest.Rule{Prefix: "", Reply: "334 UGFzc3dvcmQ6"}), none))
			}},
		// Words before numbers (issue 16): this 5.7.139 tail says the
		// password was wrong, not that SMTP AUTH is off.
		{behaviour: "535 5.7.139 credentials tail", deadline: 2 * time.Second,
			code: providers.CodeAuthRejected, stage: providers.StageAuth,
			reply: "535 5.7.139 Authentication unsuccessful, the user credentials were incorrect.",
			peer: func(t *testing.T) smtp.Config {
				return serverCfg(t, smtptest.Options{AuthError: refuse(535, gosmtp.EnhancedCode{5, 7, 139},
					"Authentication unsuccessful, the user credentials were incorrect.")}, starttls)
			}},
		{behaviour: "535 5.7.3 (OAuth token)", deadline: 2 * time.Second,
			code: providers.CodeAuthTokenRejected, stage: providers.StageAuth, reply: "535 5.7.3 Authentication unsuccessful",
			peer: func(t *testing.T) smtp.Config {
				return oauth(serverCfg(t, smtptest.Options{AuthError: refuse(535, gosmtp.EnhancedCode{5, 7, 3},
					"Authentication unsuccessful")}, starttls), testToken)
			}},
		{behaviour: "535 5.7.3 (password)", deadline: 2 * time.Second,
			code: providers.CodeAuthRejected, stage: providers.StageAuth, reply: "535 5.7.3 Authentication unsuccessful",
			peer: func(t *testing.T) smtp.Config {
				return serverCfg(t, smtptest.Options{AuthError: refuse(535, gosmtp.EnhancedCode{5, 7, 3},
					"Authentication unsuccessful")}, starttls)
			}},
		{behaviour: "550 5.7.30", deadline: 2 * time.Second,
			code: providers.CodeAuthBasicAuthBlocked, stage: providers.StageAuth,
			reply: "550 5.7.30 Basic authentication is not supported for Client Submission.",
			peer: func(t *testing.T) smtp.Config {
				return serverCfg(t, smtptest.Options{AuthError: refuse(550, gosmtp.EnhancedCode{5, 7, 30},
					"Basic authentication is not supported for Client Submission.")}, starttls)
			}},
		{behaviour: "534 5.7.9", deadline: 2 * time.Second,
			code: providers.CodeAuthAppPassword, stage: providers.StageAuth,
			reply: "534 5.7.9 Application-specific password required.",
			peer: func(t *testing.T) smtp.Config {
				return serverCfg(t, smtptest.Options{AuthError: refuse(534, gosmtp.EnhancedCode{5, 7, 9},
					"Application-specific password required.")}, starttls)
			}},
		{behaviour: "534 5.7.14", deadline: 2 * time.Second,
			code: providers.CodeAuthWebLogin, stage: providers.StageAuth,
			reply: "534 5.7.14 <https://accounts.google.com/signin/continue> Please log in via your web browser",
			peer: func(t *testing.T) smtp.Config {
				return serverCfg(t, smtptest.Options{AuthError: refuse(534, gosmtp.EnhancedCode{5, 7, 14},
					"<https://accounts.google.com/signin/continue> Please log in via your web browser")}, starttls)
			}},
		{behaviour: "553 5.7.1 sender not owned", deadline: 2 * time.Second,
			code: providers.CodeSendSenderRejected, stage: providers.StageMail,
			reply: "553 5.7.1 <jobs@example.test>: Sender address rejected: not owned by user other@example.test",
			peer: func(t *testing.T) smtp.Config {
				return serverCfg(t, smtptest.Options{MailError: refuse(553, gosmtp.EnhancedCode{5, 7, 1},
					"<jobs@example.test>: Sender address rejected: not owned by user other@example.test")}, starttls)
			}},
		{behaviour: "550 5.7.60", deadline: 2 * time.Second,
			code: providers.CodeSendSenderRejected, stage: providers.StageMail,
			reply: "550 5.7.60 SMTP; Client does not have permissions to send as this sender",
			peer: func(t *testing.T) smtp.Config {
				return serverCfg(t, smtptest.Options{MailError: refuse(550, gosmtp.EnhancedCode{5, 7, 60},
					"SMTP; Client does not have permissions to send as this sender")}, starttls)
			}},
		{behaviour: "554 5.7.1 relay denied", deadline: 2 * time.Second,
			code: providers.CodeSendRelayDenied, stage: providers.StageRcpt,
			reply: "554 5.7.1 <jobs@example.test>: Relay access denied",
			peer: func(t *testing.T) smtp.Config {
				return serverCfg(t, smtptest.Options{RcptError: refuse(554, gosmtp.EnhancedCode{5, 7, 1},
					"<jobs@example.test>: Relay access denied")}, starttls)
			}},
		{behaviour: "530 5.7.0", deadline: 2 * time.Second,
			code: providers.CodeAuthTLSRequired, stage: providers.StageMail,
			reply: "530 5.7.0 Must issue a STARTTLS command first",
			peer: func(t *testing.T) smtp.Config {
				cfg := serverCfg(t, smtptest.Options{MailError: refuse(530, gosmtp.EnhancedCode{5, 7, 0},
					"Must issue a STARTTLS command first")}, none)
				cfg.Password = secrets.Secret{}
				return cfg
			}},
	}
}

// issueBehaviours are the behaviours the issue lists, word for word; each
// must name at least one row of hostileServers.
var issueBehaviours = []string{
	"no greeting", "banner dripping a byte a second", "disconnect after EHLO", "disconnect during AUTH",
	"disconnect mid-DATA", "421 at connect", "4xx on RCPT", "5xx on DATA", "garbage reply line",
	"over-long reply line", "STARTTLS offered but handshake fails", "TLS 1.0 only", "expired certificate",
	"not-yet-valid certificate", "wrong-host certificate", "self-signed certificate",
	"AUTH offered with no common mechanism", "endless 334 loop", "535 5.7.139", "535 5.7.3", "550 5.7.30",
	"534 5.7.9", "534 5.7.14", "553 5.7.1 sender not owned", "550 5.7.60", "554 5.7.1 relay denied", "530 5.7.0",
}

func TestAdversarialCoversTheIssue(t *testing.T) {
	rows := hostileServers()
	if len(issueBehaviours) < 25 {
		t.Fatalf("only %d behaviours listed", len(issueBehaviours))
	}
	for _, b := range issueBehaviours {
		found := false
		for _, r := range rows {
			found = found || strings.HasPrefix(r.behaviour, b)
		}
		if !found {
			t.Errorf("no row stages %q", b)
		}
	}
}

// TestAdversarialServers runs each hostile behaviour against the real
// client: the diagnosis code, the failed stage, the server's own words,
// the wall-clock bound, no panic and no goroutine left behind.
func TestAdversarialServers(t *testing.T) {
	for _, h := range hostileServers() {
		t.Run(h.behaviour, func(t *testing.T) {
			// Registered first, so it runs last: after the peer's Cleanup.
			baseline := goleak.IgnoreCurrent()
			t.Cleanup(func() { goleak.VerifyNone(t, baseline) })

			cfg := h.peer(t)
			ctx, cancel := context.WithTimeout(context.Background(), h.deadline)
			defer cancel()
			start := time.Now()
			res, err := runGuarded(ctx, cfg)
			took := time.Since(start)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%v: %+v", took.Round(time.Millisecond), res.Diagnosis)
			if took > h.deadline+slack {
				t.Errorf("took %v, deadline %v + %v", took, h.deadline, slack)
			}
			d := res.Diagnosis
			if res.OK() || d == nil {
				t.Fatalf("test passed against a hostile server\n%s", strings.Join(res.Transcript, "\n"))
			}
			if d.Code != h.code {
				t.Fatalf("code %s, want %s (err %v)\n%s", d.Code, h.code, res.Err, strings.Join(res.Transcript, "\n"))
			}
			var pe *providers.Error
			if !errors.As(res.Err, &pe) || pe.Code != h.code {
				t.Errorf("Err %v is no *providers.Error with %s", res.Err, h.code)
			}
			if n := len(res.Stages); n == 0 || res.Stages[n-1].Name != h.stage || res.Stages[n-1].OK {
				t.Errorf("stages %v, want the last (%s) failed", res.Stages, h.stage)
			}
			if h.reply != "" && !strings.Contains(d.Reply, h.reply) {
				t.Errorf("reply %q lacks the server's words %q", d.Reply, h.reply)
			}
			if h.arg[0] != "" && d.Args[h.arg[0]] != h.arg[1] {
				t.Errorf("arg %s = %q, want %q (args %v)", h.arg[0], d.Args[h.arg[0]], h.arg[1], d.Args)
			}
			if strings.ContainsAny(d.Reply, "\x00\x1b\r") || strings.ContainsAny(strings.Join(res.Transcript, ""), "\x00\x1b\r") {
				t.Errorf("control characters from the server reach the output: %q", d.Reply)
			}
			if d.Actor == "" {
				t.Error("no actor")
			}
			for _, line := range append(res.Transcript, d.Reply, fmt.Sprint(res.Err)) {
				if strings.Contains(line, testPassword) {
					t.Errorf("password in the output: %q", line)
				}
			}
		})
	}
}

// runGuarded runs one live test and turns a panic into an error.
func runGuarded(ctx context.Context, cfg smtp.Config) (res providers.Result, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return smtp.New(cfg).Test(ctx, testMessage(), nil), nil
}

// scriptedBytes is a fuzzed server: it sends chunk 0 as its greeting and
// the next chunk after each line the client sends, byte for byte; when
// the chunks run out, or the client stays silent for a moment (it waits
// for the rest of a reply the server will never send), it hangs up.
func scriptedBytes(chunks []string) func(net.Conn) {
	return func(c net.Conn) {
		br := bufio.NewReader(c)
		for i, chunk := range chunks {
			if i > 0 {
				_ = c.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
				if _, err := br.ReadString('\n'); err != nil {
					return
				}
			}
			if _, err := c.Write([]byte(chunk)); err != nil {
				return
			}
		}
	}
}

// FuzzHostileServer lets the fuzzer play the server: whatever bytes it
// sends, in whatever order, the live test must end by its deadline with
// either a pass or a diagnosis, never panic, never let the password or
// terminal control characters into its output. Chunks are separated by
// "|": chunk i answers the client's i-th line.
func FuzzHostileServer(f *testing.F) {
	const ok = "220 fuzz.test ESMTP\r\n|250-fuzz.test\r\n250 AUTH PLAIN LOGIN CRAM-MD5 XOAUTH2\r\n|235 2.7.0 ok\r\n|" +
		"250 ok\r\n|250 ok\r\n|354 go\r\n"
	for _, seed := range []struct {
		mode   uint8
		script string
	}{
		{0, ok}, {1, ok}, {2, ok},
		{1, "220 x\r\n|250 AUTH LOGIN\r\n|334 VXNlcm5hbWU6\r\n|334 UGFzc3dvcmQ6\r\n|235 ok\r\n|250 ok\r\n|250 ok\r\n|354 go\r\n"},
		{2, "220 x\r\n|250 AUTH CRAM-MD5\r\n|334 PDEyMzQ1QGZ1enoudGVzdD4=\r\n|535 5.7.8 no\r\n"},
		{1, "220 x\r\n|250 AUTH XOAUTH2\r\n|334 eyJzdGF0dXMiOiI0MDAifQ==\r\n|334 e30=\r\n|334 e30=\r\n|334 e30=\r\n"},
		{0, "220-a\r\n221 b\r\n"}, {0, "220 x\r\n|250-a\r\n250-b\r\n"}, {0, "2\r\n"}, {0, "\x00\xff\r\n"},
		{0, "220 x\r\n|250 " + strings.Repeat("y", 5000) + "\r\n"},
		{0, "220 x\r\n|421 4.3.2 bye\r\n"},
		// The challenge-response mechanisms: a SCRAM server-first that does
		// not continue the client's nonce, an NTLM CHALLENGE, a truncated one.
		{1, "220 x\r\n|250 AUTH SCRAM-SHA-256 SCRAM-SHA-1\r\n|334 \r\n|334 cj1mb3JnZWQscz1jMkZzZEE9PSxpPTQwOTY=\r\n|535 no\r\n"},
		{1, "220 x\r\n|250 AUTH NTLM\r\n|334 " + base64.StdEncoding.EncodeToString(smtptest.NTLMChallenge([]byte("12345678"))) +
			"\r\n|235 ok\r\n|250 ok\r\n|250 ok\r\n|354 go\r\n"},
		{1, "220 x\r\n|250 AUTH NTLM\r\n|334 TlRMTVNTUAACAAAA\r\n|535 no\r\n"}, {1, "220 x\r\n|250 AUTH PLAIN\r\n|535 5.7.8 you sent AUTH PLAIN AGpvYnNAZXhhbXBsZS50ZXN0AA==\r\n"},
	} {
		f.Add(seed.mode, seed.script)
	}
	f.Fuzz(func(t *testing.T, mode uint8, script string) {
		if len(script) > 64<<10 {
			return
		}
		srv := smtptest.NewRawUnix(t, scriptedBytes(strings.Split(script, "|")))
		cfg := cfgFor("127.0.0.1", 25, providers.SecurityNone, nil)
		cfg.Password = secrets.Secret{}
		cfg.Dialer = srv.Dialer()
		cfg.AllowInsecure = true
		switch mode % 3 {
		case 1:
			cfg.Password = secrets.New(testPassword)
		case 2:
			cfg = oauth(cfg, testToken)
		}
		const deadline = 500 * time.Millisecond
		ctx, cancel := context.WithTimeout(context.Background(), deadline)
		defer cancel()
		start := time.Now()
		res := smtp.New(cfg).Test(ctx, testMessage(), nil)
		if took := time.Since(start); took > deadline+2*time.Second {
			t.Fatalf("took %v, deadline %v", took, deadline)
		}
		if !res.OK() {
			if res.Diagnosis == nil || res.Diagnosis.Code == "" || res.Diagnosis.Actor == "" {
				t.Fatalf("failed without a diagnosis: %+v %v", res.Diagnosis, res.Err)
			}
			var pe *providers.Error
			if !errors.As(res.Err, &pe) {
				t.Fatalf("Err %v is no *providers.Error", res.Err)
			}
		}
		out := strings.Join(res.Transcript, "\n") + fmt.Sprint(res.Err)
		if res.Diagnosis != nil {
			out += res.Diagnosis.Reply + fmt.Sprint(res.Diagnosis.Args)
		}
		if strings.Contains(out, testPassword) || strings.Contains(out, testToken) {
			t.Fatalf("secret in the output:\n%s", out)
		}
		if strings.ContainsAny(out, "\x00\x1b\r") {
			t.Fatalf("control characters in the output: %q", out)
		}
	})
}
