package smtp

import (
	"slices"

	"github.com/jobmail/jobmail/providers"
)

// A reply's words say more than its numbers: Microsoft answers 535 5.7.139
// for SMTP AUTH switched off, for basic authentication blocked, for a wrong
// password and for a conditional-access refusal, and only the words tell
// them apart; Gmail's 534 5.7.9 is an app password or a browser sign-in.
// So the classifier reads the text first (these rules, in order, first
// match wins), the enhanced status code second and the basic code last.
// Rules are written for the providers' real replies kept in
// testdata/replies/corpus.yaml; unknown words fall through to the codes'
// general meaning, never to a more specific guess.

// wordRule maps words to a code. cmds limits the rule to replies to those
// commands ("" is a reply whose command is unknown); nil means any.
type wordRule struct {
	re   *lazyRegexp // matched against the lower-cased reply (compiled on first use)
	code providers.Code
	cmds []string
	// cause is the Args["cause"] of a send.message_rejected (forwarding,
	// spam): its remedy names the action for that cause.
	cause string
}

var (
	afterData   = []string{cmdDATA, cmdMessage, ""}
	authCmds    = []string{cmdAUTH, ""}
	envelope    = []string{cmdMAIL, cmdRCPT, cmdDATA, cmdMessage, ""}
	notGreeting = []string{cmdEHLO, cmdSTARTTLS, cmdAUTH, cmdMAIL, cmdRCPT, cmdDATA, cmdMessage, cmdQUIT, ""}
)

func words(pattern string) *lazyRegexp { return lazyRe(pattern) }

var wordRules = []wordRule{
	// TLS versions: Microsoft's 421 4.7.66 after STARTTLS.
	{re: words(`tls 1\.0 and 1\.1`), code: providers.CodeTLSProtocol},

	// The client's address: a blocklist, no reverse DNS, a dial-up range,
	// a host rule. At any stage (Postfix decides at RCPT), 4xx or 5xx:
	// retrying from the same address does not help.
	{re: words(`blocked using |in a black ?list|is in an rbl|on our block ?list|\bblock ?list(ed)?\b|black ?listed|` +
		`client host rejected|client host \[[^\]]*\] blocked|cannot find your (reverse )?hostname|` +
		`dialup|dial-up|transient ip|bad dns ptr|reverse dns|\brdns\b|` +
		`\bip( address)? (is )?(black ?listed|blocked|listed|banned)|banned sending ip|traffic not accepted from this ip`),
		code: providers.CodeSMTPIPBlocked},

	// Too many sign-ins: a 454 4.7.0 is not "try again later" as usual,
	// it means "stop trying for a while".
	{re: words(`too many (failed )?(login|logon|sign-?in|auth\w*) (attempts|failures|requests)|login rate|auth\w* rate limit`),
		code: providers.CodeAuthRateLimited},

	// A sending limit of the account (not a full recipient mailbox).
	{re: words(`sending (limit|quota)|submissionquotaexceeded|daily limit|max rcpt to daily limit|` +
		`(24-hour|daily|hourly) (sending )?limit|too many messages (sent|per)`),
		code: providers.CodeSendQuotaExceeded},

	// The provider stopped the account sending (suspected spam).
	{re: words(`outboundspamexception|bad outbound sender|restricted from sending|` +
		`(account|user|mailbox) (is |has been )?(blocked|suspended|disabled|locked) (for|from) sending`),
		code: providers.CodeSendAccountRestricted},

	// The message is bigger than the server takes.
	{re: words(`message size|size limit|exceeds? (the )?(fixed |maximum )?(maximum )?(message )?size|message (file )?too (big|large)|` +
		`maxsubmissionexceeded|messagesubmissionexceeded|maximum allowed size`),
		code: providers.CodeSendMessageTooLarge},

	// Microsoft 365 blocks automatic forwarding to outside addresses.
	{re: words(`external forwarding|forwarding (is )?(not allowed|disabled|blocked)`),
		code: providers.CodeSendMessageRejected, cause: "forwarding"},

	// Microsoft's tails of 535 5.7.139 (and kin).
	{re: words(`smtpclientauthentication is disabled|smtp_auth_disabled`), code: providers.CodeAuthSMTPAuthDisabled},
	{re: words(`basic auth\w* is (disabled|not supported|blocked)|security defaults`), code: providers.CodeAuthBasicAuthBlocked},
	{re: words(`did not meet the criteria`), code: providers.CodeOAuthConditional, cmds: authCmds},

	// Gmail's 534: which of the two the words say.
	{re: words(`application-specific password`), code: providers.CodeAuthAppPassword, cmds: authCmds},
	{re: words(`log ?in (via|with|using) your (web )?browser|web login required`), code: providers.CodeAuthWebLogin, cmds: authCmds},

	// No AUTH on this port or connector: the client did not (could not)
	// sign in. Before the sender rule: Postfix says "Sender address
	// rejected: not logged in".
	{re: words(`not logged in|client was not authenticated|authentication not enabled|auth command used when not advertised|` +
		`auth\w* (is )?not (enabled|available|offered)`),
		code: providers.CodeAuthNotOffered, cmds: notGreeting},

	// Send-as and sender ownership.
	{re: words(`sender address rejected|not owned by|sendasdenied|send ?as (this sender|denied)|permissions to send as`),
		code: providers.CodeSendSenderRejected, cmds: envelope},

	// The server will not relay for an unauthenticated client.
	{re: words(`relay access denied|relaying denied|unable to relay|not permitted to relay|relay not permitted|` +
		`authentication (is )?required|client not authenticated|must (be )?authenticate|smtp authentication`),
		code: providers.CodeSendRelayDenied, cmds: []string{cmdMAIL, cmdRCPT, ""}},

	// The password (or the token, after XOAUTH2) was refused.
	{re: words(`credentials were incorrect|username and password not accepted|incorrect authentication data|` +
		`authentication credentials invalid|invalid (login|username) or password|bad username|authentication failed`),
		code: providers.CodeAuthRejected, cmds: authCmds},

	// The server refuses this client's EHLO name (Postfix decides at RCPT).
	{re: words(`helo command rejected`), code: providers.CodeSMTPRejected, cmds: notGreeting},

	// Content judged as spam, after DATA.
	{re: words(`\bspam\b|unsolicited|junk ?mail`), code: providers.CodeSendMessageRejected, cmds: afterData, cause: "spam"},
}

