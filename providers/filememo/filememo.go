// Package filememo remembers what was derived from a file (a CA file's
// certificates, a validation verdict) for as long as the file stays the
// same: same path, same file (device and inode), size, mode and
// modification time. A replay of hundreds of mailboxes naming one
// ca_file reads and parses it once instead of several times a mailbox.
// Only successes are remembered: a failure is asked again every time, so
// a fixed file is seen at once.
package filememo

import (
	"os"
	"sync"
)

// Memo maps a path to the value derived from the file there. The zero
// value is ready to use; a Memo must not be copied after first use.
type Memo[T any] struct {
	mu sync.Mutex
	m  map[string]entry[T]
}

type entry[T any] struct {
	fi os.FileInfo
	v  T
}

// Get returns the value remembered for path while the file is unchanged,
// else load's (remembered when it succeeds and path names a regular
// file). The identity is taken before load runs, so a file replaced
// during load is read again next time.
func (m *Memo[T]) Get(path string, load func() (T, error)) (T, error) {
	fi, err := os.Stat(path)
	if err != nil || !fi.Mode().IsRegular() {
		return load() // missing, FIFO, device…: load says what is wrong
	}
	m.mu.Lock()
	e, ok := m.m[path]
	m.mu.Unlock()
	if ok && same(e.fi, fi) {
		return e.v, nil
	}
	v, err := load()
	if err != nil {
		return v, err
	}
	m.mu.Lock()
	if m.m == nil {
		m.m = map[string]entry[T]{}
	}
	m.m[path] = entry[T]{fi: fi, v: v}
	m.mu.Unlock()
	return v, nil
}

func same(a, b os.FileInfo) bool {
	return os.SameFile(a, b) && a.Size() == b.Size() && a.Mode() == b.Mode() && a.ModTime().Equal(b.ModTime())
}
