package safefile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// WriteOptions say how a file is written.
type WriteOptions struct {
	// Perm is the mode of the new file; 0 means 0600.
	Perm fs.FileMode
	// Protect lists files that must not be overwritten (the setup file
	// being read): they are compared by identity (os.SameFile), so a hard
	// link or another spelling of the same path is refused too.
	Protect []string
}

// Write replaces path with data: written to a temporary file in the same
// directory (mode o.Perm, synced), then renamed over path, so a crash at
// any moment leaves the old file or the new one, never a mix.
//
// It refuses, before creating anything: a path that is a symbolic link
// (the link would be replaced, or its target overwritten; jobmail does
// neither and says so), a directory, a device, FIFO or socket (a rename
// would replace the device node), and a file o.Protect names. Every error
// is an *fs.PathError naming path.
func Write(path string, data []byte, o WriteOptions) (err error) {
	fail := func(e error) error { return &fs.PathError{Op: "write", Path: path, Err: e} }
	perm := o.Perm
	if perm == 0 {
		perm = 0o600
	}
	if err := checkTarget(path, o.Protect); err != nil {
		return fail(err)
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fail(fmt.Errorf("create temporary file: %w", unwrapPath(err)))
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(tmp)
		}
	}()
	if err = f.Chmod(perm); err != nil {
		return fail(fmt.Errorf("set mode: %w", unwrapPath(err)))
	}
	if _, err = f.Write(data); err != nil {
		return fail(unwrapPath(err))
	}
	if err = f.Sync(); err != nil {
		return fail(unwrapPath(err))
	}
	if err = f.Close(); err != nil {
		return fail(unwrapPath(err))
	}
	// Checked again: the path may have become a link or a device while
	// the data was written.
	if err = checkTarget(path, o.Protect); err != nil {
		return fail(err)
	}
	if err = os.Rename(tmp, path); err != nil {
		return fail(unwrapPath(err))
	}
	syncDir(dir)
	removeStaleTemps(dir, base)
	return nil
}

// checkTarget refuses a path that Write must not replace.
func checkTarget(path string, protect []string) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return unwrapPath(err)
	}
	switch {
	case fi.Mode()&fs.ModeSymlink != 0:
		if target, err := os.Readlink(path); err == nil {
			return &LinkError{Target: target}
		}
		return ErrSymlink
	case fi.IsDir():
		return errors.New("is a directory")
	case !fi.Mode().IsRegular():
		return ErrNotRegular
	}
	for _, p := range protect {
		if p == "" || p == "-" {
			continue
		}
		if pfi, err := os.Stat(p); err == nil && os.SameFile(fi, pfi) {
			return ErrProtected
		}
	}
	return nil
}

// LinkError is ErrSymlink with the link's target, for the message.
type LinkError struct{ Target string }

func (e *LinkError) Error() string { return "is a symbolic link to " + e.Target }
func (e *LinkError) Unwrap() error { return ErrSymlink }

// unwrapPath drops the path of an *fs.PathError (a temporary file's name
// means nothing to a user); the caller names the target path instead.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}

// staleTempAge is how old a temporary file of ours must be before a later
// write removes it: a writer killed mid-write (kill -9, power loss) leaves
// one behind, while a concurrent writer's is seconds old.
const staleTempAge = 10 * time.Minute

// removeStaleTemps removes what killed writers of base left in dir.
// Best effort: the write itself has succeeded.
func removeStaleTemps(dir, base string) {
	matches, _ := filepath.Glob(filepath.Join(dir, "."+globEscape(base)+".tmp-*"))
	for _, p := range matches {
		if fi, err := os.Lstat(p); err == nil && fi.Mode().IsRegular() && time.Since(fi.ModTime()) > staleTempAge {
			_ = os.Remove(p)
		}
	}
}

// globEscape quotes the pattern characters of a file name.
func globEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[]\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// syncDir makes a rename durable. Best effort: some file systems refuse
// to sync a directory, and the file is in place either way.
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	_ = d.Sync()
	_ = d.Close()
}
