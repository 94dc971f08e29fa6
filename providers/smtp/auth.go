package smtp

import (
	"crypto/hmac"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/secrets"
)

// maxAuthSteps bounds the challenges of one SASL exchange: a server that
// answers 334 forever is a protocol violation, not a slow login.
const maxAuthSteps = 6

// passwordMechs in order of preference.
var passwordMechs = []string{"PLAIN", "LOGIN", "CRAM-MD5"}

// microsoftHosts are Microsoft 365's client-submission endpoints, where a
// password refused by both PLAIN and LOGIN means SMTP AUTH is switched off
// for the mailbox or tenant (the seeds' "LOGIN expected 235, got 535").
var microsoftHosts = map[string]bool{
	"smtp.office365.com": true, "outlook.office365.com": true, "smtp-mail.outlook.com": true,
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
	for _, m := range passwordMechs {
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
		!microsoftHosts[strings.ToLower(strings.TrimSuffix(cfg.Host, "."))] {
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

// payload sends one SASL response; the transcript shows [redacted] and the
// redactor learns the payload in case the server echoes it.
func (r *run) payload(raw []byte) error {
	enc := base64.StdEncoding.EncodeToString(raw)
	r.sc.AddSent(raw)
	return r.sess.send(enc, secrets.Redacted)
}

func (r *run) passwordAuth(mech, user string, pw secrets.Secret) error {
	s := r.sess
	switch mech {
	case "PLAIN":
		raw := []byte("\x00" + user + "\x00" + pw.Reveal())
		enc := base64.StdEncoding.EncodeToString(raw)
		r.sc.AddSent(raw)
		if err := s.send("AUTH PLAIN "+enc, "AUTH PLAIN "+secrets.Redacted); err != nil {
			return err
		}
		_, err := s.expect(cmdAUTH, mech, 235)
		return err
	case "LOGIN":
		// The LOGIN challenges are "Username:" and "Password:", in that order.
		if _, err := s.cmd(cmdAUTH, "AUTH LOGIN", "AUTH LOGIN", 334); err != nil {
			return withMech(err, mech)
		}
		if err := r.payload([]byte(user)); err != nil {
			return err
		}
		if _, err := s.expect(cmdAUTH, mech, 334); err != nil {
			return err
		}
		if err := r.payload([]byte(pw.Reveal())); err != nil {
			return err
		}
		_, err := s.expect(cmdAUTH, mech, 235)
		return err
	default: // CRAM-MD5
		rep, err := s.cmd(cmdAUTH, "AUTH CRAM-MD5", "AUTH CRAM-MD5", 334)
		if err != nil {
			return withMech(err, mech)
		}
		challenge, err := base64.StdEncoding.DecodeString(strings.TrimSpace(rep.Lines[0][3:]))
		if err != nil {
			return &ProtocolError{Stage: s.stage, Reason: "malformed_reply", Line: rep.Lines[0]}
		}
		mac := hmac.New(md5.New, []byte(pw.Reveal()))
		mac.Write(challenge)
		if err := r.payload([]byte(user + " " + hex.EncodeToString(mac.Sum(nil)))); err != nil {
			return err
		}
		_, err = s.expect(cmdAUTH, mech, 235)
		return err
	}
}

// xoauth2 sends "AUTH XOAUTH2" bare and the response after the 334: the
// response on the AUTH line would break Postfix's 2,048-character limit for
// long (Microsoft) tokens. A refused token gets a 334 with a base64 JSON
// status, answered by an empty line to receive the final 5xx.
func (r *run) xoauth2(user string, token secrets.Secret) error {
	return r.oauth("XOAUTH2", []byte("user="+user+"\x01auth=Bearer "+token.Reveal()+"\x01\x01"), "")
}

// oauthBearer is RFC 7628, used when only OAUTHBEARER is offered; its
// answer to the error challenge is a single ^A.
func (r *run) oauthBearer(user string, token secrets.Secret) error {
	host := strings.TrimSuffix(r.t.cfg.Host, ".")
	ir := "n,a=" + strings.NewReplacer("=", "=3D", ",", "=2C").Replace(user) + ",\x01host=" + host +
		"\x01port=" + strconv.Itoa(r.t.cfg.Port) + "\x01auth=Bearer " + token.Reveal() + "\x01\x01"
	return r.oauth("OAUTHBEARER", []byte(ir), "AQ==")
}

func (r *run) oauth(mech string, ir []byte, abort string) error {
	s := r.sess
	if _, err := s.cmd(cmdAUTH, "AUTH "+mech, "AUTH "+mech, 334); err != nil {
		return withMech(err, mech)
	}
	if err := r.payload(ir); err != nil {
		return err
	}
	challenge := ""
	for step := 0; ; step++ {
		rep, err := s.expect(cmdAUTH, mech, 235, 334)
		if err != nil {
			if re, ok := err.(*ReplyError); ok {
				re.Challenge = challenge
			}
			return err
		}
		if rep.Code == 235 {
			return nil
		}
		if step == maxAuthSteps {
			return &ProtocolError{Stage: s.stage, Reason: "auth_loop", Line: rep.Lines[0]}
		}
		if dec, err := base64.StdEncoding.DecodeString(strings.TrimSpace(rep.Lines[0][3:])); err == nil {
			challenge = s.clean(dec)
		} else {
			challenge = rep.Lines[0]
		}
		if err := s.send(abort, abort); err != nil {
			return err
		}
	}
}

func withMech(err error, mech string) error {
	if re, ok := err.(*ReplyError); ok {
		re.Mechanism = mech
	}
	return err
}
