package discover

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/providers/discover/dnstest"
)

func TestHygiene(t *testing.T) {
	zone := []string{
		`ok.test. 300 IN TXT "v=spf1 include:spf.mailjet.com include:_spf.google.com -all"`,
		`_dmarc.ok.test. 300 IN TXT "v=DMARC1; p=reject; adkim=s; rua=mailto:d@ok.test"`,
		`nested.test. 300 IN TXT "v=spf1 include:_spf.nested.test ~all"`,
		`_spf.nested.test. 300 IN TXT "v=spf1 ip4:192.0.2.1 include:spf.mailjet.com"`,
		`_dmarc.nested.test. 300 IN TXT "v=DMARC1; p=none"`,
		`redirect.test. 300 IN TXT "v=spf1 redirect=_spf.redirect.test"`,
		`_spf.redirect.test. 300 IN TXT "v=spf1 mx -all"`,
		`_dmarc.redirect.test. 300 IN TXT "v=DMARC1; p=quarantine; pct=50; aspf=s"`,
		`strict.test. 300 IN TXT "google-site-verification=abc"`,
		`strict.test. 300 IN TXT "v=spf1 a mx ip4:198.51.100.0/24 -all"`,
		`_dmarc.strict.test. 300 IN TXT "v=DMARC1; p=reject"`,
		`multi.test. 300 IN TXT "v=spf1 -all"`,
		`multi.test. 300 IN TXT "v=spf1 +all"`,
		`_dmarc.multi.test. 300 IN TXT "v=DMARC1; rua=mailto:x@multi.test"`,
		`open.test. 300 IN TXT "v=spf1 +all"`,
		`nospf.test. 300 IN A 192.0.2.7`,
	}
	for i := range 11 { // a chain of includes past the 10-lookup limit
		zone = append(zone, fmt.Sprintf(`l%d.deep.test. 300 IN TXT "v=spf1 include:l%d.deep.test a mx"`, i, i+1))
	}
	zone = append(zone, `deep.test. 300 IN TXT "v=spf1 include:l0.deep.test ~all"`)
	srv := dnstest.Start(t, zone, map[string]time.Duration{"slow.test.": time.Minute})
	r := NewServerResolver(srv.Addr)

	type f struct {
		code providers.Code
		sev  Severity
		args map[string]string // checked keys only
	}
	tests := []struct {
		domain string
		want   []f
	}{
		{"ok.test", []f{{CodeSPFPlatformAllowed, SeverityInfo, map[string]string{"include": "spf.mailjet.com"}},
			{CodeSPFAllFail, SeverityInfo, nil},
			{CodeDMARCPolicy, SeverityInfo, map[string]string{"policy": "reject", "pct": "100"}},
			{CodeDMARCStrict, SeverityWarning, map[string]string{"adkim": "s", "aspf": "r"}}}},
		{"nested.test", []f{{CodeSPFPlatformAllowed, SeverityInfo, nil}, {CodeSPFAllSoftfail, SeverityInfo, nil},
			{CodeDMARCPolicy, SeverityInfo, map[string]string{"policy": "none"}}}},
		{"redirect.test", []f{{CodeSPFPlatformNotAllowed, SeverityWarning, nil}, {CodeSPFAllFail, SeverityWarning, nil},
			{CodeDMARCPolicy, SeverityWarning, map[string]string{"policy": "quarantine", "pct": "50"}},
			{CodeDMARCStrict, SeverityWarning, map[string]string{"aspf": "s", "adkim": "r"}}}},
		{"strict.test", []f{{CodeSPFPlatformNotAllowed, SeverityWarning, map[string]string{"record": "v=spf1 a mx ip4:198.51.100.0/24 -all"}},
			{CodeSPFAllFail, SeverityWarning, nil}, {CodeDMARCPolicy, SeverityWarning, map[string]string{"policy": "reject"}}}},
		{"multi.test", []f{{CodeSPFMultiple, SeverityWarning, map[string]string{"count": "2"}}, {CodeDMARCInvalid, SeverityWarning, nil}}},
		{"open.test", []f{{CodeSPFPlatformNotAllowed, SeverityWarning, nil}, {CodeSPFAllPass, SeverityWarning, nil}, {CodeDMARCMissing, SeverityInfo, nil}}},
		{"nospf.test", []f{{CodeSPFMissing, SeverityWarning, nil}, {CodeDMARCMissing, SeverityInfo, nil}}},
		{"nxdomain.test", []f{{CodeSPFMissing, SeverityWarning, nil}, {CodeDMARCMissing, SeverityInfo, nil}}},
		{"deep.test", []f{{CodeSPFPlatformNotAllowed, SeverityWarning, nil}, {CodeSPFLookupLimit, SeverityWarning, nil},
			{CodeSPFAllSoftfail, SeverityInfo, nil}, {CodeDMARCMissing, SeverityInfo, nil}}},
		{"slow.test", nil}, // DNS gives no answer in time: nothing is claimed
	}
	for _, tc := range tests {
		t.Run(tc.domain, func(t *testing.T) {
			budget := 10 * time.Second // generous: a loaded machine is slow, the answer still comes
			if tc.domain == "slow.test" {
				budget = 300 * time.Millisecond
			}
			ctx, cancel := context.WithTimeout(context.Background(), budget)
			defer cancel()
			got := checkHygiene(ctx, r, tc.domain, DefaultPlatformSPF)
			var codes, want []providers.Code
			for _, g := range got {
				codes = append(codes, g.Code)
			}
			for _, w := range tc.want {
				want = append(want, w.code)
			}
			if !slices.Equal(codes, want) {
				t.Fatalf("codes = %v, want %v", codes, want)
			}
			for i, w := range tc.want {
				if got[i].Severity != w.sev {
					t.Errorf("%s: severity %s, want %s", w.code, got[i].Severity, w.sev)
				}
				for k, v := range w.args {
					if got[i].Args[k] != v {
						t.Errorf("%s: arg %s = %q, want %q", w.code, k, got[i].Args[k], v)
					}
				}
			}
		})
	}
}
