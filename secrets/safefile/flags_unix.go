//go:build unix

package safefile

import (
	"io/fs"
	"syscall"
)

// openReadFlags open without blocking (a FIFO swapped in after the stat
// must not hang the open) and without becoming the controlling terminal.
const openReadFlags = syscall.O_NONBLOCK | syscall.O_NOCTTY

func tooOpen(m fs.FileMode) bool { return m.Perm()&0o077 != 0 }
