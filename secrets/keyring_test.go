package secrets

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zalando/go-keyring"
	"go.uber.org/goleak"
)

// fakeBackend is an in-memory go-keyring whose calls can be made to
// block (an unlock prompt nobody answers) or fail with a given error.
type fakeBackend struct {
	mu      sync.Mutex
	m       map[string]string
	err     error         // returned by every call when set
	block   chan struct{} // calls wait until it is closed
	entered chan string   // receives the op name when a call starts (if set)
	calls   int
}

func (f *fakeBackend) enter(op string) error {
	f.mu.Lock()
	f.calls++
	block, entered, err := f.block, f.entered, f.err
	f.mu.Unlock()
	if entered != nil {
		entered <- op
	}
	if block != nil {
		<-block
	}
	return err
}

func (f *fakeBackend) Get(service, user string) (string, error) {
	if err := f.enter("get"); err != nil {
		return "", err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := f.m[service+"/"+user]
	if !ok {
		return "", keyring.ErrNotFound
	}
	return v, nil
}

func (f *fakeBackend) Set(service, user, pw string) error {
	if err := f.enter("set"); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.m == nil {
		f.m = map[string]string{}
	}
	f.m[service+"/"+user] = pw
	return nil
}

func (f *fakeBackend) Delete(service, user string) error {
	if err := f.enter("delete"); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.m[service+"/"+user]; !ok {
		return keyring.ErrNotFound
	}
	delete(f.m, service+"/"+user)
	return nil
}

func (f *fakeBackend) numCalls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls
}

func TestKeyringRoundTrip(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	f := &fakeBackend{}
	k := &Keyring{backend: f}
	ctx := context.Background()
	const acct = "smtp:jobs@acme.de"
	if _, err := k.Get(ctx, acct); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get before Set: %v, want ErrNotFound", err)
	}
	max := New(strings.Repeat("x", MaxSecretLen))
	if err := k.Set(ctx, acct, max); err != nil {
		t.Fatalf("Set of %d bytes: %v", MaxSecretLen, err)
	}
	got, err := k.Get(ctx, acct)
	if err != nil || got.Reveal() != max.Reveal() {
		t.Fatalf("Get = %d bytes, %v", len(got.Reveal()), err)
	}
	if f.m[Service+"/"+acct] == "" {
		t.Fatalf("not stored under service %q", Service)
	}
	if err := k.Delete(ctx, acct); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if err := k.Delete(ctx, acct); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second Delete: %v, want ErrNotFound", err)
	}
	if _, err := k.Get(ctx, acct); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get after Delete: %v, want ErrNotFound", err)
	}
}

func TestKeyringTooLarge(t *testing.T) {
	tests := []struct {
		name    string
		n       int
		backend error
	}{
		{"one over the Windows limit", MaxSecretLen + 1, nil},
		{"3000 bytes", 3000, nil},
		{"backend says too big", 10, keyring.ErrSetDataTooBig},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeBackend{err: tt.backend}
			k := &Keyring{backend: f}
			v := strings.Repeat("s", tt.n)
			err := k.Set(context.Background(), "a", New(v))
			if !errors.Is(err, ErrTooLarge) || errors.Is(err, ErrUnavailable) {
				t.Fatalf("Set: %v, want ErrTooLarge only", err)
			}
			if strings.Contains(err.Error(), v) {
				t.Fatal("error holds the value")
			}
			if tt.backend == nil && f.numCalls() != 0 {
				t.Fatal("an oversized value reached the keyring")
			}
		})
	}
}

// The texts are what godbus, go-keyring and gnome-keyring really say.
func TestKeyringErrorMapping(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		want   error
		reason string
	}{
		{"not found", keyring.ErrNotFound, ErrNotFound, ""},
		{"wrapped not found", fmt.Errorf("x: %w", keyring.ErrNotFound), ErrNotFound, ""},
		{"no dbus-launch", errors.New(`exec: "dbus-launch": executable file not found in $PATH`), ErrUnavailable, ReasonNoBus},
		{"no bus socket", errors.New("dial unix /nonexistent: connect: no such file or directory"), ErrUnavailable, ReasonNoBus},
		{"no address", errors.New("dbus: couldn't determine address of session bus"), ErrUnavailable, ReasonNoBus},
		{"no secret service", errors.New("The name org.freedesktop.secrets was not provided by any .service files"), ErrUnavailable, ReasonNoService},
		{"locked", errors.New("failed to unlock correct collection '/org/freedesktop/secrets/aliases/default'"), ErrUnavailable, ReasonLocked},
		{"other", errors.New("org.freedesktop.DBus.Error.AccessDenied: nope"), ErrUnavailable, ReasonOther},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := &Keyring{backend: &fakeBackend{err: tt.err}}
			_, err := k.Get(context.Background(), "acct")
			if !errors.Is(err, tt.want) {
				t.Fatalf("Get: %v, want %v", err, tt.want)
			}
			var ke *KeyringError
			if !errors.As(err, &ke) || ke.Reason != tt.reason || ke.Op != "get" || ke.Account != "acct" {
				t.Fatalf("KeyringError = %+v, want reason %q", ke, tt.reason)
			}
		})
	}
}

