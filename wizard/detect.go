package wizard

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/providers/discover"
	"github.com/jobmail/jobmail/wizard/setupfile"
)

// DetectBudget bounds the MX lookup that suggests a channel; after it the
// provider is simply unknown.
const DetectBudget = 2 * time.Second

// DiscoverBudget bounds the server discovery (jobmail doctor's probing)
// that prefills the SMTP questions.
const DiscoverBudget = 6 * time.Second

// Detector is how ActionDetect learns about an address: the provider its
// MX records name, and the server the discovery recommends. Every driver
// runs it with these bounds; nil functions mean the system resolver.
type Detector struct {
	// Provider looks up the provider of a domain within ctx's deadline;
	// nil: providers/discover's MX lookup.
	Provider func(ctx context.Context, domain string) (Provider, error)
	// Discover configures the discovery (resolver, probe timeout, trust
	// anchors); nil: the system resolver and DiscoverBudget.
	Discover   *discover.Options
	NoDiscover bool

	mu    sync.Mutex
	known map[string]providerAnswer // by domain: a replay of many mailboxes asks once
}

type providerAnswer struct {
	p   Provider
	err error
}

// Provider is what the MX records of a domain say.
type Provider struct {
	ID string   // google | microsoft | other | "" (unknown)
	MX []string // the mail exchangers, by preference
}

// Server is the discovery's verdict for an address.
type Server struct {
	Recommended *discover.Choice // nil: none found
	Ready       bool             // it works with a verified TLS connection
}

// SystemProvider is the default provider lookup: providers/discover's MX
// lookup (one query and its table of known domains, no probing). A failed
// lookup is "unknown" unless the table knows the domain anyway.
func SystemProvider(ctx context.Context, domain string) (Provider, error) {
	p, err := discover.DetectProvider(ctx, nil, domain)
	if err != nil && p.Known == "" {
		return Provider{MX: p.MX}, err
	}
	return Provider{ID: string(p.ID), MX: p.MX}, nil
}

// LookupProvider is the provider half of ActionDetect, bounded by
// DetectBudget. It never touches the session: drivers that run it off
// their UI goroutine hand the result to Session.RecordProvider.
func (d *Detector) LookupProvider(ctx context.Context, address string) (Provider, error) {
	domain := DomainOf(address)
	if domain == "" {
		return Provider{}, nil
	}
	d.mu.Lock()
	a, ok := d.known[domain]
	d.mu.Unlock()
	if ok {
		return a.p, a.err
	}
	fn := d.Provider
	if fn == nil {
		fn = SystemProvider
	}
	ctx, cancel := context.WithTimeout(ctx, DetectBudget)
	defer cancel()
	p, err := fn(ctx, domain)
	if ctx.Err() == nil { // an answer, not the budget running out
		d.mu.Lock()
		if d.known == nil {
			d.known = map[string]providerAnswer{}
		}
		d.known[domain] = providerAnswer{p, err}
		d.mu.Unlock()
	}
	return p, err
}

// DiscoverOptions are the discovery's options with the defaults applied.
func (d *Detector) DiscoverOptions(setup *setupfile.Setup) discover.Options {
	var o discover.Options
	if d.Discover != nil {
		o = *d.Discover
	}
	if o.ProbeTimeout <= 0 {
		o.ProbeTimeout = DiscoverBudget
	}
	if o.OutgoingIPs == nil {
		o.OutgoingIPs = setup.Platform.OutgoingIPs
		if len(o.OutgoingIPs) == 0 {
			o.OutgoingIPs = setupfile.DefaultOutgoingIPs
		}
	}
	return o
}

// LookupServer is the discovery half of ActionDetect, bounded by the
// probe timeout (and a second more, against a resolver that ignores its
// context). Like LookupProvider it never touches the session.
func (d *Detector) LookupServer(ctx context.Context, setup *setupfile.Setup, address string) (Server, error) {
	opts := d.DiscoverOptions(setup)
	ctx, cancel := context.WithTimeout(ctx, opts.ProbeTimeout+time.Second)
	defer cancel()
	rep, err := discover.Run(ctx, address, opts)
	if rep == nil || rep.Verdict.Recommended == nil {
		return Server{}, err
	}
	return Server{Recommended: rep.Verdict.Recommended, Ready: rep.Verdict.Ready}, err
}

