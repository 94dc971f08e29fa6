package smtp

import (
	"encoding/base64"
	"errors"
	"maps"
	"net/textproto"
	"slices"
	"strconv"
	"strings"

	gomail "github.com/wneessen/go-mail/smtp"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/secrets"
)

// maxAuthSteps bounds the challenges of one SASL exchange: a server that
// answers 334 forever is a protocol violation, not a slow login.
const maxAuthSteps = 6

// PasswordMechanisms are the SASL mechanisms used for a password, strongest
// first; the first one the server's EHLO offers is used, so a password never
// goes out in a weaker mechanism than the server accepts:
//
//   - SCRAM-SHA-256, SCRAM-SHA-1 (RFC 5802/7677): the password never leaves
//     this machine, and the server proves that it knows it too;
//   - PLAIN, LOGIN: the password inside TLS, to a server whose certificate
//     was checked; the server keeps only a hash of it;
//   - NTLM (NTLMv2, Exchange's "integrated Windows authentication") and
//     CRAM-MD5: challenge-response on MD4/MD5, which anyone who records the
//     exchange can attack offline, and CRAM-MD5 needs the password stored in
//     clear on the server. Only when nothing better is offered.
var PasswordMechanisms = []string{"SCRAM-SHA-256", "SCRAM-SHA-1", "PLAIN", "LOGIN", "NTLM", "CRAM-MD5"}

// microsoftHosts are Microsoft 365's client-submission endpoints, where a
// password refused by both PLAIN and LOGIN means SMTP AUTH is switched off
// for the mailbox or tenant (the seeds' "LOGIN expected 235, got 535").
var microsoftHosts = []string{"smtp.office365.com", "outlook.office365.com", "smtp-mail.outlook.com"}

// atMicrosoft reports whether host is one of microsoftHosts.
func atMicrosoft(host string) bool {
	return slices.Contains(microsoftHosts, strings.ToLower(strings.TrimSuffix(host, ".")))
}

func (r *run) auth(from string) error {
	cfg := r.t.cfg
	user := cfg.Username
	if user == "" {
		user = from
	}
	offered := map[string]bool{}
	for _, m := range strings.Fields(strings.ToUpper(r.ext["AUTH"])) {
		offered[m] = true
	}
	if len(offered) == 0 {
		_, starttls := r.ext["STARTTLS"]
		if !r.isTLS && starttls {
			// Servers commonly hide AUTH until TLS is up.
			return &providers.Error{Diagnosis: diag(providers.CodeAuthTLSRequired, "", nil)}
		}
		return &providers.Error{Diagnosis: diag(providers.CodeAuthMechanism, "", map[string]string{"offered": ""})}
	}
	if !cfg.OAuthToken.Empty() {
		switch {
		case offered["XOAUTH2"]:
			return r.xoauth2(user, cfg.OAuthToken)
		case offered["OAUTHBEARER"]:
			return r.oauthBearer(user, cfg.OAuthToken)
		}
		return r.noCommonMech(offered)
	}
	var mechs []string
	for _, m := range PasswordMechanisms {
		if offered[m] {
			mechs = append(mechs, m)
		}
	}
	if len(mechs) == 0 {
		return r.noCommonMech(offered)
	}
	first := r.passwordAuth(mechs[0], user, cfg.Password)
	re, isReply := first.(*ReplyError)
	if first == nil || !isReply || re.Code != 535 || mechs[0] != "PLAIN" || !offered["LOGIN"] ||
		!atMicrosoft(cfg.Host) {
		return first
	}
	second := r.passwordAuth("LOGIN", user, cfg.Password)
	re2, isReply := second.(*ReplyError)
	switch {
	case second == nil:
		return nil
	case !isReply:
		return first // the server hung up on the retry: its first answer says more
	case re2.Code == 535 && classifyReplyError(re2) == providers.CodeAuthRejected:
		return &providers.Error{Diagnosis: diag(providers.CodeAuthSMTPAuthDisabled, strings.Join(re2.Lines, "\n"),
			map[string]string{"mechanisms": "PLAIN,LOGIN"}), Err: second}
	}
	return second
}

