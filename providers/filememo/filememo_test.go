package filememo

import (
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

func TestMemoReadsOnceWhileTheFileStaysTheSame(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "ca.pem")
	write := func(s string, mtime time.Time) {
		t.Helper()
		if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	write("one", t0)
	var m Memo[string]
	loads := 0
	load := func() (string, error) {
		loads++
		b, err := os.ReadFile(p)
		return string(b), err
	}
	steps := []struct {
		name      string
		change    func()
		want      string
		wantLoads int
	}{
		{"first read loads", func() {}, "one", 1},
		{"unchanged file is remembered", func() {}, "one", 1},
		{"new content and mtime loads again", func() { write("two", t0.Add(time.Second)) }, "two", 2},
		{"same size, other mtime loads again", func() { write("TWO", t0.Add(2*time.Second)) }, "TWO", 3},
		{"replaced by another file (rename) loads again", func() {
			q := filepath.Join(dir, "new.pem")
			if err := os.WriteFile(q, []byte("TWO"), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chtimes(q, t0.Add(2*time.Second), t0.Add(2*time.Second)); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(q, p); err != nil {
				t.Fatal(err)
			}
		}, "TWO", 4},
		{"mode change loads again", func() {
			if err := os.Chmod(p, 0o644); err != nil {
				t.Fatal(err)
			}
		}, "TWO", 5},
		{"then remembered", func() {}, "TWO", 5},
	}
	for _, s := range steps {
		s.change()
		got, err := m.Get(p, load)
		if err != nil || got != s.want || loads != s.wantLoads {
			t.Fatalf("%s: got %q, %v after %d loads; want %q after %d", s.name, got, err, loads, s.want, s.wantLoads)
		}
	}
}

func TestMemoNeverRemembersFailuresOrNonRegularFiles(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	var m Memo[int]
	loads := 0
	fail := func() (int, error) { loads++; return 0, errors.New("bad") }
	for range 2 {
		if _, err := m.Get(p, fail); err == nil {
			t.Fatal("failure not returned")
		}
	}
	if loads != 2 {
		t.Fatalf("a failure was remembered: %d loads, want 2", loads)
	}
	ok := func() (int, error) { loads++; return 7, nil }
	for _, path := range []string{dir, filepath.Join(dir, "missing")} {
		loads = 0
		for range 2 {
			_, _ = m.Get(path, ok)
		}
		if loads != 2 {
			t.Fatalf("%s: remembered a non-regular or missing path (%d loads)", path, loads)
		}
	}
}

func TestMemoConcurrentUse(t *testing.T) {
	p := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	var m Memo[string]
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, err := m.Get(p, func() (string, error) { return "x", nil })
			if err != nil || v != "x" {
				t.Errorf("got %q, %v", v, err)
			}
		}()
	}
	wg.Wait()
}
