package discover

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/providers/probe"
)

// run is one discovery: sources feed candidates, candidates whose host
// resolves are probed at once, results are collected.
type run struct {
	opts     Options
	emitFn   func(Event)
	domain   string
	address  string
	resolver Resolver
	hosts    *hostCache
	targets  chan probe.Target

	emitMu sync.Mutex // one event at a time, in order

	mu          sync.Mutex // guards everything below
	report      *Report
	cands       map[probe.Target]*Candidate
	hostState   map[string]*hostState
	hostFails   []Failure
	unsupported map[string]bool
	sources     sync.WaitGroup // discovery work that may still add targets
}

type hostState struct {
	resolved bool
	failed   bool
	pending  []probe.Target
}

func (r *run) emit(ev Event) {
	if r.emitFn == nil {
		return
	}
	r.emitMu.Lock()
	defer r.emitMu.Unlock()
	r.emitFn(ev)
}

func (r *run) ports() []int {
	if len(r.opts.Ports) > 0 {
		return r.opts.Ports
	}
	return DefaultPorts
}

func (r *run) prober(budget time.Duration) *probe.Prober {
	var dialer probe.Dialer = r.hosts
	if r.opts.Dialer != nil {
		dialer = r.opts.Dialer
	}
	return &probe.Prober{Dialer: dialer, RootCAs: r.opts.RootCAs, Now: r.opts.Now, Timeout: budget}
}

func (r *run) httpClient() *http.Client {
	if r.opts.HTTPClient != nil {
		return r.opts.HTTPClient
	}
	return &http.Client{Transport: &http.Transport{
		Proxy: http.ProxyFromEnvironment, DialContext: r.hosts.DialContext,
		DisableKeepAlives: true, ForceAttemptHTTP2: true,
	}}
}

// execute runs every source and the prober within ctx.
func (r *run) execute(ctx context.Context, budget time.Duration) {
	r.targets = make(chan probe.Target)
	probed := make(chan struct{})
	go func() {
		defer close(probed)
		r.prober(budget).Run(ctx, r.targets, r.onResult)
	}()

	var hygiene []Finding
	var hygieneDone sync.WaitGroup
	hygieneDone.Add(1)
	go func() {
		defer hygieneDone.Done()
		spf := r.opts.PlatformSPF
		if spf == "" {
			spf = DefaultPlatformSPF
		}
		hygiene = checkHygiene(ctx, r.resolver, r.domain, spf)
		for i := range hygiene {
			r.emit(Event{Kind: EventFinding, Finding: &hygiene[i]})
		}
	}()

	r.spawn(func() { // what needs no network
		r.add(ctx, SourceUser, crossTargets(normalizeHosts(r.opts.Hosts), r.ports()), "")
		if w, _ := lookupWellKnown(r.domain, nil); w != nil {
			r.add(ctx, SourceWellKnown, w.Targets(r.domain, ""), w.UsernameFor(r.address))
		}
		r.add(ctx, SourceGuess, crossTargets(guessHosts(r.domain), r.ports()), "")
	})
	r.spawn(func() { r.mxSource(ctx) })
	r.spawn(func() { r.add(ctx, SourceSRV, lookupSRV(ctx, r.resolver, r.domain), "") })
	r.spawn(func() {
		urls := r.opts.AutoconfigURLs
		if urls == nil {
			urls = DefaultAutoconfigURLs
		}
		timeout := r.opts.AutoconfigTimeout
		if timeout <= 0 {
			timeout = DefaultAutoconfigTimeout
		}
		for _, s := range fetchAutoconfig(ctx, r.httpClient(), urls, r.domain, r.address, timeout) {
			r.add(ctx, SourceAutoconfig, []probe.Target{s.Target}, s.Username)
		}
	})

	r.sources.Wait()
	close(r.targets)
	<-probed
	r.hosts.wait()
	hygieneDone.Wait()
	r.report.Hygiene = hygiene
}

func (r *run) spawn(fn func()) {
	r.sources.Add(1)
	go func() {
		defer r.sources.Done()
		fn()
	}()
}

