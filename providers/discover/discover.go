// Package discover learns, from a company address alone and without any
// credential, who runs its mail and which server the platform should send
// through: the provider from the MX records, candidate servers from DNS SRV
// records (RFC 6186/8314), the domain's Mozilla autoconfig, an embedded
// table of well-known providers and plain guesses, every candidate probed
// concurrently (package probe), a verdict with reasons, and the SPF/DMARC
// facts that decide whether the platform's own mail service may send as the
// domain. The wizard (steps 1–3) and `jobmail doctor` both call Run.
//
// Everything is returned as codes with arguments; words come from the
// message catalogue.
package discover

import (
	"context"
	"crypto/x509"
	"net/http"
	"strconv"
	"time"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/providers/probe"
)

// Options are Run's dependencies and knobs; the zero value works.
type Options struct {
	Resolver          Resolver       // nil: the system resolver
	HTTPClient        *http.Client   // for autoconfig; nil: one that resolves through Resolver
	AutoconfigURLs    []string       // templates with {domain}, {address}; nil: DefaultAutoconfigURLs
	AutoconfigTimeout time.Duration  // 0: DefaultAutoconfigTimeout
	ProbeTimeout      time.Duration  // bounds the whole run; 0: probe.DefaultTimeout
	Dialer            probe.Dialer   // for probes; nil: dials through Resolver
	RootCAs           *x509.CertPool // trust anchors for certificate checks; nil: system roots
	Ports             []int          // for hosts without a port; nil: DefaultPorts
	Hosts             []string       // extra hosts to try (e.g. one the user typed)
	OutgoingIPs       []string       // the platform's sending addresses, for the allowlist notice
	PlatformSPF       string         // the platform service's SPF include; "": DefaultPlatformSPF
	Now               func() time.Time
}

// Candidate is one server to probe and every source that named it.
type Candidate struct {
	probe.Target
	Sources  []Source `json:"sources"`
	Username string   `json:"username,omitempty"` // the login a source prescribes
}

// Unsupported is a host the platform cannot send through (providers.CheckHost),
// with the alternative in its diagnosis; it is never probed.
type Unsupported struct {
	Host      string              `json:"host"`
	Source    Source              `json:"source"`
	Diagnosis providers.Diagnosis `json:"diagnosis"`
}

// Report is everything Run learnt.
type Report struct {
	Address     string         `json:"address"`
	Domain      string         `json:"domain"`
	Provider    Provider       `json:"provider"`
	WellKnown   *WellKnown     `json:"well_known,omitempty"`
	Candidates  []Candidate    `json:"candidates"`
	Results     []probe.Result `json:"results"` // in completion order
	Verdict     Verdict        `json:"verdict"`
	Unsupported []Unsupported  `json:"unsupported,omitempty"`
	Notices     []Finding      `json:"notices,omitempty"`
	Hygiene     []Finding      `json:"hygiene,omitempty"`
	DurationMS  int64          `json:"duration_ms"`
}

// EventKind says what an Event carries.
type EventKind string

const (
	EventProvider    EventKind = "provider"    // Provider: the MX answer is in
	EventCandidate   EventKind = "candidate"   // Candidate: a new server to probe
	EventUnsupported EventKind = "unsupported" // Unsupported: a host that cannot work
	EventFailure     EventKind = "failure"     // Failure: a host that does not resolve
	EventResult      EventKind = "result"      // Result: a probe finished
	EventFinding     EventKind = "finding"     // Finding: an SPF/DMARC fact
)

// Event is one piece of news while Run works; exactly the field named by
// Kind is set.
type Event struct {
	Kind        EventKind     `json:"kind"`
	Provider    *Provider     `json:"provider,omitempty"`
	Candidate   *Candidate    `json:"candidate,omitempty"`
	Unsupported *Unsupported  `json:"unsupported,omitempty"`
	Failure     *Failure      `json:"failure,omitempty"`
	Result      *probe.Result `json:"result,omitempty"`
	Finding     *Finding      `json:"finding,omitempty"`
}

// Run discovers and probes the servers for address and returns the report.
// The whole run is bounded by opts.ProbeTimeout (and ctx). The error is
// only for input that cannot be worked with (not an address); everything
// the network says is in the report.
func Run(ctx context.Context, address string, opts Options) (*Report, error) {
	return RunStream(ctx, address, opts, nil)
}

// RunStream is Run that also reports progress: emit (if not nil) receives
// events one at a time, as they happen, never after RunStream returns.
func RunStream(ctx context.Context, address string, opts Options, emit func(Event)) (*Report, error) {
	domain, err := domainOf(address)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	budget := opts.ProbeTimeout
	if budget <= 0 {
		budget = probe.DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, budget)
	defer cancel()
	r := &run{opts: opts, emitFn: emit, domain: domain, address: address,
		resolver: resolverOrDefault(opts.Resolver), cands: map[probe.Target]*Candidate{}, hostState: map[string]*hostState{}}
	r.hosts = newHostCache(ctx, r.resolver)
	r.report = &Report{Address: address, Domain: domain, Results: []probe.Result{}}
	r.execute(ctx, budget)
	r.finish()
	r.report.DurationMS = time.Since(start).Milliseconds()
	return r.report, nil
}

func itoa(n int) string { return strconv.Itoa(n) }
