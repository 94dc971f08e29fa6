package secrets

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jobmail/jobmail/e2e/e2eenv"
)

// TestE2EKeyring is a real round trip through the OS keyring of the
// session it runs in (gnome-keyring under dbus-run-session on Linux, see
// shared/STACK.md). Gated: with JOBMAIL_E2E_KEYRING=1 a missing Secret
// Service is a failure, not a skip.
func TestE2EKeyring(t *testing.T) {
	e2eenv.RequireKeyring(t)
	k := NewKeyring()
	ctx := context.Background()
	acct := fmt.Sprintf("e2e-test:%d-%d@example.test", os.Getpid(), time.Now().UnixNano())
	// An account never stored: a keyring that answers says not found.
	if _, err := k.Get(ctx, acct); !errors.Is(err, ErrNotFound) {
		t.Fatalf("JOBMAIL_E2E_KEYRING=1 but the keyring does not answer: %v", err)
	}
	t.Cleanup(func() { _ = k.Delete(context.Background(), acct) })

	tests := []struct {
		name  string
		value string
	}{
		{"ascii password", "jobs-Secret-123"},
		{"unicode and spaces", "pässwörd mit Leerzeichen ✓"},
		{"refresh token at the limit", strings.Repeat("0.AbC-_x", MaxSecretLen/8)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := k.Set(ctx, acct, New(tt.value)); err != nil {
				t.Fatalf("Set: %v", err)
			}
			got, err := k.Get(ctx, acct)
			if err != nil {
				t.Fatalf("Get: %v", err)
			}
			if got.Reveal() != tt.value {
				t.Fatalf("Get returned %d bytes, want the %d stored", len(got.Reveal()), len(tt.value))
			}
			if err := k.Delete(ctx, acct); err != nil {
				t.Fatalf("Delete: %v", err)
			}
			if _, err := k.Get(ctx, acct); !errors.Is(err, ErrNotFound) {
				t.Fatalf("Get after Delete: %v, want ErrNotFound", err)
			}
			if err := k.Delete(ctx, acct); !errors.Is(err, ErrNotFound) {
				t.Fatalf("Delete after Delete: %v, want ErrNotFound", err)
			}
		})
	}

	t.Run("3000 bytes is too large", func(t *testing.T) {
		err := k.Set(ctx, acct, New(strings.Repeat("t", 3000)))
		if !errors.Is(err, ErrTooLarge) {
			t.Fatalf("Set: %v, want ErrTooLarge", err)
		}
		if _, err := k.Get(ctx, acct); !errors.Is(err, ErrNotFound) {
			t.Fatalf("a refused value was stored: Get = %v", err)
		}
	})

	t.Run("timing", func(t *testing.T) {
		const n = 20
		var set, get []time.Duration
		for i := range n {
			v := New(fmt.Sprintf("value-%d", i))
			t0 := time.Now()
			if err := k.Set(ctx, acct, v); err != nil {
				t.Fatalf("Set: %v", err)
			}
			t1 := time.Now()
			if _, err := k.Get(ctx, acct); err != nil {
				t.Fatalf("Get: %v", err)
			}
			set, get = append(set, t1.Sub(t0)), append(get, time.Since(t1))
		}
		slices.Sort(set)
		slices.Sort(get)
		t.Logf("keyring over %d runs: Set median %v max %v; Get median %v max %v",
			n, set[n/2].Round(10*time.Microsecond), set[n-1].Round(10*time.Microsecond),
			get[n/2].Round(10*time.Microsecond), get[n-1].Round(10*time.Microsecond))
	})
}
