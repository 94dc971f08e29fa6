package tui

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jobmail/jobmail/providers/discover"
	"github.com/jobmail/jobmail/providers/discover/dnstest"
	"github.com/jobmail/jobmail/providers/probe/probetest"
)

// discoveryRig is acme.test's DNS on loopback naming a real STARTTLS
// submission server (probetest) by SRV, with a certificate the
// discovery's trust anchors accept.
type discoveryRig struct {
	port int
	opts *discover.Options
}

func newDiscoveryRig(t *testing.T, slow map[string]time.Duration, budget time.Duration) *discoveryRig {
	t.Helper()
	pki := probetest.NewTestPKI(t)
	port := probetest.SMTP(t, probetest.StartTLS, pki.TestCert(t, "smtp.acme.test", "127.0.0.1"))
	d := dnstest.Start(t, []string{
		"acme.test. 300 IN MX 10 mx.acme.test.",
		"mx.acme.test. 300 IN A 127.0.0.1",
		"smtp.acme.test. 300 IN A 127.0.0.1",
		fmt.Sprintf("_submission._tcp.acme.test. 300 IN SRV 0 1 %d smtp.acme.test.", port),
	}, slow)
	return &discoveryRig{port: port, opts: &discover.Options{
		Resolver: discover.NewServerResolver(d.Addr), RootCAs: pki.Pool, Ports: []int{port},
		AutoconfigURLs: []string{}, ProbeTimeout: budget,
	}}
}

// TestDiscoveryPrefill: once the address is answered the discovery runs
// in the background; step 2 says what it found, step 3 asks host,
// encryption and port prefilled with it.
func TestDiscoveryPrefill(t *testing.T) {
	cfg, store := testConfig(t, "other")
	r := newDiscoveryRig(t, nil, 4*time.Second)
	cfg.NoDiscover, cfg.Discover = false, r.opts
	h := start(t, cfg, store, nil)
	step1(h)
	port := strconv.Itoa(r.port)
	found := "Mail server found: smtp.acme.test:" + port + ", SMTP with STARTTLS"
	s := h.screenHas(found)
	if s.key != "company.channel" {
		t.Errorf("found while at %q, want the channel step", s.key)
	}
	h.accept("company.channel")
	s = h.at("company.smtp.host")
	if !strings.Contains(s.view, "> smtp.acme.test") || !strings.Contains(s.view, found) {
		t.Errorf("host not prefilled from the discovery:\n%s", s.view)
	}
	requireGolden(t, strings.ReplaceAll(screen(s), port, "PORT"))
	h.enter()
	s = h.at("company.smtp.transport") // the server's own port: the first choice
	if !strings.Contains(s.view, "> "+port+" – SMTP with STARTTLS") {
		t.Errorf("port and encryption not prefilled:\n%s", s.view)
	}
	h.enter()
	h.at("company.smtp.username")
	h.ctrlC()
	h.waitFor("quit", func(s snapshot) bool { return s.mode == modeQuit })
	h.enter()
	m := h.final()
	if got := m.Session().Mailbox().SMTP; got.Host != "smtp.acme.test" || got.Port != r.port || got.Security != "starttls" {
		t.Errorf("smtp answers %+v", got)
	}
}

// TestDiscoveryNeverBlocks: a DNS server that answers slowly holds up
// nothing: the person reaches the host question meanwhile, a value typed
// there is not replaced when the server turns up, and a discovery that
// finds nothing says so.
func TestDiscoveryNeverBlocks(t *testing.T) {
	t.Run("late_result_keeps_typing", func(t *testing.T) {
		cfg, store := testConfig(t, "other")
		r := newDiscoveryRig(t, map[string]time.Duration{"smtp.acme.test.": 3 * time.Second}, 6*time.Second)
		cfg.NoDiscover, cfg.Discover = false, r.opts
		h := start(t, cfg, store, nil)
		step1(h)
		h.accept("company.channel")
		s := h.at("company.smtp.host")
		if !strings.Contains(s.view, "Looking for the mail server of acme.test") {
			t.Errorf("no spinner while the discovery runs:\n%s", s.view)
		}
		h.typ("typed.example")
		s = h.screenHas("Mail server found: smtp.acme.test")
		if !strings.Contains(s.view, "> typed.example") {
			t.Errorf("the late result replaced what was typed:\n%s", s.view)
		}
	})
	t.Run("nothing_found", func(t *testing.T) {
		cfg, store := testConfig(t, "other")
		r := newDiscoveryRig(t, map[string]time.Duration{"acme.test.": time.Minute}, 1500*time.Millisecond)
		cfg.NoDiscover, cfg.Discover = false, r.opts
		h := start(t, cfg, store, nil)
		began := time.Now()
		step1(h)
		h.accept("company.channel")
		h.at("company.smtp.host")
		if d := time.Since(began); d > 1500*time.Millisecond {
			t.Logf("reaching the host took %v (slow machine?)", d)
		}
		h.screenHas("No mail server of acme.test answered automatically")
	})
}
