//go:build !unix

package safefile

import "io/fs"

const openReadFlags = 0

// tooOpen: file modes do not describe who may read a file here (Windows
// has ACLs), so no mode is refused.
func tooOpen(fs.FileMode) bool { return false }
