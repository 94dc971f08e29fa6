package smtp_test

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/providers/smtp"
	"github.com/jobmail/jobmail/providers/smtp/smtptest"
	"github.com/jobmail/jobmail/secrets"
)

func smtpErr(code int, enh gosmtp.EnhancedCode, text string) *gosmtp.SMTPError {
	return &gosmtp.SMTPError{Code: code, EnhancedCode: enh, Message: text}
}

// failCase is one failure driven by a real exchange.
type failCase struct {
	name    string
	setup   func(t *testing.T) smtp.Config
	timeout time.Duration  // ctx deadline; default 3 s
	cancel  time.Duration  // cancel ctx after this long, when set
	code    providers.Code // wanted diagnosis
	reply   string         // wanted verbatim reply; "-" means must be empty
	partial bool           // reply is what had arrived: a non-empty prefix of reply
	stage   providers.StageName
	args    map[string]string // wanted subset of Args
	field   string
	within  time.Duration // bound on Result.Duration; default 2 s
	noAuth  bool          // credentials must never have been sent
}

// serverCfg starts an in-process server and points a config at it.
func serverCfg(t *testing.T, o smtptest.Options, sec providers.Security) smtp.Config {
	t.Helper()
	pki := newPKI(t)
	if o.TLS == nil && sec != providers.SecurityNone {
		o.TLS = serverTLS(t, pki, smtptest.Leaf{})
	}
	srv := smtptest.NewServer(t, accounts(o))
	return cfgFor(srv.Host, srv.Port, sec, pki.Pool)
}

func rawCfg(t *testing.T, h func(net.Conn), sec providers.Security) smtp.Config {
	t.Helper()
	r := smtptest.NewRaw(t, h)
	cfg := cfgFor(r.Host, r.Port, sec, nil)
	if sec == providers.SecurityNone {
		cfg.Password = secrets.Secret{}
	}
	return cfg
}

// named serves a TLS server under a DNS name through the in-process DNS.
func named(t *testing.T, host string, leaf smtptest.Leaf, o smtptest.Options) smtp.Config {
	t.Helper()
	pki := newPKI(t)
	o.TLS = serverTLS(t, pki, leaf)
	srv := smtptest.NewServer(t, accounts(o))
	cfg := cfgFor(host, srv.Port, providers.SecurityStartTLS, pki.Pool)
	cfg.Resolver = smtptest.NewResolver(t, map[string]string{host: "127.0.0.1"})
	return cfg
}

func oauth(cfg smtp.Config, token string) smtp.Config {
	cfg.Password, cfg.OAuthToken = secrets.Secret{}, secrets.New(token)
	return cfg
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	return port
}

