package discover

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/providers/probe"
)

//go:embed wellknown.json
var wellKnownJSON []byte

// Server is one SMTP submission endpoint of a provider. Host may contain
// {domain} (the address's domain) or {mx} (the matched MX host) for
// providers that give each customer a server of their own.
type Server struct {
	Host     string             `json:"host"`
	Port     int                `json:"port"`
	Security providers.Security `json:"security"`
}

// WellKnown is a mail provider from the embedded table. Source is the
// provider's documentation; Verified says whether host and port were read
// there (Evidence says how they were found otherwise).
type WellKnown struct {
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	Family   string   `json:"family,omitempty"` // "google" | "microsoft" | ""
	Domains  []string `json:"domains"`          // address domains, exact or *.suffix
	MX       []string `json:"mx"`               // MX host patterns, exact or *.suffix
	SMTP     []Server `json:"smtp"`
	Username string   `json:"username"` // "address" | "localpart"
	Source   string   `json:"source"`
	Verified bool     `json:"verified"`
	Evidence string   `json:"evidence"`
}

var loadWellKnown = sync.OnceValues(func() ([]WellKnown, error) {
	var doc struct {
		Providers []WellKnown `json:"providers"`
	}
	if err := json.Unmarshal(wellKnownJSON, &doc); err != nil {
		return nil, fmt.Errorf("well-known providers table: %w", err)
	}
	for i, w := range doc.Providers {
		if err := w.validate(); err != nil {
			return nil, fmt.Errorf("well-known providers table, entry %d: %w", i, err)
		}
	}
	return doc.Providers, nil
})

func (w WellKnown) validate() error {
	switch {
	case w.ID == "" || w.Name == "":
		return fmt.Errorf("missing id or name")
	case len(w.Domains) == 0 && len(w.MX) == 0:
		return fmt.Errorf("%s: neither domains nor mx patterns", w.ID)
	case len(w.SMTP) == 0:
		return fmt.Errorf("%s: no smtp server", w.ID)
	case w.Username != "address" && w.Username != "localpart":
		return fmt.Errorf("%s: username %q is not address or localpart", w.ID, w.Username)
	case w.Verified && w.Source == "":
		return fmt.Errorf("%s: verified without a source", w.ID)
	}
	for _, s := range w.SMTP {
		t := probe.Target{Host: s.Host, Port: s.Port, Security: s.Security}
		if err := t.Validate(); err != nil {
			return fmt.Errorf("%s: %w", w.ID, err)
		}
	}
	return nil
}

// matches reports whether host fits pattern: "x" only x itself, "*.x" any
// name below x.
func matches(pattern, host string) bool {
	host = normalizeHost(host)
	if suffix, ok := strings.CutPrefix(pattern, "*."); ok {
		return strings.HasSuffix(host, "."+suffix)
	}
	return host == pattern
}

func normalizeHost(h string) string {
	return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(h)), ".")
}

// lookupWellKnown finds the provider of an address domain, else of the
// first MX host that matches; mx is the matching MX host ("" for a domain
// match).
func lookupWellKnown(domain string, mxHosts []string) (w *WellKnown, mx string) {
	if !mayMatch(domain) && !slices.ContainsFunc(mxHosts, mayMatch) {
		return nil, "" // no pattern names it: spare the table's parse
	}
	table, err := loadWellKnown()
	if err != nil {
		return nil, ""
	}
	for i := range table {
		for _, p := range table[i].Domains {
			if matches(p, domain) {
				return &table[i], ""
			}
		}
	}
	for _, h := range mxHosts {
		for i := range table {
			for _, p := range table[i].MX {
				if matches(p, h) {
					return &table[i], normalizeHost(h)
				}
			}
		}
	}
	return nil, ""
}

// mayMatch reports whether a pattern of the table could match host: a
// match needs "host" or "*.<a suffix of host>" written in the table (a
// test checks every pattern is written so). Most addresses are no
// provider's, and this spares their runs the table's JSON parse, ~4 % of
// a whole live test's CPU (issue 15).
//
// The wizard asks it for every question of every mailbox (prefill), a
// replay of 300 entities thousands of times for a handful of hosts; each
// scan reads the whole table: answers are remembered per host (at most
// mayMatchMemoMax of them, then scanned again).
func mayMatch(host string) bool {
	h := normalizeHost(host)
	if h == "" {
		return false
	}
	if v, ok := mayMatchMemo.Load(h); ok {
		return v.(bool)
	}
	ok := scanMayMatch(h)
	if mayMatchMemoSize.Load() < mayMatchMemoMax {
		if _, loaded := mayMatchMemo.LoadOrStore(h, ok); !loaded {
			mayMatchMemoSize.Add(1)
		}
	}
	return ok
}

const mayMatchMemoMax = 4096

var (
	mayMatchMemo     sync.Map // normalized host → bool
	mayMatchMemoSize atomic.Int64
)

// scanMayMatch is mayMatch's scan of the table for a normalized host.
func scanMayMatch(h string) bool {
	if bytes.Contains(wellKnownJSON, []byte(`"`+h+`"`)) {
		return true
	}
	for rest := h; ; {
		i := strings.IndexByte(rest, '.')
		if i < 0 {
			return false
		}
		rest = rest[i+1:]
		if bytes.Contains(wellKnownJSON, []byte(`"*.`+rest+`"`)) {
			return true
		}
	}
}

// Targets are the provider's servers for domain, templates filled in.
// A template that cannot be filled ({mx} without an MX match) is skipped.
func (w WellKnown) Targets(domain, mx string) []probe.Target {
	var out []probe.Target
	for _, s := range w.SMTP {
		host := strings.ReplaceAll(s.Host, "{domain}", domain)
		if strings.Contains(host, "{mx}") {
			if mx == "" {
				continue
			}
			host = strings.ReplaceAll(host, "{mx}", mx)
		}
		out = append(out, probe.Target{Host: host, Port: s.Port, Security: s.Security})
	}
	return out
}

// UsernameFor is the login the provider expects for address.
func (w WellKnown) UsernameFor(address string) string {
	if w.Username == "localpart" {
		if i := strings.LastIndex(address, "@"); i > 0 {
			return address[:i]
		}
	}
	return address
}

// KnownServer is what the table alone says about an address: the
// provider's first submission server and the login it expects. It needs
// no network: the wizard prefills it when DNS or probing fail. mx are the
// domain's MX hosts when known (nil: the address domain alone decides).
type KnownServer struct {
	Provider string // the table's name, e.g. "GMX"
	Family   string // "google" | "microsoft" | ""
	probe.Target
	Username string
}

// LookupKnown finds address's provider in the table (by its domain, else
// by mx) and its first server; ok is false when the table does not know it.
func LookupKnown(address string, mx []string) (KnownServer, bool) {
	domain, err := domainOf(address)
	if err != nil {
		return KnownServer{}, false
	}
	w, mxHost := lookupWellKnown(domain, mx)
	if w == nil {
		return KnownServer{}, false
	}
	ts := w.Targets(domain, mxHost)
	if len(ts) == 0 {
		return KnownServer{}, false
	}
	return KnownServer{Provider: w.Name, Family: w.Family, Target: ts[0], Username: w.UsernameFor(address)}, true
}
