package discover

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/providers/discover/dnstest"
	"github.com/jobmail/jobmail/providers/probe"
	"github.com/jobmail/jobmail/providers/probe/probetest"
)

// slack is what a loaded test machine may add to a time bound; the
// benchmark (bench/probe) measures the real overshoot.
const slack = 2 * time.Second

func findFailure(fs []Failure, host string, port int, sec providers.Security) *Failure {
	for i, f := range fs {
		if f.Host == host && f.Port == port && (sec == "" || f.Security == sec) {
			return &fs[i]
		}
	}
	return nil
}

func hasNotice(fs []Finding, code providers.Code) *Finding {
	for i, f := range fs {
		if f.Code == code {
			return &fs[i]
		}
	}
	return nil
}

func TestRunSelfHosted(t *testing.T) {
	pki := probetest.NewTestPKI(t)
	cert := pki.TestCert(t, "smtp.acme.test", "127.0.0.1")
	sub := probetest.SMTP(t, probetest.StartTLS, cert)
	implicit := probetest.SMTP(t, probetest.SMTPS, cert)
	silent := probetest.Raw(t, "127.0.0.1", "")
	dns := dnstest.Start(t, []string{
		"acme.test. 300 IN MX 10 mx.acme.test.",
		"mx.acme.test. 300 IN A 127.0.0.1",
		"smtp.acme.test. 300 IN A 127.0.0.1",
		fmt.Sprintf("_submission._tcp.acme.test. 300 IN SRV 0 1 %d smtp.acme.test.", sub),
		fmt.Sprintf("_submissions._tcp.acme.test. 300 IN SRV 0 1 %d smtp.acme.test.", implicit),
		`acme.test. 300 IN TXT "v=spf1 mx -all"`,
		`_dmarc.acme.test. 300 IN TXT "v=DMARC1; p=reject"`,
	}, nil)
	web := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<clientConfig><emailProvider><outgoingServer type="smtp"><hostname>smtp.acme.test</hostname>
			<port>%d</port><socketType>STARTTLS</socketType><username>%%EMAILADDRESS%%</username></outgoingServer></emailProvider></clientConfig>`, sub)
	}))
	defer web.Close()
	client := web.Client()
	defer client.CloseIdleConnections()
	closed := probetest.Closed(t) // last: no listener of this test can take the port after

	const budget = 2 * time.Second
	opts := Options{
		Resolver: NewServerResolver(dns.Addr), HTTPClient: client, AutoconfigURLs: []string{web.URL + "/mail/config-v1.1.xml"},
		ProbeTimeout: budget, RootCAs: pki.Pool, Ports: []int{silent, closed, implicit},
		Hosts: []string{"smtp-relay.gmail.com"}, OutgoingIPs: []string{"3.121.59.239/32", "3.65.146.216/32"},
	}
	var events []Event
	start := time.Now()
	rep, err := RunStream(context.Background(), "jobs@acme.test", opts, func(e Event) { events = append(events, e) })
	wall := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	if wall > budget+slack {
		t.Errorf("run took %v for a %v budget", wall, budget)
	}

	t.Run("provider", func(t *testing.T) {
		if rep.Provider.ID != ProviderOther || rep.WellKnown != nil || !slices.Equal(rep.Provider.MX, []string{"mx.acme.test"}) {
			t.Fatalf("provider %+v well-known %v", rep.Provider, rep.WellKnown)
		}
	})
	t.Run("recommended: SRV STARTTLS server, confirmed by autoconfig", func(t *testing.T) {
		v := rep.Verdict
		want := probe.Target{Host: "smtp.acme.test", Port: sub, Security: providers.SecurityStartTLS}
		if !v.Ready || v.Recommended == nil || v.Recommended.Target != want || v.Recommended.Diagnosis != nil {
			t.Fatalf("verdict %+v", v.Recommended)
		}
		if !slices.Contains(v.Recommended.Sources, SourceSRV) || !slices.Contains(v.Recommended.Sources, SourceAutoconfig) ||
			v.Recommended.Username != "jobs@acme.test" {
			t.Errorf("sources %v username %q", v.Recommended.Sources, v.Recommended.Username)
		}
		var codes []ReasonCode
		for _, r := range v.Recommended.Reasons {
			codes = append(codes, r.Code)
		}
		if !slices.Equal(codes, []ReasonCode{ReasonSource, ReasonTLSVerified, ReasonStartTLS, ReasonAuthOffered}) {
			t.Errorf("reasons %v", codes)
		}
	})
	t.Run("every failed candidate with its code", func(t *testing.T) {
		f := rep.Verdict.Failed
		checks := []struct {
			host     string
			port     int
			sec      providers.Security
			code     providers.Code
			inferred bool
		}{
			{"mail.acme.test", 0, "", providers.CodeDNSNoSuchHost, false},
			{"smtp.acme.test", implicit, providers.SecurityStartTLS, providers.CodeSMTPNoGreeting, true},
			{"smtp.acme.test", silent, providers.SecurityStartTLS, providers.CodeSMTPNoGreeting, false},
			{"smtp.acme.test", silent, providers.SecuritySMTPS, providers.CodeSMTPNoGreeting, false},
			{"mx.acme.test", closed, providers.SecuritySMTPS, providers.CodeNetRefused, false},
		}
		for _, c := range checks {
			got := findFailure(f, c.host, c.port, c.sec)
			if got == nil || got.Diagnosis.Code != c.code || got.Inferred != c.inferred {
				t.Errorf("%s:%d/%s: got %+v, want %s (inferred %v)", c.host, c.port, c.sec, got, c.code, c.inferred)
			}
		}
		if findFailure(f, "smtp.acme.test", sub, providers.SecurityStartTLS) != nil {
			t.Errorf("the recommended server is listed as failed")
		}
	})
	t.Run("unsupported host shown with the alternative, not probed", func(t *testing.T) {
		if len(rep.Unsupported) != 1 || rep.Unsupported[0].Host != "smtp-relay.gmail.com" ||
			rep.Unsupported[0].Diagnosis.Args["alternative"] != "smtp.gmail.com" {
			t.Fatalf("unsupported %+v", rep.Unsupported)
		}
		for _, c := range rep.Candidates {
			if c.Host == "smtp-relay.gmail.com" {
				t.Fatalf("unsupported host became a candidate")
			}
		}
	})
	t.Run("notices and hygiene", func(t *testing.T) {
		n := hasNotice(rep.Notices, CodeIPAllowlist)
		if n == nil || n.Args["ips"] != "3.121.59.239/32, 3.65.146.216/32" {
			t.Errorf("allowlist notice %+v", rep.Notices)
		}
		if hasNotice(rep.Hygiene, CodeSPFPlatformNotAllowed) == nil || hasNotice(rep.Hygiene, CodeDMARCPolicy) == nil {
			t.Errorf("hygiene %+v", rep.Hygiene)
		}
	})
	t.Run("streamed", func(t *testing.T) {
		kinds := map[EventKind]int{}
		for _, e := range events {
			kinds[e.Kind]++
		}
		if kinds[EventResult] != len(rep.Results) || kinds[EventProvider] != 1 || kinds[EventCandidate] != len(rep.Candidates) ||
			kinds[EventUnsupported] != 1 || kinds[EventFailure] != 1 || kinds[EventFinding] != len(rep.Hygiene) {
			t.Fatalf("events %v for %d results, %d candidates", kinds, len(rep.Results), len(rep.Candidates))
		}
		if len(rep.Results) != len(rep.Candidates)-2*len(opts.Ports) { // mail.acme.test never resolved
			t.Errorf("%d results for %d candidates", len(rep.Results), len(rep.Candidates))
		}
	})
}

// blackhole drops connections to port 25 like an ISP filter: the dial
// hangs until the caller gives up.
type blackhole struct{ d net.Dialer }

func (b *blackhole) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	if strings.HasSuffix(addr, ":25") {
		<-ctx.Done()
		return nil, &net.OpError{Op: "dial", Net: network, Err: ctx.Err()}
	}
	return b.d.DialContext(ctx, network, addr)
}

func TestRunPort25Blocked(t *testing.T) {
	pki := probetest.NewTestPKI(t)
	sub := probetest.SMTP(t, probetest.StartTLS, pki.TestCert(t, "127.0.0.1"))
	dns := dnstest.Start(t, []string{"acme.test. 300 IN MX 10 127.0.0.1."}, nil)
	rep, err := Run(context.Background(), "jobs@acme.test", Options{
		Resolver: NewServerResolver(dns.Addr), AutoconfigURLs: []string{}, ProbeTimeout: 2 * time.Second,
		Dialer: &blackhole{}, RootCAs: pki.Pool, Ports: []int{25, sub}, Hosts: []string{"127.0.0.1"},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, sec := range []providers.Security{providers.SecurityStartTLS, providers.SecuritySMTPS} {
		f := findFailure(rep.Verdict.Failed, "127.0.0.1", 25, sec)
		if f == nil || f.Diagnosis.Code != CodePort25Blocked || f.Diagnosis.Field != "smtp.port" {
			t.Errorf("port 25/%s: %+v", sec, f)
		}
	}
	if r := rep.Verdict.Recommended; !rep.Verdict.Ready || r.Port != sub || r.Sources[0] != SourceUser {
		t.Errorf("recommended %+v", r)
	}
}

func TestRunGoogle(t *testing.T) {
	dns := dnstest.Start(t, []string{"acme.test. 300 IN MX 1 aspmx.l.google.com."}, nil)
	rep, err := Run(context.Background(), "jobs@acme.test", Options{
		Resolver: NewServerResolver(dns.Addr), AutoconfigURLs: []string{}, ProbeTimeout: 500 * time.Millisecond,
		OutgoingIPs: []string{"3.121.59.239/32"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Provider.ID != ProviderGoogle || rep.Provider.Channel != providers.ChannelGoogle || rep.WellKnown == nil {
		t.Fatalf("provider %+v", rep.Provider)
	}
	if n := hasNotice(rep.Notices, CodeUseIntegration); n == nil || n.Args["channel"] != "google" {
		t.Errorf("notices %+v", rep.Notices)
	}
	if hasNotice(rep.Notices, CodeIPAllowlist) != nil {
		t.Errorf("allowlist notice for Google")
	}
	if len(rep.Unsupported) != 1 || rep.Unsupported[0].Host != "aspmx.l.google.com" || rep.Unsupported[0].Source != SourceMX ||
		rep.Unsupported[0].Diagnosis.Args["reason"] != "google_restricted" {
		t.Errorf("unsupported %+v", rep.Unsupported)
	}
	// The test DNS knows no smtp.gmail.com: the well-known servers are
	// candidates that fail to resolve, and nothing was reachable.
	if c := rep.Candidates[0]; c.Host != "smtp.gmail.com" || c.Port != 587 || c.Sources[0] != SourceWellKnown {
		t.Errorf("first candidate %+v", c)
	}
	if findFailure(rep.Verdict.Failed, "smtp.gmail.com", 0, "") == nil || rep.Verdict.Recommended != nil ||
		hasNotice(rep.Notices, CodeNoneReachable) == nil {
		t.Errorf("verdict %+v notices %+v", rep.Verdict, rep.Notices)
	}
}

func TestRunBadAddress(t *testing.T) {
	for _, a := range []string{"", "jobs", "jobs@", "a@b@c"} {
		t.Run(a, func(t *testing.T) {
			if rep, err := Run(context.Background(), a, Options{}); err == nil || rep != nil {
				t.Fatalf("got %v, %v", rep, err)
			}
		})
	}
}
