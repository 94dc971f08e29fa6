package smtp

import (
	"context"
	"crypto/tls"
	"errors"
	"strings"
	"time"
)

// greetingLook is how long a plain connection may stay silent before the
// test looks whether the port speaks TLS from the first byte (SMTPS).
// Real servers greet within milliseconds; a deliberately slow banner
// (greet_pause) costs one extra connection, and is still waited for.
const greetingLook = 1500 * time.Millisecond

// lookTimeout bounds the quick look itself: one TCP connect and a TLS
// handshake's first round trip.
const lookTimeout = time.Second

// errSpeaksTLS is the cause of a missing greeting on a port that answered a
// TLS handshake.
var errSpeaksTLS = errors.New("no greeting in clear: the port speaks TLS from the first byte (SMTPS)")

// bannerStarted waits up to greetingLook for the first byte of the banner
// and reports whether it came (or the wait ended for another reason than
// the short bound: the real read then reports it).
func (r *run) bannerStarted() bool {
	dl, hasDL := r.ctx.Deadline()
	if hasDL && time.Until(dl) <= greetingLook {
		return true // the deadline comes first: nothing to gain
	}
	raw := r.sess.raw
	_ = raw.SetReadDeadline(time.Now().Add(greetingLook))
	if r.ctx.Err() != nil { // cancelled in between: keep the cancellation
		_ = raw.SetDeadline(longAgo)
	}
	_, err := r.sess.r.Peek(1)
	restore := time.Time{}
	if hasDL {
		restore = dl
	}
	_ = raw.SetReadDeadline(restore)
	if r.ctx.Err() != nil {
		_ = raw.SetDeadline(longAgo)
		return true
	}
	var ne interface{ Timeout() bool }
	return err == nil || !errors.As(err, &ne) || !ne.Timeout()
}

// looksLikeTLS opens a second connection to the same address and starts a
// TLS handshake there. Any TLS answer (a certificate, an alert) proves the
// port expects TLS at once. Certificates are not checked: nothing is sent.
func (r *run) looksLikeTLS() bool {
	ctx, cancel := context.WithTimeout(r.ctx, lookTimeout)
	defer cancel()
	conn, err := r.t.dialer().DialContext(ctx, "tcp", r.remote)
	if err != nil {
		return false
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	tc := tls.Client(conn, &tls.Config{
		ServerName:         strings.Trim(strings.TrimSuffix(r.t.cfg.Host, "."), "[]"),
		InsecureSkipVerify: true, // a look at the protocol, not a trust decision
		MinVersion:         tls.VersionTLS10,
	})
	err = tc.HandshakeContext(ctx)
	return err == nil || strings.Contains(err.Error(), "remote error: tls:")
}