func failCases() []failCase {
	const ehloAuth = "250-mail.test\n250-AUTH PLAIN LOGIN XOAUTH2\n250 8BITMIME"
	none := providers.SecurityNone
	starttls := providers.SecurityStartTLS
	return []failCase{
		{name: "dns.no_such_host", code: providers.CodeDNSNoSuchHost, stage: "resolve", reply: "-", field: "smtp.host",
			setup: func(t *testing.T) smtp.Config {
				cfg := cfgFor("nosuch.test", 587, starttls, nil)
				cfg.Resolver = smtptest.NewResolver(t, map[string]string{"mail.test": "127.0.0.1"})
				return cfg
			}},
		{name: "net.refused", code: providers.CodeNetRefused, stage: "connect", reply: "-", field: "smtp.port",
			setup: func(t *testing.T) smtp.Config { return cfgFor("127.0.0.1", freePort(t), starttls, nil) }},
		{name: "net.timeout no SYN-ACK", code: providers.CodeNetTimeout, stage: "connect", timeout: 300 * time.Millisecond,
			setup: func(t *testing.T) smtp.Config {
				host, port, _ := net.SplitHostPort(smtptest.Blackhole(t))
				p, _ := strconv.Atoi(port)
				return cfgFor(host, p, starttls, nil)
			}},
		{name: "net.timeout server silent after greeting", code: providers.CodeNetTimeout, stage: "ehlo", timeout: 300 * time.Millisecond,
			setup: func(t *testing.T) smtp.Config {
				return rawCfg(t, smtptest.Scripted("220 mail.test ESMTP", smtptest.Rule{Prefix: "EHLO", Silent: true}), none)
			}},
		{name: "smtp.rejected 5xx greeting", code: providers.CodeSMTPRejected, stage: "greeting",
			reply: "554 5.7.1 mail.test ESMTP not accepting messages from 127.0.0.1",
			setup: func(t *testing.T) smtp.Config {
				return rawCfg(t, smtptest.Scripted("554 5.7.1 mail.test ESMTP not accepting messages from 127.0.0.1"), starttls)
			}},
		{name: "smtp.no_greeting starttls against smtps port", code: providers.CodeSMTPNoGreeting, stage: "greeting",
			timeout: 300 * time.Millisecond, reply: "-", field: "smtp.security",
			setup: func(t *testing.T) smtp.Config {
				return serverCfg(t, smtptest.Options{Implicit: true}, starttls)
			}},
		{name: "smtp.no_greeting starttls against smtps port, found by a quick look", code: providers.CodeSMTPNoGreeting,
			stage: "greeting", timeout: 10 * time.Second, reply: "-", field: "smtp.security",
			args: map[string]string{"implicit_tls": "true"},
			setup: func(t *testing.T) smtp.Config {
				return serverCfg(t, smtptest.Options{Implicit: true}, starttls)
			}},
		{name: "smtp.no_greeting drip-fed banner", code: providers.CodeSMTPNoGreeting, stage: "greeting",
			timeout: 350 * time.Millisecond, reply: "220 slow.test ESMTP", partial: true,
			setup: func(t *testing.T) smtp.Config {
				return rawCfg(t, smtptest.Drip("220 slow.test ESMTP\r\n", 50*time.Millisecond), none)
			}},
		{name: "tls.not_tls smtps against plaintext port", code: providers.CodeTLSNotTLS, stage: "tls", reply: "220 m",
			setup: func(t *testing.T) smtp.Config {
				return serverCfg(t, smtptest.Options{}, providers.SecuritySMTPS)
			}},
		{name: "tls.starttls_unsupported", code: providers.CodeTLSStartTLSUnsupported, stage: "tls", noAuth: true,
			reply: "250-Hello [127.0.0.1]\n250-PIPELINING\n250-8BITMIME\n250-ENHANCEDSTATUSCODES\n250-CHUNKING\n250-AUTH PLAIN LOGIN CRAM-MD5 XOAUTH2 OAUTHBEARER\n250-SMTPUTF8\n250 SIZE",
			setup: func(t *testing.T) smtp.Config {
				srv := smtptest.NewServer(t, accounts(smtptest.Options{AllowInsecureAuth: true}))
				return cfgFor(srv.Host, srv.Port, starttls, nil)
			}},
		{name: "tls.untrusted_cert self-signed", code: providers.CodeTLSUntrustedCert, stage: "tls", field: "smtp.ca_file",
			args: map[string]string{"self_signed": "true"},
			setup: func(t *testing.T) smtp.Config {
				return serverCfg(t, smtptest.Options{TLS: serverTLS(t, newPKI(t), smtptest.Leaf{SelfSigned: true})}, starttls)
			}},
		{name: "tls.untrusted_cert unknown CA", code: providers.CodeTLSUntrustedCert, stage: "tls",
			args: map[string]string{"self_signed": "false"},
			setup: func(t *testing.T) smtp.Config {
				return serverCfg(t, smtptest.Options{TLS: serverTLS(t, newPKI(t), smtptest.Leaf{})}, starttls)
			}},
		{name: "tls.untrusted_cert CA file of another CA, then system roots", code: providers.CodeTLSUntrustedCert, stage: "tls",
			setup: func(t *testing.T) smtp.Config {
				cfg := serverCfg(t, smtptest.Options{}, starttls)
				other, err := newPKI(t).WriteCA(t.TempDir())
				if err != nil {
					t.Fatal(err)
				}
				cfg.RootCAs, cfg.CAFile = nil, other
				return cfg
			}},
		{name: "tls.hostname_mismatch", code: providers.CodeTLSHostnameMismatch, stage: "tls", field: "smtp.host",
			args: map[string]string{"names": "other.test, mx.other.test", "host": "mail.test"},
			setup: func(t *testing.T) smtp.Config {
				return named(t, "mail.test", smtptest.Leaf{Names: []string{"other.test", "mx.other.test"}}, smtptest.Options{})
			}},
		{name: "tls.expired_cert", code: providers.CodeTLSExpiredCert, stage: "tls",
			args: map[string]string{"reason": "expired", "not_after": "2024-03-01"},
			setup: func(t *testing.T) smtp.Config {
				return named(t, "mail.test", smtptest.Leaf{Names: []string{"mail.test"},
					NotBefore: date(2023, 3, 1), NotAfter: date(2024, 3, 1)}, smtptest.Options{})
			}},
		{name: "tls.expired_cert not yet valid", code: providers.CodeTLSExpiredCert, stage: "tls",
			args: map[string]string{"reason": "not_yet_valid", "not_before": "2099-01-01"},
			setup: func(t *testing.T) smtp.Config {
				return named(t, "mail.test", smtptest.Leaf{Names: []string{"mail.test"},
					NotBefore: date(2099, 1, 1), NotAfter: date(2100, 1, 1)}, smtptest.Options{})
			}},
		{name: "tls.protocol TLS 1.0 only server", code: providers.CodeTLSProtocol, stage: "tls",
			setup: func(t *testing.T) smtp.Config {
				c := serverTLS(t, newPKI(t), smtptest.Leaf{})
				c.MinVersion, c.MaxVersion = tls.VersionTLS10, tls.VersionTLS10
				return rawCfg(t, smtptest.TLSFirst(c, smtptest.Scripted("220 old.test")), providers.SecuritySMTPS)
			}},
		{name: "tls.protocol 421 4.7.66", code: providers.CodeTLSProtocol, stage: "ehlo",
			reply: "421 4.7.66 TLS 1.0 and 1.1 are not supported. Please upgrade/update your client to support TLS 1.2.",
			setup: func(t *testing.T) smtp.Config {
				return serverCfg(t, smtptest.Options{HelloError: func(tls bool) *gosmtp.SMTPError {
					if !tls {
						return nil
					}
					return smtpErr(421, gosmtp.EnhancedCode{4, 7, 66}, "TLS 1.0 and 1.1 are not supported. Please upgrade/update your client to support TLS 1.2.")
				}}, starttls)
			}},
		{name: "auth.rejected wrong password", code: providers.CodeAuthRejected, stage: "auth", field: "smtp.password",
			reply: "535 5.7.8 Error: authentication failed",
			setup: func(t *testing.T) smtp.Config {
				cfg := serverCfg(t, smtptest.Options{}, starttls)
				cfg.Password = secrets.New("wrong-password")
				return cfg
			}},
		{name: "auth.rejected 535 5.7.3 with a password", code: providers.CodeAuthRejected, stage: "auth",
			reply: "535 5.7.3 Authentication unsuccessful",
			setup: func(t *testing.T) smtp.Config {
				return serverCfg(t, smtptest.Options{AuthError: smtpErr(535, gosmtp.EnhancedCode{5, 7, 3}, "Authentication unsuccessful")}, starttls)
			}},
		{name: "auth.smtp_auth_disabled 5.7.139", code: providers.CodeAuthSMTPAuthDisabled, stage: "auth", field: "channel",
			reply: "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.",
			setup: func(t *testing.T) smtp.Config {
				return serverCfg(t, smtptest.Options{AuthError: smtpErr(535, gosmtp.EnhancedCode{5, 7, 139},
					"Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.")}, starttls)
			}},
		{name: "auth.smtp_auth_disabled microsoft PLAIN and LOGIN rejected", code: providers.CodeAuthSMTPAuthDisabled, stage: "auth",
			reply: "535 5.7.3 Authentication unsuccessful", args: map[string]string{"mechanisms": "PLAIN,LOGIN"},
			setup: func(t *testing.T) smtp.Config {
				return named(t, "smtp.office365.com", smtptest.Leaf{Names: []string{"smtp.office365.com"}},
					smtptest.Options{AuthError: smtpErr(535, gosmtp.EnhancedCode{5, 7, 3}, "Authentication unsuccessful")})
			}},
		{name: "auth.basic_auth_blocked", code: providers.CodeAuthBasicAuthBlocked, stage: "auth",
			reply: "550 5.7.30 Basic authentication is not supported for Client Submission.",
			setup: func(t *testing.T) smtp.Config {
				return serverCfg(t, smtptest.Options{AuthError: smtpErr(550, gosmtp.EnhancedCode{5, 7, 30},
					"Basic authentication is not supported for Client Submission.")}, starttls)
			}},
		{name: "auth.token_rejected bogus token", code: providers.CodeAuthTokenRejected, stage: "auth",
			reply: "535 5.7.8 Error: authentication failed\n" + smtptest.DefaultOAuthChallenge,
			args:  map[string]string{"status": "401", "mechanism": "XOAUTH2"},
			setup: func(t *testing.T) smtp.Config {
				return oauth(serverCfg(t, smtptest.Options{}, starttls), "bogus-token")
			}},
		{name: "auth.token_rejected 535 5.7.3", code: providers.CodeAuthTokenRejected, stage: "auth",
			reply: "535 5.7.3 Authentication unsuccessful\n" + smtptest.DefaultOAuthChallenge,
			setup: func(t *testing.T) smtp.Config {
				return oauth(serverCfg(t, smtptest.Options{AuthError: smtpErr(535, gosmtp.EnhancedCode{5, 7, 3}, "Authentication unsuccessful")}, starttls), testToken)
			}},
		{name: "auth.app_password_required", code: providers.CodeAuthAppPassword, stage: "auth",
			reply: "534 5.7.9 Application-specific password required. For more information, go to https://support.google.com/mail/?p=InvalidSecondFactor",
			setup: func(t *testing.T) smtp.Config {
				return serverCfg(t, smtptest.Options{AuthError: smtpErr(534, gosmtp.EnhancedCode{5, 7, 9},
					"Application-specific password required. For more information, go to https://support.google.com/mail/?p=InvalidSecondFactor")}, starttls)
			}},
		{name: "auth.web_login_required", code: providers.CodeAuthWebLogin, stage: "auth",
			reply: "534 5.7.14 Please log in via your web browser and then try again.",
			setup: func(t *testing.T) smtp.Config {
				return serverCfg(t, smtptest.Options{AuthError: smtpErr(534, gosmtp.EnhancedCode{5, 7, 14},
					"Please log in via your web browser and then try again.")}, starttls)
			}},
		{name: "auth.mechanism_unsupported none common", code: providers.CodeAuthMechanism, stage: "auth", reply: "-",
			args: map[string]string{"offered": "GSSAPI KERBEROS_V4"},
			setup: func(t *testing.T) smtp.Config {
				return serverCfg(t, smtptest.Options{Mechanisms: []string{"GSSAPI", "KERBEROS_V4"}}, starttls)
			}},
		{name: "auth.mechanism_unsupported 504", code: providers.CodeAuthMechanism, stage: "auth",
			reply: "504 5.7.4 Unrecognized authentication type",
			setup: func(t *testing.T) smtp.Config {
				cfg := rawCfg(t, smtptest.Scripted("220 mail.test ESMTP", smtptest.Rule{Prefix: "EHLO", Reply: ehloAuth},
					smtptest.Rule{Prefix: "AUTH", Reply: "504 5.7.4 Unrecognized authentication type"}), none)
				cfg.AllowInsecure = true
				return oauth(cfg, testToken)
			}},
		{name: "auth.tls_required AUTH hidden before TLS", code: providers.CodeAuthTLSRequired, stage: "auth", field: "smtp.security",
			setup: func(t *testing.T) smtp.Config {
				cfg := serverCfg(t, smtptest.Options{TLS: serverTLS(t, newPKI(t), smtptest.Leaf{})}, none)
				cfg.AllowInsecure = true
				return cfg
			}},
		{name: "auth.tls_required 530 on MAIL", code: providers.CodeAuthTLSRequired, stage: "mail",
			reply: "530 5.7.0 Must issue a STARTTLS command first",
			setup: func(t *testing.T) smtp.Config {
				cfg := serverCfg(t, smtptest.Options{MailError: smtpErr(530, gosmtp.EnhancedCode{5, 7, 0}, "Must issue a STARTTLS command first")}, none)
				cfg.Password = secrets.Secret{}
				return cfg
			}},
		{name: "auth.tls_required 538", code: providers.CodeAuthTLSRequired, stage: "auth",
			reply: "538 5.7.11 Encryption required for requested authentication mechanism",
			setup: func(t *testing.T) smtp.Config {
				cfg := rawCfg(t, smtptest.Scripted("220 mail.test ESMTP", smtptest.Rule{Prefix: "EHLO", Reply: ehloAuth},
					smtptest.Rule{Prefix: "AUTH", Reply: "538 5.7.11 Encryption required for requested authentication mechanism"}), none)
				cfg.Password, cfg.AllowInsecure = secrets.New(testPassword), true
				return cfg
			}},
		{name: "send.sender_rejected not owned", code: providers.CodeSendSenderRejected, stage: "mail", field: "smtp.username",
			reply: "553 5.7.1 <jobs@example.test>: Sender address rejected: not owned by user other@example.test",
			setup: func(t *testing.T) smtp.Config {
				return serverCfg(t, smtptest.Options{MailError: smtpErr(553, gosmtp.EnhancedCode{5, 7, 1},
					"<jobs@example.test>: Sender address rejected: not owned by user other@example.test")}, starttls)
			}},
		{name: "send.sender_rejected 5.7.60 after DATA", code: providers.CodeSendSenderRejected, stage: "data",
			reply: "550 5.7.60 SMTP; Client does not have permissions to send as this sender",
			setup: func(t *testing.T) smtp.Config {
				return serverCfg(t, smtptest.Options{DataError: smtpErr(550, gosmtp.EnhancedCode{5, 7, 60},
					"SMTP; Client does not have permissions to send as this sender")}, starttls)
			}},
		{name: "send.recipient_rejected", code: providers.CodeSendRecipientRejected, stage: "rcpt", field: "address",
			reply: "550 5.1.1 <jobs@example.test>: Recipient address rejected: User unknown in virtual mailbox table",
			setup: func(t *testing.T) smtp.Config {
				return serverCfg(t, smtptest.Options{RcptError: smtpErr(550, gosmtp.EnhancedCode{5, 1, 1},
					"<jobs@example.test>: Recipient address rejected: User unknown in virtual mailbox table")}, starttls)
			}},
		{name: "send.relay_denied", code: providers.CodeSendRelayDenied, stage: "rcpt",
			reply: "554 5.7.1 <jobs@example.test>: Relay access denied",
			setup: func(t *testing.T) smtp.Config {
				return serverCfg(t, smtptest.Options{RcptError: smtpErr(554, gosmtp.EnhancedCode{5, 7, 1},
					"<jobs@example.test>: Relay access denied")}, starttls)
			}},
		{name: "send.message_rejected 5.7.520", code: providers.CodeSendMessageRejected, stage: "data",
			reply: "550 5.7.520 Access denied, Your organization does not allow external forwarding.",
			setup: func(t *testing.T) smtp.Config {
				return serverCfg(t, smtptest.Options{DataError: smtpErr(550, gosmtp.EnhancedCode{5, 7, 520},
					"Access denied, Your organization does not allow external forwarding.")}, starttls)
			}},
		{name: "smtp.temporary greylisting", code: providers.CodeSMTPTemporary, stage: "rcpt",
			reply: "451 4.7.1 <jobs@example.test>: Recipient address rejected: Greylisted, try again in 300 seconds",
			setup: func(t *testing.T) smtp.Config {
				return serverCfg(t, smtptest.Options{RcptError: smtpErr(451, gosmtp.EnhancedCode{4, 7, 1},
					"<jobs@example.test>: Recipient address rejected: Greylisted, try again in 300 seconds")}, starttls)
			}},
		{name: "smtp.temporary 421 greeting", code: providers.CodeSMTPTemporary, stage: "greeting",
			reply: "421-4.3.2 Service not available\n421 try again later",
			setup: func(t *testing.T) smtp.Config {
				return rawCfg(t, smtptest.Scripted("421-4.3.2 Service not available\n421 try again later"), starttls)
			}},
		{name: "smtp.disconnected after MAIL", code: providers.CodeSMTPDisconnected, stage: "mail",
			setup: func(t *testing.T) smtp.Config {
				return rawCfg(t, smtptest.Scripted("220 mail.test ESMTP", smtptest.Rule{Prefix: "MAIL", Hangup: true}), none)
			}},
		{name: "smtp.disconnected during DATA", code: providers.CodeSMTPDisconnected, stage: "data",
			setup: func(t *testing.T) smtp.Config {
				return rawCfg(t, smtptest.Scripted("220 mail.test ESMTP", smtptest.Rule{Prefix: ".", Hangup: true}), none)
			}},
		{name: "smtp.protocol garbage greeting", code: providers.CodeSMTPProtocol, stage: "greeting",
			reply: "* OK [CAPABILITY IMAP4rev1] Dovecot ready.", args: map[string]string{"reason": "malformed_reply"},
			setup: func(t *testing.T) smtp.Config {
				return rawCfg(t, smtptest.Scripted("* OK [CAPABILITY IMAP4rev1] Dovecot ready."), none)
			}},
		{name: "smtp.protocol over-long reply line", code: providers.CodeSMTPProtocol, stage: "ehlo",
			args: map[string]string{"reason": "line_too_long"},
			setup: func(t *testing.T) smtp.Config {
				return rawCfg(t, smtptest.Scripted("220 mail.test", smtptest.Rule{Prefix: "EHLO", Reply: "250 " + strings.Repeat("x", 100000)}), none)
			}},
		{name: "smtp.protocol endless 334", code: providers.CodeSMTPProtocol, stage: "auth",
			args: map[string]string{"reason": "auth_loop"},
			setup: func(t *testing.T) smtp.Config {
				cfg := rawCfg(t, smtptest.Scripted("220 mail.test ESMTP", smtptest.Rule{Prefix: "EHLO", Reply: ehloAuth},
					smtptest.Rule{Prefix: "", Reply: "334 eyJzdGF0dXMiOiI0MDAifQ=="}), none)
				cfg.AllowInsecure = true
				return oauth(cfg, testToken)
			}},
		{name: "run.canceled", code: providers.CodeCanceled, stage: "greeting", timeout: 10 * time.Second, cancel: 100 * time.Millisecond,
			setup: func(t *testing.T) smtp.Config { return rawCfg(t, smtptest.Silent, starttls) }},
		{name: "config.unsupported_host", code: providers.CodeConfigUnsupportedHost, field: "smtp.host",
			args:  map[string]string{"alternative": "smtp.gmail.com"},
			setup: func(t *testing.T) smtp.Config { return cfgFor("smtp-relay.gmail.com", 587, starttls, nil) }},
		{name: "config.insecure", code: providers.CodeConfigInsecure, field: "smtp.security",
			setup: func(t *testing.T) smtp.Config {
				return serverCfg(t, smtptest.Options{AllowInsecureAuth: true}, none)
			}},
	}
}

