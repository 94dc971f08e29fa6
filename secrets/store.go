package secrets

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// Service is the keyring service name every entry is stored under; the
// account is the entry's key (e.g. "smtp:jobs@acme.de").
const Service = "jobmail"

// Store keeps secrets by account. Every call must return within the store's
// own timeout: an OS keyring may wait forever for an unlock prompt.
// Errors that mean "no keyring here" wrap ErrUnavailable; a missing entry
// is ErrNotFound.
type Store interface {
	Get(ctx context.Context, account string) (Secret, error)
	Set(ctx context.Context, account string, s Secret) error
	Delete(ctx context.Context, account string) error
}

var (
	// ErrUnavailable: no usable keyring (no Secret Service, locked, timed out).
	ErrUnavailable = errors.New("keyring unavailable")
	// ErrNotFound: the keyring has no entry for the account.
	ErrNotFound = errors.New("secret not found in keyring")
	// ErrTooLarge: the value exceeds what the platform's keyring can hold.
	ErrTooLarge = errors.New("secret too large for the keyring")
)

// RefKind is the kind of a secret reference in the setup file.
type RefKind string

const (
	RefKeyring RefKind = "keyring"
	RefEnv     RefKind = "env"
	RefFile    RefKind = "file"
	RefStdin   RefKind = "stdin"
)

// Ref is a parsed secret reference: `keyring`, `env:NAME`, `file:PATH`
// or `stdin`. Arg is NAME or PATH.
type Ref struct {
	Kind RefKind
	Arg  string
}

func (r Ref) String() string {
	if r.Arg == "" {
		return string(r.Kind)
	}
	return string(r.Kind) + ":" + r.Arg
}

// ParseRef parses a reference. A value that is none of the forms is an
// error; that is also how a plaintext password pasted into the setup file
// is refused (the error never repeats the value).
func ParseRef(s string) (Ref, error) {
	switch {
	case s == "keyring":
		return Ref{Kind: RefKeyring}, nil
	case s == "stdin":
		return Ref{Kind: RefStdin}, nil
	case strings.HasPrefix(s, "env:"):
		name := strings.TrimPrefix(s, "env:")
		if !validEnvName(name) {
			return Ref{}, fmt.Errorf("env reference needs a variable name (env:NAME)")
		}
		return Ref{Kind: RefEnv, Arg: name}, nil
	case strings.HasPrefix(s, "file:"):
		p := strings.TrimPrefix(s, "file:")
		if p == "" {
			return Ref{}, fmt.Errorf("file reference needs a path (file:PATH)")
		}
		return Ref{Kind: RefFile, Arg: p}, nil
	}
	return Ref{}, errors.New("not a secret reference: use keyring, env:NAME, file:PATH or stdin (never the secret itself)")
}

func validEnvName(n string) bool {
	if n == "" {
		return false
	}
	for i, c := range n {
		if c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (i > 0 && c >= '0' && c <= '9') {
			continue
		}
		return false
	}
	return true
}

// Account is the keyring entry of a mailbox's secret for a channel, e.g.
// "smtp:jobs@acme.de" or "google:jobs@acme.de". The one rule every writer
// and reader uses, so the wizard's save and a later replay meet; the login
// is compared without case and surrounding space.
func Account(channel, login string) string {
	return channel + ":" + strings.ToLower(strings.TrimSpace(login))
}
