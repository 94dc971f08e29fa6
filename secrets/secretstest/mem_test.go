package secretstest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jobmail/jobmail/secrets"
)

func TestMemStore(t *testing.T) {
	ctx := context.Background()
	s := NewMemStore(map[string]string{"a": "va"})
	if v, err := s.Get(ctx, "a"); err != nil || v.Reveal() != "va" {
		t.Fatalf("Get seeded = %q, %v", v.Reveal(), err)
	}
	if _, err := s.Get(ctx, "b"); !errors.Is(err, secrets.ErrNotFound) {
		t.Fatalf("Get missing = %v", err)
	}
	if err := s.Set(ctx, "b", secrets.New("vb")); err != nil {
		t.Fatal(err)
	}
	if v, ok := s.Value("b"); !ok || v != "vb" {
		t.Fatalf("Value = %q %v", v, ok)
	}
	if err := s.Delete(ctx, "b"); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, "b"); !errors.Is(err, secrets.ErrNotFound) {
		t.Fatalf("Delete missing = %v", err)
	}
	want := []Op{{"get", "a"}, {"get", "b"}, {"set", "b"}, {"delete", "b"}, {"delete", "b"}}
	got := s.Ops()
	if len(got) != len(want) {
		t.Fatalf("Ops = %v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("Ops[%d] = %v, want %v", i, got[i], want[i])
		}
	}
	var zero MemStore
	if err := zero.Set(ctx, "x", secrets.New("y")); err != nil {
		t.Fatalf("zero MemStore: %v", err)
	}
}

func TestMemStoreKnobs(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(*MemStore)
		call    func(context.Context, *MemStore) error
		want    error
		minTime time.Duration
	}{
		{"unavailable get", func(s *MemStore) { s.SetUnavailable(true) },
			func(ctx context.Context, s *MemStore) error { _, err := s.Get(ctx, "a"); return err }, secrets.ErrUnavailable, 0},
		{"unavailable set", func(s *MemStore) { s.SetUnavailable(true) },
			func(ctx context.Context, s *MemStore) error { return s.Set(ctx, "a", secrets.New("v")) }, secrets.ErrUnavailable, 0},
		{"hang until the context ends", func(s *MemStore) { s.SetHang(true) },
			func(ctx context.Context, s *MemStore) error { _, err := s.Get(ctx, "a"); return err }, secrets.ErrUnavailable, 50 * time.Millisecond},
		{"slow but working", func(s *MemStore) { s.SetDelay(20 * time.Millisecond) },
			func(ctx context.Context, s *MemStore) error { _, err := s.Get(ctx, "a"); return err }, nil, 20 * time.Millisecond},
		{"slower than the context", func(s *MemStore) { s.SetDelay(time.Hour) },
			func(ctx context.Context, s *MemStore) error { return s.Delete(ctx, "a") }, context.DeadlineExceeded, 50 * time.Millisecond},
		{"default size limit", func(s *MemStore) {},
			func(ctx context.Context, s *MemStore) error {
				return s.Set(ctx, "a", secrets.New(strings.Repeat("x", secrets.MaxSecretLen+1)))
			}, secrets.ErrTooLarge, 0},
		{"custom size limit", func(s *MemStore) { s.SetMaxLen(3) },
			func(ctx context.Context, s *MemStore) error { return s.Set(ctx, "a", secrets.New("four")) }, secrets.ErrTooLarge, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewMemStore(map[string]string{"a": "stored-Secret-9"})
			tt.setup(s)
			ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			defer cancel()
			start := time.Now()
			err := tt.call(ctx, s)
			if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if el := time.Since(start); el < tt.minTime || el > 2*time.Second {
				t.Fatalf("took %v", el)
			}
			if err != nil && strings.Contains(err.Error(), "stored-Secret") {
				t.Fatalf("error holds a value: %v", err)
			}
		})
	}
}