func (r *run) noCommonMech(offered map[string]bool) error {
	return &providers.Error{Diagnosis: diag(providers.CodeAuthMechanism, "",
		map[string]string{"offered": strings.Join(slices.Sorted(maps.Keys(offered)), " ")})}
}

// passwordAuth runs one password mechanism through go-mail. PLAIN and LOGIN
// are allowed without TLS here because the tester decided that already
// (config.insecure unless AllowInsecure); go-mail would otherwise refuse them
// on the wire of a STARTTLS session, which it cannot see is encrypted.
func (r *run) passwordAuth(mech, user string, pw secrets.Secret) error {
	host := r.serverName()
	var a gomail.Auth
	switch mech {
	case "SCRAM-SHA-256":
		a = gomail.ScramSHA256Auth(user, pw.Reveal())
	case "SCRAM-SHA-1":
		a = gomail.ScramSHA1Auth(user, pw.Reveal())
	case "PLAIN":
		a = gomail.PlainAuth("", user, pw.Reveal(), host, true)
	case "LOGIN":
		a = gomail.LoginAuth(user, pw.Reveal(), host, true)
	case "NTLM":
		domain, name := ntlmUser(user)
		a = gomail.NTLMAuth(name, pw.Reveal(), domain)
	default: // CRAM-MD5
		a = gomail.CRAMMD5Auth(user, pw.Reveal())
	}
	return r.sasl(mech, a, nil)
}

