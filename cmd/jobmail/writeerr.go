package main

import (
	"errors"
	"io/fs"
	"syscall"

	"github.com/jobmail/jobmail/secrets/safefile"
)

// writeErrorText is the sentence for a file jobmail could not write (the
// export, the report, the setup file): the path and why, in words, and
// that nothing was written there. The exit code is 2 for a path jobmail
// refuses (a link, a device, the setup file), else 1.
func (o *Options) writeErrorText(err error) (string, bool) {
	var pe *fs.PathError
	if !errors.As(err, &pe) || pe.Op != "write" {
		return "", false
	}
	args := map[string]string{"path": pe.Path}
	var le *safefile.LinkError
	switch {
	case errors.As(err, &le):
		args["why"], args["target"] = "symlink", le.Target
	case errors.Is(err, safefile.ErrSymlink):
		args["why"] = "symlink"
	case errors.Is(err, safefile.ErrNotRegular):
		args["why"] = "not_regular"
	case errors.Is(err, safefile.ErrProtected):
		args["why"] = "protected"
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT):
		args["why"] = "no_space"
	case errors.Is(err, syscall.EROFS):
		args["why"] = "read_only"
	case errors.Is(err, fs.ErrPermission):
		args["why"] = "permission"
	case errors.Is(err, fs.ErrNotExist):
		args["why"] = "no_directory"
	default:
		args["why"], args["error"] = "io", pe.Err.Error()
	}
	return o.words.T("cli.error.write", args), true
}
