package secrets_test

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jobmail/jobmail/secrets"
	"github.com/jobmail/jobmail/secrets/secretstest"
)

func ref(t *testing.T, s string) secrets.Ref {
	t.Helper()
	r, err := secrets.ParseRef(s)
	if err != nil {
		t.Fatalf("ParseRef(%q): %v", s, err)
	}
	return r
}

func TestResolve(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	pw := write("pw", "file-Secret-1\n")
	crlf := write("crlf", "file-Secret-2\r\n")
	twoNL := write("twonl", "file-Secret-3\n\n")
	noNL := write("nonl", "file-Secret-4")
	empty := write("empty", "")
	onlyNL := write("onlynl", "\n")
	huge := write("huge", strings.Repeat("x", secrets.MaxSourceLen+1))
	atLimit := write("limit", strings.Repeat("y", secrets.MaxSourceLen)+"\n")
	unreadable := write("unreadable", "z")
	if err := os.Chmod(unreadable, 0); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"SMTP_PASSWORD": "env-Secret-5", "EMPTY": ""}
	store := secretstest.NewMemStore(map[string]string{"smtp:jobs@acme.de": "keyring-Secret-6", "blank": ""})

	tests := []struct {
		name    string
		ref     string
		account string
		want    string
		wantErr error // errors.Is target; nil means success
	}{
		{"keyring", "keyring", "smtp:jobs@acme.de", "keyring-Secret-6", nil},
		{"keyring missing entry", "keyring", "smtp:other@acme.de", "", secrets.ErrNotFound},
		{"keyring empty entry", "keyring", "blank", "", secrets.ErrEmptySecret},
		{"keyring without account", "keyring", "", "", secrets.ErrNoAccount},
		{"env", "env:SMTP_PASSWORD", "", "env-Secret-5", nil},
		{"env unset", "env:NOPE", "", "", secrets.ErrEnvUnset},
		{"env empty", "env:EMPTY", "", "", secrets.ErrEmptySecret},
		{"file with newline", "file:" + pw, "", "file-Secret-1", nil},
		{"file with CRLF", "file:" + crlf, "", "file-Secret-2", nil},
		{"file trims one newline only", "file:" + twoNL, "", "file-Secret-3\n", nil},
		{"file without newline", "file:" + noNL, "", "file-Secret-4", nil},
		{"file at 64 KiB", "file:" + atLimit, "", strings.Repeat("y", secrets.MaxSourceLen), nil},
		{"file empty", "file:" + empty, "", "", secrets.ErrEmptySecret},
		{"file only a newline", "file:" + onlyNL, "", "", secrets.ErrEmptySecret},
		{"file over 64 KiB", "file:" + huge, "", "", secrets.ErrSourceLarge},
		{"file missing", "file:" + filepath.Join(dir, "nope"), "", "", fs.ErrNotExist},
		{"file is a directory", "file:" + dir, "", "", syscall.EISDIR},
	}
	if os.Geteuid() != 0 { // root reads a mode-0 file anyway
		tests = append(tests, struct {
			name    string
			ref     string
			account string
			want    string
			wantErr error
		}{"file unreadable", "file:" + unreadable, "", "", fs.ErrPermission})
	}
	r := &secrets.Resolver{Store: store, LookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok }}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rf := ref(t, tt.ref)
			got, err := r.Resolve(context.Background(), rf, tt.account)
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("Resolve: %v", err)
				}
				if got.Reveal() != tt.want {
					t.Fatalf("Resolve = %q, want %q", got.Reveal(), tt.want)
				}
				return
			}
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Resolve error = %v, want %v", err, tt.wantErr)
			}
			var re *secrets.ResolveError
			if !errors.As(err, &re) || re.Ref != rf || re.Account != tt.account {
				t.Fatalf("not a ResolveError for %v: %#v", rf, err)
			}
			msg := err.Error()
			if !strings.Contains(msg, rf.String()) {
				t.Fatalf("error %q does not name the reference %s", msg, rf)
			}
			for _, v := range []string{"Secret-", strings.Repeat("x", 20), strings.Repeat("y", 20)} {
				if strings.Contains(strings.ReplaceAll(msg, rf.String(), ""), v) {
					t.Fatalf("error %q holds a value", msg)
				}
			}
		})
	}
}

func TestResolveKeyringUnavailable(t *testing.T) {
	tests := []struct {
		name  string
		store secrets.Store
		setup func(*secretstest.MemStore)
	}{
		{"no store", nil, nil},
		{"unavailable", secretstest.NewMemStore(nil), func(m *secretstest.MemStore) { m.SetUnavailable(true) }},
		{"hangs", secretstest.NewMemStore(nil), func(m *secretstest.MemStore) { m.SetHang(true) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.setup != nil {
				tt.setup(tt.store.(*secretstest.MemStore))
			}
			ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			defer cancel()
			r := &secrets.Resolver{Store: tt.store}
			_, err := r.Resolve(ctx, secrets.Ref{Kind: secrets.RefKeyring}, "smtp:a@b.c")
			if !errors.Is(err, secrets.ErrUnavailable) {
				t.Fatalf("Resolve = %v, want ErrUnavailable", err)
			}
		})
	}
}

