package smtp

import (
	"regexp"
	"strings"
	"sync"

	"github.com/jobmail/jobmail/providers"
)

// codeMeta says, per code, who must act and which setup key fixes it.
var codeMeta = table[providers.Code, meta]{
	{providers.CodeDNSNoSuchHost, meta{providers.ActorUser, FieldHost}},
	{providers.CodeNetRefused, meta{providers.ActorUser, FieldPort}},
	{providers.CodeNetTimeout, meta{providers.ActorUser, FieldPort}},
	{providers.CodeSMTPRejected, meta{providers.ActorMailAdmin, ""}},
	{providers.CodeSMTPNoGreeting, meta{providers.ActorUser, FieldSecurity}},
	{providers.CodeTLSNotTLS, meta{providers.ActorUser, FieldSecurity}},
	{providers.CodeTLSStartTLSUnsupported, meta{providers.ActorMailAdmin, FieldSecurity}},
	{providers.CodeTLSUntrustedCert, meta{providers.ActorUser, FieldCAFile}},
	{providers.CodeTLSHostnameMismatch, meta{providers.ActorUser, FieldHost}},
	{providers.CodeTLSExpiredCert, meta{providers.ActorMailAdmin, ""}},
	{providers.CodeTLSProtocol, meta{providers.ActorMailAdmin, FieldSecurity}},
	{providers.CodeAuthRejected, meta{providers.ActorUser, FieldPassword}},
	{providers.CodeAuthSMTPAuthDisabled, meta{providers.ActorMailAdmin, FieldChannel}},
	{providers.CodeAuthBasicAuthBlocked, meta{providers.ActorMailAdmin, FieldChannel}},
	{providers.CodeAuthTokenRejected, meta{providers.ActorUser, ""}},
	{providers.CodeAuthAppPassword, meta{providers.ActorUser, FieldChannel}},
	{providers.CodeAuthWebLogin, meta{providers.ActorUser, FieldChannel}},
	{providers.CodeAuthMechanism, meta{providers.ActorMailAdmin, ""}},
	{providers.CodeAuthTLSRequired, meta{providers.ActorUser, FieldSecurity}},
	{providers.CodeSendSenderRejected, meta{providers.ActorUser, FieldUsername}},
	{providers.CodeSendRecipientRejected, meta{providers.ActorUser, FieldAddress}},
	{providers.CodeSendRelayDenied, meta{providers.ActorUser, FieldUsername}},
	{providers.CodeSendMessageRejected, meta{providers.ActorMailAdmin, ""}},
	{providers.CodeSMTPTemporary, meta{providers.ActorUser, ""}},
	{providers.CodeSMTPDisconnected, meta{providers.ActorUser, ""}},
	{providers.CodeSMTPProtocol, meta{providers.ActorUser, FieldPort}},
	{providers.CodeSMTPIPBlocked, meta{providers.ActorMailAdmin, ""}},
	{providers.CodeSendQuotaExceeded, meta{providers.ActorUser, ""}},
	{providers.CodeSendAccountRestricted, meta{providers.ActorMailAdmin, ""}},
	{providers.CodeSendMessageTooLarge, meta{providers.ActorMailAdmin, ""}},
	{providers.CodeAuthRateLimited, meta{providers.ActorUser, FieldPassword}},
	{providers.CodeAuthNotOffered, meta{providers.ActorUser, FieldPort}},
	{providers.CodeOAuthConditional, meta{providers.ActorMailAdmin, ""}},
	{providers.CodeCanceled, meta{providers.ActorUser, ""}},
	{providers.CodeUnknown, meta{providers.ActorUser, ""}},
}

// meta is a code's row of codeMeta.
type meta struct {
	actor providers.Actor
	field string
}

func diag(code providers.Code, reply string, args map[string]string) providers.Diagnosis {
	m, ok := codeMeta.get(code)
	if !ok {
		m.actor = providers.ActorUser
	}
	return providers.Diagnosis{Code: code, Reply: reply, Actor: m.actor, Field: m.field, Args: args}
}

var enhancedRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[245]\.\d{1,3}\.\d{1,3}$`) })

// enhancedCode finds the RFC 3463 code of a reply: servers put it on every
// line (Microsoft) or on the last one only (go-smtp, Postfix multi-line).
func enhancedCode(lines []string) string {
	for _, l := range lines {
		if len(l) < 5 {
			continue
		}
		tok, _, _ := strings.Cut(strings.TrimLeft(l[4:], " "), " ")
		if enhancedRe().MatchString(tok) {
			return tok
		}
	}
	return ""
}

func classifyReplyError(e *ReplyError) providers.Code {
	return judgeReply(e.Command, e.Mechanism, e.Code, e.Lines).code
}

func isOAuthMech(m string) bool { return m == "XOAUTH2" || m == "OAUTHBEARER" }

// judgement is a classified reply: its code and the arguments its words
// give the remedy (quote, link, cause, wait, limit…).
type judgement struct {
	code providers.Code
	args map[string]string
}

// judgeReply classifies the reply lines (codes included) answering cmd.
func judgeReply(cmd, mech string, code int, lines []string) judgement {
	text := strings.Join(lines, "\n")
	c, cause, at := classifyAt(cmd, mech, code, enhancedCode(lines), text)
	return judgement{code: c, args: replyArgs(c, cause, flatten(text), at)}
}

// classifyAt maps a refused reply to a code: the words first (wordRules),
// the enhanced status code second, the reply code and the command last,
// because 550 after MAIL, RCPT or DATA blames different things. cmd is
// what the reply answered (cmdGreeting, cmdAUTH, …; "" when unknown, as in
// an error from another client library); mech the SASL mechanism for AUTH,
// "" when unknown. It also returns the cause of a send.message_rejected
// and where in the flattened text the deciding words are (-1: none).
func classifyAt(cmd, mech string, code int, enh, text string) (providers.Code, string, int) {
	if enh != "" && int(enh[0]-'0') != code/100 {
		enh = "" // "250 5.7.139" is nonsense: trust the reply code
	}
	if cmd == "" && (code == 534 || code == 535) {
		cmd = cmdAUTH // only authentication answers with these
	}
	if code < 400 || code > 599 {
		return providers.CodeSMTPProtocol, "", -1 // a success or continuation where a refusal was due
	}
	flat := strings.ToLower(strings.ReplaceAll(flatten(text), "\n", " "))
	if r, loc, ok := byWords(cmd, flat); ok {
		c := r.code
		if c == providers.CodeAuthRejected && isOAuthMech(mech) {
			c = providers.CodeAuthTokenRejected // the token, not a password
			if enh == "5.7.139" {
				// Exchange Online says "credentials were incorrect" to a
				// valid token when SMTP AUTH is off for the mailbox: with
				// OAuth, 5.7.139 is that setting (KNOWLEDGE.md).
				c = providers.CodeAuthSMTPAuthDisabled
			}
		}
		return c, r.cause, loc[0]
	}
	if c, ok := fromEnhanced(cmd, enh); ok {
		cause := ""
		if enh == "5.7.520" {
			cause = "forwarding"
		}
		return c, cause, -1
	}
	return byCode(cmd, mech, code, enh, flat), "", -1
}

// byCode is the general meaning of a reply code after cmd, for words the
// rules do not know.
func byCode(cmd, mech string, code int, enh, lower string) providers.Code {
	switch {
	case code == 538 || (code == 530 || code == 523) && (strings.Contains(lower, "tls") || strings.Contains(lower, "encrypt")):
		return providers.CodeAuthTLSRequired
	case code >= 400 && code < 500:
		return providers.CodeSMTPTemporary
	}
	switch cmd {
	case cmdGreeting, cmdEHLO, cmdQUIT:
		return providers.CodeSMTPRejected
	case cmdSTARTTLS:
		return providers.CodeTLSStartTLSUnsupported
	case cmdAUTH:
		switch {
		case code == 504 || enh == "5.7.4":
			return providers.CodeAuthMechanism
		case isOAuthMech(mech):
			return providers.CodeAuthTokenRejected
		case mech == "" && enh == "5.7.3":
			// Without the mechanism, 5.7.3 is what Microsoft says to a bad
			// token; for a password it also says it, hence the tester's
			// own classification knows the mechanism.
			return providers.CodeAuthTokenRejected
		}
		return providers.CodeAuthRejected
	}
	// MAIL, RCPT, DATA, MESSAGE
	switch {
	case strings.HasPrefix(enh, "5.1.") && cmd == cmdRCPT:
		// Before "relay": Postfix says "User unknown in relay recipient table".
		return providers.CodeSendRecipientRejected
	case strings.Contains(lower, "relay") || enh == "5.7.54":
		return providers.CodeSendRelayDenied
	case code == 530 || enh == "5.7.57":
		return providers.CodeSendRelayDenied // not authenticated: the server will not relay
	case cmd == cmdMAIL:
		return providers.CodeSendSenderRejected
	case cmd == cmdRCPT:
		return providers.CodeSendRecipientRejected
	case cmd == "":
		return providers.CodeSMTPRejected // a refusal whose command is unknown
	}
	return providers.CodeSendMessageRejected
}

// stageCommand is the command whose reply ends each stage.
var stageCommand = table[providers.StageName, string]{
	{"greeting", cmdGreeting}, {providers.StageEHLO, cmdEHLO}, {providers.StageTLS, cmdSTARTTLS},
	{providers.StageAuth, cmdAUTH}, {providers.StageMail, cmdMAIL}, {providers.StageRcpt, cmdRCPT},
	{providers.StageData, cmdDATA}, {providers.StageQuit, cmdQUIT},
}

// DiagnoseStageReply classifies a refusal read at stage ("greeting" for
// the banner, or a live-test stage) exactly as the live test does, for
// other clients of a server (the credential-free probe). raw is the reply
// with its codes, lines separated by LF or CRLF.
func DiagnoseStageReply(stage providers.StageName, raw string) providers.Diagnosis {
	cmd, _ := stageCommand.get(stage)
	return diagnoseReply(cmd, raw)
}

// diagnoseReply classifies raw reply text (lines separated by LF or CRLF)
// answering cmd. Text that is no SMTP reply is smtp.protocol.
func diagnoseReply(cmd, raw string) providers.Diagnosis {
	raw = strings.TrimRight(strings.ReplaceAll(raw, "\r\n", "\n"), "\n")
	lines := strings.Split(raw, "\n")
	code := 0
	for i, l := range lines {
		c, last, ok := parseReplyLine(l)
		if !ok || (i > 0 && c != code) || (last != (i == len(lines)-1)) {
			return diag(providers.CodeSMTPProtocol, shorten(l), map[string]string{"reason": "malformed_reply"})
		}
		code = c
	}
	j := judgeReply(cmd, "", code, lines)
	return diag(j.code, raw, j.args)
}
