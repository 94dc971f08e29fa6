// Package dnstest runs a real DNS server (miekg/dns) on loopback for the
// tests of discovery and of the wizard that uses it: UDP and TCP on one
// port, answering from zone lines, so the resolver under test speaks the
// real protocol to a real server.
package dnstest

import (
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// Server answers from a zone given as resource-record text. Every name of
// the zone and its parents exist (empty non-terminals answer NOERROR);
// names nowhere in the zone are NXDOMAIN. Names under a slow suffix are
// answered only after its delay, or never if the test ends first.
type Server struct {
	Addr string // host:port, UDP and TCP

	rrs   []dns.RR
	names map[string]bool
	slow  map[string]time.Duration
	stop  chan struct{}
}

// Start serves zone on 127.0.0.1 until the test's Cleanup, which waits
// for the server's goroutines. A zone line that does not parse fails the
// test. slow maps name suffixes (fully qualified, lower case) to delays.
func Start(t testing.TB, zone []string, slow map[string]time.Duration) *Server {
	t.Helper()
	s := &Server{names: map[string]bool{}, slow: slow, stop: make(chan struct{})}
	for _, line := range zone {
		rr, err := dns.NewRR(line)
		if err != nil {
			t.Fatalf("zone line %q: %v", line, err)
		}
		s.rrs = append(s.rrs, rr)
		for name := strings.ToLower(rr.Header().Name); name != "" && name != "."; {
			s.names[name] = true
			_, name, _ = strings.Cut(name, ".")
		}
	}
	// UDP and TCP must share the port: retry when the TCP side is taken.
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
	s.Addr = pc.LocalAddr().String()
	handler := dns.HandlerFunc(s.serve)
	var wg sync.WaitGroup
	var servers []*dns.Server
	for _, srv := range []*dns.Server{{PacketConn: pc, Handler: handler}, {Listener: ln, Handler: handler}} {
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

func (s *Server) serve(w dns.ResponseWriter, req *dns.Msg) {
	m := new(dns.Msg)
	m.SetReply(req)
	m.Authoritative = true
	if len(req.Question) == 0 {
		m.Rcode = dns.RcodeFormatError
		_ = w.WriteMsg(m)
		return
	}
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
