package smtp

import (
	"context"
	"crypto/x509"
	"runtime"
	"sync"
	"time"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/providers/stack"
)

// Ahead is the opening of a live test started before the test is due:
// the DNS lookup, the TCP connection, the greeting and, with TLS, EHLO,
// STARTTLS and the handshake, then the EHLO whose extensions count. None
// of these says anything of the mailbox (no user name, no secret, no
// address) or commits to anything; AUTH is the first step that does, and
// it waits for the test. A headless replay opens the test of a mailbox
// whose server the setup file names while the machine still looks up the
// address's provider (an MX query over the network), so that the two
// waits overlap instead of adding up.
//
// The Tester given an Ahead (Config.Ahead) takes it over when it opened
// for the same server and trust (opening): it waits for the opening to
// end, reports its stages to its own observer with the timings they had,
// and goes on from there, so its Result is the one a test that opened the
// connection itself would have had, timed from the opening's start. A
// Tester of another configuration closes it and opens its own. An Ahead
// no Tester takes (the machine stopped before its test) is ended by
// Close: a QUIT when the server greeted, then the connection closes.
type Ahead struct {
	open   opening
	start  time.Time
	cancel context.CancelFunc
	done   chan struct{}
	// Set by the opening's goroutine, read after done.
	r      *run
	err    error
	events []providers.StageEvent

	mu    sync.Mutex
	ended bool // taken or closed: nobody else may have it
}

// opening is what the stages before AUTH depend on. The Dialer, Resolver,
// Now and SessionCache are not compared: the machine builds both configs
// from one environment (TestOpeningCoversConfig classifies every field).
type opening struct {
	host          string
	port          int
	security      providers.Security
	caFile        string
	rootCAs       *x509.CertPool
	allowInsecure bool
	helloName     string
}

func openingOf(c Config) opening {
	return opening{host: c.Host, port: c.Port, security: c.Security, caFile: c.CAFile, rootCAs: c.RootCAs,
		allowInsecure: c.AllowInsecure, helloName: c.HelloName}
}

// Open starts the opening of cfg's test in the background and returns at
// once; nil when a test of cfg for address would refuse to connect (a
// fatal prerequisite), as Test would. timeout bounds the opening as the
// test's context bounds a test; ctx ending ends it.
func Open(ctx context.Context, cfg Config, address string, timeout time.Duration) *Ahead {
	if fatal(Prerequisites(cfg, address)) != nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	a := &Ahead{open: openingOf(cfg), start: time.Now(), cancel: cancel, done: make(chan struct{})}
	r := &run{t: New(cfg), ctx: ctx, sc: newScrubber(cfg.Password, cfg.OAuthToken),
		res: providers.Result{Channel: providers.ChannelSMTP, Started: cfg.now()}}
	r.obs = func(ev providers.StageEvent) { a.events = append(a.events, ev) }
	go func() {
		stack.Reserve() // the opening goes deep: DNS, the dial, the TLS key exchange
		defer close(a.done)
		a.err = r.open()
		a.r = r
	}()
	// The opening is the longer way (connect, greeting, TLS, EHLO) and
	// its first steps take no time: let it take them on this thread now,
	// up to its first wait, rather than wait for another thread to wake
	// for it (~0.3 ms seen with uprobes while the machine went on here).
	runtime.Gosched()
	return a
}

// take hands the opening to a test of cfg once it has ended (ctx bounds
// the wait: ending ctx ends the opening); nil when there is none to take
// or it opened for another server or trust (then it is closed).
func (a *Ahead) take(ctx context.Context, cfg Config) *Ahead {
	if a == nil || !a.claim() {
		return nil
	}
	if a.open != openingOf(cfg) {
		a.end()
		return nil
	}
	select {
	case <-a.done:
	case <-ctx.Done():
		a.cancel()
		<-a.done
	}
	return a
}

// Close ends an opening no test took; a no-op on nil or after a take.
func (a *Ahead) Close() {
	if a != nil && a.claim() {
		a.end()
	}
}

func (a *Ahead) claim() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.ended {
		return false
	}
	a.ended = true
	return true
}

// end stops the opening (at once if it still runs) and says goodbye to a
// server that greeted: a QUIT, not waited for, then the connection closes.
func (a *Ahead) end() {
	select {
	case <-a.done:
	default:
		a.cancel()
		<-a.done
	}
	r := a.r
	if r.unwatch != nil {
		r.unwatch()
	}
	if r.sess != nil {
		if r.c != nil && a.err == nil {
			_ = r.sess.raw.SetDeadline(time.Now().Add(quitLeave))
			_ = r.c.Text.PrintfLine("QUIT")
		}
		_ = r.sess.raw.Close()
	}
	a.cancel()
}

// quitLeave bounds writing the QUIT of an opening no test took: the
// program is ending, and the server gets its word or a closed connection.
const quitLeave = 200 * time.Millisecond

// handOver makes the run an opening left the test's run: t's
// configuration (with its secrets, which the redactor learns), ctx's
// deadline on the connection and its cancellation, obs told the stages
// already run.
func (r *run) handOver(t *Tester, ctx context.Context, obs providers.Observer, events []providers.StageEvent) {
	r.t, r.ctx, r.obs = t, ctx, obs
	r.sc.Add(t.cfg.Password)
	r.sc.Add(t.cfg.OAuthToken)
	if r.unwatch != nil {
		r.unwatch()
		r.unwatch = nil
	}
	if r.sess != nil {
		if dl, ok := ctx.Deadline(); ok {
			_ = r.sess.raw.SetDeadline(dl)
		}
		conn := r.sess.raw
		r.unwatch = context.AfterFunc(ctx, func() { _ = conn.SetDeadline(longAgo) })
	}
	for _, ev := range events {
		r.emit(ev)
	}
}