// TestFailures drives each diagnosis code by a real exchange and checks the
// code, the server's verbatim words, the stage that failed and the time.
func TestFailures(t *testing.T) {
	t.Parallel()
	for _, tc := range failCases() {
		for _, way := range ways {
			t.Run(tc.name+"/"+way, func(t *testing.T) {
				t.Parallel()
				cfg := tc.setup(t)
				timeout := tc.timeout
				if timeout == 0 {
					timeout = 3 * time.Second
				}
				ctx, cancel := context.WithTimeout(context.Background(), timeout)
				defer cancel()
				if tc.cancel > 0 {
					stop := time.AfterFunc(tc.cancel, cancel)
					defer stop.Stop()
				}
				var events []providers.StageEvent
				res := testWay(ctx, way, cfg, testMessage(), func(e providers.StageEvent) { events = append(events, e) })
				checkEvents(t, events, res.Stages)
				d := res.Diagnosis
				t.Logf("took %v, diagnosis %+v, err %v", res.Duration, d, res.Err)
				if d == nil || res.OK() {
					t.Fatalf("test passed, want %s\n%s", tc.code, strings.Join(res.Transcript, "\n"))
				}
				if d.Code != tc.code {
					t.Fatalf("code = %s, want %s (err %v)\n%s", d.Code, tc.code, res.Err, strings.Join(res.Transcript, "\n"))
				}
				switch {
				case tc.partial:
					if d.Reply == "" || !strings.HasPrefix(tc.reply, d.Reply) {
						t.Errorf("reply = %q, want a prefix of %q", d.Reply, tc.reply)
					}
				case tc.reply == "":
				case tc.reply == "-":
					if d.Reply != "" {
						t.Errorf("reply = %q, want none", d.Reply)
					}
				default:
					if d.Reply != tc.reply {
						t.Errorf("reply = %q\nwant    %q", d.Reply, tc.reply)
					}
				}
				if tc.stage == "" {
					if len(res.Stages) != 0 {
						t.Errorf("refused config still ran stages %v", stageNames(res))
					}
				} else {
					last := res.Stages[len(res.Stages)-1]
					if last.Name != tc.stage || last.OK {
						t.Errorf("failed stage = %+v, want %s not ok (stages %v)", last, tc.stage, stageNames(res))
					}
					for _, s := range res.Stages[:len(res.Stages)-1] {
						if !s.OK {
							t.Errorf("earlier stage %s not ok", s.Name)
						}
					}
				}
				for k, v := range tc.args {
					if d.Args[k] != v {
						t.Errorf("arg %s = %q, want %q (args %v)", k, d.Args[k], v, d.Args)
					}
				}
				if tc.noAuth && strings.Contains(strings.Join(res.Transcript, "\n"), "C: AUTH") {
					t.Errorf("credentials sent:\n%s", strings.Join(res.Transcript, "\n"))
				}
				if tc.field != "" && d.Field != tc.field {
					t.Errorf("field = %q, want %q", d.Field, tc.field)
				}
				if d.Actor == "" {
					t.Error("no actor")
				}
				within := tc.within
				if within == 0 {
					// Generous slack: 40-odd parallel cases share a small,
					// busy machine under -race. What matters is that a silent
					// or dripping server ends at the deadline, not at the
					// 30 s default or never.
					within = 2 * time.Second
					if tc.timeout > 0 && tc.timeout < 5*time.Second {
						within = tc.timeout + time.Second
					}
				}
				if res.Duration > within {
					t.Errorf("took %v, bound %v", res.Duration, within)
				}
				var pe *providers.Error
				if !errors.As(res.Err, &pe) || pe.Code != tc.code {
					t.Errorf("Err = %v, want a *providers.Error with %s", res.Err, tc.code)
				}
			})
		}
	}
}

// TestCodesCovered checks that the table drives every code the SMTP
// channel can produce.
func TestCodesCovered(t *testing.T) {
	seen := map[providers.Code]bool{}
	for _, tc := range failCases() {
		seen[tc.code] = true
	}
	for _, c := range []providers.Code{
		"dns.no_such_host", "net.refused", "net.timeout", "smtp.rejected", "smtp.no_greeting", "tls.not_tls",
		"tls.starttls_unsupported", "tls.untrusted_cert", "tls.hostname_mismatch", "tls.expired_cert", "tls.protocol",
		"auth.rejected", "auth.smtp_auth_disabled", "auth.basic_auth_blocked", "auth.token_rejected",
		"auth.app_password_required", "auth.web_login_required", "auth.mechanism_unsupported", "auth.tls_required",
		"send.sender_rejected", "send.recipient_rejected", "send.relay_denied", "send.message_rejected",
		"smtp.temporary", "smtp.disconnected", "smtp.protocol", "run.canceled", "config.unsupported_host", "config.insecure",
	} {
		if !seen[c] {
			t.Errorf("no failure case drives %s", c)
		}
	}
}

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
