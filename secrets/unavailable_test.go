package secrets_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jobmail/jobmail/secrets"
	"github.com/jobmail/jobmail/secrets/filetest"
)

// TestUnavailableOf: every way a source can fail to give a secret is
// named by source and reason; what is not "unavailable" is not.
func TestUnavailableOf(t *testing.T) {
	dir := t.TempDir()
	write := func(n, content string, mode os.FileMode) string { return filetest.File(t, dir, n, content, mode) }
	fifo := filetest.FIFO(t, dir, "fifo")
	env := map[string]string{"EMPTY": ""}
	tests := []struct {
		ref, source, why string
		stdin            *strings.Reader
	}{
		{"env:UNSET_X", "env", "unset", nil},
		{"env:EMPTY", "env", "empty", nil},
		{"stdin", "stdin", "missing", nil},
		{"stdin", "stdin", "empty", strings.NewReader("")},
		{"stdin", "stdin", "empty", strings.NewReader("\n")},
		{"file:" + write("nl", "\n", 0o600), "file", "empty", nil},
		{"file:" + write("open", "pw", 0o644), "file", "too_open", nil},
		{"file:" + write("big", strings.Repeat("x", secrets.MaxSourceLen+10), 0o600), "file", "too_large", nil},
		{"file:" + fifo, "file", "not_regular", nil},
		{"file:/dev/zero", "file", "not_regular", nil},
		{"file:" + dir, "file", "is_directory", nil},
		{"file:" + filepath.Join(dir, "nope"), "file", "not_found", nil},
	}
	for _, tt := range tests {
		t.Run(tt.ref+"/"+tt.why, func(t *testing.T) {
			r := &secrets.Resolver{LookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok }}
			if tt.stdin != nil {
				r.Stdin = tt.stdin
			}
			ref, err := secrets.ParseRef(tt.ref)
			if err != nil {
				t.Fatal(err)
			}
			_, err = r.Resolve(context.Background(), ref, "")
			u, ok := secrets.UnavailableOf(err)
			if !ok || u.Source != tt.source || u.Why != tt.why || u.Ref != tt.ref {
				t.Fatalf("UnavailableOf(%v) = %+v, %v; want %s/%s", err, u, ok, tt.source, tt.why)
			}
		})
	}
	t.Run("open file allowed by the flag", func(t *testing.T) {
		r := &secrets.Resolver{AllowOpenFiles: true}
		ref, _ := secrets.ParseRef("file:" + filepath.Join(dir, "open"))
		if s, err := r.Resolve(context.Background(), ref, ""); err != nil || s.Reveal() != "pw" {
			t.Fatalf("%v", err)
		}
	})
	t.Run("not unavailable", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		r := &secrets.Resolver{}
		_, err := r.Resolve(ctx, secrets.Ref{Kind: secrets.RefStdin}, "")
		if _, ok := secrets.UnavailableOf(err); ok {
			t.Fatalf("a cancelled run counted as unavailable: %v", err)
		}
		if _, ok := secrets.UnavailableOf(os.ErrNotExist); ok {
			t.Fatal("a bare error counted")
		}
	})
}
