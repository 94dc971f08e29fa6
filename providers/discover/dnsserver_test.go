package discover

import (
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// dnsServer is a real DNS server (miekg/dns) on loopback, UDP and TCP on
// the same port, answering from a zone given as resource-record text.
// Names under a slow suffix are answered only after delay (or never, if
// the test ends first); names nowhere in the zone are NXDOMAIN.
type dnsServer struct {
	addr  string
	rrs   []dns.RR
	names map[string]bool
	slow  map[string]time.Duration
	stop  chan struct{}
}

func startDNS(t *testing.T, zone []string, slow map[string]time.Duration) *dnsServer {
	t.Helper()
	s := &dnsServer{names: map[string]bool{}, slow: slow, stop: make(chan struct{})}
	for _, line := range zone {
		rr, err := dns.NewRR(line)
		if err != nil {
			t.Fatalf("zone line %q: %v", line, err)
		}
		s.rrs = append(s.rrs, rr)
		// Every name and its parents exist (empty non-terminals answer NOERROR).
		for name := strings.ToLower(rr.Header().Name); name != "."; {
			s.names[name] = true
			_, rest, _ := strings.Cut(name, ".")
			name = rest
			if name == "" {
				break
			}
		}
	}
	var pc net.PacketConn
	var ln net.Listener
	for attempt := 0; ; attempt++ {
		var err error
		if pc, err = net.ListenPacket("udp", "127.0.0.1:0"); err != nil {
			t.Fatal(err)
		}
		if ln, err = net.Listen("tcp", pc.LocalAddr().String()); err == nil {
			break
		}
		_ = pc.Close()
		if attempt == 10 {
			t.Fatalf("no port free for UDP and TCP: %v", err)
		}
	}
	s.addr = pc.LocalAddr().String()
	var wg sync.WaitGroup
	var servers []*dns.Server
	for _, srv := range []*dns.Server{{PacketConn: pc, Handler: s}, {Listener: ln, Handler: s}} {
		started := make(chan struct{})
		srv.NotifyStartedFunc = func() { close(started) }
		servers = append(servers, srv)
		wg.Add(1)
		go func() { defer wg.Done(); _ = srv.ActivateAndServe() }()
		<-started
	}
	t.Cleanup(func() {
		close(s.stop)
		for _, srv := range servers {
			_ = srv.Shutdown()
		}
		wg.Wait()
	})
	return s
}

func (s *dnsServer) ServeDNS(w dns.ResponseWriter, req *dns.Msg) {
	m := new(dns.Msg)
	m.SetReply(req)
	m.Authoritative = true
	q := req.Question[0]
	name := strings.ToLower(q.Name)
	for suffix, delay := range s.slow {
		if name == suffix || strings.HasSuffix(name, "."+suffix) {
			select {
			case <-time.After(delay):
			case <-s.stop:
				return
			}
		}
	}
	for _, rr := range s.rrs {
		if strings.EqualFold(rr.Header().Name, q.Name) && rr.Header().Rrtype == q.Qtype {
			m.Answer = append(m.Answer, rr)
		}
	}
	if len(m.Answer) == 0 && !s.names[name] {
		m.Rcode = dns.RcodeNameError
	}
	_ = w.WriteMsg(m)
}
