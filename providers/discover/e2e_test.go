package discover

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jobmail/jobmail/e2e/e2eenv"
	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/providers/discover/dnstest"
	"github.com/jobmail/jobmail/providers/probe"
	"github.com/jobmail/jobmail/providers/probe/probetest"
)

// TestMailpeerDoctor runs the whole discovery for an address whose DNS
// (an in-process server) points at the real mail server: SRV records name
// its submission ports, the MX record its host, the guesses do not exist.
// Its certificate names "localhost", so that is the host name used.
func TestMailpeerDoctor(t *testing.T) {
	env := e2eenv.RequireUp(t, "MAILPEER_SMTP_PORT", "MAILPEER_OPTTLS_PORT", "MAILPEER_SMTPS_PORT", "MAILPEER_CA_FILE")
	plain, opt, sub, implicit := env.Port(t, "MAILPEER_SMTP_PORT"), env.Port(t, "MAILPEER_OPTTLS_PORT"),
		env.Port(t, "MAILPEER_SUBMISSION_PORT"), env.Port(t, "MAILPEER_SMTPS_PORT")
	silent := probetest.Raw(t, env["MAILPEER_HOST"], "")
	dns := dnstest.Start(t, []string{
		"acme.test. 300 IN MX 10 localhost.",
		fmt.Sprintf("_submission._tcp.acme.test. 300 IN SRV 0 1 %d localhost.", sub),
		fmt.Sprintf("_submissions._tcp.acme.test. 300 IN SRV 0 1 %d localhost.", implicit),
	}, nil)
	closed := probetest.Closed(t)
	roots, err := probe.LoadRoots(env["MAILPEER_CA_FILE"])
	if err != nil {
		t.Fatal(err)
	}
	starttls, smtps := providers.SecurityStartTLS, providers.SecuritySMTPS
	for _, withCA := range []bool{true, false} {
		name := "without MAILPEER_CA_FILE"
		opts := Options{Resolver: NewServerResolver(dns.Addr), AutoconfigURLs: []string{}, ProbeTimeout: 3 * time.Second,
			Ports: []int{plain, opt, silent, closed}, OutgoingIPs: []string{"3.121.59.239/32"}}
		if withCA {
			name, opts.RootCAs = "with MAILPEER_CA_FILE", roots
		}
		t.Run(name, func(t *testing.T) {
			rep, err := Run(context.Background(), "jobs@acme.test", opts)
			if err != nil {
				t.Fatal(err)
			}
			v := rep.Verdict
			want := probe.Target{Host: "localhost", Port: sub, Security: starttls}
			if v.Recommended == nil || v.Recommended.Target != want || v.Ready != withCA {
				t.Fatalf("recommended %+v ready %v", v.Recommended, v.Ready)
			}
			if !withCA && (v.Recommended.Diagnosis == nil || v.Recommended.Diagnosis.Code != providers.CodeTLSUntrustedCert) {
				t.Errorf("not-ready recommendation without its diagnosis: %+v", v.Recommended.Diagnosis)
			}
			checks := []struct {
				port int
				sec  providers.Security
				code providers.Code
			}{
				{plain, starttls, providers.CodeTLSStartTLSUnsupported},
				{plain, smtps, providers.CodeTLSNotTLS},
				{opt, smtps, providers.CodeTLSNotTLS},
				{silent, starttls, providers.CodeSMTPNoGreeting},
				{silent, smtps, providers.CodeSMTPNoGreeting},
				{closed, starttls, providers.CodeNetRefused},
			}
			for _, c := range checks {
				if f := findFailure(v.Failed, "localhost", c.port, c.sec); f == nil || f.Diagnosis.Code != c.code {
					t.Errorf("localhost:%d/%s: %+v, want %s", c.port, c.sec, f, c.code)
				}
			}
			f := findFailure(v.Failed, "localhost", implicit, smtps)
			if withCA && f != nil {
				t.Errorf("working SMTPS port listed as failed: %+v", f)
			}
			if !withCA && (f == nil || f.Diagnosis.Code != providers.CodeTLSUntrustedCert) {
				t.Errorf("SMTPS port without CA: %+v", f)
			}
			if findFailure(v.Failed, "smtp.acme.test", 0, "") == nil || hasNotice(rep.Notices, CodeIPAllowlist) == nil {
				t.Errorf("guess failure or allowlist notice missing: %+v %+v", v.Failed, rep.Notices)
			}
		})
	}
}
