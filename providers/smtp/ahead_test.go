package smtp_test

import (
	"context"
	"net"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/providers/smtp"
	"github.com/jobmail/jobmail/providers/smtp/smtptest"
	"github.com/jobmail/jobmail/secrets"
)

// heard is what a scripted server heard from its clients: the command
// words, per connection, and when each connection's handler ended.
type heard struct {
	mu    sync.Mutex
	conns [][]string
	ended chan struct{}
}

// listen starts a scripted plaintext server (credentials allowed in
// clear: the commands must be readable here) that records what it hears.
func listen(t *testing.T) (*smtptest.Raw, *heard) {
	h := &heard{ended: make(chan struct{}, 8)}
	script := smtptest.Scripted("220 mail.test ESMTP")
	srv := smtptest.NewRaw(t, func(c net.Conn) {
		h.mu.Lock()
		h.conns = append(h.conns, nil)
		i := len(h.conns) - 1
		h.mu.Unlock()
		script(&earConn{Conn: c, h: h, i: i})
		h.ended <- struct{}{}
	})
	return srv, h
}

func (h *heard) commands() [][]string {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([][]string, len(h.conns))
	for i, c := range h.conns {
		out[i] = slices.Clone(c)
	}
	return out
}

// waitEnded waits for n connection handlers to end.
func (h *heard) waitEnded(t *testing.T, n int) {
	t.Helper()
	for range n {
		select {
		case <-h.ended:
		case <-time.After(5 * time.Second):
			t.Fatal("the server's connection did not end")
		}
	}
}

// earConn records the first word of every line the client sends.
type earConn struct {
	net.Conn
	h    *heard
	i    int
	part string
	data bool
}

func (c *earConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.part += string(p[:n])
	for {
		line, rest, ok := strings.Cut(c.part, "\r\n")
		if !ok {
			break
		}
		c.part = rest
		word, _, _ := strings.Cut(strings.ToUpper(line), " ")
		switch {
		case c.data && line == ".":
			c.data = false
		case c.data:
		default:
			c.data = word == "DATA"
			c.h.mu.Lock()
			c.h.conns[c.i] = append(c.h.conns[c.i], word)
			c.h.mu.Unlock()
		}
	}
	return n, err
}

func plainCfg(srv *smtptest.Raw) smtp.Config {
	c := cfgFor(srv.Host, srv.Port, providers.SecurityNone, nil)
	c.AllowInsecure = true
	return c
}

func openAhead(t *testing.T, cfg smtp.Config) *smtp.Ahead {
	t.Helper()
	open := cfg
	open.Password = secrets.Secret{}
	a := smtp.Open(t.Context(), open, testUser, 5*time.Second)
	if a == nil {
		t.Fatal("Open opened nothing")
	}
	a.WaitOpened()
	return a
}

// TestAheadIsTakenOver: the test goes on on the connection the opening
// made, from AUTH on; the server sees one connection, not two.
func TestAheadIsTakenOver(t *testing.T) {
	srv, h := listen(t)
	cfg := plainCfg(srv)
	cfg.Ahead = openAhead(t, cfg)
	if got := h.commands(); !slices.Equal(got[0], []string{"EHLO"}) || len(got) != 1 {
		t.Fatalf("before the test the server heard %v, want one connection with EHLO", got)
	}
	var events []providers.StageEvent
	res := smtp.New(cfg).Test(t.Context(), testMessage(), func(e providers.StageEvent) { events = append(events, e) })
	if !res.OK() {
		t.Fatalf("test failed: %+v\n%s", res.Diagnosis, strings.Join(res.Transcript, "\n"))
	}
	h.waitEnded(t, 1)
	want := []string{"EHLO", "AUTH", "MAIL", "RCPT", "DATA", "QUIT"}
	if got := h.commands(); len(got) != 1 || !slices.Equal(got[0], want) {
		t.Errorf("the server heard %v, want one connection with %v", got, want)
	}
	checkEvents(t, events, res.Stages)
	stages := []providers.StageName{"resolve", "connect", "greeting", "ehlo", "auth", "mail", "rcpt", "data", "quit"}
	if got := stageNames(res); !slices.Equal(got, stages) {
		t.Errorf("stages %v, want %v", got, stages)
	}
	var sum time.Duration
	for _, s := range res.Stages {
		sum += s.Duration
	}
	if res.Duration < sum {
		t.Errorf("duration %v is less than its stages' %v: not timed from the opening", res.Duration, sum)
	}
	if !strings.HasPrefix(res.Transcript[0], "S: 220 mail.test") {
		t.Errorf("transcript does not begin with the greeting: %q", res.Transcript)
	}
}

