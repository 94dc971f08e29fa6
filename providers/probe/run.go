package probe

import (
	"context"
	"strconv"
	"sync"

	"github.com/jobmail/jobmail/providers"
)

// Run probes every target received on targets concurrently, calling emit
// with each result as it finishes (one call at a time, never after Run
// returns). The whole run is bounded by p.Timeout from the moment Run is
// called, however many targets arrive and however servers behave: targets
// that arrive after the budget is spent are reported without a connection
// attempt. Duplicate targets are probed once.
//
// The caller must close targets; Run keeps reading until then (so a sender
// never blocks) and returns once every probe has ended.
//
// Probes of the same host and port help each other: when implicit TLS
// succeeds there, the plaintext probe of that port is stopped and reported
// (Inferred) as never greeting, instead of waiting out the timeout.
func (p *Prober) Run(ctx context.Context, targets <-chan Target, emit func(Result)) {
	ctx, cancel := context.WithTimeout(ctx, p.timeout())
	defer cancel()
	r := &runner{p: p, ctx: ctx, emit: emit, seen: map[Target]bool{}, ports: map[string][]*probeRun{}}
	for t := range targets {
		r.start(t)
	}
	r.wg.Wait()
}

// Stream probes targets concurrently and delivers results on the returned
// channel as they finish; the channel is closed when all are done. It never
// blocks on a slow reader: the channel holds every result.
func (p *Prober) Stream(ctx context.Context, targets []Target) <-chan Result {
	out := make(chan Result, len(targets))
	in := make(chan Target, len(targets))
	for _, t := range targets {
		in <- t
	}
	close(in)
	go func() {
		defer close(out)
		p.Run(ctx, in, func(r Result) { out <- r })
	}()
	return out
}

// All probes targets concurrently and returns the results in completion
// order.
func (p *Prober) All(ctx context.Context, targets []Target) []Result {
	var res []Result
	for r := range p.Stream(ctx, targets) {
		res = append(res, r)
	}
	return res
}

type runner struct {
	p    *Prober
	ctx  context.Context
	emit func(Result)
	wg   sync.WaitGroup

	mu    sync.Mutex // guards seen, ports, probeRun.inferred and emit
	seen  map[Target]bool
	ports map[string][]*probeRun // host:port → its probes
}

type probeRun struct {
	t        Target
	cancel   context.CancelFunc
	done     bool
	greeted  bool // the server spoke SMTP to this probe: never infer for it
	inferred *providers.Diagnosis
}

func (r *runner) start(t Target) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.seen[t] {
		return
	}
	r.seen[t] = true
	if r.ctx.Err() != nil {
		r.wg.Add(1)
		go func() { // emit outside the lock, like every other result
			defer r.wg.Done()
			r.finish(nil, Result{Target: t, Steps: []Step{}, Diagnosis: &providers.Diagnosis{
				Code: providers.CodeNetTimeout, Actor: providers.ActorUser,
				Args: map[string]string{"host": t.Host, "port": strconv.Itoa(t.Port), "reason": "not_started"}}})
		}()
		return
	}
	ctx, cancel := context.WithCancel(r.ctx)
	pr := &probeRun{t: t, cancel: cancel}
	key := t.Addr()
	r.ports[key] = append(r.ports[key], pr)
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		defer cancel()
		greeted := func() { r.mu.Lock(); pr.greeted = true; r.mu.Unlock() }
		r.finish(pr, r.p.probe(ctx, t, greeted))
	}()
}

// finish records a result, lets it answer for its siblings, and emits it.
func (r *runner) finish(pr *probeRun, res Result) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if pr != nil {
		pr.done = true
		if pr.inferred != nil {
			res.Diagnosis, res.Inferred, res.OK = pr.inferred, true, false
		}
		if res.Target.Security == providers.SecuritySMTPS && res.TLS != nil {
			// The port speaks TLS from the first byte, so a plaintext
			// client there waits for a greeting that never comes.
			for _, sib := range r.ports[res.Target.Addr()] {
				if !sib.done && !sib.greeted && sib.t.Security == providers.SecurityStartTLS && sib.inferred == nil {
					sib.inferred = &providers.Diagnosis{Code: providers.CodeSMTPNoGreeting, Actor: providers.ActorUser,
						Args: map[string]string{"host": sib.t.Host, "port": strconv.Itoa(sib.t.Port), "reason": "implicit_tls_port"}}
					sib.cancel()
				}
			}
		}
	}
	if r.emit != nil {
		r.emit(res)
	}
}
