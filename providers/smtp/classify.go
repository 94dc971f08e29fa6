package smtp

import (
	"regexp"
	"strings"
	"sync"

	"github.com/jobmail/jobmail/providers"
)

// codeMeta says, per code, who must act and which setup key fixes it.
var codeMeta = map[providers.Code]struct {
	actor providers.Actor
	field string
}{
	providers.CodeDNSNoSuchHost:          {providers.ActorUser, FieldHost},
	providers.CodeNetRefused:             {providers.ActorUser, FieldPort},
	providers.CodeNetTimeout:             {providers.ActorUser, FieldPort},
	providers.CodeSMTPRejected:           {providers.ActorMailAdmin, ""},
	providers.CodeSMTPNoGreeting:         {providers.ActorUser, FieldSecurity},
	providers.CodeTLSNotTLS:              {providers.ActorUser, FieldSecurity},
	providers.CodeTLSStartTLSUnsupported: {providers.ActorMailAdmin, FieldSecurity},
	providers.CodeTLSUntrustedCert:       {providers.ActorUser, FieldCAFile},
	providers.CodeTLSHostnameMismatch:    {providers.ActorUser, FieldHost},
	providers.CodeTLSExpiredCert:         {providers.ActorMailAdmin, ""},
	providers.CodeTLSProtocol:            {providers.ActorMailAdmin, FieldSecurity},
	providers.CodeAuthRejected:           {providers.ActorUser, FieldPassword},
	providers.CodeAuthSMTPAuthDisabled:   {providers.ActorMailAdmin, FieldChannel},
	providers.CodeAuthBasicAuthBlocked:   {providers.ActorMailAdmin, FieldChannel},
	providers.CodeAuthTokenRejected:      {providers.ActorUser, ""},
	providers.CodeAuthAppPassword:        {providers.ActorUser, FieldChannel},
	providers.CodeAuthWebLogin:           {providers.ActorUser, FieldChannel},
	providers.CodeAuthMechanism:          {providers.ActorMailAdmin, ""},
	providers.CodeAuthTLSRequired:        {providers.ActorUser, FieldSecurity},
	providers.CodeSendSenderRejected:     {providers.ActorUser, FieldUsername},
	providers.CodeSendRecipientRejected:  {providers.ActorUser, FieldAddress},
	providers.CodeSendRelayDenied:        {providers.ActorUser, FieldUsername},
	providers.CodeSendMessageRejected:    {providers.ActorMailAdmin, ""},
	providers.CodeSMTPTemporary:          {providers.ActorUser, ""},
	providers.CodeSMTPDisconnected:       {providers.ActorUser, ""},
	providers.CodeSMTPProtocol:           {providers.ActorUser, FieldPort},
	providers.CodeSMTPIPBlocked:          {providers.ActorMailAdmin, ""},
	providers.CodeSendQuotaExceeded:      {providers.ActorUser, ""},
	providers.CodeSendAccountRestricted:  {providers.ActorMailAdmin, ""},
	providers.CodeSendMessageTooLarge:    {providers.ActorMailAdmin, ""},
	providers.CodeAuthRateLimited:        {providers.ActorUser, FieldPassword},
	providers.CodeAuthNotOffered:         {providers.ActorUser, FieldPort},
	providers.CodeCanceled:               {providers.ActorUser, ""},
	providers.CodeUnknown:                {providers.ActorUser, ""},
}

func diag(code providers.Code, reply string, args map[string]string) providers.Diagnosis {
	m, ok := codeMeta[code]
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
	return classify(e.Command, e.Mechanism, e.Code, enhancedCode(e.Lines), strings.Join(e.Lines, "\n"))
}

func isOAuthMech(m string) bool { return m == "XOAUTH2" || m == "OAUTHBEARER" }

// classify maps a refused reply to a code. cmd is what the reply answered
// (cmdGreeting, cmdAUTH, …; "" when unknown, as in an error from another
// client library); mech the SASL mechanism for AUTH, "" when unknown. Specific enhanced codes win over the command; then the
// command decides, because 550 after MAIL, RCPT or DATA blames different
// things.
func classify(cmd, mech string, code int, enh, text string) providers.Code {
	if enh != "" && int(enh[0]-'0') != code/100 {
		enh = "" // "250 5.7.139" is nonsense: trust the reply code
	}
	if cmd == "" && (code == 534 || code == 535) {
		cmd = cmdAUTH // only authentication answers with these
	}
	lower := strings.ToLower(text)
	switch {
	case enh == "4.7.66" || enh == "5.7.66" || strings.Contains(lower, "tls 1.0 and 1.1"):
		return providers.CodeTLSProtocol
	case enh == "5.7.139":
		return providers.CodeAuthSMTPAuthDisabled
	case enh == "5.7.30":
		return providers.CodeAuthBasicAuthBlocked
	case enh == "5.7.9":
		return providers.CodeAuthAppPassword
	case enh == "5.7.14":
		return providers.CodeAuthWebLogin
	case code == 538 || enh == "5.7.11" || enh == "5.7.10" ||
		(code == 530 || code == 523) && (strings.Contains(lower, "tls") || strings.Contains(lower, "encrypt")):
		return providers.CodeAuthTLSRequired
	case code >= 400 && code < 500:
		return providers.CodeSMTPTemporary
	case code < 500 || code > 599:
		return providers.CodeSMTPProtocol // a success or continuation where a refusal was due
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
	case enh == "5.7.60" || strings.Contains(lower, "sender address rejected") ||
		strings.Contains(lower, "not owned by") || strings.Contains(lower, "sendasdenied") ||
		strings.Contains(lower, "send as"):
		return providers.CodeSendSenderRejected
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
var stageCommand = map[providers.StageName]string{
	"greeting": cmdGreeting, providers.StageEHLO: cmdEHLO, providers.StageTLS: cmdSTARTTLS,
	providers.StageAuth: cmdAUTH, providers.StageMail: cmdMAIL, providers.StageRcpt: cmdRCPT,
	providers.StageData: cmdDATA, providers.StageQuit: cmdQUIT,
}

// DiagnoseStageReply classifies a refusal read at stage ("greeting" for
// the banner, or a live-test stage) exactly as the live test does, for
// other clients of a server (the credential-free probe). raw is the reply
// with its codes, lines separated by LF or CRLF.
func DiagnoseStageReply(stage providers.StageName, raw string) providers.Diagnosis {
	return diagnoseReply(stageCommand[stage], raw)
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
	return diag(classify(cmd, "", code, enhancedCode(lines), raw), raw, nil)
}
