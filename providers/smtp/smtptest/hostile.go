package smtptest

import (
	"bufio"
	"io"
	"net"
	"strings"
)

// The handlers below stage the misbehaviours Scripted cannot: a hang-up
// in the middle of a message body, and a STARTTLS that is offered and
// accepted but whose handshake then goes wrong. Each returns when the
// connection ends; the Raw server closes it.

// ehloSTARTTLS is a capability list offering STARTTLS and AUTH.
const ehloSTARTTLS = "250-mail.test\n250-STARTTLS\n250-AUTH PLAIN LOGIN\n250 8BITMIME"

// writeReply sends text as reply lines ("\n" separates lines).
func writeReply(w io.Writer, text string) bool {
	_, err := io.WriteString(w, strings.ReplaceAll(text, "\n", "\r\n")+"\r\n")
	return err == nil
}

// MidData answers a session like Scripted's defaults, accepts DATA with
// 354, reads the first line of the message body and then hangs up: the
// message is cut off mid-DATA, before the terminating dot.
func MidData(greeting string) func(net.Conn) {
	return func(c net.Conn) {
		if !writeReply(c, greeting) {
			return
		}
		br := bufio.NewReader(c)
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				return
			}
			up := strings.ToUpper(strings.TrimRight(line, "\r\n"))
			switch {
			case strings.HasPrefix(up, "EHLO"):
				writeReply(c, "250-mail.test\n250 8BITMIME")
			case up == "DATA":
				writeReply(c, "354 End data with <CR><LF>.<CR><LF>")
				_, _ = br.ReadString('\n') // one line of the body, then gone
				return
			case strings.HasPrefix(up, "QUIT"):
				writeReply(c, "221 2.0.0 Bye")
				return
			default:
				writeReply(c, "250 2.0.0 Ok")
			}
		}
	}
}

// StartTLSThen greets, offers STARTTLS in its EHLO reply, accepts the
// STARTTLS command with 220 and hands the connection to handshake, which
// plays the server side of the TLS handshake (or fails to).
func StartTLSThen(handshake func(net.Conn)) func(net.Conn) {
	return func(c net.Conn) {
		if !writeReply(c, "220 mail.test ESMTP") {
			return
		}
		br := bufio.NewReader(c)
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				return
			}
			up := strings.ToUpper(strings.TrimRight(line, "\r\n"))
			switch {
			case strings.HasPrefix(up, "EHLO"):
				writeReply(c, ehloSTARTTLS)
			case up == "STARTTLS":
				if !writeReply(c, "220 2.0.0 Ready to start TLS") {
					return
				}
				handshake(&bufferedConn{Conn: c, r: br})
				return
			default:
				writeReply(c, "503 5.5.1 STARTTLS first")
			}
		}
	}
}

// bufferedConn keeps bytes the line reader already buffered (a client
// that pipelines its ClientHello) in front of the connection.
type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func (b *bufferedConn) Read(p []byte) (int, error) { return b.r.Read(p) }

// AbortHandshake reads the client's first TLS record (the ClientHello)
// and answers with a fatal handshake_failure alert, as a server does that
// shares no protocol version or cipher suite with the client.
func AbortHandshake(c net.Conn) {
	hdr := make([]byte, 5)
	if _, err := io.ReadFull(c, hdr); err != nil {
		return
	}
	n := int(hdr[3])<<8 | int(hdr[4])
	if _, err := io.CopyN(io.Discard, c, int64(n)); err != nil {
		return
	}
	// record type alert, TLS 1.2 record version, length 2: fatal (2),
	// handshake_failure (40).
	_, _ = c.Write([]byte{0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28})
}
