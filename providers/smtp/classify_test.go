package smtp

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/jobmail/jobmail/providers"
)

// Replies as real servers send them (Gmail, Microsoft 365, Postfix,
// Exchange), with what they must mean.
var replyCases = []struct {
	cmd, mech, reply string
	want             providers.Code
}{
	{cmdGreeting, "", "554 5.7.1 mail.example.com ESMTP not accepting messages", providers.CodeSMTPRejected},
	{cmdGreeting, "", "554 No SMTP service here", providers.CodeSMTPRejected},
	{cmdGreeting, "", "421 4.3.2 Service shutting down", providers.CodeSMTPTemporary},
	{cmdEHLO, "", "550 5.7.1 Client host rejected: cannot find your hostname", providers.CodeSMTPIPBlocked},
	{cmdEHLO, "", "421 4.7.66 TLS 1.0 and 1.1 are not supported. Please upgrade/update your client to support TLS 1.2.", providers.CodeTLSProtocol},
	{cmdSTARTTLS, "", "502 5.5.1 STARTTLS not available", providers.CodeTLSStartTLSUnsupported},
	{cmdSTARTTLS, "", "454 4.7.0 TLS not available due to local problem", providers.CodeSMTPTemporary},
	{cmdAUTH, "PLAIN", "535 5.7.8 Username and Password not accepted. For more information, go to\n535 5.7.8  https://support.google.com/mail/?p=BadCredentials", providers.CodeAuthRejected},
	{cmdAUTH, "LOGIN", "535 5.7.3 Authentication unsuccessful [AM0PR02CA0001.eurprd02.prod.outlook.com]", providers.CodeAuthRejected},
	{cmdAUTH, "", "535 5.7.3 Authentication unsuccessful", providers.CodeAuthTokenRejected},
	{cmdAUTH, "XOAUTH2", "535 5.7.3 Authentication unsuccessful", providers.CodeAuthTokenRejected},
	{cmdAUTH, "XOAUTH2", "535 5.7.8 Username and Password not accepted", providers.CodeAuthTokenRejected},
	{cmdAUTH, "LOGIN", "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information.", providers.CodeAuthSMTPAuthDisabled},
	{cmdAUTH, "LOGIN", "535 5.7.139 Authentication unsuccessful, basic authentication is disabled.", providers.CodeAuthBasicAuthBlocked},
	{cmdAUTH, "LOGIN", "535 5.7.139 Authentication unsuccessful, the user credentials were incorrect.", providers.CodeAuthRejected},
	{cmdAUTH, "XOAUTH2", "535 5.7.139 Authentication unsuccessful, the user credentials were incorrect.", providers.CodeAuthSMTPAuthDisabled}, // with OAuth, 5.7.139 is SMTP AUTH off (issue 17)
	{cmdAUTH, "XOAUTH2", "535 5.7.3 Authentication unsuccessful", providers.CodeAuthTokenRejected},
	{cmdAUTH, "LOGIN", "535 5.7.139 Authentication unsuccessful, the request did not meet the criteria to be authenticated successfully. Contact your administrator.", providers.CodeOAuthConditional},
	{cmdAUTH, "LOGIN", "535 5.7.139 Authentication unsuccessful, some words nobody has seen.", providers.CodeAuthSMTPAuthDisabled},
	{cmdAUTH, "PLAIN", "534 5.7.9 Please log in with your web browser and then try again.", providers.CodeAuthWebLogin},
	{cmdAUTH, "PLAIN", "534 5.7.9 Some other words.", providers.CodeAuthAppPassword},
	{cmdAUTH, "PLAIN", "454 4.7.0 Too many login attempts, please try again later.", providers.CodeAuthRateLimited},
	{cmdRCPT, "", "450 4.7.25 Client host rejected: cannot find your hostname, [192.0.2.22]", providers.CodeSMTPIPBlocked},
	{cmdMessage, "", "550 5.4.5 Daily user sending quota exceeded.", providers.CodeSendQuotaExceeded},
	{cmdMessage, "", "552 5.3.4 Message size exceeds fixed limit", providers.CodeSendMessageTooLarge},
	{cmdMessage, "", "552 5.3.4 nothing said", providers.CodeSendMessageTooLarge},
	{cmdMessage, "", "554 5.2.0 STOREDRV.Submission.Exception:OutboundSpamException; Failed to process message", providers.CodeSendAccountRestricted},
	{cmdMAIL, "", "530 5.7.1 Client was not authenticated", providers.CodeAuthNotOffered},
	{cmdAUTH, "PLAIN", "503 5.5.1 Error: authentication not enabled", providers.CodeAuthNotOffered},
	{cmdAUTH, "LOGIN", "550 5.7.30 Basic authentication is not supported for Client Submission.", providers.CodeAuthBasicAuthBlocked},
	{cmdAUTH, "PLAIN", "534-5.7.9 Application-specific password required. Learn more at\n534 5.7.9  https://support.google.com/mail/?p=InvalidSecondFactor", providers.CodeAuthAppPassword},
	{cmdAUTH, "PLAIN", "534-5.7.14 <https://accounts.google.com/signin/continue?...>\n534 5.7.14 Please log in via your web browser and then try again.", providers.CodeAuthWebLogin},
	{cmdAUTH, "XOAUTH2", "504 5.7.4 Unrecognized authentication type", providers.CodeAuthMechanism},
	{cmdAUTH, "PLAIN", "504 5.5.4 Unrecognized authentication type", providers.CodeAuthMechanism},
	{cmdAUTH, "PLAIN", "530 5.7.0 Must issue a STARTTLS command first", providers.CodeAuthTLSRequired},
	{cmdAUTH, "PLAIN", "538 5.7.11 Encryption required for requested authentication mechanism", providers.CodeAuthTLSRequired},
	{cmdAUTH, "PLAIN", "523 5.7.10 Encryption Needed", providers.CodeAuthTLSRequired},
	{cmdAUTH, "PLAIN", "454 4.7.0 Temporary authentication failure", providers.CodeSMTPTemporary},
	{cmdMAIL, "", "530 5.7.0 Must issue a STARTTLS command first", providers.CodeAuthTLSRequired},
	{cmdMAIL, "", "530 5.7.57 Client not authenticated to send mail. [BN8NAM12FT003.eop-nam12.prod.protection.outlook.com]", providers.CodeSendRelayDenied},
	{cmdMAIL, "", "553 5.7.1 <jobs@acme.de>: Sender address rejected: not owned by user hr@acme.de", providers.CodeSendSenderRejected},
	{cmdMAIL, "", "550 5.1.7 Invalid sender address", providers.CodeSendSenderRejected},
	{cmdRCPT, "", "553 5.7.1 <jobs@acme.de>: Sender address rejected: not owned by user hr@acme.de", providers.CodeSendSenderRejected},
	{cmdRCPT, "", "550 5.1.1 <x@acme.de>: Recipient address rejected: User unknown in relay recipient table", providers.CodeSendRecipientRejected},
	{cmdRCPT, "", "550-5.1.1 The email account that you tried to reach does not exist.\n550 5.1.1  https://support.google.com/mail/?p=NoSuchUser", providers.CodeSendRecipientRejected},
	{cmdRCPT, "", "554 5.7.1 <x@other.de>: Relay access denied", providers.CodeSendRelayDenied},
	{cmdRCPT, "", "550 5.7.54 SMTP; Unable to relay recipient in non-accepted domain", providers.CodeSendRelayDenied},
	{cmdRCPT, "", "450 4.2.0 <x@acme.de>: Recipient address rejected: Greylisted", providers.CodeSMTPTemporary},
	{cmdRCPT, "", "452 4.5.3 Too many recipients", providers.CodeSMTPTemporary},
	{cmdDATA, "", "554 5.5.1 Error: no valid recipients", providers.CodeSendMessageRejected},
	{cmdMessage, "", "550 5.7.520 Access denied, Your organization does not allow external forwarding. Please contact your administrator for further assistance. AS(7555)", providers.CodeSendMessageRejected},
	{cmdMessage, "", "554 5.2.0 STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied; Failed to process message due to a permanent exception", providers.CodeSendSenderRejected},
	{cmdMessage, "", "550 5.7.60 SMTP; Client does not have permissions to send as this sender.", providers.CodeSendSenderRejected},
	{cmdMessage, "", "451 4.3.0 Error: queue file write error", providers.CodeSMTPTemporary},
	{cmdMessage, "", "250 2.0.0 Ok: queued as 4F1A2", providers.CodeSMTPProtocol},
}

