package discover

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/providers/probe"
)

func TestWellKnownTable(t *testing.T) {
	table, err := loadWellKnown()
	if err != nil {
		t.Fatal(err)
	}
	if len(table) < 20 {
		t.Fatalf("%d providers, want at least 20", len(table))
	}
	ids := map[string]bool{}
	for _, w := range table {
		t.Run(w.ID, func(t *testing.T) {
			if ids[w.ID] {
				t.Fatalf("duplicate id")
			}
			ids[w.ID] = true
			if w.Source != "" {
				if u, err := url.Parse(w.Source); err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
					t.Errorf("source %q is not a web address", w.Source)
				}
			}
			switch w.Evidence {
			case "provider_doc":
				if !w.Verified || w.Source == "" {
					t.Errorf("provider_doc evidence must be verified with a source")
				}
			case "ispdb", "provider_doc_host", "community":
				if w.Verified {
					t.Errorf("%s evidence cannot be verified", w.Evidence)
				}
			default:
				t.Errorf("unknown evidence %q", w.Evidence)
			}
			if len(w.Targets("acme.test", "w0123.kasserver.com")) == 0 {
				t.Errorf("no targets")
			}
		})
	}
	for _, must := range []string{"google", "microsoft365", "outlook", "ionos", "strato", "gmx", "webde", "tonline",
		"mailboxorg", "posteo", "hetzner", "allinkl", "aruba", "registerit", "libero", "fastmail", "zoho", "icloud", "yahoo", "ovh"} {
		if !ids[must] {
			t.Errorf("provider %s missing from the table", must)
		}
	}
}

func TestLookupWellKnown(t *testing.T) {
	tests := []struct {
		name      string
		domain    string
		mx        []string
		wantID    string
		wantMX    string
		wantHosts []string
		wantUser  string
	}{
		{"address domain", "gmx.de", nil, "gmx", "", []string{"mail.gmx.net"}, "jobs@gmx.de"},
		{"domain wins over MX", "web.de", []string{"mx00.ionos.de"}, "webde", "", []string{"smtp.web.de"}, "jobs"},
		{"MX suffix", "acme.de", []string{"mx00.kundenserver.de"}, "ionos", "mx00.kundenserver.de", []string{"smtp.ionos.de"}, "jobs@acme.de"},
		{"MX with trailing dot and case", "acme.de", []string{"MX01.Your-Server.DE."}, "hetzner", "mx01.your-server.de", []string{"mail.your-server.de"}, "jobs@acme.de"},
		{"per-customer server from the MX", "acme.de", []string{"w0123.kasserver.com"}, "allinkl", "w0123.kasserver.com", []string{"w0123.kasserver.com"}, "jobs@acme.de"},
		{"per-domain server", "acme.it", []string{"mx.register.it"}, "registerit", "mx.register.it", []string{"authsmtp.acme.it"}, "jobs@acme.it"},
		{"suffix is not a substring", "acme.de", []string{"evilkundenserver.de"}, "", "", nil, ""},
		{"pattern needs a subdomain", "acme.de", []string{"kundenserver.de"}, "", "", nil, ""},
		{"unknown", "acme.de", []string{"mx.acme.de"}, "", "", nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w, mx := lookupWellKnown(tc.domain, tc.mx)
			if tc.wantID == "" {
				if w != nil {
					t.Fatalf("matched %s", w.ID)
				}
				return
			}
			if w == nil || w.ID != tc.wantID || mx != tc.wantMX {
				t.Fatalf("got %v %q, want %s %q", w, mx, tc.wantID, tc.wantMX)
			}
			var hosts []string
			for _, tg := range w.Targets(tc.domain, mx) {
				if !slices.Contains(hosts, tg.Host) {
					hosts = append(hosts, tg.Host)
				}
			}
			if !slices.Equal(hosts, tc.wantHosts) {
				t.Errorf("hosts %v, want %v", hosts, tc.wantHosts)
			}
			if got := w.UsernameFor("jobs@" + tc.domain); got != tc.wantUser {
				t.Errorf("username %q, want %q", got, tc.wantUser)
			}
		})
	}
}

func TestTargetsSkipUnfillableTemplate(t *testing.T) {
	w := WellKnown{SMTP: []Server{{Host: "{mx}", Port: 587, Security: providers.SecurityStartTLS}, {Host: "smtp.x.test", Port: 465, Security: providers.SecuritySMTPS}}}
	got := w.Targets("acme.test", "")
	if !slices.Equal(got, []probe.Target{{Host: "smtp.x.test", Port: 465, Security: providers.SecuritySMTPS}}) {
		t.Fatalf("got %v", got)
	}
}

// TestMayMatchNeverMissesAPattern: the prefilter that spares the table's
// parse lets through every host some pattern matches (exact domains,
// *.suffix at any depth, upper case and a trailing dot), and stops hosts
// no pattern names.
func TestMayMatchNeverMissesAPattern(t *testing.T) {
	table, err := loadWellKnown()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, w := range table {
		for _, p := range append(slices.Clone(w.Domains), w.MX...) {
			var hosts []string
			if suffix, ok := strings.CutPrefix(p, "*."); ok {
				hosts = []string{"a." + suffix, "x.y." + suffix, "MX1." + strings.ToUpper(suffix) + "."}
			} else {
				hosts = []string{p, strings.ToUpper(p) + "."}
			}
			for _, h := range hosts {
				if !matches(p, h) {
					t.Fatalf("test host %q does not match %q", h, p)
				}
				n++
				if !mayMatch(h) {
					t.Errorf("mayMatch(%q) = false, but pattern %q of %s matches it", h, p, w.ID)
				}
			}
		}
	}
	if n == 0 {
		t.Fatal("no pattern checked")
	}
	for _, h := range []string{"", "example.test", "acme.de", "mail.acme.de", "localhost", "test"} {
		if mayMatch(h) {
			if w, _ := lookupWellKnown(h, nil); w != nil {
				continue
			}
			t.Errorf("mayMatch(%q) = true, though no pattern names it", h)
		}
	}
}
