package discover

import (
	"context"
	"fmt"
	"net"
	"net/mail"
	"slices"
	"strings"

	"golang.org/x/net/idna"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/providers/probe"
)

// ProviderID is the provider family as far as the channel choice goes.
type ProviderID string

const (
	ProviderGoogle    ProviderID = "google"
	ProviderMicrosoft ProviderID = "microsoft"
	ProviderOther     ProviderID = "other"
)

// Provider is who runs the domain's mail: the family (from the MX records,
// KNOWLEDGE.md), the well-known provider if the table knows it, the MX
// hosts, and the channel to suggest.
type Provider struct {
	ID      ProviderID        `json:"id"`
	Known   string            `json:"known,omitempty"` // well-known table id, e.g. "ionos"
	Name    string            `json:"name,omitempty"`  // its display name
	MX      []string          `json:"mx,omitempty"`
	Channel providers.Channel `json:"channel"`
}

// Source says where a candidate server came from. Sources are merged by
// priority: what the user typed, DNS SRV records, the domain's own
// autoconfig, the well-known table, guesses, and last the MX hosts.
type Source string

const (
	SourceUser       Source = "user"
	SourceSRV        Source = "srv"
	SourceAutoconfig Source = "autoconfig"
	SourceWellKnown  Source = "wellknown"
	SourceGuess      Source = "guess"
	SourceMX         Source = "mx"
)

var sourceRank = map[Source]int{SourceUser: 0, SourceSRV: 1, SourceAutoconfig: 2, SourceWellKnown: 3, SourceGuess: 4, SourceMX: 5}

// DefaultPorts are tried for hosts that come without a port (guesses, MX
// hosts, hosts the user names): submission, SMTPS, relay, the odd one.
var DefaultPorts = []int{587, 465, 25, 2525}

// domainOf takes an address (or a bare domain) and returns its domain in
// ASCII (IDNA), lower case, without a trailing dot.
func domainOf(address string) (string, error) {
	s := strings.TrimSpace(address)
	if s == "" {
		return "", fmt.Errorf("empty address")
	}
	domain := s
	if strings.Contains(s, "@") {
		a, err := mail.ParseAddress(s)
		if err != nil {
			return "", fmt.Errorf("address %q: %w", s, err)
		}
		domain = a.Address[strings.LastIndex(a.Address, "@")+1:]
	}
	ascii, err := idna.Lookup.ToASCII(strings.TrimSuffix(domain, "."))
	if err != nil || !strings.Contains(ascii, ".") {
		return "", fmt.Errorf("address %q: %q is not a mail domain", s, domain)
	}
	return strings.ToLower(ascii), nil
}

func fqdn(name string) string { return strings.TrimSuffix(name, ".") + "." }

// classifyMX applies the MX rule of KNOWLEDGE.md.
func classifyMX(hosts []string) ProviderID {
	for _, h := range hosts {
		switch {
		case matches("*.google.com", h), matches("*.googlemail.com", h):
			return ProviderGoogle
		case matches("*.mail.protection.outlook.com", h):
			return ProviderMicrosoft
		}
	}
	return ProviderOther
}

func channelFor(id ProviderID) providers.Channel {
	switch id {
	case ProviderGoogle:
		return providers.ChannelGoogle
	case ProviderMicrosoft:
		return providers.ChannelMicrosoft
	}
	return providers.ChannelSMTP
}

// lookupMX returns the MX hosts by preference, without a null MX (".").
func lookupMX(ctx context.Context, r Resolver, domain string) ([]string, error) {
	mxs, err := r.LookupMX(ctx, fqdn(domain))
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(mxs, func(a, b *net.MX) int { return int(a.Pref) - int(b.Pref) })
	var hosts []string
	for _, mx := range mxs {
		if h := normalizeHost(mx.Host); h != "" {
			hosts = append(hosts, h)
		}
	}
	return hosts, nil
}

// detect names the provider from the domain and its MX hosts.
func detect(domain string, mx []string) (Provider, *WellKnown, string) {
	id := classifyMX(mx)
	w, mxHost := lookupWellKnown(domain, mx)
	if id == ProviderOther && w != nil && w.Family != "" {
		id = ProviderID(w.Family) // e.g. gmail.com itself
	}
	p := Provider{ID: id, MX: mx, Channel: channelFor(id)}
	if w != nil {
		p.Known, p.Name = w.ID, w.Name
	}
	return p, w, mxHost
}

// DetectProvider is the fast path for the wizard's channel suggestion: one
// MX lookup and the table, no probing. address may be a bare domain. A nil
// resolver means the system's. When DNS fails, the domain table may still
// know the provider; otherwise the error says why.
func DetectProvider(ctx context.Context, r Resolver, address string) (Provider, error) {
	domain, err := domainOf(address)
	if err != nil {
		return Provider{}, err
	}
	mx, err := lookupMX(ctx, resolverOrDefault(r), domain)
	if err != nil && !isNotFound(err) {
		p, _, _ := detect(domain, nil)
		if p.Known != "" {
			return p, nil
		}
		return p, fmt.Errorf("look up MX of %s: %w", domain, err)
	}
	p, _, _ := detect(domain, mx)
	return p, nil
}

// lookupSRV reads RFC 6186 records: _submissions._tcp (implicit TLS, RFC
// 8314) and _submission._tcp (STARTTLS), best priority first. A target "."
// says the service is not offered.
func lookupSRV(ctx context.Context, r Resolver, domain string) []probe.Target {
	var out []probe.Target
	for _, s := range []struct {
		service string
		sec     providers.Security
	}{{"submissions", providers.SecuritySMTPS}, {"submission", providers.SecurityStartTLS}} {
		_, srvs, err := r.LookupSRV(ctx, s.service, "tcp", fqdn(domain))
		if err != nil {
			continue
		}
		slices.SortStableFunc(srvs, func(a, b *net.SRV) int {
			if a.Priority != b.Priority {
				return int(a.Priority) - int(b.Priority)
			}
			return int(b.Weight) - int(a.Weight)
		})
		for _, srv := range srvs {
			if h := normalizeHost(srv.Target); h != "" && srv.Port != 0 {
				out = append(out, probe.Target{Host: h, Port: int(srv.Port), Security: s.sec})
			}
		}
	}
	return out
}

// crossTargets is every host × port × security.
func crossTargets(hosts []string, ports []int) []probe.Target {
	var out []probe.Target
	for _, h := range hosts {
		for _, p := range ports {
			for _, sec := range []providers.Security{providers.SecurityStartTLS, providers.SecuritySMTPS} {
				out = append(out, probe.Target{Host: h, Port: p, Security: sec})
			}
		}
	}
	return out
}

// guessHosts are the names mail hosts usually have.
func guessHosts(domain string) []string { return []string{"smtp." + domain, "mail." + domain} }
