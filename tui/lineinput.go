package tui

import (
	"bufio"
	"errors"
	"io"
	"os"
	"strings"

	"golang.org/x/term"
)

// maxAnswerBytes bounds one answer line of the accessible mode: nothing a
// person types there is longer, and a runaway pipe must not fill memory.
const maxAnswerBytes = 64 << 10

var errAnswerTooLong = errors.New("answer line too long")

// lineInput is the accessible mode's own reader of answers: one buffered
// reader for the whole run, read one line at a time, so answers piped in
// all at once reach the questions in order (huh's accessible prompts each
// wrap the input in a scanner of their own and lose what it buffered:
// STACK.md). Its Read hands out at most one line per call, so the huh
// menus that still read from it take their line and no more.
type lineInput struct {
	src io.Reader
	r   *bufio.Reader
}

func newLineInput(in io.Reader) *lineInput {
	return &lineInput{src: in, r: bufio.NewReaderSize(in, 4096)}
}

// ReadLine returns the next line without its line ending. At the end of
// the input a last line without a newline is returned; after it, io.EOF.
func (l *lineInput) ReadLine() (string, error) {
	var b strings.Builder
	for {
		chunk, err := l.r.ReadSlice('\n')
		b.Write(chunk)
		if b.Len() > maxAnswerBytes {
			l.discardLine(err)
			return "", errAnswerTooLong
		}
		switch {
		case err == nil:
			return strings.TrimRight(b.String(), "\r\n"), nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF) && b.Len() > 0:
			return strings.TrimRight(b.String(), "\r\n"), nil
		default:
			return "", err
		}
	}
}

// discardLine skips the rest of an over-long line.
func (l *lineInput) discardLine(err error) {
	for errors.Is(err, bufio.ErrBufferFull) {
		_, err = l.r.ReadSlice('\n')
	}
}

// Read gives at most one line (up to and including its newline).
func (l *lineInput) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	n := 0
	for n < len(p) {
		c, err := l.r.ReadByte()
		if err != nil {
			if n > 0 {
				return n, nil
			}
			return 0, err
		}
		p[n] = c
		n++
		if c == '\n' {
			break
		}
	}
	return n, nil
}

// terminal reports whether the input is a terminal (a password is then
// read without echo).
func (l *lineInput) terminal() (int, bool) {
	f, ok := l.src.(*os.File)
	if !ok {
		return 0, false
	}
	fd := int(f.Fd())
	return fd, term.IsTerminal(fd)
}

// ReadSecret reads a password: without echo from a terminal, else as the
// next line (answers piped in).
func (l *lineInput) ReadSecret() (string, error) {
	if fd, ok := l.terminal(); ok && l.r.Buffered() == 0 {
		b, err := term.ReadPassword(fd)
		return string(b), err
	}
	return l.ReadLine()
}
