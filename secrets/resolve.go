package secrets

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/jobmail/jobmail/secrets/safefile"
)

// MaxSourceLen bounds a secret read from a file or stdin. Passwords and
// refresh tokens are far smaller; a bigger input is a wrong path (a log, a
// binary), not a secret.
const MaxSourceLen = 64 << 10

// Errors a Resolver wraps in a *ResolveError.
var (
	ErrEnvUnset    = errors.New("environment variable not set")
	ErrEmptySecret = errors.New("secret is empty")
	ErrSourceLarge = errors.New("secret source over 64 KiB")
	ErrNoStdin     = errors.New("no standard input to read the secret from")
	ErrBadRef      = errors.New("invalid secret reference")
	ErrNoAccount   = errors.New("keyring reference without an account")
)

// ResolveError is a reference that could not be turned into a secret. Its
// message names the reference (env:NAME, file:PATH…) and the account,
// never a value.
type ResolveError struct {
	Ref     Ref
	Account string
	Err     error
}

func (e *ResolveError) Error() string {
	if e.Ref.Kind == RefKeyring {
		return fmt.Sprintf("secret %s (account %q): %v", e.Ref, e.Account, e.Err)
	}
	return fmt.Sprintf("secret %s: %v", e.Ref, e.Err)
}

func (e *ResolveError) Unwrap() error { return e.Err }

// Resolver turns references into secrets. Its dependencies are fields so
// that the core never touches the process's environment, files or stdin
// behind the caller's back: LookupEnv and ReadFile default to the os
// package when nil; Stdin has no default (nil means there is none).
// A Resolver reads Stdin at most once and hands the same value to every
// stdin reference of the run. Safe for concurrent use.
type Resolver struct {
	Store     Store
	LookupEnv func(string) (string, bool)
	ReadFile  func(string) ([]byte, error)
	Stdin     io.Reader
	// AllowOpenFiles accepts file: secrets that the group or others may
	// read (--allow-open-secret-files); by default they are refused with
	// the fix, chmod 600 PATH, as ssh refuses such keys.
	AllowOpenFiles bool

	once      sync.Once
	stdinDone chan struct{}
	stdinVal  Secret
	stdinErr  error
}

// Resolve returns the secret ref points to. account is the keyring entry
// for keyring references (e.g. "smtp:jobs@acme.de"), unused otherwise.
func (r *Resolver) Resolve(ctx context.Context, ref Ref, account string) (Secret, error) {
	s, err := r.resolve(ctx, ref, account)
	if err != nil {
		return Secret{}, &ResolveError{Ref: ref, Account: account, Err: err}
	}
	return s, nil
}

func (r *Resolver) resolve(ctx context.Context, ref Ref, account string) (Secret, error) {
	if err := ctx.Err(); err != nil {
		return Secret{}, err
	}
	switch ref.Kind {
	case RefKeyring:
		if account == "" {
			return Secret{}, ErrNoAccount
		}
		if r.Store == nil {
			return Secret{}, fmt.Errorf("no keyring store: %w", ErrUnavailable)
		}
		s, err := r.Store.Get(ctx, account)
		if err != nil {
			return Secret{}, err
		}
		if s.Empty() {
			return Secret{}, ErrEmptySecret
		}
		return s, nil
	case RefEnv:
		if !validEnvName(ref.Arg) {
			return Secret{}, ErrBadRef
		}
		lookup := r.LookupEnv
		if lookup == nil {
			lookup = os.LookupEnv
		}
		v, ok := lookup(ref.Arg)
		if !ok {
			return Secret{}, ErrEnvUnset
		}
		if v == "" {
			return Secret{}, ErrEmptySecret
		}
		return New(v), nil
	case RefFile:
		if ref.Arg == "" {
			return Secret{}, ErrBadRef
		}
		read := r.ReadFile
		if read == nil {
			read = func(path string) ([]byte, error) {
				return safefile.Read(ctx, path, safefile.ReadOptions{Max: readLimit, Private: true, AllowOpen: r.AllowOpenFiles})
			}
		}
		b, err := read(ref.Arg)
		if err != nil {
			return Secret{}, fmt.Errorf("read: %w", withoutPath(err))
		}
		return fromBytes(b)
	case RefStdin:
		return r.readStdin(ctx)
	}
	return Secret{}, ErrBadRef
}

// withoutPath lets a file error name the failure ("no such file or
// directory") without repeating the path the ResolveError already names.
func withoutPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// readStdin reads Stdin once, in the background so that a caller's
// context still bounds the wait; later callers share the outcome.
func (r *Resolver) readStdin(ctx context.Context) (Secret, error) {
	r.once.Do(func() {
		r.stdinDone = make(chan struct{})
		if r.Stdin == nil {
			r.stdinErr = ErrNoStdin
			close(r.stdinDone)
			return
		}
		go func() {
			defer close(r.stdinDone)
			b, err := io.ReadAll(io.LimitReader(r.Stdin, readLimit))
			if err != nil {
				r.stdinErr = fmt.Errorf("read stdin: %w", err)
				return
			}
			r.stdinVal, r.stdinErr = fromBytes(b)
		}()
	})
	select {
	case <-r.stdinDone:
		return r.stdinVal, r.stdinErr
	case <-ctx.Done():
		return Secret{}, ctx.Err()
	}
}

// readLimit is how much of a source is read: the longest secret plus a
// CRLF, plus one byte to tell "too long" from "exactly at the limit".
const readLimit = MaxSourceLen + 3

// fromBytes applies the rules shared by file: and stdin: one trailing
// newline (\n or \r\n) dropped because editors and `echo` add it, then at
// most MaxSourceLen bytes, not empty.
func fromBytes(b []byte) (Secret, error) {
	switch {
	case bytes.HasSuffix(b, []byte("\r\n")):
		b = b[:len(b)-2]
	case bytes.HasSuffix(b, []byte("\n")):
		b = b[:len(b)-1]
	}
	if len(b) > MaxSourceLen {
		return Secret{}, ErrSourceLarge
	}
	if len(b) == 0 {
		return Secret{}, ErrEmptySecret
	}
	return New(string(b)), nil
}