// byWords is the first rule matching lower, for a reply to cmd.
func byWords(cmd, lower string) (wordRule, []int, bool) {
	for _, r := range wordRules {
		if r.cmds != nil && !slices.Contains(r.cmds, cmd) {
			continue
		}
		if loc := r.re.FindStringIndex(lower); loc != nil {
			return r, loc, true
		}
	}
	return wordRule{}, nil, false
}

// byEnhanced is what a specific enhanced status code means when the words
// said nothing: each provider's documented meaning (Microsoft 5.7.139,
// 5.7.30, 5.7.57, 5.7.60; Gmail 5.7.9, 5.7.14; RFC 3463/7372 for the rest).
var byEnhanced = table[string, providers.Code]{
	{"4.7.66", providers.CodeTLSProtocol}, {"5.7.66", providers.CodeTLSProtocol},
	{"5.7.139", providers.CodeAuthSMTPAuthDisabled},
	{"5.7.30", providers.CodeAuthBasicAuthBlocked},
	{"5.7.9", providers.CodeAuthAppPassword},
	{"5.7.14", providers.CodeAuthWebLogin},
	{"5.7.10", providers.CodeAuthTLSRequired}, {"5.7.11", providers.CodeAuthTLSRequired},
	{"4.7.25", providers.CodeSMTPIPBlocked}, {"5.7.25", providers.CodeSMTPIPBlocked}, // RFC 7372: reverse DNS failed
	{"5.7.511", providers.CodeSMTPIPBlocked}, {"5.7.708", providers.CodeSMTPIPBlocked},
	{"5.7.60", providers.CodeSendSenderRejected},
	{"5.7.520", providers.CodeSendMessageRejected},
	{"5.3.4", providers.CodeSendMessageTooLarge},
}

// enhancedAt limits an enhanced code to replies to some commands, where
// its meaning depends on them.
var enhancedAt = table[string, []string]{
	{"5.7.9", authCmds},
	{"5.7.14", authCmds},
	{"5.3.4", afterData},
	{"5.7.60", envelope},
}

func fromEnhanced(cmd, enh string) (providers.Code, bool) {
	c, ok := byEnhanced.get(enh)
	if !ok {
		return "", false
	}
	if at, limited := enhancedAt.get(enh); limited && !slices.Contains(at, cmd) {
		return "", false
	}
	return c, true
}
