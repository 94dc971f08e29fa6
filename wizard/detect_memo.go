package wizard

import (
	"context"
	"sync"
)

// MemoProvider wraps a provider lookup (Detector.Provider) so that one
// process asks the resolver once per domain: a replay of 300 entities on
// one domain ran 300 identical MX lookups, one per mailbox, and they were
// most of its wall time. Concurrent callers for a domain wait for the
// lookup in flight (each within its own ctx); a lookup cut short by its
// caller's ctx (cancelled, or its deadline passed) is not remembered, so
// the next caller asks again. nil fn means SystemProvider.
func MemoProvider(fn func(ctx context.Context, domain string) (Provider, error)) func(ctx context.Context, domain string) (Provider, error) {
	if fn == nil {
		fn = SystemProvider
	}
	var mu sync.Mutex
	calls := map[string]*providerCall{}
	return func(ctx context.Context, domain string) (Provider, error) {
		for {
			mu.Lock()
			c, ok := calls[domain]
			if !ok {
				c = &providerCall{done: make(chan struct{})}
				calls[domain] = c
				mu.Unlock()
				c.p, c.err = fn(ctx, domain)
				if ctx.Err() != nil { // cut short by this caller: forget it
					mu.Lock()
					delete(calls, domain)
					mu.Unlock()
					c.retry = true
				}
				close(c.done)
				return clonedProvider(c.p), c.err
			}
			mu.Unlock()
			select {
			case <-c.done:
				if c.retry {
					continue // the first caller gave up; ask for ourselves
				}
				return clonedProvider(c.p), c.err
			case <-ctx.Done():
				return Provider{}, ctx.Err()
			}
		}
	}
}

type providerCall struct {
	done  chan struct{}
	p     Provider
	err   error
	retry bool // the lookup was cut short by its caller's ctx
}

// clonedProvider keeps callers from sharing the MX slice.
func clonedProvider(p Provider) Provider {
	p.MX = append([]string(nil), p.MX...)
	return p
}