func TestClassifyReplies(t *testing.T) {
	for _, c := range replyCases {
		t.Run(c.cmd+" "+c.reply, func(t *testing.T) {
			lines := strings.Split(c.reply, "\n")
			code, _, ok := parseReplyLine(lines[0])
			if !ok {
				t.Fatalf("bad case %q", c.reply)
			}
			e := &ReplyError{Command: c.cmd, Mechanism: c.mech, Code: code, Lines: lines}
			d := classifyErr(e, time.Now())
			if d.Code != c.want {
				t.Errorf("code = %s, want %s", d.Code, c.want)
			}
			if d.Reply != c.reply {
				t.Errorf("reply = %q, want verbatim %q", d.Reply, c.reply)
			}
			if d.Actor == "" {
				t.Error("no actor")
			}
		})
	}
}

func TestClassifyErrors(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want providers.Code
	}{
		{"canceled", fmt.Errorf("send: %w", context.Canceled), providers.CodeCanceled},
		{"deadline", context.DeadlineExceeded, providers.CodeNetTimeout},
		{"refused", &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}, providers.CodeNetRefused},
		{"reset", &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}, providers.CodeSMTPDisconnected},
		{"eof", fmt.Errorf("read greeting: %w", io.EOF), providers.CodeSMTPDisconnected},
		{"unreachable", &net.OpError{Op: "dial", Err: syscall.EHOSTUNREACH}, providers.CodeNetTimeout},
		{"dns", &net.DNSError{Err: "no such host", Name: "x.test", IsNotFound: true}, providers.CodeDNSNoSuchHost},
		{"dns timeout", &net.DNSError{Err: "timeout", Name: "x.test", IsTimeout: true}, providers.CodeNetTimeout},
		{"not tls", tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"}, providers.CodeTLSNotTLS},
		{"alert", errors.New("remote error: tls: handshake failure"), providers.CodeTLSProtocol},
		{"textproto 535", &textproto.Error{Code: 535, Msg: "5.7.8 Error: authentication failed"}, providers.CodeAuthRejected},
		{"textproto 5.7.139", &textproto.Error{Code: 535, Msg: "5.7.139 Authentication unsuccessful"}, providers.CodeAuthSMTPAuthDisabled},
		{"protocol", &ProtocolError{Reason: "malformed_reply", Line: "HTTP/1.1 400"}, providers.CodeSMTPProtocol},
		{"diagnosed", &providers.Error{Diagnosis: providers.Diagnosis{Code: providers.CodeConfigInsecure}}, providers.CodeConfigInsecure},
		{"greeting timeout", &ioError{Op: "greeting", Err: &net.OpError{Op: "read", Err: errTimeout{}}}, providers.CodeSMTPNoGreeting},
		{"handshake eof", &ioError{Op: "handshake", Err: io.EOF}, providers.CodeTLSProtocol},
		{"other", errors.New("something else"), providers.CodeUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := classifyErr(tt.err, time.Now()); got.Code != tt.want {
				t.Errorf("classifyErr(%v) = %s, want %s", tt.err, got.Code, tt.want)
			}
		})
	}
}

