package safefile

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jobmail/jobmail/secrets/filetest"
)

func TestRead(t *testing.T) {
	dir := t.TempDir()
	file := func(n, content string, mode os.FileMode) string { return filetest.File(t, dir, n, content, mode) }
	fifo := filetest.FIFO(t, dir, "fifo")
	sparse := filepath.Join(dir, "sparse")
	if f, err := os.Create(sparse); err != nil {
		t.Fatal(err)
	} else {
		_ = f.Truncate(1 << 30) // 1 GiB, no blocks
		_ = f.Close()
	}
	secret := secretOpts()
	tests := []struct {
		name string
		path string
		o    ReadOptions
		want string
		err  error
	}{
		{"regular", file("ok", "pw\n", 0o600), secret, "pw\n", nil},
		{"at the limit", file("limit", "12345", 0o600), ReadOptions{Max: 5}, "12345", nil},
		{"one byte over", file("over", "123456", 0o600), ReadOptions{Max: 5}, "", ErrTooLarge},
		{"sparse 1 GiB refused by its size", sparse, secret, "", ErrTooLarge},
		{"fifo without a writer", fifo, secret, "", ErrNotRegular},
		{"endless device", "/dev/zero", secret, "", ErrNotRegular},
		{"terminal device", "/dev/tty", secret, "", ErrNotRegular},
		{"directory", dir, secret, "", syscall.EISDIR},
		{"missing", filepath.Join(dir, "nope"), secret, "", os.ErrNotExist},
		{"world-readable secret", file("open", "pw", 0o644), secret, "", ErrTooOpen},
		{"group-readable secret", file("group", "pw", 0o640), secret, "", ErrTooOpen},
		{"open secret allowed", filepath.Join(dir, "open"), ReadOptions{Max: MaxSecret, Private: true, AllowOpen: true}, "pw", nil},
		{"open CA file is fine", filepath.Join(dir, "open"), ReadOptions{Max: MaxCA}, "pw", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := os.Stat(tt.path); err != nil && tt.err != os.ErrNotExist {
				t.Skip(err)
			}
			done := make(chan struct{})
			var got []byte
			var err error
			go func() {
				defer close(done)
				got, err = Read(context.Background(), tt.path, tt.o)
			}()
			select {
			case <-done:
			case <-time.After(20 * time.Second): // a hang, not a speed check
				t.Fatal("Read blocked")
			}
			if tt.err == nil {
				if err != nil || string(got) != tt.want {
					t.Fatalf("Read = %q, %v; want %q", got, err, tt.want)
				}
				return
			}
			if !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if !strings.Contains(err.Error(), tt.path) {
				t.Fatalf("error %q does not name %s", err, tt.path)
			}
		})
	}
	t.Run("mode named for the fix", func(t *testing.T) {
		_, err := Read(context.Background(), filepath.Join(dir, "open"), secret)
		var me *ModeError
		if !errors.As(err, &me) || me.Mode.Perm() != 0o644 {
			t.Fatalf("err = %v, want a ModeError with 0644", err)
		}
	})
	t.Run("cancelled context", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := Read(ctx, filepath.Join(dir, "ok"), secret); !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v", err)
		}
	})
}

// secretOpts is the options of a secret file.
func secretOpts() ReadOptions { return ReadOptions{Max: MaxSecret, Private: true} }

func TestWriteErrors(t *testing.T) {
	dir := t.TempDir()
	t.Run("missing directory names the path", func(t *testing.T) {
		p := filepath.Join(dir, "no", "x.json")
		err := Write(p, []byte("x"), WriteOptions{})
		if !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), p) || strings.Contains(err.Error(), ".tmp-") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("read-only directory", func(t *testing.T) {
		if os.Geteuid() == 0 {
			t.Skip("root writes anyway")
		}
		ro := filepath.Join(dir, "ro")
		if err := os.Mkdir(ro, 0o500); err != nil {
			t.Fatal(err)
		}
		err := Write(filepath.Join(ro, "x"), []byte("x"), WriteOptions{})
		if !errors.Is(err, os.ErrPermission) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("a device node stays a device", func(t *testing.T) {
		if os.Geteuid() != 0 {
			t.Skip("mknod needs root")
		}
		dev := filepath.Join(dir, "null")
		if err := syscall.Mknod(dev, syscall.S_IFCHR|0o666, 1<<8|3); err != nil { // 1,3 = /dev/null
			t.Skip(err)
		}
		if err := Write(dev, []byte("x"), WriteOptions{}); !errors.Is(err, ErrNotRegular) {
			t.Fatalf("err = %v", err)
		}
		if fi, err := os.Lstat(dev); err != nil || fi.Mode()&os.ModeCharDevice == 0 {
			t.Fatalf("no longer a character device: %v %v", fi.Mode(), err)
		}
	})
}