// ntlmUser splits "DOMAIN\user"; a user principal name (user@domain) goes
// as it is, with no domain, which Exchange accepts.
func ntlmUser(user string) (domain, name string) {
	if d, n, ok := strings.Cut(user, `\`); ok {
		return d, n
	}
	return "", user
}

// xoauth2 sends "AUTH XOAUTH2" bare and the response after the 334: the
// response on the AUTH line would break Postfix's 2,048-character limit for
// long (Microsoft) tokens. A refused token gets a 334 with a base64 JSON
// status, answered by an empty line to receive the final 5xx.
func (r *run) xoauth2(user string, token secrets.Secret) error {
	return r.sasl("XOAUTH2", &bareOAuth{mech: "XOAUTH2",
		ir: []byte("user=" + user + "\x01auth=Bearer " + token.Reveal() + "\x01\x01"), abort: []byte{}}, []byte{})
}

// oauthBearer is RFC 7628, used when only OAUTHBEARER is offered; its
// answer to the error challenge is a single ^A.
func (r *run) oauthBearer(user string, token secrets.Secret) error {
	host := strings.TrimSuffix(r.t.cfg.Host, ".")
	ir := "n,a=" + strings.NewReplacer("=", "=3D", ",", "=2C").Replace(user) + ",\x01host=" + host +
		"\x01port=" + strconv.Itoa(r.t.cfg.Port) + "\x01auth=Bearer " + token.Reveal() + "\x01\x01"
	return r.sasl("OAUTHBEARER", &bareOAuth{mech: "OAUTHBEARER", ir: []byte(ir), abort: []byte{1}}, []byte{1})
}

// bareOAuth is an OAuth mechanism whose AUTH line carries no initial
// response: go-mail then sends it after the first 334, and every later 334
// (the JSON error status) is answered with abort.
type bareOAuth struct {
	mech      string
	ir, abort []byte
	sent      bool
}

func (a *bareOAuth) Start(*gomail.ServerInfo) (string, []byte, error) {
	a.sent = false
	return a.mech, nil, nil
}

func (a *bareOAuth) Next(_ []byte, more bool) ([]byte, error) {
	switch {
	case !more:
		return nil, nil
	case !a.sent:
		a.sent = true
		return a.ir, nil
	}
	return a.abort, nil
}

// sasl runs one AUTH exchange through go-mail's Client.Auth, with the
// mechanism wrapped by tracked: payloads redacted in the transcript and
// added to the redactor, challenges bounded, a failure reported with the
// server's reply. abort is the response to an error challenge that the
// transcript shows as it is (OAuth's), nil when there is none.
func (r *run) sasl(mech string, a gomail.Auth, abort []byte) error {
	s := r.sess
	tr := &tracked{Auth: a, r: r, mech: mech, abort: abort}
	s.auth = true
	err := r.c.Auth(tr)
	s.auth, s.shown = false, nil
	if err == nil {
		return nil
	}
	err = r.replyErr(err, cmdAUTH, mech)
	if re, ok := err.(*ReplyError); ok {
		re.Challenge = tr.challenge
	}
	return err
}

// tracked wraps a go-mail mechanism for the test.
type tracked struct {
	gomail.Auth
	r         *run
	mech      string
	abort     []byte
	steps     int
	challenge string // the decoded text of the last challenge after the first response, for OAuth
}

func (t *tracked) Start(info *gomail.ServerInfo) (string, []byte, error) {
	mech, ir, err := t.Auth.Start(info)
	if err != nil {
		return mech, ir, err
	}
	shown := "AUTH " + mech
	if len(ir) > 0 {
		t.r.sc.AddSent(ir)
		shown += " " + secrets.Redacted
	}
	t.r.sess.show(shown)
	return mech, ir, nil
}

func (t *tracked) Next(from []byte, more bool) ([]byte, error) {
	s := t.r.sess
	if more {
		t.steps++
		if t.steps > maxAuthSteps+1 {
			return nil, &ProtocolError{Stage: s.stage, Reason: "auth_loop", Line: shorten(s.last.text())}
		}
		if t.steps > 1 && t.abort != nil {
			t.challenge = s.clean(from)
		}
	}
	resp, err := t.Auth.Next(from, more)
	if err != nil {
		// The mechanism cannot answer this challenge (LOGIN asked a third
		// time, a SCRAM server that cannot prove it knows the password):
		// the server's reply is the diagnosis.
		return nil, &ReplyError{Stage: s.stage, Command: cmdAUTH, Mechanism: t.mech, Code: s.last.Code,
			Lines: s.last.Lines}
	}
	switch {
	case resp == nil:
	case len(resp) == 0:
		s.show("") // SCRAM's answer to the server's proof, XOAUTH2's to an error
	case t.abort != nil && t.steps > 1 && string(resp) == string(t.abort):
		s.show(base64.StdEncoding.EncodeToString(resp)) // OAUTHBEARER's ^A: no secret
	default:
		t.r.sc.AddSent(resp)
		s.show(secrets.Redacted)
	}
	return resp, nil
}

// replyErr turns what go-mail returns into the test's own errors: a reply
// the wire refused to pass (ProtocolError), a failed read or write
// (ioError), or a refusal (textproto.Error) as a ReplyError with the
// server's verbatim lines, which the wire kept.
func (r *run) replyErr(err error, command, mech string) error {
	var (
		re   *ReplyError
		pe   *ProtocolError
		ioe  *ioError
		tpe  *textproto.Error
		b64e base64.CorruptInputError
	)
	switch {
	case err == nil:
		return nil
	case errors.As(err, &re):
		return re
	case errors.As(err, &pe):
		return pe
	case errors.As(err, &ioe):
		return ioe
	case errors.As(err, &b64e):
		// A challenge that is not base64.
		return &ProtocolError{Stage: r.sess.stage, Reason: "malformed_reply", Line: shorten(r.sess.last.text())}
	case errors.As(err, &tpe):
		return &ReplyError{Stage: r.sess.stage, Command: command, Mechanism: mech, Code: tpe.Code,
			Lines: r.sess.last.Lines}
	}
	return err
}