func TestKeyringErrorNeverHoldsSecret(t *testing.T) {
	const v = "Sup3r-Secret-Pw"
	long := "oops " + v + " " + strings.Repeat("z", 300)
	k := &Keyring{backend: &fakeBackend{err: errors.New(long)}}
	err := k.Set(context.Background(), "acct", New(v))
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Set: %v", err)
	}
	if strings.Contains(err.Error(), v) {
		t.Fatalf("error holds the secret: %v", err)
	}
	if len(err.Error()) > 300 {
		t.Fatalf("detail not shortened: %d bytes", len(err.Error()))
	}
}

func TestKeyringTimeout(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	tests := []struct {
		name string
		call func(k *Keyring) error
	}{
		{"get", func(k *Keyring) error { _, err := k.Get(context.Background(), "a"); return err }},
		{"set", func(k *Keyring) error { return k.Set(context.Background(), "a", New("v")) }},
		{"delete", func(k *Keyring) error { return k.Delete(context.Background(), "a") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeBackend{block: make(chan struct{})}
			defer close(f.block) // lets the abandoned goroutine finish for goleak
			k := &Keyring{Timeout: 100 * time.Millisecond, backend: f}
			start := time.Now()
			err := tt.call(k)
			el := time.Since(start)
			if !errors.Is(err, ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("err = %v, want ErrUnavailable + DeadlineExceeded", err)
			}
			var ke *KeyringError
			if !errors.As(err, &ke) || ke.Reason != ReasonTimeout {
				t.Fatalf("reason = %+v, want %q", ke, ReasonTimeout)
			}
			if el < 100*time.Millisecond || el > time.Second {
				t.Fatalf("returned after %v, want about 100ms", el)
			}
		})
	}
}

func TestKeyringDefaultTimeout(t *testing.T) {
	if d := (&Keyring{}).timeout(); d != DefaultTimeout {
		t.Fatalf("zero Keyring timeout = %v", d)
	}
	if d := NewKeyring().Timeout; d != 3*time.Second {
		t.Fatalf("NewKeyring().Timeout = %v", d)
	}
}

// A stuck call must not let later calls pile up more stuck goroutines,
// and its late answer must not be handed to anyone.
func TestKeyringStuckCallSerialises(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	f := &fakeBackend{block: make(chan struct{}), entered: make(chan string, 10),
		m: map[string]string{Service + "/a": "old-value"}}
	k := &Keyring{Timeout: 80 * time.Millisecond, backend: f}
	ctx := context.Background()
	if _, err := k.Get(ctx, "a"); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("first Get: %v", err)
	}
	<-f.entered
	// The first call is still stuck: the second waits for it, then times out.
	_, err := k.Get(ctx, "a")
	var ke *KeyringError
	if !errors.As(err, &ke) || ke.Reason != ReasonTimeout || !strings.Contains(ke.Detail, "earlier") {
		t.Fatalf("second Get: %v", err)
	}
	if n := f.numCalls(); n != 1 {
		t.Fatalf("backend calls = %d, want 1 while the first is stuck", n)
	}
	// The prompt gets answered: the stuck call ends and the next call
	// gets a fresh answer, not the abandoned one.
	f.mu.Lock()
	f.m[Service+"/a"] = "new-value"
	f.mu.Unlock()
	close(f.block)
	f.mu.Lock()
	f.block, f.entered = nil, nil
	f.mu.Unlock()
	deadline := time.Now().Add(2 * time.Second)
	for {
		s, err := k.Get(ctx, "a")
		if err == nil {
			if s.Reveal() != "new-value" {
				t.Fatalf("Get = %q", s.Reveal())
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Get after release: %v", err)
		}
	}
}

func TestKeyringCallerCancel(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	f := &fakeBackend{block: make(chan struct{}), entered: make(chan string, 1)}
	defer close(f.block)
	k := &Keyring{Timeout: 5 * time.Second, backend: f}
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-f.entered; cancel() }()
	start := time.Now()
	_, err := k.Get(ctx, "a")
	if !errors.Is(err, context.Canceled) || errors.Is(err, ErrUnavailable) {
		t.Fatalf("err = %v, want context.Canceled and not unavailable", err)
	}
	if time.Since(start) > time.Second {
		t.Fatal("cancel not honoured")
	}
}

func TestKeyringContextDoneBeforeCall(t *testing.T) {
	f := &fakeBackend{}
	k := &Keyring{backend: f}
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancel2 := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel2()
	if _, err := k.Get(canceled, "a"); !errors.Is(err, context.Canceled) || errors.Is(err, ErrUnavailable) {
		t.Fatalf("canceled: %v", err)
	}
	if _, err := k.Get(expired, "a"); !errors.Is(err, ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("expired: %v", err)
	}
	if f.numCalls() != 0 {
		t.Fatal("the keyring was called with a finished context")
	}
}

func TestKeyringEmptyAccount(t *testing.T) {
	f := &fakeBackend{}
	k := &Keyring{backend: f}
	if _, err := k.Get(context.Background(), ""); err == nil {
		t.Fatal("empty account accepted")
	}
	if f.numCalls() != 0 {
		t.Fatal("empty account reached the keyring")
	}
}
