package smtptest

import (
	"context"
	"net"
	"strings"
	"testing"

	"github.com/miekg/dns"
)

// NewResolver starts a DNS server on 127.0.0.1 (UDP) that answers A queries
// for hosts (name → IPv4 address) and NXDOMAIN for every other name, and
// returns a pure-Go resolver that asks only that server: name resolution in
// the tests is a real DNS exchange, independent of the machine's resolver.
func NewResolver(tb testing.TB, hosts map[string]string) *net.Resolver {
	tb.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("smtptest: dns listen: %v", err)
	}
	table := map[string]net.IP{}
	for name, ip := range hosts {
		table[dns.Fqdn(strings.ToLower(name))] = net.ParseIP(ip)
	}
	started := make(chan struct{})
	srv := &dns.Server{PacketConn: pc, NotifyStartedFunc: func() { close(started) },
		Handler: dns.HandlerFunc(func(w dns.ResponseWriter, q *dns.Msg) {
			m := new(dns.Msg)
			m.SetReply(q)
			name := strings.ToLower(q.Question[0].Name)
			ip, known := table[name]
			switch {
			case !known:
				m.SetRcode(q, dns.RcodeNameError)
			case q.Question[0].Qtype == dns.TypeA && ip.To4() != nil:
				m.Answer = append(m.Answer, &dns.A{
					Hdr: dns.RR_Header{Name: name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 60}, A: ip.To4()})
			}
			_ = w.WriteMsg(m)
		})}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.ActivateAndServe()
	}()
	<-started
	tb.Cleanup(func() {
		_ = srv.Shutdown()
		<-done
	})
	addr := pc.LocalAddr().String()
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "udp", addr)
	}}
}
