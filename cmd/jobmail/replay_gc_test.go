package main

import (
	"os"
	"runtime/debug"
	"testing"
)

func TestReplayGCRaisesAndRestores(t *testing.T) {
	t.Run("unset", func(t *testing.T) {
		t.Setenv("GOGC", "restored after the test")
		if err := os.Unsetenv("GOGC"); err != nil {
			t.Fatal(err)
		}
		before := debug.SetGCPercent(100)
		defer debug.SetGCPercent(before)
		for _, tc := range []struct {
			n    int
			want int
		}{{0, 100}, {1, 100}, {2, replayGCPercent}, {300, replayGCPercent}} {
			restore := replayGC(tc.n)
			if got := debug.SetGCPercent(tc.want); got != tc.want {
				t.Errorf("n=%d: GC percent %d during the replay, want %d", tc.n, got, tc.want)
			}
			restore()
			if got := debug.SetGCPercent(100); got != 100 {
				t.Errorf("n=%d: GC percent %d after the replay, want 100 again", tc.n, got)
			}
		}
	})
	t.Run("user's GOGC wins", func(t *testing.T) {
		t.Setenv("GOGC", "50")
		before := debug.SetGCPercent(50)
		defer debug.SetGCPercent(before)
		restore := replayGC(300)
		if got := debug.SetGCPercent(50); got != 50 {
			t.Errorf("GOGC=50 set by the user, replay changed it to %d", got)
		}
		restore()
	})
}
