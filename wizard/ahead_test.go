package wizard

import (
	"context"
	"net"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jobmail/jobmail/providers/smtp/smtptest"
	"github.com/jobmail/jobmail/secrets"
	"github.com/jobmail/jobmail/wizard/setupfile"
)

// toServer resolves every name to loopback and dials addr, counting the
// connections and telling dialed of each once it is made: a replay that
// goes on when told, and ends at once, would otherwise cancel a dial
// still under way, and the server would never see the connection.
type toServer struct {
	addr   string
	dials  atomic.Int32
	dialed chan struct{}
}

func (n *toServer) LookupHost(context.Context, string) ([]string, error) {
	return []string{"127.0.0.1"}, nil
}

func (n *toServer) DialContext(ctx context.Context, network, _ string) (net.Conn, error) {
	n.dials.Add(1)
	var d net.Dialer
	c, err := d.DialContext(ctx, network, n.addr)
	select {
	case n.dialed <- struct{}{}:
	default:
	}
	return c, err
}

func aheadSetup(prereqs map[string]bool) *setupfile.Setup {
	return &setupfile.Setup{Version: 1, Platform: setupfile.Platform{Account: "acme"},
		Company: setupfile.Mailbox{Address: "jobs@acme.test", Channel: "smtp", Forwarding: "later", Prerequisites: prereqs,
			SMTP: &setupfile.SMTP{Host: "smtp.acme.test", Port: 587, Security: "starttls", Password: "env:PW"}}}
}

// TestReplayOpensTheTestWhileDetecting: the live test's connection is
// opened while the MX lookup still runs (the lookup here waits for it),
// and the test goes on on it: one connection, one message.
func TestReplayOpensTheTestWhileDetecting(t *testing.T) {
	const pw = "ahead-pw"
	pki, err := smtptest.NewPKI("ahead test CA")
	if err != nil {
		t.Fatal(err)
	}
	tlsCfg, err := pki.ServerTLS(smtptest.Leaf{Names: []string{"smtp.acme.test"}})
	if err != nil {
		t.Fatal(err)
	}
	srv := smtptest.NewServer(t, smtptest.Options{TLS: tlsCfg, Users: map[string]string{"jobs@acme.test": pw}, RequireAuth: true})
	n := &toServer{addr: srv.Addr, dialed: make(chan struct{}, 1)}
	var during atomic.Bool
	env := &Env{Resolver: n, Dialer: n, RootCAs: pki.Pool,
		Secrets: &secrets.Resolver{LookupEnv: func(k string) (string, bool) { return pw, k == "PW" }},
		Detect: &Detector{NoDiscover: true, Provider: func(context.Context, string) (Provider, error) {
			select {
			case <-n.dialed:
				during.Store(true)
			case <-time.After(5 * time.Second):
			}
			return Provider{ID: "other"}, nil
		}}}
	s, st, err := replayFile(t.Context(), env, aheadSetup(nil), "jobmail.yaml", nil)
	if err != nil || st.Blocked != nil || s.Result == nil || !s.Result.OK() {
		t.Fatalf("replay: err %v, blocked %+v, result %+v", err, st.Blocked, s.Result)
	}
	if !during.Load() {
		t.Error("the test's connection was not opened while the provider was looked up")
	}
	if got := n.dials.Load(); got != 1 {
		t.Errorf("%d connections, want 1 (the opening, taken over)", got)
	}
	if got := srv.Messages(); len(got) != 1 || !got[0].TLS {
		t.Errorf("server got %+v", got)
	}
}

// TestReplayStoppedBeforeTheTest: a replay that ends before its test
// (blocked by a check, or its secret missing) closes the opened
// connection, having said at most EHLO and QUIT: never AUTH or anything
// of the message. (The opening is cut off wherever it is; one that had
// ended says QUIT: smtp's TestAheadNoTestTakes.)
func TestReplayStoppedBeforeTheTest(t *testing.T) {
	for _, tt := range []struct {
		name    string
		prereqs map[string]bool
		env     map[string]string
	}{
		{name: "blocked by a check", prereqs: map[string]bool{"not_shared_mailbox": false}, env: map[string]string{"PW": "x"}},
		{name: "secret missing"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			var words []string
			ended := make(chan struct{}, 1)
			script := smtptest.Scripted("220 mail.test ESMTP")
			srv := smtptest.NewRaw(t, func(c net.Conn) {
				script(&listening{Conn: c, heard: func(w string) { mu.Lock(); words = append(words, w); mu.Unlock() }})
				ended <- struct{}{}
			})
			n := &toServer{addr: srv.Addr, dialed: make(chan struct{}, 1)}
			setup := aheadSetup(tt.prereqs)
			setup.Company.SMTP.Security = "none"
			env := &Env{Resolver: n, Dialer: n, AllowInsecure: true,
				Secrets: &secrets.Resolver{LookupEnv: func(k string) (string, bool) { v, ok := tt.env[k]; return v, ok }},
				Detect: &Detector{NoDiscover: true, Provider: func(context.Context, string) (Provider, error) {
					select { // the opening has begun
					case <-n.dialed:
					case <-time.After(5 * time.Second):
					}
					return Provider{ID: "other"}, nil
				}}}
			s, st, err := replayFile(t.Context(), env, setup, "jobmail.yaml", nil)
			if s.Result != nil {
				t.Fatalf("the test ran: %+v", s.Result)
			}
			t.Logf("replay ended: err %v, blocked %+v", err, st.Blocked)
			select {
			case <-ended:
			case <-time.After(5 * time.Second):
				t.Fatal("the opened connection was not closed")
			}
			mu.Lock()
			defer mu.Unlock()
			if slices.ContainsFunc(words, func(w string) bool { return w != "EHLO" && w != "QUIT" }) {
				t.Errorf("the server heard %v, want at most EHLO and QUIT", words)
			}
		})
	}
}

// listening tells heard the first word of each line the client sends.
type listening struct {
	net.Conn
	heard func(string)
	part  string
}

func (c *listening) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.part += string(p[:n])
	for {
		line, rest, ok := strings.Cut(c.part, "\r\n")
		if !ok {
			return n, err
		}
		c.part = rest
		w, _, _ := strings.Cut(strings.ToUpper(line), " ")
		c.heard(w)
	}
}
