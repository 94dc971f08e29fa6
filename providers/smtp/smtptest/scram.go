package smtptest

import (
	"bytes"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"hash"
	"strings"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// scramIterations is what Dovecot uses by default.
const scramIterations = 4096

// scramServer is SCRAM-SHA-256 or SCRAM-SHA-1 without channel binding
// (RFC 5802, RFC 7677): the client proves it knows the password, the
// server proves it back.
type scramServer struct {
	h        func() hash.Hash
	password func(user string) (string, bool)
	accept   func(user string) error
	step     int
	user     string
	nonce    string // client + server nonce
	authMsg  string
	salted   []byte
	verified bool
}

func (s *scramServer) Next(resp []byte) ([]byte, bool, error) {
	switch s.step {
	case 0:
		if resp == nil {
			return []byte{}, false, nil // "334 ": send the first message
		}
		return s.first(string(resp))
	case 1:
		return s.final(string(resp))
	}
	// The client's empty answer to the server's proof.
	if len(resp) != 0 || !s.verified {
		return nil, true, errBadResponse
	}
	return nil, true, s.accept(s.user)
}

func (s *scramServer) first(msg string) ([]byte, bool, error) {
	gs2, bare, ok := cutN(msg, ",", 2)
	if !ok || !strings.HasPrefix(gs2, "n,") && !strings.HasPrefix(gs2, "y,") {
		return nil, true, errBadResponse
	}
	attrs := scramAttrs(bare)
	user := strings.NewReplacer("=2C", ",", "=3D", "=").Replace(attrs["n"])
	if user == "" || attrs["r"] == "" {
		return nil, true, errBadResponse
	}
	pw, known := s.password(user)
	if !known {
		pw = "unknown user: no password matches " + randomB64(12)
	}
	salt := []byte("jobmail-smtptest") // fixed per server, like a stored credential
	salted, err := pbkdf2.Key(s.h, pw, salt, scramIterations, s.h().Size())
	if err != nil {
		return nil, true, err
	}
	s.user, s.salted = user, salted
	s.nonce = attrs["r"] + randomB64(18)
	serverFirst := "r=" + s.nonce + ",s=" + base64.StdEncoding.EncodeToString(salt) + ",i=4096"
	s.authMsg = bare + "," + serverFirst
	s.step = 1
	return []byte(serverFirst), false, nil
}

func (s *scramServer) final(msg string) ([]byte, bool, error) {
	i := strings.LastIndex(msg, ",p=")
	if i < 0 {
		return nil, true, errBadResponse
	}
	withoutProof, proof64 := msg[:i], msg[i+3:]
	attrs := scramAttrs(withoutProof)
	if attrs["r"] != s.nonce || attrs["c"] == "" {
		return nil, true, errBadResponse
	}
	proof, err := base64.StdEncoding.DecodeString(proof64)
	if err != nil {
		return nil, true, errBadResponse
	}
	authMsg := s.authMsg + "," + withoutProof
	clientKey := s.mac(s.salted, "Client Key")
	stored := s.h()
	stored.Write(clientKey)
	sig := s.mac(stored.Sum(nil), authMsg)
	want := make([]byte, len(clientKey))
	for j := range want {
		want[j] = clientKey[j] ^ sig[j]
	}
	if !hmac.Equal(proof, want) {
		return nil, true, errAuthFailed
	}
	s.verified, s.step = true, 2
	serverSig := s.mac(s.mac(s.salted, "Server Key"), authMsg)
	return []byte("v=" + base64.StdEncoding.EncodeToString(serverSig)), false, nil
}

func (s *scramServer) mac(key []byte, msg string) []byte {
	m := hmac.New(s.h, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}

func scramAttrs(msg string) map[string]string {
	out := map[string]string{}
	for _, kv := range strings.Split(msg, ",") {
		if k, v, ok := strings.Cut(kv, "="); ok && len(k) == 1 {
			out[k] = v
		}
	}
	return out
}

// cutN splits s after its n-th sep.
func cutN(s, sep string, n int) (before, after string, ok bool) {
	at := 0
	for range n {
		i := strings.Index(s[at:], sep)
		if i < 0 {
			return "", "", false
		}
		at += i + len(sep)
	}
	return s[:at], s[at:], true
}

func randomB64(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawStdEncoding.EncodeToString(b)
}

func newSCRAM(mech string, password func(string) (string, bool), accept func(string) error) *scramServer {
	h := sha256.New
	if mech == "SCRAM-SHA-1" {
		h = sha1.New
	}
	return &scramServer{h: h, password: password, accept: accept}
}

// echoing makes a mechanism's refusal quote the client's last response in
// base64, as some servers quote what they could not accept: the client
// must not let that reach its output.
type echoing struct {
	sasl.Server
	last []byte
}

func (e *echoing) Next(resp []byte) ([]byte, bool, error) {
	if resp != nil {
		e.last = bytes.Clone(resp)
	}
	ch, done, err := e.Server.Next(resp)
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		quoted := *se
		quoted.Message += ": " + base64.StdEncoding.EncodeToString(e.last)
		return ch, done, &quoted
	}
	return ch, done, err
}
