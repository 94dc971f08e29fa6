package secrets

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
)

func TestRedactWriter(t *testing.T) {
	long := strings.Repeat("x", maxPending+100) + pw + strings.Repeat("y", maxPending+100)
	tests := []struct {
		name    string
		secrets []string
		writes  []string
		want    string
	}{
		{"whole lines", []string{pw}, []string{"a " + pw + "\n", "b\n"}, "a [redacted]\nb\n"},
		{"secret split across writes", []string{pw}, []string{"C: jobs-Sec", "ret-123\r\nS: 235 ok\n"}, "C: [redacted]\r\nS: 235 ok\n"},
		{"byte by byte", []string{pw}, strings.Split("pw="+pw+"\n", ""), "pw=[redacted]\n"},
		{"no final newline", []string{pw}, []string{"end " + pw}, "end [redacted]"},
		{"base64 split", []string{pw}, []string{b64(pw)[:5], b64(pw)[5:] + "\n"}, "[redacted]\n"},
		{"multi-line secret split", []string{"first\nsecond"}, []string{"x first\n", "second y\n"}, "x [redacted] y\n"},
		{"line longer than the buffer", []string{pw}, []string{long[:maxPending], long[maxPending:]},
			strings.Repeat("x", maxPending+100) + "[redacted]" + strings.Repeat("y", maxPending+100)},
		{"nothing registered", nil, []string{"a", "b\n", "c"}, "ab\nc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r Redactor
			for _, s := range tt.secrets {
				r.Add(New(s))
			}
			var sb strings.Builder
			w := r.Writer(&sb)
			for _, s := range tt.writes {
				n, err := w.Write([]byte(s))
				if err != nil || n != len(s) {
					t.Fatalf("Write = %d, %v", n, err)
				}
			}
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			if got := sb.String(); got != tt.want {
				t.Fatalf("wrote %.120q, want %.120q", got, tt.want)
			}
		})
	}
}

func TestRedactWriterReleasesLines(t *testing.T) {
	var r Redactor
	r.Add(New(pw))
	var sb strings.Builder
	w := r.Writer(&sb)
	fmt.Fprintf(w, "S: 220 ready\nC: AUTH LOGIN\nC: %s", pw[:4])
	if got := sb.String(); got != "S: 220 ready\nC: AUTH LOGIN\n" {
		t.Fatalf("complete lines not released or partial line leaked: %q", got)
	}
	// A secret registered while its line is still held back applies.
	r.Add(New("late-Secret"))
	fmt.Fprintf(w, "%s late-Secret\n", pw[4:])
	if got := sb.String(); !strings.HasSuffix(got, "C: [redacted] [redacted]\n") {
		t.Fatalf("got %q", got)
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestRedactWriterError(t *testing.T) {
	var r Redactor
	w := r.Writer(failWriter{})
	if _, err := w.Write([]byte("partial")); err != nil {
		t.Fatalf("held-back write failed: %v", err)
	}
	if _, err := w.Write([]byte(" line\n")); err == nil {
		t.Fatal("underlying error lost")
	}
	if _, err := w.Write([]byte("tail")); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err == nil {
		t.Fatal("Flush lost the underlying error")
	}
}

type lockedBuilder struct {
	mu sync.Mutex
	sb strings.Builder
}

func (l *lockedBuilder) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.sb.Write(p)
}

func TestRedactWriterConcurrent(t *testing.T) {
	var r Redactor
	r.Add(New(pw))
	var out lockedBuilder
	w := r.Writer(&out)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 100 {
				fmt.Fprintf(w, "g%d-%d %s\n", i, j, pw) // one Write per line
			}
		}()
	}
	wg.Wait()
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	got := out.sb.String()
	if strings.Contains(got, pw) || strings.Count(got, "[redacted]\n") != 800 {
		t.Fatalf("bad output (%d bytes, %d markers)", len(got), strings.Count(got, Redacted))
	}
}
