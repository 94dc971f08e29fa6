package discover

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
)

// Resolver is the DNS this package asks. *net.Resolver implements it; so
// does whatever a test or a caller with its own DNS plugs in.
type Resolver interface {
	LookupMX(ctx context.Context, name string) ([]*net.MX, error)
	LookupSRV(ctx context.Context, service, proto, name string) (string, []*net.SRV, error)
	LookupTXT(ctx context.Context, name string) ([]string, error)
	LookupHost(ctx context.Context, host string) ([]string, error)
}

var _ Resolver = (*net.Resolver)(nil)

// NewServerResolver returns a resolver that asks only the DNS server at
// addr (host:port), with Go's own DNS client over UDP and, for long
// answers, TCP. Tests point it at an in-process server; a user can point it
// at the company's internal DNS.
func NewServerResolver(addr string) *net.Resolver {
	return &net.Resolver{
		PreferGo: true,
		Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		},
	}
}

func resolverOrDefault(r Resolver) Resolver {
	if r == nil {
		return net.DefaultResolver
	}
	return r
}

// isNotFound reports an authoritative "no such name / no such record".
func isNotFound(err error) bool {
	var de *net.DNSError
	return errors.As(err, &de) && de.IsNotFound
}

// hostCache resolves each host once per run, for the discovery (which
// drops names that do not resolve) and for the prober's dialer alike.
type hostCache struct {
	ctx context.Context // the run's: one caller giving up must not fail the lookup for all
	r   Resolver
	mu  sync.Mutex
	m   map[string]*hostEntry
	wg  sync.WaitGroup // lookups under way; wait before the run returns
}

type hostEntry struct {
	done  chan struct{}
	addrs []string
	err   error
}

func newHostCache(ctx context.Context, r Resolver) *hostCache {
	return &hostCache{ctx: ctx, r: r, m: map[string]*hostEntry{}}
}

func (c *hostCache) lookup(ctx context.Context, host string) ([]string, error) {
	if ip := net.ParseIP(host); ip != nil {
		return []string{host}, nil
	}
	c.mu.Lock()
	e, ok := c.m[host]
	if !ok {
		e = &hostEntry{done: make(chan struct{})}
		c.m[host] = e
		c.wg.Add(1)
		c.mu.Unlock()
		go func() {
			defer c.wg.Done()
			e.addrs, e.err = c.r.LookupHost(c.ctx, host)
			if e.err == nil && len(e.addrs) == 0 {
				e.err = &net.DNSError{Err: "no addresses", Name: host, IsNotFound: true}
			}
			close(e.done)
		}()
	} else {
		c.mu.Unlock()
	}
	select {
	case <-e.done:
		return e.addrs, e.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (c *hostCache) wait() { c.wg.Wait() }

// DialContext resolves through the cache and tries each address in turn,
// so probes see the same DNS as the discovery.
func (c *hostCache) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", addr, err)
	}
	addrs, err := c.lookup(ctx, host)
	if err != nil {
		return nil, err
	}
	var d net.Dialer
	var firstErr error
	for _, a := range addrs {
		conn, err := d.DialContext(ctx, network, net.JoinHostPort(a, port))
		if err == nil {
			return conn, nil
		}
		if firstErr == nil {
			firstErr = err
		}
		if ctx.Err() != nil {
			break
		}
	}
	return nil, firstErr
}
