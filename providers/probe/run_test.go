package probe

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/providers/probe/probetest"
)

// slack is what a loaded test machine may add to a time bound; the
// benchmark (bench/probe) measures the real overshoot.
const slack = 2 * time.Second

type arrival struct {
	res Result
	at  time.Duration
}

func TestRunIsBoundedStreamsAndInfers(t *testing.T) {
	pki := probetest.NewTestPKI(t)
	cert := pki.TestCert(t, "127.0.0.1")
	opt := probetest.SMTP(t, probetest.StartTLS, cert)
	implicit := probetest.SMTP(t, probetest.SMTPS, cert)
	silent := probetest.Raw(t, "127.0.0.1", "")
	closed := probetest.Closed(t)
	const budget = 2 * time.Second
	p := &Prober{Timeout: budget, RootCAs: pki.Pool}

	targets := []Target{
		{"127.0.0.1", opt, starttls}, {"127.0.0.1", opt, smtps},
		{"127.0.0.1", implicit, starttls}, {"127.0.0.1", implicit, smtps},
		{"127.0.0.1", silent, starttls}, {"127.0.0.1", silent, smtps},
		{"127.0.0.1", closed, starttls},
		{"127.0.0.1", opt, starttls}, // duplicate: probed once
	}
	start := time.Now()
	var got []arrival
	for r := range p.Stream(context.Background(), targets) {
		got = append(got, arrival{r, time.Since(start)})
	}
	wall := time.Since(start)
	if wall > budget+slack {
		t.Errorf("run took %v for a %v budget", wall, budget)
	}
	if len(got) != 7 {
		t.Fatalf("got %d results, want 7 (duplicate dropped)", len(got))
	}
	want := map[Target]providers.Code{
		{"127.0.0.1", opt, starttls}:      "",
		{"127.0.0.1", opt, smtps}:         providers.CodeTLSNotTLS,
		{"127.0.0.1", implicit, starttls}: providers.CodeSMTPNoGreeting,
		{"127.0.0.1", implicit, smtps}:    "",
		{"127.0.0.1", silent, starttls}:   providers.CodeSMTPNoGreeting,
		{"127.0.0.1", silent, smtps}:      providers.CodeSMTPNoGreeting,
		{"127.0.0.1", closed, starttls}:   providers.CodeNetRefused,
	}
	for _, a := range got {
		t.Run(a.res.Target.String(), func(t *testing.T) {
			if code, ok := want[a.res.Target]; !ok || a.res.Code() != code {
				t.Fatalf("code = %q, want %q (%+v)", a.res.Code(), code, a.res.Diagnosis)
			}
			answered := a.res.Target.Port != silent
			if answered && a.at > budget/2 {
				// Streamed as soon as known: only the silent server waits.
				t.Errorf("result arrived after %v", a.at)
			}
			if a.res.Target == (Target{"127.0.0.1", implicit, starttls}) {
				if !a.res.Inferred || a.res.Diagnosis.Args["reason"] != "implicit_tls_port" {
					t.Errorf("plaintext probe of the SMTPS port not inferred: %+v", a.res)
				}
			} else if a.res.Inferred {
				t.Errorf("unexpected inference: %+v", a.res)
			}
		})
	}
}

func TestRunLateTargetsAreNotStarted(t *testing.T) {
	silent := probetest.Raw(t, "127.0.0.1", "")
	p := &Prober{Timeout: 300 * time.Millisecond}
	in := make(chan Target)
	var mu sync.Mutex
	var got []Result
	done := make(chan struct{})
	go func() {
		defer close(done)
		p.Run(context.Background(), in, func(r Result) { mu.Lock(); got = append(got, r); mu.Unlock() })
	}()
	in <- Target{"127.0.0.1", silent, starttls}
	time.Sleep(500 * time.Millisecond) // the budget is spent
	in <- Target{"127.0.0.1", silent, smtps}
	close(in)
	<-done
	if len(got) != 2 {
		t.Fatalf("got %d results, want 2", len(got))
	}
	for _, r := range got {
		late := r.Target.Security == smtps
		if late && (r.Connected || r.Code() != providers.CodeNetTimeout || r.Diagnosis.Args["reason"] != "not_started") {
			t.Errorf("late target: %+v", r)
		}
		if !late && r.Code() != providers.CodeSMTPNoGreeting {
			t.Errorf("early target: %+v", r)
		}
	}
}

func TestRunCanceled(t *testing.T) {
	silent := probetest.Raw(t, "127.0.0.1", "")
	p := &Prober{Timeout: 5 * time.Second}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	res := p.All(ctx, []Target{{"127.0.0.1", silent, starttls}, {"127.0.0.1", silent, smtps}})
	if time.Since(start) > 100*time.Millisecond+slack {
		t.Fatalf("cancel took %v", time.Since(start))
	}
	for _, r := range res {
		if r.Code() != providers.CodeCanceled {
			t.Errorf("%s: code %q, want %q", r.Target, r.Code(), providers.CodeCanceled)
		}
	}
}
