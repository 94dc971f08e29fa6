package smtp

import (
	"testing"

	"github.com/jobmail/jobmail/providers"
)

// TestReplyArgs: what a reply gives its remedy, from real wordings.
func TestReplyArgs(t *testing.T) {
	tests := []struct {
		cmd, reply string
		want       map[string]string // "" value: must be absent
	}{
		{cmdAUTH, "534-5.7.14 <https://accounts.google.com/signin/continue?sarp=1\n534-5.7.14 x1DeI0bGyNqNH> Please log in via your web browser and\n534-5.7.14 then try again.\n534 5.7.14  https://support.google.com/mail/answer/78754 100sm8943270iot.39 - gsmtp",
			map[string]string{"quote": "Please log in via your web browser and then try again"}},
		{cmdRCPT, "550-Please turn on SMTP Authentication in your mail client, or login to the\n550-IMAP/POP3 server before sending your message. (localhost.localdomain)\n550 authentication.",
			map[string]string{"quote": "Please turn on SMTP Authentication in your mail client, or login to the IMAP/POP3 server before sending your message"}},
		{cmdRCPT, "550 5.7.1 Service unavailable, Client host [3.211.34.40] blocked using Spamhaus. To request removal from this list see https://www.spamhaus.org/query/ip/[3.211.34.40] (AS16012611)",
			map[string]string{"link": "https://www.spamhaus.org/query/ip/[3.211.34.40]", "ip": "3.211.34.40", "list": "Spamhaus"}},
		{cmdGreeting, "554 IP=http://95.216.152.144/ - Dialup/transient IP not allowed.", map[string]string{"link": "", "ip": "95.216.152.144"}},
		{cmdMessage, "552 5.3.4 Message size exceeds fixed limit of 10485760 bytes", map[string]string{"limit": "10 MB"}},
		{cmdMessage, "552 5.3.4 Message too big (max 25MB)", map[string]string{"limit": "25 MB"}},
		{cmdMessage, "550 5.4.5 Daily user sending quota exceeded. o65sm25351206pga.71 - gsmtp",
			map[string]string{"wait_hours": "24", "quote": "Daily user sending quota exceeded"}},
		{cmdAUTH, "454 4.7.0 Too many login attempts, try again in 300 seconds", map[string]string{"wait_minutes": "5"}},
		{cmdMessage, "550 5.7.520 Access denied, Your organization does not allow external forwarding.", map[string]string{"cause": "forwarding"}},
		{cmdMessage, "554 5.6.0 Message rejected: content not accepted", map[string]string{"cause": "", "quote": "Message rejected: content not accepted"}},
		{cmdMessage, "554 5.2.0 STOREDRV.Submission.Exception:OutboundSpamException; Failed to process message", map[string]string{"provider": "microsoft"}},
	}
	for _, tt := range tests {
		d := diagnoseReply(tt.cmd, tt.reply)
		for k, v := range tt.want {
			if d.Args[k] != v {
				t.Errorf("%q: arg %s = %q, want %q (args %v)", tt.reply, k, d.Args[k], v, d.Args)
			}
		}
		if d.Reply != tt.reply {
			t.Errorf("reply not verbatim: %q", d.Reply)
		}
	}
}

// TestUnknownWordsFallBack: words the rules do not know get the code's
// general meaning, never a more specific guess.
func TestUnknownWordsFallBack(t *testing.T) {
	for _, tt := range []struct {
		cmd, reply string
		want       providers.Code
	}{
		{cmdAUTH, "535 5.7.139 Authentication unsuccessful, the moon is full.", providers.CodeAuthSMTPAuthDisabled},
		{cmdAUTH, "534 5.7.9 Nothing more to say.", providers.CodeAuthAppPassword},
		{cmdAUTH, "535 5.7.8 Whatever.", providers.CodeAuthRejected},
		{cmdMessage, "550 5.7.1 Whatever.", providers.CodeSendMessageRejected},
		{cmdRCPT, "550 5.7.1 Whatever.", providers.CodeSendRecipientRejected},
		{cmdMAIL, "550 5.7.1 Whatever.", providers.CodeSendSenderRejected},
		{cmdRCPT, "450 4.7.1 Whatever.", providers.CodeSMTPTemporary},
		{cmdGreeting, "554 Whatever.", providers.CodeSMTPRejected},
	} {
		if got := diagnoseReply(tt.cmd, tt.reply).Code; got != tt.want {
			t.Errorf("%s %q = %s, want %s", tt.cmd, tt.reply, got, tt.want)
		}
	}
}
