package wizard

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
)

func TestMemoProviderAsksOncePerDomain(t *testing.T) {
	var calls atomic.Int32
	lookup := MemoProvider(func(_ context.Context, domain string) (Provider, error) {
		calls.Add(1)
		if domain == "broken.test" {
			return Provider{}, errors.New("nxdomain")
		}
		return Provider{ID: "google", MX: []string{"mx." + domain}}, nil
	})
	var wg sync.WaitGroup
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p, err := lookup(context.Background(), "acme.test")
			if err != nil || p.ID != "google" || len(p.MX) != 1 || p.MX[0] != "mx.acme.test" {
				t.Errorf("got %+v, %v", p, err)
			}
			p.MX[0] = "changed" // a caller's copy: never another's
		}()
	}
	wg.Wait()
	if n := calls.Load(); n != 1 {
		t.Fatalf("%d lookups of one domain, want 1", n)
	}
	for range 2 {
		if _, err := lookup(context.Background(), "broken.test"); err == nil {
			t.Fatal("the lookup's error was lost")
		}
	}
	if n := calls.Load(); n != 2 {
		t.Fatalf("a failed lookup is remembered too (same answer within a run): %d lookups, want 2", n)
	}
}

func TestMemoProviderForgetsALookupItsCallerCut(t *testing.T) {
	var calls atomic.Int32
	lookup := MemoProvider(func(ctx context.Context, _ string) (Provider, error) {
		calls.Add(1)
		if err := ctx.Err(); err != nil {
			return Provider{}, err
		}
		return Provider{ID: "microsoft"}, nil
	})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := lookup(ctx, "acme.test"); err == nil {
		t.Fatal("a cancelled lookup succeeded")
	}
	p, err := lookup(context.Background(), "acme.test")
	if err != nil || p.ID != "microsoft" {
		t.Fatalf("after a cancelled lookup: %+v, %v; want a fresh answer", p, err)
	}
	if n := calls.Load(); n != 2 {
		t.Fatalf("%d lookups, want 2 (the cut one is not remembered)", n)
	}
}
