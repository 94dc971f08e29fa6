package safefile

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// Read takes a file into one buffer of its stat size (issue 15), not
// through a fixed 32 KiB chunk: the chunk, zeroed on the caller's stack
// for every file (a setup file of 229 bytes), grew that stack and
// faulted its pages in at every start, and a file bigger than it was
// copied from chunk to buffer (twice the bytes allocated). A file
// without a stat size is still read whole.
func TestReadBuffersTheFileSize(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name     string
		size     int
		maxAlloc int // bytes Read allocates, at most: the file's size and ~1 KiB (Stat, File)
		maxRead  int64
	}{
		{"setup file", 229, 2 << 10, MaxSetup},
		{"CA file", 1204, 3 << 10, MaxCA},
		{"larger than the old chunk", 100 << 10, 110 << 10, MaxCA},
	} {
		t.Run(tc.name, func(t *testing.T) {
			content := strings.Repeat("x", tc.size)
			path := filepath.Join(dir, tc.name)
			if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			got, err := Read(context.Background(), path, ReadOptions{Max: tc.maxRead})
			if err != nil || string(got) != content {
				t.Fatalf("Read = %d bytes, %v; want the %d of the file", len(got), err, tc.size)
			}
			const reads = 20
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			for range reads {
				_, _ = Read(context.Background(), path, ReadOptions{Max: tc.maxRead})
			}
			runtime.ReadMemStats(&after)
			if n := (after.TotalAlloc - before.TotalAlloc) / reads; n > uint64(tc.maxAlloc) {
				t.Fatalf("reading a %d-byte file allocates %d bytes, want at most %d", tc.size, n, tc.maxAlloc)
			}
		})
	}
	t.Run("no stat size", func(t *testing.T) {
		want, err := os.ReadFile("/proc/self/mountinfo")
		if err != nil || len(want) == 0 {
			t.Skip("no /proc/self/mountinfo")
		}
		got, err := Read(context.Background(), "/proc/self/mountinfo", ReadOptions{Max: MaxCA})
		if err != nil || len(got) == 0 || !strings.HasPrefix(string(want), string(got[:min(len(got), 16)])) {
			t.Fatalf("Read = %d bytes, %v; want the file's %d", len(got), err, len(want))
		}
	})
}