func TestResolveEnvDefaultsToProcess(t *testing.T) {
	t.Setenv("JOBMAIL_TEST_SECRET", "from-env")
	got, err := (&secrets.Resolver{}).Resolve(context.Background(), ref(t, "env:JOBMAIL_TEST_SECRET"), "")
	if err != nil || got.Reveal() != "from-env" {
		t.Fatalf("Resolve = %q, %v", got.Reveal(), err)
	}
}

// A reader that counts reads, to prove stdin is read once.
type countingReader struct {
	mu    sync.Mutex
	r     io.Reader
	reads int
}

func (c *countingReader) Read(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reads++
	return c.r.Read(p)
}

func TestResolveStdin(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    string
		wantErr error
	}{
		{"piped with newline", "stdin-Secret\n", "stdin-Secret", nil},
		{"CRLF", "stdin-Secret\r\n", "stdin-Secret", nil},
		{"no newline", "stdin-Secret", "stdin-Secret", nil},
		{"empty", "", "", secrets.ErrEmptySecret},
		{"over 64 KiB", strings.Repeat("s", secrets.MaxSourceLen+1), "", secrets.ErrSourceLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cr := &countingReader{r: strings.NewReader(tt.in)}
			r := &secrets.Resolver{Stdin: cr}
			var wg sync.WaitGroup
			for range 5 { // several references in one run, some concurrently
				wg.Add(1)
				go func() {
					defer wg.Done()
					got, err := r.Resolve(context.Background(), secrets.Ref{Kind: secrets.RefStdin}, "")
					if tt.wantErr != nil {
						if !errors.Is(err, tt.wantErr) {
							t.Errorf("Resolve = %v, want %v", err, tt.wantErr)
						}
						return
					}
					if err != nil || got.Reveal() != tt.want {
						t.Errorf("Resolve = %q, %v", got.Reveal(), err)
					}
				}()
			}
			wg.Wait()
			before := cr.reads
			if _, err := r.Resolve(context.Background(), secrets.Ref{Kind: secrets.RefStdin}, ""); (err == nil) != (tt.wantErr == nil) {
				t.Fatalf("later reference: %v", err)
			}
			if cr.reads != before {
				t.Fatal("stdin read again for a later reference")
			}
		})
	}
}

func TestResolveStdinMissingAndBlocked(t *testing.T) {
	_, err := (&secrets.Resolver{}).Resolve(context.Background(), secrets.Ref{Kind: secrets.RefStdin}, "")
	if !errors.Is(err, secrets.ErrNoStdin) {
		t.Fatalf("nil Stdin: %v", err)
	}
	pr, pw := io.Pipe()
	r := &secrets.Resolver{Stdin: pr}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := r.Resolve(ctx, secrets.Ref{Kind: secrets.RefStdin}, ""); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("blocked stdin: %v", err)
	}
	// The input arrives later: the next reference gets it.
	go func() { _, _ = pw.Write([]byte("late\n")); _ = pw.Close() }()
	got, err := r.Resolve(context.Background(), secrets.Ref{Kind: secrets.RefStdin}, "")
	if err != nil || got.Reveal() != "late" {
		t.Fatalf("Resolve = %q, %v", got.Reveal(), err)
	}
}

func TestResolveInjectedReadFile(t *testing.T) {
	calls := 0
	r := &secrets.Resolver{ReadFile: func(p string) ([]byte, error) {
		calls++
		if p == "/secret" {
			return []byte("injected\n"), nil
		}
		return nil, &fs.PathError{Op: "open", Path: p, Err: fs.ErrNotExist}
	}}
	got, err := r.Resolve(context.Background(), ref(t, "file:/secret"), "")
	if err != nil || got.Reveal() != "injected" {
		t.Fatalf("Resolve = %q, %v", got.Reveal(), err)
	}
	_, err = r.Resolve(context.Background(), ref(t, "file:/other"), "")
	if !errors.Is(err, fs.ErrNotExist) || strings.Count(err.Error(), "/other") != 1 {
		t.Fatalf("Resolve = %v, want not-exist naming the path once", err)
	}
	if calls != 2 {
		t.Fatalf("ReadFile calls = %d", calls)
	}
}

func TestResolveBadRefAndCanceled(t *testing.T) {
	r := &secrets.Resolver{}
	for _, rf := range []secrets.Ref{{}, {Kind: "vault", Arg: "x"}, {Kind: secrets.RefEnv, Arg: "1X"}, {Kind: secrets.RefFile}} {
		if _, err := r.Resolve(context.Background(), rf, ""); !errors.Is(err, secrets.ErrBadRef) {
			t.Errorf("Resolve(%#v) = %v, want ErrBadRef", rf, err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := r.Resolve(ctx, secrets.Ref{Kind: secrets.RefEnv, Arg: "HOME"}, ""); !errors.Is(err, context.Canceled) {
		t.Fatalf("canceled: %v", err)
	}
}
