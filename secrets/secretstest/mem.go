// Package secretstest provides an in-memory secrets.Store for other
// packages' unit tests, with knobs for the ways a real keyring fails:
// unavailable (no Secret Service), hanging (an unlock prompt nobody
// answers) and size limits.
package secretstest

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/jobmail/jobmail/secrets"
)

// Op records one call, by account; values are never recorded.
type Op struct {
	Name    string // "get", "set" or "delete"
	Account string
}

// MemStore is a secrets.Store in a map. The zero value is empty and
// working. Set the knobs before handing the store out, or through the
// setter methods while it is in use.
type MemStore struct {
	mu          sync.Mutex
	m           map[string]secrets.Secret
	ops         []Op
	unavailable bool
	hang        bool
	delay       time.Duration
	maxLen      int
}

// NewMemStore returns a store holding the given account → value pairs.
func NewMemStore(initial map[string]string) *MemStore {
	s := &MemStore{}
	for a, v := range initial {
		s.Put(a, v)
	}
	return s
}

// Put stores a value directly (no knobs, not recorded as an Op).
func (s *MemStore) Put(account, value string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]secrets.Secret{}
	}
	s.m[account] = secrets.New(value)
}

// Value returns the stored value for assertions in tests.
func (s *MemStore) Value(account string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[account]
	return v.Reveal(), ok
}

// Ops returns the calls made so far.
func (s *MemStore) Ops() []Op {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Op(nil), s.ops...)
}

// SetUnavailable makes every call fail with secrets.ErrUnavailable, like
// a machine without a Secret Service.
func (s *MemStore) SetUnavailable(v bool) { s.mu.Lock(); s.unavailable = v; s.mu.Unlock() }

// SetHang makes every call block until its context is done, like a
// keyring waiting on an unlock prompt; it then fails with
// secrets.ErrUnavailable (and the context's error).
func (s *MemStore) SetHang(v bool) { s.mu.Lock(); s.hang = v; s.mu.Unlock() }

// SetDelay makes every call take d (bounded by its context) before
// answering normally: a slow but working keyring.
func (s *MemStore) SetDelay(d time.Duration) { s.mu.Lock(); s.delay = d; s.mu.Unlock() }

// SetMaxLen makes Set refuse values over n bytes with secrets.ErrTooLarge;
// 0 means secrets.MaxSecretLen, as the real keyring.
func (s *MemStore) SetMaxLen(n int) { s.mu.Lock(); s.maxLen = n; s.mu.Unlock() }

// Get implements secrets.Store.
func (s *MemStore) Get(ctx context.Context, account string) (secrets.Secret, error) {
	if err := s.enter(ctx, "get", account); err != nil {
		return secrets.Secret{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[account]
	if !ok {
		return secrets.Secret{}, fmt.Errorf("memstore get %q: %w", account, secrets.ErrNotFound)
	}
	return v, nil
}

// Set implements secrets.Store.
func (s *MemStore) Set(ctx context.Context, account string, v secrets.Secret) error {
	if err := s.enter(ctx, "set", account); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	limit := s.maxLen
	if limit == 0 {
		limit = secrets.MaxSecretLen
	}
	if len(v.Reveal()) > limit {
		return fmt.Errorf("memstore set %q: %d bytes: %w", account, len(v.Reveal()), secrets.ErrTooLarge)
	}
	if s.m == nil {
		s.m = map[string]secrets.Secret{}
	}
	s.m[account] = v
	return nil
}

// Delete implements secrets.Store.
func (s *MemStore) Delete(ctx context.Context, account string) error {
	if err := s.enter(ctx, "delete", account); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.m[account]; !ok {
		return fmt.Errorf("memstore delete %q: %w", account, secrets.ErrNotFound)
	}
	delete(s.m, account)
	return nil
}

// enter records the call and applies the failure knobs.
func (s *MemStore) enter(ctx context.Context, op, account string) error {
	s.mu.Lock()
	s.ops = append(s.ops, Op{Name: op, Account: account})
	unavailable, hang, delay := s.unavailable, s.hang, s.delay
	s.mu.Unlock()
	if unavailable {
		return fmt.Errorf("memstore %s %q: %w", op, account, secrets.ErrUnavailable)
	}
	if hang {
		<-ctx.Done()
		return fmt.Errorf("memstore %s %q: %w: %w", op, account, secrets.ErrUnavailable, ctx.Err())
	}
	if delay > 0 {
		t := time.NewTimer(delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return fmt.Errorf("memstore %s %q: %w: %w", op, account, secrets.ErrUnavailable, ctx.Err())
		}
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memstore %s %q: %w", op, account, err)
	}
	return nil
}

var _ secrets.Store = (*MemStore)(nil)
