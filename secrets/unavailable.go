package secrets

import (
	"context"
	"errors"
	"io/fs"
	"syscall"

	"github.com/jobmail/jobmail/secrets/safefile"
)

// Unavailable says why a reference gave no secret: the run cannot go on,
// and the user must act on the source (exit 5, "secrets unavailable").
type Unavailable struct {
	Source string // "env", "stdin", "file" or "keyring"
	// Why is the reason: env: unset, empty; stdin: missing, empty,
	// unreadable; file: empty, too_large, too_open, not_regular,
	// is_directory, not_found, permission, unreadable; keyring: empty.
	Why  string
	Ref  string      // the reference as written (env:NAME, file:PATH, stdin)
	Arg  string      // the variable's name or the file's path
	Mode fs.FileMode // the file's mode when Why is too_open
}

// UnavailableOf reports whether err is a secret that could not be had from
// its source, and why. A malformed reference (a setup-file error, exit 2),
// a keyring that cannot be reached (ErrUnavailable, which has its own
// code) and a cancelled context are not.
func UnavailableOf(err error) (Unavailable, bool) {
	var re *ResolveError
	if !errors.As(err, &re) || errors.Is(err, ErrBadRef) || errors.Is(err, ErrNoAccount) ||
		errors.Is(err, ErrUnavailable) || errors.Is(err, ErrNotFound) || errors.Is(err, ErrTooLarge) ||
		errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return Unavailable{}, false
	}
	u := Unavailable{Ref: re.Ref.String(), Arg: re.Ref.Arg}
	empty := errors.Is(err, ErrEmptySecret)
	switch re.Ref.Kind {
	case RefEnv:
		u.Source, u.Why = "env", "unset"
		if empty {
			u.Why = "empty"
		} else if !errors.Is(err, ErrEnvUnset) {
			return Unavailable{}, false
		}
	case RefStdin:
		u.Source, u.Why = "stdin", "unreadable"
		switch {
		case empty:
			u.Why = "empty"
		case errors.Is(err, ErrNoStdin):
			u.Why = "missing"
		}
	case RefFile:
		u.Source = "file"
		var me *safefile.ModeError
		switch {
		case empty:
			u.Why = "empty"
		case errors.As(err, &me):
			u.Why, u.Mode = "too_open", me.Mode
		case errors.Is(err, ErrSourceLarge), errors.Is(err, safefile.ErrTooLarge):
			u.Why = "too_large"
		case errors.Is(err, safefile.ErrNotRegular):
			u.Why = "not_regular"
		case errors.Is(err, syscall.EISDIR):
			u.Why = "is_directory"
		case errors.Is(err, fs.ErrNotExist):
			u.Why = "not_found"
		case errors.Is(err, fs.ErrPermission):
			u.Why = "permission"
		default:
			u.Why = "unreadable"
		}
	case RefKeyring:
		if !empty {
			return Unavailable{}, false
		}
		u.Source, u.Why = "keyring", "empty"
	default:
		return Unavailable{}, false
	}
	return u, true
}
