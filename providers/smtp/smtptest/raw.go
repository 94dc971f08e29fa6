package smtptest

import (
	"bufio"
	"context"
	"crypto/tls"
	"io"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// trackingListener remembers accepted connections so that Close can end
// every handler, and closes connections that arrive after that.
type trackingListener struct {
	net.Listener
	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	closed bool
}

func newTrackingListener(l net.Listener) *trackingListener {
	return &trackingListener{Listener: l, conns: map[net.Conn]struct{}{}}
}

func (l *trackingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		_ = c.Close()
		return c, nil // the handler fails on the closed conn at once
	}
	l.conns[c] = struct{}{}
	return c, nil
}

func (l *trackingListener) forget(c net.Conn) {
	l.mu.Lock()
	delete(l.conns, c)
	l.mu.Unlock()
}

func (l *trackingListener) closeAll() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.closed = true
	_ = l.Listener.Close()
	for c := range l.conns {
		_ = c.Close()
	}
}

// Raw is a server that runs a handler per connection: on TCP at
// 127.0.0.1 (NewRaw), or on a Unix socket (NewRawUnix, reached through
// its Dialer).
type Raw struct {
	Addr string
	Host string
	Port int
	ln   *trackingListener
	wg   sync.WaitGroup
}

// NewRaw starts a Raw server on TCP; the test's Cleanup stops it.
func NewRaw(tb testing.TB, handle func(net.Conn)) *Raw {
	tb.Helper()
	r := newRaw(tb, "tcp", "127.0.0.1:0", handle)
	host, port, _ := net.SplitHostPort(r.Addr)
	r.Host = host
	r.Port, _ = strconv.Atoi(port)
	return r
}

// NewRawUnix starts a Raw server on a Unix socket; clients reach it
// through Dialer, whatever address they dial. For fuzzing: tens of
// thousands of TCP sessions leave as many ports in TIME_WAIT, until
// listening fails with "address already in use"; a Unix socket has none.
func NewRawUnix(tb testing.TB, handle func(net.Conn)) *Raw {
	tb.Helper()
	return newRaw(tb, "unix", filepath.Join(tb.TempDir(), "smtp.sock"), handle)
}

// Dialer connects to the server whatever address is asked for.
func (r *Raw) Dialer() RawDialer { return RawDialer{network: r.ln.Addr().Network(), addr: r.Addr} }

// RawDialer is a smtp.Dialer bound to one Raw server.
type RawDialer struct{ network, addr string }

// DialContext dials the server; network and addr are ignored.
func (d RawDialer) DialContext(ctx context.Context, _, _ string) (net.Conn, error) {
	var nd net.Dialer
	return nd.DialContext(ctx, d.network, d.addr)
}

func newRaw(tb testing.TB, network, addr string, handle func(net.Conn)) *Raw {
	tb.Helper()
	l, err := net.Listen(network, addr)
	if err != nil {
		tb.Fatalf("smtptest: listen: %v", err)
	}
	r := &Raw{ln: newTrackingListener(l), Addr: l.Addr().String()}
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		for {
			c, err := r.ln.Accept()
			if err != nil {
				return
			}
			r.wg.Add(1)
			go func() {
				defer r.wg.Done()
				defer r.ln.forget(c)
				defer c.Close()
				handle(c)
			}()
		}
	}()
	tb.Cleanup(r.Close)
	return r
}

// Close stops accepting, closes every connection and waits for handlers.
func (r *Raw) Close() {
	r.ln.closeAll()
	r.wg.Wait()
}

// Silent accepts and never says a word: a firewall that lets TCP through,
// or an implicit-TLS port waiting for a ClientHello.
func Silent(c net.Conn) { _, _ = io.Copy(io.Discard, c) }

// Drip sends text one byte per interval: a banner that never completes
// before any sensible deadline.
func Drip(text string, interval time.Duration) func(net.Conn) {
	return func(c net.Conn) {
		for i := 0; i < len(text); i++ {
			if _, err := c.Write([]byte{text[i]}); err != nil {
				return
			}
			time.Sleep(interval)
		}
		Silent(c)
	}
}

// Rule answers a command line starting with Prefix (case-insensitive; ""
// matches everything, "." is the end of DATA) with Reply (CRLF added per
// line, "\n" separates lines); Hangup closes the connection instead,
// Silent says nothing, Echo appends the command line to the reply as
// careless servers do.
type Rule struct {
	Prefix string
	Reply  string
	Hangup bool
	Silent bool
	Echo   bool
}

// Scripted speaks just enough SMTP to stage a behaviour: it sends greeting
// (unless empty) and answers each command by the first matching rule,
// else with defaults (EHLO: a multi-line 250, QUIT: 221 and close, DATA:
// 354 and 250 after the dot, anything else: 250).
func Scripted(greeting string, rules ...Rule) func(net.Conn) {
	return func(c net.Conn) { serveScript(c, greeting, rules) }
}

func serveScript(c net.Conn, greeting string, rules []Rule) {
	w := func(s string) bool {
		_, err := io.WriteString(c, strings.ReplaceAll(s, "\n", "\r\n")+"\r\n")
		return err == nil
	}
	if greeting != "" && !w(greeting) {
		return
	}
	br := bufio.NewReaderSize(c, 64*1024)
	inData := false
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		if inData {
			if line != "." {
				continue
			}
			inData = false
			reply := "250 2.0.0 Ok: queued"
			for _, r := range rules {
				if r.Prefix == "." {
					if r.Hangup {
						return
					}
					reply = r.Reply
				}
			}
			if !w(reply) {
				return
			}
			continue
		}
		rule, ok := match(rules, line)
		switch {
		case ok && rule.Hangup:
			return
		case ok && rule.Silent:
			continue
		case ok:
			reply := rule.Reply
			if rule.Echo {
				reply += " " + line
			}
			if !w(reply) {
				return
			}
			continue
		}
		up := strings.ToUpper(line)
		var reply string
		switch {
		case strings.HasPrefix(up, "EHLO"):
			reply = "250-mail.test\n250-AUTH PLAIN LOGIN\n250 8BITMIME"
		case strings.HasPrefix(up, "QUIT"):
			w("221 2.0.0 Bye")
			return
		case up == "DATA":
			inData = true
			reply = "354 End data with <CR><LF>.<CR><LF>"
		case strings.HasPrefix(up, "AUTH"):
			reply = "235 2.7.0 Authentication successful"
		default:
			reply = "250 2.0.0 Ok"
		}
		if !w(reply) {
			return
		}
	}
}

func match(rules []Rule, line string) (Rule, bool) {
	for _, r := range rules {
		if len(line) >= len(r.Prefix) && strings.EqualFold(line[:len(r.Prefix)], r.Prefix) {
			return r, true
		}
	}
	return Rule{}, false
}

// TLSFirst wraps a handler in implicit TLS with cfg (e.g. a server stuck at
// TLS 1.0); a failed handshake ends the connection.
func TLSFirst(cfg *tls.Config, then func(net.Conn)) func(net.Conn) {
	return func(c net.Conn) {
		tc := tls.Server(c, cfg)
		if err := tc.Handshake(); err != nil {
			return
		}
		then(tc)
	}
}

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