// mxSource detects the provider, adds its well-known servers, flags
// unsupported MX hosts (Google's restricted server, Microsoft's direct
// send) and, for a mail server of the company's own, tries the MX hosts.
func (r *run) mxSource(ctx context.Context) {
	mx, err := lookupMX(ctx, r.resolver, r.domain)
	if err != nil && !isNotFound(err) {
		mx = nil
	}
	p, w, mxHost := detect(r.domain, mx)
	r.mu.Lock()
	r.report.Provider = p
	r.report.WellKnown = w
	r.mu.Unlock()
	r.emit(Event{Kind: EventProvider, Provider: &p})
	if w != nil && mxHost != "" {
		r.add(ctx, SourceWellKnown, w.Targets(r.domain, mxHost), w.UsernameFor(r.address))
	}
	if w == nil && p.ID == ProviderOther {
		r.add(ctx, SourceMX, crossTargets(mx, r.ports()), "")
		return
	}
	for _, h := range mx { // not probed, but shown when unsupported
		r.checkUnsupported(h, SourceMX)
	}
}

// checkUnsupported records host once if the platform cannot use it.
func (r *run) checkUnsupported(host string, src Source) bool {
	u, bad := providers.CheckHost(host)
	if !bad {
		return false
	}
	r.mu.Lock()
	if r.unsupported == nil {
		r.unsupported = map[string]bool{}
	}
	first := !r.unsupported[u.Host]
	r.unsupported[u.Host] = true
	var entry Unsupported
	if first {
		entry = Unsupported{Host: u.Host, Source: src, Diagnosis: *providers.UnsupportedDiagnosis(u, "smtp.host")}
		r.report.Unsupported = append(r.report.Unsupported, entry)
	}
	r.mu.Unlock()
	if first {
		r.emit(Event{Kind: EventUnsupported, Unsupported: &entry})
	}
	return true
}

// add merges targets from src; new ones are probed as soon as their host
// resolves (a host that does not resolve is one failure, not one per port).
func (r *run) add(ctx context.Context, src Source, targets []probe.Target, username string) {
	var send []probe.Target
	var news []Candidate
	var lookups []string
	for _, t := range targets {
		t.Host = normalizeHost(t.Host)
		if t.Validate() != nil || r.checkUnsupported(t.Host, src) {
			continue
		}
		r.mu.Lock()
		c, ok := r.cands[t]
		if ok {
			c.Sources = appendSource(c.Sources, src)
			if c.Username == "" {
				c.Username = username
			}
			r.mu.Unlock()
			continue
		}
		c = &Candidate{Target: t, Sources: []Source{src}, Username: username}
		r.cands[t] = c
		news = append(news, *c)
		hs := r.hostState[t.Host]
		if hs == nil {
			hs = &hostState{}
			r.hostState[t.Host] = hs
			lookups = append(lookups, t.Host)
		}
		switch {
		case hs.resolved:
			send = append(send, t)
		case !hs.failed:
			hs.pending = append(hs.pending, t)
		}
		r.mu.Unlock()
	}
	for i := range news {
		r.emit(Event{Kind: EventCandidate, Candidate: &news[i]})
	}
	for _, h := range lookups {
		r.spawn(func() { r.resolve(ctx, h) })
	}
	r.send(send)
}

func (r *run) resolve(ctx context.Context, host string) {
	_, err := r.hosts.lookup(ctx, host)
	r.mu.Lock()
	hs := r.hostState[host]
	pending := hs.pending
	hs.pending = nil
	var fail *Failure
	if err != nil {
		hs.failed = true
		code := providers.CodeDNSNoSuchHost
		var de *net.DNSError
		if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &de) && de.IsTimeout) {
			code = providers.CodeNetTimeout
		}
		fail = &Failure{Host: host, Diagnosis: providers.Diagnosis{Code: code, Actor: providers.ActorUser,
			Field: "smtp.host", Args: map[string]string{"host": host, "stage": string(providers.StageResolve)}}}
		r.hostFails = append(r.hostFails, *fail)
	} else {
		hs.resolved = true
	}
	r.mu.Unlock()
	if fail != nil {
		r.emit(Event{Kind: EventFailure, Failure: fail})
		return
	}
	r.send(pending)
}

// send hands targets to the prober. Never called with r.mu held: the
// prober reports results (which take r.mu) while it reads targets.
func (r *run) send(targets []probe.Target) {
	for _, t := range targets {
		r.targets <- t // the prober reads until close, even past the deadline
	}
}

func (r *run) onResult(res probe.Result) {
	r.mu.Lock()
	r.report.Results = append(r.report.Results, res)
	r.mu.Unlock()
	r.emit(Event{Kind: EventResult, Result: &res})
}

func appendSource(list []Source, s Source) []Source {
	for _, v := range list {
		if v == s {
			return list
		}
	}
	return append(list, s)
}

func normalizeHosts(hosts []string) []string {
	var out []string
	for _, h := range hosts {
		if h = normalizeHost(h); h != "" {
			out = append(out, h)
		}
	}
	return out
}
