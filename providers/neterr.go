package providers

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"syscall"
)

// Transport failures as both the live test (providers/smtp) and the
// credential-free probe (providers/probe) read them, so that the same
// silence or hang-up gets the same code from either.

// IsTimeout reports a deadline that ran out: the connection's, the
// context's, or a net.Error that says so.
func IsTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) ||
		(errors.As(err, &ne) && ne.Timeout())
}

// IsDisconnect reports a peer that hung up: end of stream, reset, broken
// pipe, or a connection closed under us.
func IsDisconnect(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNABORTED) || errors.Is(err, net.ErrClosed)
}
