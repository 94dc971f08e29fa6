package smtptest

import (
	"bytes"
	"crypto/hmac"
	"crypto/md5"
	"crypto/rand"
	"encoding/binary"
	"strings"
	"unicode/utf16"

	//lint:ignore SA1019 NTLM is MD4 by definition (MS-NLMP NTOWFv1); this is the test server
	"golang.org/x/crypto/md4"
)

// ntlmServer is NTLMv2 as Exchange's "integrated Windows authentication"
// speaks it over SMTP (MS-NLMP): NEGOTIATE (the initial response),
// CHALLENGE, AUTHENTICATE; the proof is checked against the password.
type ntlmServer struct {
	password  func(user string) (string, bool)
	accept    func(user string) error
	challenge []byte // the server challenge, once sent
}

const ntlmSignature = "NTLMSSP\x00"

func (s *ntlmServer) Next(resp []byte) ([]byte, bool, error) {
	if s.challenge == nil {
		if resp == nil {
			return []byte{}, false, nil // "334 ": send the NEGOTIATE message
		}
		if !ntlmMessage(resp, 1) {
			return nil, true, errBadResponse
		}
		s.challenge = make([]byte, 8)
		_, _ = rand.Read(s.challenge)
		return NTLMChallenge(s.challenge), false, nil
	}
	if !ntlmMessage(resp, 3) || len(resp) < 64 {
		return nil, true, errBadResponse
	}
	nt, ok1 := ntlmField(resp, 20)
	dom, ok2 := ntlmField(resp, 28)
	usr, ok3 := ntlmField(resp, 36)
	if !ok1 || !ok2 || !ok3 || len(nt) < 16+28 {
		return nil, true, errBadResponse
	}
	user, domain := fromUTF16(usr), fromUTF16(dom)
	name := user
	if domain != "" {
		name = domain + `\` + user
	}
	pw, known := s.password(name)
	if !known || !hmac.Equal(nt[:16], ntProof(pw, user, domain, s.challenge, nt[16:])) {
		return nil, true, errAuthFailed
	}
	return nil, true, s.accept(name)
}

// ntProof is NTProofStr: HMAC-MD5 keyed by NTOWFv2 over the server
// challenge and the client's blob.
func ntProof(password, user, domain string, challenge, blob []byte) []byte {
	h := md4.New()
	h.Write(toUTF16(password))
	mac := hmac.New(md5.New, h.Sum(nil))
	mac.Write(toUTF16(strings.ToUpper(user) + domain))
	mac = hmac.New(md5.New, mac.Sum(nil))
	mac.Write(challenge)
	mac.Write(blob)
	return mac.Sum(nil)
}

// NTLMChallenge is a CHALLENGE message (type 2) with the given 8-byte
// server challenge: Unicode, NTLM, and a target info of MsvAvEOL only. A
// scripted server can send it (base64) to get an AUTHENTICATE message.
func NTLMChallenge(challenge []byte) []byte {
	const headerLen = 48
	targetInfo := []byte{0, 0, 0, 0} // MsvAvEOL
	b := make([]byte, headerLen, headerLen+len(targetInfo))
	copy(b, ntlmSignature)
	binary.LittleEndian.PutUint32(b[8:], 2)
	binary.LittleEndian.PutUint32(b[16:], headerLen)                        // empty target name
	binary.LittleEndian.PutUint32(b[20:], 0x00000001|0x00000200|0x00800000) // unicode, NTLM, target info
	copy(b[24:32], challenge)
	binary.LittleEndian.PutUint16(b[40:], uint16(len(targetInfo)))
	binary.LittleEndian.PutUint16(b[42:], uint16(len(targetInfo)))
	binary.LittleEndian.PutUint32(b[44:], headerLen)
	return append(b, targetInfo...)
}

func ntlmMessage(b []byte, typ uint32) bool {
	return len(b) >= 12 && bytes.HasPrefix(b, []byte(ntlmSignature)) && binary.LittleEndian.Uint32(b[8:]) == typ
}

// ntlmField reads a security buffer (length, max length, offset).
func ntlmField(b []byte, at int) ([]byte, bool) {
	n := int(binary.LittleEndian.Uint16(b[at:]))
	off := int(binary.LittleEndian.Uint32(b[at+4:]))
	if off < 0 || off+n > len(b) {
		return nil, false
	}
	return b[off : off+n], true
}

func toUTF16(s string) []byte {
	u := utf16.Encode([]rune(s))
	b := make([]byte, 2*len(u))
	for i, c := range u {
		binary.LittleEndian.PutUint16(b[2*i:], c)
	}
	return b
}

func fromUTF16(b []byte) string {
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return string(utf16.Decode(u))
}
