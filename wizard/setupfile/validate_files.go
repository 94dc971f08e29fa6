package setupfile

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"

	"github.com/jobmail/jobmail/providers/filememo"
	"github.com/jobmail/jobmail/providers/pemcerts"
	"github.com/jobmail/jobmail/secrets/safefile"
)

// MaxReferencedFile bounds a CA file read for validation: a certificate
// bundle is a few hundred KiB at most; anything larger is a wrong path.
const MaxReferencedFile = 4 << 20

// Errors of ReadFileLimited (the one reader's).
var (
	errFileTooLarge = safefile.ErrTooLarge
	errNotRegular   = safefile.ErrNotRegular
)

// ReadFileLimited reads a regular file of at most MaxReferencedFile bytes
// through the one bounded reader (safefile.Read): it is the loader's way
// to read a ca_file, so it neither blocks on a FIFO nor swallows
// /dev/zero.
func ReadFileLimited(path string) ([]byte, error) {
	return safefile.Read(context.Background(), path, safefile.ReadOptions{Max: MaxReferencedFile})
}

// CheckReadable reports whether path names a readable file without
// reading it: the loader checks `file:` secret references this way, so a
// secret's value is never loaded just to validate the setup file. Named
// pipes and devices are stat'ed only (opening a FIFO would block).
func CheckReadable(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if fi.IsDir() {
		return &fs.PathError{Op: "open", Path: path, Err: syscall.EISDIR}
	}
	if !fi.Mode().IsRegular() {
		return nil
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	return f.Close()
}

// ValidateCAFile checks that path names a readable PEM file holding at
// least one X.509 certificate. readFile is how the file is read
// (ReadFileLimited in production).
func ValidateCAFile(path string, readFile func(string) ([]byte, error)) error {
	if path == "" {
		return reasonErr(ReasonRequired, nil)
	}
	if err := checkControl(path); err != nil {
		return err
	}
	b, err := readFile(path)
	if err != nil {
		return &FieldError{Reason: ReasonCAFileUnreadable,
			Args: map[string]string{"path": SafeArg(path), "detail": fileProblem(err)},
			Err:  fmt.Errorf("read ca file: %w", err)}
	}
	if n := countCertificates(b); n == 0 {
		return reasonErr(ReasonCAFileNoCert, map[string]string{"path": SafeArg(path)})
	}
	return nil
}

// countCertificates counts the PEM CERTIFICATE blocks that parse.
func countCertificates(b []byte) int { return len(pemcerts.Parse(b).Certs) }

// ValidateSecretFile checks that a `file:` secret reference points to a
// readable file. check must not read the content (CheckReadable).
func ValidateSecretFile(path string, check func(string) error) error {
	if path == "" {
		return reasonErr(ReasonRequired, nil)
	}
	if err := checkControl(path); err != nil {
		return err
	}
	if err := check(path); err != nil {
		return &FieldError{Reason: ReasonSecretFileMissing,
			Args: map[string]string{"path": SafeArg(path), "detail": fileProblem(err)},
			Err:  fmt.Errorf("check secret file: %w", err)}
	}
	return nil
}

// validCAFiles remembers the ca_file paths that passed (a replay answers
// ca_file once a mailbox, mostly with the same file).
var validCAFiles filememo.Memo[struct{}]

// fileProblem names why a file could not be used, as a catalogue detail.
func fileProblem(err error) string {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "not_found"
	case errors.Is(err, fs.ErrPermission):
		return "permission"
	case errors.Is(err, syscall.EISDIR):
		return "is_directory"
	case errors.Is(err, errFileTooLarge):
		return "too_large"
	case errors.Is(err, errNotRegular):
		return "not_regular"
	case errors.Is(err, syscall.ENOTDIR):
		return "not_found"
	}
	return "io"
}

// fileArgs are the Args of a whole-file error.
func fileArgs(path string, kv ...string) map[string]string {
	m := map[string]string{"path": SafeArg(path)}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}
