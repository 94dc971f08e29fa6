package secrets

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/zalando/go-keyring"
)

// DefaultTimeout bounds every keyring call when Keyring.Timeout is zero.
// The GitHub CLI gives up after the same 3 s: long enough for a busy
// Secret Service, short enough that a hidden unlock prompt does not look
// like a hang.
const DefaultTimeout = 3 * time.Second

// MaxSecretLen is the largest value Keyring.Set accepts, in bytes. It is
// Windows Credential Manager's limit; it is enforced on every OS so that a
// setup made on Linux still works when replayed on Windows.
const MaxSecretLen = 2560

// Reasons a keyring is unavailable, as stable identifiers a message
// catalogue can key on (KeyringError.Reason).
const (
	ReasonNoBus     = "no_session_bus"    // no D-Bus session bus to talk to
	ReasonNoService = "no_secret_service" // the bus has no org.freedesktop.secrets
	ReasonLocked    = "locked"            // the collection could not be unlocked
	ReasonTimeout   = "timeout"           // no answer within the timeout
	ReasonOther     = "other"             // any other keyring failure
)

// backend is the part of go-keyring Keyring uses; tests inject a fake
// (e.g. one that blocks like an unanswered unlock prompt).
type backend interface {
	Get(service, user string) (string, error)
	Set(service, user, password string) error
	Delete(service, user string) error
}

// osBackend calls go-keyring's package functions, i.e. the OS keyring.
type osBackend struct{}

func (osBackend) Get(service, user string) (string, error) { return keyring.Get(service, user) }
func (osBackend) Set(service, user, pw string) error       { return keyring.Set(service, user, pw) }
func (osBackend) Delete(service, user string) error        { return keyring.Delete(service, user) }

// Keyring is the OS keyring (Secret Service, Keychain, Credential Manager)
// as a Store. Every call returns within Timeout: go-keyring waits forever
// for an unlock prompt, so each call runs in its own goroutine and is
// abandoned when the time is up. Calls are serialised: while an abandoned
// call is still stuck in the OS, later calls wait for it (within their own
// timeout) instead of piling up more stuck goroutines.
//
// A Set that timed out may still complete later, once the prompt is
// answered; callers should treat the outcome as unknown, not as "not
// stored".
type Keyring struct {
	// Timeout bounds each call; zero means DefaultTimeout.
	Timeout time.Duration

	backend backend // nil: the OS keyring via go-keyring

	once sync.Once
	sem  chan struct{} // one token: at most one backend call in flight
}

// NewKeyring returns the OS keyring with the default timeout.
func NewKeyring() *Keyring { return &Keyring{Timeout: DefaultTimeout} }

// KeyringError is a failed keyring call. Err is ErrNotFound,
// ErrUnavailable, ErrTooLarge or context.Canceled, so errors.Is works;
// Cause is the context's error after a timeout. Reason says why the
// keyring is unavailable; Detail is a short description of the OS's
// error, never the secret.
type KeyringError struct {
	Op      string // "get", "set" or "delete"
	Account string
	Reason  string // one of the Reason constants when Err is ErrUnavailable
	Detail  string
	Err     error
	Cause   error
}

func (e *KeyringError) Error() string {
	msg := fmt.Sprintf("keyring %s %q: %v", e.Op, e.Account, e.Err)
	if e.Reason != "" {
		msg += " (" + e.Reason + ")"
	}
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	return msg
}

func (e *KeyringError) Unwrap() []error {
	if e.Cause == nil {
		return []error{e.Err}
	}
	return []error{e.Err, e.Cause}
}

// Get returns the secret stored for account.
func (k *Keyring) Get(ctx context.Context, account string) (Secret, error) {
	v, err := k.call(ctx, "get", account, "", func(b backend) (string, error) {
		return b.Get(Service, account)
	})
	if err != nil {
		return Secret{}, err
	}
	return New(v), nil
}

// Set stores s for account. A value over MaxSecretLen is refused before
// the keyring is asked.
func (k *Keyring) Set(ctx context.Context, account string, s Secret) error {
	if len(s.v) > MaxSecretLen {
		return &KeyringError{Op: "set", Account: account,
			Detail: fmt.Sprintf("%d bytes, limit %d", len(s.v), MaxSecretLen), Err: ErrTooLarge}
	}
	_, err := k.call(ctx, "set", account, s.v, func(b backend) (string, error) {
		return "", b.Set(Service, account, s.v)
	})
	return err
}

