// Package safefile is the one way the program reads and writes files.
//
// Read refuses what is not a regular file (FIFO, socket, device,
// directory) without blocking on it, caps the size, honours the context,
// and for secret files refuses modes that let others read them. Write
// replaces a file atomically (temporary file, mode 0600, sync, rename)
// and never writes through a symbolic link, onto a device or other
// non-regular file, or onto a protected file such as the setup file
// being read.
package safefile

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"syscall"
)

// Size limits of the files the program reads.
const (
	MaxSecret = 64 << 10 // a password or token file (plus a newline)
	MaxCA     = 4 << 20  // a CA bundle
	MaxSetup  = 1 << 20  // a setup file
)

// Errors of Read and Write, wrapped in *fs.PathError with the path.
var (
	ErrNotRegular = errors.New("not a regular file")
	ErrTooLarge   = errors.New("file too large")
	ErrTooOpen    = errors.New("readable by other users")
	ErrSymlink    = errors.New("is a symbolic link")
	ErrProtected  = errors.New("is the setup file being read")
)

// ReadOptions say how a file is read.
type ReadOptions struct {
	// Max is the largest accepted size in bytes (required).
	Max int64
	// Private refuses a file that its group or others may read (mode
	// &0o077 other than 0): it is a secret. AllowOpen lifts that.
	Private, AllowOpen bool
}

// ModeError is ErrTooOpen with the mode found, so that a message can name
// the fix (chmod 600 PATH).
type ModeError struct{ Mode fs.FileMode }

func (e *ModeError) Error() string { return fmt.Sprintf("mode %04o: %v", e.Mode.Perm(), ErrTooOpen) }
func (e *ModeError) Unwrap() error { return ErrTooOpen }

// Read returns the content of the regular file at path. It stats the path
// before opening (a FIFO would block the open) and opens without blocking
// and without taking a controlling terminal, then checks the opened file
// again (the path may have been swapped in between). A file over o.Max
// bytes is refused without being read whole, whatever its stat size says
// (/proc files report 0). ctx is checked before opening and between reads.
func Read(ctx context.Context, path string, o ReadOptions) ([]byte, error) {
	fail := func(err error) error { return &fs.PathError{Op: "read", Path: path, Err: err} }
	if err := ctx.Err(); err != nil {
		return nil, fail(err)
	}
	before, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if err := kindOK(before, o); err != nil {
		return nil, fail(err)
	}
	f, err := os.OpenFile(path, os.O_RDONLY|openReadFlags, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	after, err := f.Stat()
	if err != nil {
		return nil, fail(err)
	}
	if !os.SameFile(before, after) {
		return nil, fail(errors.New("file changed while it was opened"))
	}
	if err := kindOK(after, o); err != nil {
		return nil, fail(err)
	}
	buf := make([]byte, 0, readSize(after.Size()))
	for {
		if err := ctx.Err(); err != nil {
			return nil, fail(err)
		}
		if len(buf) == cap(buf) { // the file grew past its stat size, or says 0 (/proc)
			buf = slices.Grow(buf, readStep)
		}
		n, rerr := f.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if int64(len(buf)) > o.Max {
			return nil, fail(ErrTooLarge)
		}
		if errors.Is(rerr, io.EOF) {
			return buf, nil
		}
		if rerr != nil {
			return nil, rerr
		}
	}
}

// readStep is the least room Read adds when a file turns out longer than
// its stat size said (a /proc file says 0); Max still refuses a file
// that grows past it, after one more read.
const readStep = 32 << 10

// readSize is Read's buffer: the stat size (kindOK holds it to Max) and a
// byte more, so that one read and the EOF after it take the whole file
// into a buffer of its size. A fixed 32 KiB chunk, zeroed on the
// caller's stack for each file and copied out, cost a start ~10 of its
// ~745 page faults (issue 15).
func readSize(size int64) int { return int(max(size+1, 512)) }

func kindOK(fi fs.FileInfo, o ReadOptions) error {
	switch {
	case fi.IsDir():
		return syscall.EISDIR
	case !fi.Mode().IsRegular():
		return ErrNotRegular
	case fi.Size() > o.Max:
		return ErrTooLarge
	case o.Private && !o.AllowOpen && tooOpen(fi.Mode()):
		return &ModeError{Mode: fi.Mode()}
	}
	return nil
}
