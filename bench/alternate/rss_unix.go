//go:build unix

package main

import (
	"os"
	"syscall"
)

// peakRSSKiB is the child's peak resident set (getrusage ru_maxrss, KiB on
// Linux): issue 15 asks for the RSS of a `jobmail version` run.
func peakRSSKiB(ps *os.ProcessState) int64 {
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return int64(ru.Maxrss)
	}
	return 0
}
