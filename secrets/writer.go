package secrets

import (
	"bytes"
	"io"
	"sync"
)

// maxPending is how much of an unfinished line a RedactWriter holds back
// before it cuts the line itself.
const maxPending = 64 << 10

// RedactWriter is an io.Writer that redacts what passes through it. A
// secret may arrive split across Write calls, so output is released a
// line at a time; Flush releases the unfinished last line. Safe for
// concurrent use.
type RedactWriter struct {
	r   *Redactor
	w   io.Writer
	mu  sync.Mutex
	buf []byte
}

// Writer wraps w. Secrets added to r later still apply to text that has
// not been released yet. Call Flush when done.
func (r *Redactor) Writer(w io.Writer) *RedactWriter {
	return &RedactWriter{r: r, w: w}
}

// Write buffers p and writes every complete line, redacted. It reports
// len(p) when p was taken, even if only part of it was released.
func (rw *RedactWriter) Write(p []byte) (int, error) {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	rw.buf = append(rw.buf, p...)
	set := rw.r.snapshot()
	c := set.cut(rw.buf)
	if c == 0 {
		return len(p), nil
	}
	if err := rw.release(set, c); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Flush writes what is still held back, redacted.
func (rw *RedactWriter) Flush() error {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	if len(rw.buf) == 0 {
		return nil
	}
	return rw.release(rw.r.snapshot(), len(rw.buf))
}

func (rw *RedactWriter) release(set *patternSet, c int) error {
	out := set.redact(string(rw.buf[:c]))
	rest := copy(rw.buf, rw.buf[c:])
	rw.buf = rw.buf[:rest]
	_, err := io.WriteString(rw.w, out)
	return err
}

// cut returns how many leading bytes of buf can be redacted on their own
// without a secret slipping through the seam: normally up to the last
// line break, since no pattern spans one. When a pattern holds a line
// break, or a line grows past maxPending, the cut moves to a point that
// is at least maxLen-1 bytes away from any occurrence on either side, so
// neither a raw occurrence nor one touching a marker can straddle it.
func (set *patternSet) cut(buf []byte) int {
	n := len(buf)
	c := bytes.LastIndexByte(buf, '\n') + 1
	if set == nil || len(set.pats) == 0 {
		if n-c > maxPending {
			return n
		}
		return c
	}
	if !set.multiline && n-c <= maxPending {
		return c
	}
	gap := set.maxLen - 1
	limit := n - gap
	if set.multiline || n-c > maxPending {
		c = min(c, limit)
		if n-c > maxPending {
			c = limit
		}
	}
	if c <= 0 {
		return 0
	}
	cov := set.cover(string(buf))
	// sum[i] = covered bytes in buf[:i]
	sum := make([]int, n+1)
	for i, v := range cov {
		sum[i+1] = sum[i]
		if v {
			sum[i+1]++
		}
	}
	for ; c > 0; c-- {
		lo, hi := max(0, c-gap), min(n, c+gap)
		if sum[hi]-sum[lo] == 0 {
			return c
		}
	}
	if n > 4*maxPending {
		// Wall-to-wall secrets: release what is fully inside the buffer
		// rather than hold memory forever.
		return limit
	}
	return 0
}

var _ io.Writer = (*RedactWriter)(nil)