// DomainOf is the part of an address after the last @, lower case.
func DomainOf(address string) string {
	i := strings.LastIndexByte(address, '@')
	if i < 0 {
		return ""
	}
	return strings.ToLower(strings.TrimSpace(address[i+1:]))
}

// detectState is what the session knows of ActionDetect for its address.
type detectState struct {
	address  string // the address detection was started or recorded for
	provider *Provider
	server   *Server
	owed     bool // put off (DeferDetect): the next Drive runs it
}

// needsDetect reports whether the machine must run ActionDetect now: the
// mailbox has an address (answered, or given by the setup file) and
// nothing was started for it yet.
func (s *Session) needsDetect() bool {
	m := s.Mailbox()
	if m.Address == "" || s.Inherits() {
		return false
	}
	return s.detect.address != m.Address
}

// Detected is what ActionDetect learnt for the current address: the
// provider and the recommended server, each nil until known.
func (s *Session) Detected() (*Provider, *Server) {
	if s.detect.address != s.Mailbox().Address {
		return nil, nil
	}
	return s.detect.provider, s.detect.server
}

// StartDetect tells the machine that the driver runs ActionDetect in the
// background (the TUI: the person keeps typing meanwhile); Next moves on,
// and the results arrive through RecordProvider and RecordServer.
func (s *Session) StartDetect() {
	s.detect = detectState{address: s.Mailbox().Address}
	s.trace("action " + string(ActionDetect))
}

// DetectAddress is the address ActionDetect runs for.
func (s *Session) DetectAddress() string { return s.Mailbox().Address }

// detectFor keeps the detection state of address, the address answered
// now: false for a result of an address no longer answered; a new address
// starts afresh.
func (s *Session) detectFor(address string) bool {
	if address != s.Mailbox().Address {
		return false
	}
	if s.detect.address != address {
		s.detect = detectState{address: address}
	}
	return true
}

// RecordProvider stores the provider found for address; a result for an
// address no longer answered is dropped (false).
func (s *Session) RecordProvider(address string, p Provider) bool {
	if !s.detectFor(address) {
		return false
	}
	s.detect.provider = &p
	s.Provider, s.MX = p.ID, p.MX
	return true
}

// RecordServer stores the server the discovery recommends for address as
// the prefill of the SMTP questions; false as RecordProvider.
func (s *Session) RecordServer(address string, sv Server) bool {
	if !s.detectFor(address) {
		return false
	}
	s.detect.server = &sv
	if c := sv.Recommended; c != nil {
		s.Suggested = setupfile.SMTP{Host: c.Host, Port: c.Port, Security: string(c.Security), Username: c.Username}
	}
	return true
}

// discovers reports whether the discovery can change an answer of this
// session: always when a person answers (any answer may change), and in a
// headless run only while the file leaves the SMTP server to defaults.
func (s *Session) discovers() bool {
	if s.Interactive {
		return true
	}
	m := s.connection()
	if ch := m.ChannelID(); ch != "" && ch != providers.ChannelSMTP {
		return false
	}
	c := derefOr(m.SMTP)
	return c.Host == "" || c.Security == "" || c.Port == 0
}

// runDetect is ActionDetect in line: the provider and (when it matters)
// the discovery, each within its bound. The two ask independent questions
// (the discovery does not read the provider), so they run at once: a
// replay of a setup that leaves the SMTP server to discovery waited for
// the MX answer before the discovery even began. The session still learns
// the provider first, then the server. Failed lookups are no error: the
// provider is unknown, there is no suggestion. Drive has started it
// already; a caller of Run outside Drive has not.
func (e *Env) runDetect(ctx context.Context, s *Session) {
	addr := s.DetectAddress()
	if s.needsDetect() {
		s.StartDetect()
	}
	d := e.Detect
	if d == nil {
		return // detection off: unknown provider, no suggestion
	}
	var server chan Server
	if !d.NoDiscover && s.discovers() { // what RecordProvider records does not change it
		server = make(chan Server, 1)
		setup := s.Setup
		go func() {
			sv, _ := d.LookupServer(ctx, setup, addr) // a failed discovery: no suggestion
			server <- sv
		}()
	}
	p, _ := d.LookupProvider(ctx, addr) // a failed lookup: unknown
	s.RecordProvider(addr, p)
	if server != nil {
		s.RecordServer(addr, <-server)
	}
}
