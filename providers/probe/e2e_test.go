package probe

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/jobmail/jobmail/e2e/e2eenv"
	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/providers/probe/probetest"
)

func TestMailpeerVerdicts(t *testing.T) {
	env := e2eenv.RequireUp(t, "MAILPEER_SMTP_PORT", "MAILPEER_OPTTLS_PORT", "MAILPEER_SMTPS_PORT", "MAILPEER_CA_FILE")
	host := env["MAILPEER_HOST"]
	plain, opt, sub, implicit := env.Port(t, "MAILPEER_SMTP_PORT"), env.Port(t, "MAILPEER_OPTTLS_PORT"),
		env.Port(t, "MAILPEER_SUBMISSION_PORT"), env.Port(t, "MAILPEER_SMTPS_PORT")
	silent := probetest.Raw(t, host, "")
	closed := probetest.Closed(t)
	roots, err := LoadRoots(env["MAILPEER_CA_FILE"])
	if err != nil {
		t.Fatal(err)
	}
	var targets []Target
	for _, p := range []int{plain, opt, sub, implicit, silent, closed} {
		targets = append(targets, Target{host, p, starttls}, Target{host, p, smtps})
	}
	untrusted := providers.CodeTLSUntrustedCert
	type want struct {
		withCA, withoutCA providers.Code
		auth              bool // AUTH announced in the final capabilities
	}
	wants := map[Target]want{
		{host, plain, starttls}:    {providers.CodeTLSStartTLSUnsupported, providers.CodeTLSStartTLSUnsupported, true},
		{host, plain, smtps}:       {providers.CodeTLSNotTLS, providers.CodeTLSNotTLS, false},
		{host, opt, starttls}:      {"", untrusted, true},
		{host, opt, smtps}:         {providers.CodeTLSNotTLS, providers.CodeTLSNotTLS, false},
		{host, sub, starttls}:      {"", untrusted, true},
		{host, sub, smtps}:         {providers.CodeTLSNotTLS, providers.CodeTLSNotTLS, false},
		{host, implicit, starttls}: {providers.CodeSMTPNoGreeting, providers.CodeSMTPNoGreeting, false},
		{host, implicit, smtps}:    {"", untrusted, true},
		{host, silent, starttls}:   {providers.CodeSMTPNoGreeting, providers.CodeSMTPNoGreeting, false},
		{host, silent, smtps}:      {providers.CodeSMTPNoGreeting, providers.CodeSMTPNoGreeting, false},
		{host, closed, starttls}:   {providers.CodeNetRefused, providers.CodeNetRefused, false},
		{host, closed, smtps}:      {providers.CodeNetRefused, providers.CodeNetRefused, false},
	}
	for _, withCA := range []bool{true, false} {
		name := "without MAILPEER_CA_FILE"
		p := &Prober{Timeout: 2 * time.Second}
		if withCA {
			name, p.RootCAs = "with MAILPEER_CA_FILE", roots
		}
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			res := p.All(context.Background(), targets)
			if wall := time.Since(start); wall > p.Timeout+slack {
				t.Errorf("run took %v for a %v budget", wall, p.Timeout)
			}
			if len(res) != len(targets) {
				t.Fatalf("got %d results for %d targets", len(res), len(targets))
			}
			for _, r := range res {
				w := wants[r.Target]
				code := w.withoutCA
				if withCA {
					code = w.withCA
				}
				if r.Code() != code || r.OK != (code == "") {
					t.Errorf("%s: ok=%v code=%q, want %q (%+v)", r.Target, r.OK, r.Code(), code, r.Diagnosis)
				}
				hasAuth := r.Caps != nil && slices.Contains(r.Caps.Auth, "PLAIN")
				if hasAuth != w.auth {
					t.Errorf("%s: AUTH PLAIN announced = %v, want %v", r.Target, hasAuth, w.auth)
				}
				if r.OK && (!r.TLS.Certificate.HostnameOK || r.TLS.Certificate.Expired) {
					t.Errorf("%s: certificate facts %+v", r.Target, r.TLS.Certificate)
				}
			}
		})
	}
}
