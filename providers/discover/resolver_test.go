package discover

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/providers/discover/dnstest"
	"github.com/jobmail/jobmail/providers/probe"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var testZone = []string{
	"google.test. 300 IN MX 5 alt1.aspmx.l.google.com.",
	"google.test. 300 IN MX 1 aspmx.l.google.com.",
	"ms.test. 300 IN MX 0 ms-test.mail.protection.outlook.com.",
	"ionos.test. 300 IN MX 10 mx00.ionos.de.",
	"ionos.test. 300 IN MX 20 mx01.ionos.de.",
	"kas.test. 300 IN MX 10 w0123456.kasserver.com.",
	"self.test. 300 IN MX 10 mx.self.test.",
	"nullmx.test. 300 IN MX 0 .",
	"_submission._tcp.self.test. 300 IN SRV 10 1 587 smtp.self.test.",
	"_submission._tcp.self.test. 300 IN SRV 0 1 2587 primary.self.test.",
	"_submissions._tcp.self.test. 300 IN SRV 0 1 465 smtp.self.test.",
	"_submissions._tcp.nosvc.test. 300 IN SRV 0 0 0 .",
	"self.test. 300 IN TXT \"v=spf1 mx -all\"",
	"smtp.self.test. 300 IN A 127.0.0.1",
}

func TestServerResolver(t *testing.T) {
	srv := dnstest.Start(t, testZone, map[string]time.Duration{"slow.test.": time.Minute})
	r := NewServerResolver(srv.Addr)
	ctx := context.Background()

	t.Run("MX sorted by preference", func(t *testing.T) {
		got, err := lookupMX(ctx, r, "google.test")
		if err != nil || !slices.Equal(got, []string{"aspmx.l.google.com", "alt1.aspmx.l.google.com"}) {
			t.Fatalf("got %v, %v", got, err)
		}
	})
	t.Run("SRV both services, best first, dot skipped", func(t *testing.T) {
		got := lookupSRV(ctx, r, "self.test")
		want := []probe.Target{{Host: "smtp.self.test", Port: 465, Security: providers.SecuritySMTPS},
			{Host: "primary.self.test", Port: 2587, Security: providers.SecurityStartTLS},
			{Host: "smtp.self.test", Port: 587, Security: providers.SecurityStartTLS}}
		if !slices.Equal(got, want) {
			t.Fatalf("got %v, want %v", got, want)
		}
		if got := lookupSRV(ctx, r, "nosvc.test"); len(got) != 0 {
			t.Fatalf("service-not-offered record gave %v", got)
		}
	})
	t.Run("TXT", func(t *testing.T) {
		got, err := r.LookupTXT(ctx, "self.test.")
		if err != nil || !slices.Equal(got, []string{"v=spf1 mx -all"}) {
			t.Fatalf("got %v, %v", got, err)
		}
	})
	t.Run("NXDOMAIN", func(t *testing.T) {
		_, err := lookupMX(ctx, r, "nowhere.test")
		if !isNotFound(err) {
			t.Fatalf("err = %v, want not found", err)
		}
	})
	t.Run("slow server is cut off by the budget", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
		defer cancel()
		start := time.Now()
		mx, err := lookupMX(ctx, r, "slow.test")
		if err == nil || len(mx) > 0 || time.Since(start) > 300*time.Millisecond+slack {
			t.Fatalf("got %v, %v after %v", mx, err, time.Since(start))
		}
	})
}

func TestDetectProvider(t *testing.T) {
	srv := dnstest.Start(t, testZone, map[string]time.Duration{"slow.test.": time.Minute, "gmail.com.": time.Minute})
	r := NewServerResolver(srv.Addr)
	tests := []struct {
		address string
		want    Provider
		wantErr bool
	}{
		{"jobs@google.test", Provider{ID: ProviderGoogle, Known: "google", Name: "Google Workspace / Gmail",
			MX: []string{"aspmx.l.google.com", "alt1.aspmx.l.google.com"}, Channel: providers.ChannelGoogle}, false},
		{"jobs@ms.test", Provider{ID: ProviderMicrosoft, Known: "microsoft365", Name: "Microsoft 365",
			MX: []string{"ms-test.mail.protection.outlook.com"}, Channel: providers.ChannelMicrosoft}, false},
		{"jobs@ionos.test", Provider{ID: ProviderOther, Known: "ionos", Name: "IONOS (1&1)",
			MX: []string{"mx00.ionos.de", "mx01.ionos.de"}, Channel: providers.ChannelSMTP}, false},
		{"Jobs <jobs@Self.Test>", Provider{ID: ProviderOther, MX: []string{"mx.self.test"}, Channel: providers.ChannelSMTP}, false},
		{"self.test", Provider{ID: ProviderOther, MX: []string{"mx.self.test"}, Channel: providers.ChannelSMTP}, false},
		{"jobs@nullmx.test", Provider{ID: ProviderOther, Channel: providers.ChannelSMTP}, false},
		{"jobs@nowhere.test", Provider{ID: ProviderOther, Channel: providers.ChannelSMTP}, false},
		// DNS too slow: the table still knows gmail.com; an unknown domain is an error.
		{"someone@gmail.com", Provider{ID: ProviderGoogle, Known: "google", Name: "Google Workspace / Gmail", Channel: providers.ChannelGoogle}, false},
		{"jobs@slow.test", Provider{ID: ProviderOther, Channel: providers.ChannelSMTP}, true},
	}
	for _, tc := range tests {
		t.Run(tc.address, func(t *testing.T) {
			budget := 10 * time.Second // generous for a loaded machine; the slow ones need the cut
			if strings.Contains(tc.address, "slow") || strings.Contains(tc.address, "gmail") {
				budget = 300 * time.Millisecond
			}
			ctx, cancel := context.WithTimeout(context.Background(), budget)
			defer cancel()
			got, err := DetectProvider(ctx, r, tc.address)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want error: %v", err, tc.wantErr)
			}
			if got.ID != tc.want.ID || got.Known != tc.want.Known || got.Name != tc.want.Name ||
				got.Channel != tc.want.Channel || !slices.Equal(got.MX, tc.want.MX) {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestDomainOf(t *testing.T) {
	tests := []struct {
		in, want string
		wantErr  bool
	}{
		{"jobs@acme.de", "acme.de", false},
		{"Acme Jobs <JOBS@ACME.DE>", "acme.de", false},
		{"acme.de.", "acme.de", false},
		{"jobs@bücher.de", "xn--bcher-kva.de", false},
		{"", "", true},
		{"not an address@", "", true},
		{"jobs@localhost", "", true},
		{"@@", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := domainOf(tc.in)
			if got != tc.want || (err != nil) != tc.wantErr {
				t.Fatalf("got %q, %v; want %q (error: %v)", got, err, tc.want, tc.wantErr)
			}
		})
	}
}
