package smtptest

import (
	"bytes"
	"crypto/hmac"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// postfixLineLimit is where Postfix cuts a command line: an XOAUTH2 initial
// response on the AUTH line longer than this fails there, so this server
// refuses it too.
const postfixLineLimit = 2048

var (
	errAuthFailed = &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8},
		Message: "Error: authentication failed"}
	errLineTooLong = &smtp.SMTPError{Code: 500, EnhancedCode: smtp.EnhancedCode{5, 5, 0},
		Message: "Error: line too long"}
	errBadResponse = &smtp.SMTPError{Code: 501, EnhancedCode: smtp.EnhancedCode{5, 5, 2},
		Message: "Error: malformed SASL response"}
)

// loginServer is the LOGIN mechanism: "Username:" then "Password:".
type loginServer struct {
	check func(user, pass string) error
	user  []byte
	step  int
}

func (s *loginServer) Next(resp []byte) ([]byte, bool, error) {
	switch s.step {
	case 0:
		s.step = 1
		if resp == nil {
			return []byte("Username:"), false, nil
		}
		fallthrough // an initial response is the username
	case 1:
		s.user, s.step = resp, 2
		return []byte("Password:"), false, nil
	}
	return nil, true, s.check(string(s.user), string(resp))
}

// cramServer is CRAM-MD5 (RFC 2195): the client proves the password by an
// HMAC of the server's challenge.
type cramServer struct {
	password  func(user string) (string, bool)
	accept    func(user string) error // after a correct proof: the verdict
	challenge []byte
}

func (s *cramServer) Next(resp []byte) ([]byte, bool, error) {
	if s.challenge == nil {
		s.challenge = fmt.Appendf(nil, "<%d.%d@mail.test>", time.Now().UnixNano(), len(resp))
		return s.challenge, false, nil
	}
	user, digest, ok := strings.Cut(string(resp), " ")
	if !ok {
		return nil, true, errBadResponse
	}
	pw, known := s.password(user)
	mac := hmac.New(md5.New, []byte(pw))
	mac.Write(s.challenge)
	if !known || !hmac.Equal([]byte(hex.EncodeToString(mac.Sum(nil))), []byte(digest)) {
		return nil, true, errAuthFailed
	}
	return nil, true, s.accept(user)
}

// oauthServer is XOAUTH2 (Google/Microsoft) or OAUTHBEARER (RFC 7628):
// a refused token gets a 334 JSON status first; the client's answer to it
// gets the final refusal.
type oauthServer struct {
	bearer    bool // OAUTHBEARER framing
	check     func(user, token string) error
	challenge string
	failErr   error
	started   bool
}

func (s *oauthServer) Next(resp []byte) ([]byte, bool, error) {
	if s.failErr != nil {
		return nil, true, s.failErr
	}
	if !s.started {
		s.started = true
		if resp == nil {
			return []byte{}, false, nil // "334 ": send the response now
		}
		if len("AUTH XOAUTH2 ")+base64.StdEncoding.EncodedLen(len(resp)) > postfixLineLimit {
			return nil, true, errLineTooLong
		}
	}
	user, token, ok := s.parse(resp)
	if !ok {
		return nil, true, errBadResponse
	}
	if err := s.check(user, token); err != nil {
		s.failErr = err
		return []byte(s.challenge), false, nil
	}
	return nil, true, nil
}

func (s *oauthServer) parse(resp []byte) (user, token string, ok bool) {
	fields := bytes.Split(resp, []byte{1})
	if s.bearer {
		gs2, rest, found := bytes.Cut(resp, []byte{1})
		if !found || !bytes.HasPrefix(gs2, []byte("n,")) {
			return "", "", false
		}
		for _, a := range strings.Split(string(gs2), ",") {
			if u, found := strings.CutPrefix(a, "a="); found {
				user = strings.NewReplacer("=2C", ",", "=3D", "=").Replace(u)
			}
		}
		fields = bytes.Split(rest, []byte{1})
	}
	for _, f := range fields {
		k, v, _ := strings.Cut(string(f), "=")
		switch k {
		case "user":
			user = v
		case "auth":
			if t, found := strings.CutPrefix(v, "Bearer "); found {
				token, ok = t, true
			}
		}
	}
	return user, token, ok && user != ""
}

var _ = []sasl.Server{&loginServer{}, &cramServer{}, &oauthServer{}}