// Delete removes the entry for account; a missing entry is ErrNotFound.
func (k *Keyring) Delete(ctx context.Context, account string) error {
	_, err := k.call(ctx, "delete", account, "", func(b backend) (string, error) {
		return "", b.Delete(Service, account)
	})
	return err
}

func (k *Keyring) timeout() time.Duration {
	if k.Timeout > 0 {
		return k.Timeout
	}
	return DefaultTimeout
}

// call runs fn against the backend, bounded by the timeout and ctx.
// secret is the value being written (if any), kept out of error details.
func (k *Keyring) call(ctx context.Context, op, account, secret string, fn func(backend) (string, error)) (string, error) {
	if account == "" {
		return "", fmt.Errorf("keyring %s: empty account", op)
	}
	if err := ctx.Err(); err != nil {
		return "", k.ctxErr(ctx, op, account, 0, "deadline passed before the call")
	}
	k.once.Do(func() { k.sem = make(chan struct{}, 1) })
	b := k.backend
	if b == nil {
		b = osBackend{}
	}
	d := k.timeout()
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()

	select {
	case k.sem <- struct{}{}:
	case <-ctx.Done():
		return "", k.ctxErr(ctx, op, account, d, "an earlier keyring call is still waiting")
	}

	type result struct {
		v   string
		err error
	}
	// Buffered: an abandoned call's goroutine delivers into the buffer and
	// exits; nobody reads the value, so it is only garbage afterwards.
	done := make(chan result, 1)
	go func() {
		defer func() { <-k.sem }()
		v, err := fn(b)
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			return "", mapError(op, account, secret, r.err)
		}
		return r.v, nil
	case <-ctx.Done():
		return "", k.ctxErr(ctx, op, account, d, "")
	}
}

// ctxErr: a deadline (ours or the caller's) means the keyring did not
// answer, hence unavailable; a cancellation is the user giving up and
// stays context.Canceled so it is not reported as a keyring fault.
func (k *Keyring) ctxErr(ctx context.Context, op, account string, d time.Duration, detail string) error {
	err := ctx.Err()
	if errors.Is(err, context.Canceled) {
		return &KeyringError{Op: op, Account: account, Err: err}
	}
	if detail == "" {
		detail = fmt.Sprintf("no answer within %s (locked keyring waiting for an unlock prompt?)", d)
	}
	return &KeyringError{Op: op, Account: account, Reason: ReasonTimeout, Detail: detail,
		Err: ErrUnavailable, Cause: err}
}

// maxDetail keeps OS error texts short enough for one line.
const maxDetail = 160

// mapError turns go-keyring's errors into the package's sentinels.
func mapError(op, account, secret string, err error) error {
	switch {
	case errors.Is(err, keyring.ErrNotFound):
		return &KeyringError{Op: op, Account: account, Err: ErrNotFound}
	case errors.Is(err, keyring.ErrSetDataTooBig):
		return &KeyringError{Op: op, Account: account, Err: ErrTooLarge}
	}
	msg := err.Error()
	if secret != "" {
		// The OS error should never hold the value, but a redacted detail
		// costs nothing and an unredacted one would be a leak.
		msg = strings.ReplaceAll(msg, secret, Redacted)
	}
	if len(msg) > maxDetail {
		msg = msg[:maxDetail] + "…"
	}
	return &KeyringError{Op: op, Account: account, Reason: classify(msg), Detail: msg, Err: ErrUnavailable}
}

// classify names the usual ways a Secret Service is missing; the texts
// are godbus's and gnome-keyring's (see shared/STACK.md).
func classify(msg string) string {
	m := strings.ToLower(msg)
	switch {
	case strings.Contains(m, "org.freedesktop.secrets"),
		strings.Contains(m, "serviceunknown"),
		strings.Contains(m, "no such interface"),
		strings.Contains(m, "no such object"):
		return ReasonNoService
	case strings.Contains(m, "dbus-launch"),
		strings.Contains(m, "session bus"),
		strings.Contains(m, "dbus: "),
		strings.Contains(m, "no such file or directory"),
		strings.Contains(m, "connection refused"),
		strings.Contains(m, "dial unix"):
		return ReasonNoBus
	case strings.Contains(m, "unlock"), strings.Contains(m, "locked"), strings.Contains(m, "dismissed"):
		return ReasonLocked
	}
	return ReasonOther
}