// TestAheadNoTestTakes: an opening the machine never tests (it stopped
// before) says QUIT and nothing of the mailbox.
func TestAheadNoTestTakes(t *testing.T) {
	srv, h := listen(t)
	a := openAhead(t, plainCfg(srv))
	a.Close()
	a.Close() // twice is harmless
	h.waitEnded(t, 1)
	if got := h.commands(); len(got) != 1 || !slices.Equal(got[0], []string{"EHLO", "QUIT"}) {
		t.Errorf("the server heard %v, want EHLO and QUIT", got)
	}
}

// TestAheadOfAnotherServer: a test of another server closes the opening
// and opens its own.
func TestAheadOfAnotherServer(t *testing.T) {
	srvA, hA := listen(t)
	srvB, hB := listen(t)
	cfg := plainCfg(srvB)
	cfg.Ahead = openAhead(t, plainCfg(srvA))
	if res := smtp.New(cfg).Test(t.Context(), testMessage(), nil); !res.OK() {
		t.Fatalf("test failed: %+v", res.Diagnosis)
	}
	hA.waitEnded(t, 1)
	hB.waitEnded(t, 1)
	if got := hA.commands(); len(got) != 1 || !slices.Equal(got[0], []string{"EHLO", "QUIT"}) {
		t.Errorf("the opened server heard %v, want EHLO and QUIT", got)
	}
	if got := hB.commands(); len(got) != 1 || !slices.Contains(got[0], "AUTH") {
		t.Errorf("the tested server heard %v", got)
	}
}

// TestAheadRefusedAsTheTest: what the test would refuse to connect for,
// Open opens nothing for.
func TestAheadRefusedAsTheTest(t *testing.T) {
	for _, mutate := range []func(*smtp.Config){
		func(c *smtp.Config) { c.Host = "" },
		func(c *smtp.Config) { c.Port = 0 },
		func(c *smtp.Config) { c.Security = "rot13" },
		func(c *smtp.Config) { c.AllowInsecure = false }, // credentials in clear
		func(c *smtp.Config) { c.CAFile = "/nonexistent/ca.pem" },
	} {
		srv, h := listen(t)
		cfg := plainCfg(srv)
		mutate(&cfg)
		if a := smtp.Open(context.Background(), cfg, testUser, time.Second); a != nil {
			a.Close()
			t.Errorf("Open(%+v) opened", cfg)
		}
		srv.Close()
		if got := h.commands(); len(got) != 0 {
			t.Errorf("server heard %v", got)
		}
	}
}

// TestAheadStartsAtOnce: the opening has connected by the time Open
// returns to the machine, instead of waiting for a thread to run it.
// Under GOMAXPROCS(1) nothing else runs it, so the test fails when Open
// only queues the opening.
func TestAheadStartsAtOnce(t *testing.T) {
	l, err := net.ListenTCP("tcp", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	cfg := smtp.Config{Host: "127.0.0.1", Port: l.Addr().(*net.TCPAddr).Port, Security: providers.SecurityNone}
	a := smtp.Open(t.Context(), cfg, testUser, 5*time.Second)
	if a == nil {
		t.Fatal("Open refused a plain connection without credentials")
	}
	defer a.Close()
	if !queued(t, l) {
		t.Fatal("no connection when Open returned")
	}
}

// queued takes a connection from l's accept queue if one is there,
// without waiting (Accept would park and let others run).
func queued(t *testing.T, l *net.TCPListener) bool {
	t.Helper()
	rc, err := l.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	got := false
	err = rc.Control(func(fd uintptr) { // a listener's raw conn: Control only, which never waits
		if nfd, _, err := syscall.Accept4(int(fd), syscall.SOCK_CLOEXEC); err == nil {
			got = true
			_ = syscall.Close(nfd)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}