type errTimeout struct{}

func (errTimeout) Error() string   { return "i/o timeout" }
func (errTimeout) Timeout() bool   { return true }
func (errTimeout) Temporary() bool { return true }

var fuzzCommands = []string{cmdGreeting, cmdEHLO, cmdSTARTTLS, cmdAUTH, cmdMAIL, cmdRCPT, cmdDATA, cmdMessage, cmdQUIT, ""}

// FuzzDiagnoseReply feeds arbitrary server text to the reply classifier:
// it must never panic, always return a known code with an actor, keep a
// well-formed reply verbatim and call anything else smtp.protocol.
func FuzzDiagnoseReply(f *testing.F) {
	for _, c := range replyCases {
		f.Add(uint8(slices.Index(fuzzCommands, c.cmd)), c.reply)
	}
	for _, r := range corpusSeeds(f) {
		f.Add(uint8(slices.Index(fuzzCommands, r[0])), r[1])
	}
	f.Add(uint8(0), "")
	f.Add(uint8(3), "334 ")
	f.Add(uint8(1), "250-first\r\n250 last\r\n")
	f.Add(uint8(2), "99 short")
	f.Fuzz(func(t *testing.T, cmd uint8, raw string) {
		d := diagnoseReply(fuzzCommands[int(cmd)%len(fuzzCommands)], raw)
		if !slices.Contains(providers.AllCodes, d.Code) {
			t.Fatalf("unknown code %q for %q", d.Code, raw)
		}
		if d.Actor == "" {
			t.Fatalf("no actor for %q", raw)
		}
		norm := strings.TrimRight(strings.ReplaceAll(raw, "\r\n", "\n"), "\n")
		if d.Code != providers.CodeSMTPProtocol && d.Reply != norm {
			t.Fatalf("reply %q not verbatim %q", d.Reply, norm)
		}
		if code, _, ok := parseReplyLine(norm); ok && code < 400 && d.Code != providers.CodeSMTPProtocol {
			t.Fatalf("success reply %q classified %s", raw, d.Code)
		}
	})
}

// corpusSeeds are the real replies of testdata/replies/corpus.yaml as
// (command, reply) pairs.
func corpusSeeds(tb testing.TB) [][2]string {
	tb.Helper()
	data, err := os.ReadFile("testdata/replies/corpus.yaml")
	if err != nil {
		tb.Fatal(err)
	}
	var c struct {
		Replies []struct {
			Stage string `yaml:"stage"`
			Reply string `yaml:"reply"`
		} `yaml:"replies"`
	}
	if err := yaml.Unmarshal(data, &c); err != nil {
		tb.Fatal(err)
	}
	cmds := map[string]string{"greeting": cmdGreeting, "ehlo": cmdEHLO, "auth": cmdAUTH, "mail": cmdMAIL, "rcpt": cmdRCPT, "data": cmdMessage}
	var out [][2]string
	for _, r := range c.Replies {
		out = append(out, [2]string{cmds[r.Stage], r.Reply})
	}
	return out
}
