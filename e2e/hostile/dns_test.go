package hostile_test

import (
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/miekg/dns"
)

// startDNS serves zone (records in presentation format) on 127.0.0.1, UDP
// and TCP on the same port, for `jobmail doctor --dns`: NXDOMAIN for every
// name the zone does not hold, so that nothing outside 127.0.0.1 is ever
// dialled. It returns host:port; the test's Cleanup stops it.
func startDNS(t *testing.T, zone ...string) string {
	t.Helper()
	var rrs []dns.RR
	names := map[string]bool{}
	for _, line := range zone {
		rr, err := dns.NewRR(line)
		if err != nil {
			t.Fatalf("zone line %q: %v", line, err)
		}
		rrs = append(rrs, rr)
		names[strings.ToLower(rr.Header().Name)] = true
	}
	handler := dns.HandlerFunc(func(w dns.ResponseWriter, q *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(q)
		m.Authoritative = true
		qn := strings.ToLower(q.Question[0].Name)
		if !names[qn] {
			m.SetRcode(q, dns.RcodeNameError)
		}
		for _, rr := range rrs {
			if strings.ToLower(rr.Header().Name) == qn && rr.Header().Rrtype == q.Question[0].Qtype {
				m.Answer = append(m.Answer, rr)
			}
		}
		_ = w.WriteMsg(m)
	})
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
	var wg sync.WaitGroup
	t.Cleanup(wg.Wait) // registered first, so it runs after both Shutdowns
	for _, srv := range []*dns.Server{{PacketConn: pc, Handler: handler}, {Listener: ln, Handler: handler}} {
		started := make(chan struct{})
		srv.NotifyStartedFunc = func() { close(started) }
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = srv.ActivateAndServe()
		}()
		<-started
		t.Cleanup(func() { _ = srv.Shutdown() })
	}
	return pc.LocalAddr().String()
}
