package wizard

import (
	"context"
	"errors"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/jobmail/jobmail/providers/discover"
	"github.com/jobmail/jobmail/wizard/setupfile"
)

// startedResolver knows no name and closes started at its first query.
type startedResolver struct {
	once    sync.Once
	started chan struct{}
}

var errNoSuchName = errors.New("no such name")

func (r *startedResolver) seen() { r.once.Do(func() { close(r.started) }) }

func (r *startedResolver) LookupMX(context.Context, string) ([]*net.MX, error) {
	r.seen()
	return nil, errNoSuchName
}

func (r *startedResolver) LookupSRV(context.Context, string, string, string) (string, []*net.SRV, error) {
	r.seen()
	return "", nil, errNoSuchName
}

func (r *startedResolver) LookupTXT(context.Context, string) ([]string, error) {
	r.seen()
	return nil, errNoSuchName
}

func (r *startedResolver) LookupHost(context.Context, string) ([]string, error) {
	r.seen()
	return nil, errNoSuchName
}

// ActionDetect runs the provider lookup and the discovery at once: here
// the provider answers only once the discovery has begun, so run one
// after the other the provider lookup ran out of its budget (unknown).
// The session still gets both results.
func TestDetectLooksUpProviderAndServerAtOnce(t *testing.T) {
	r := &startedResolver{started: make(chan struct{})}
	d := &Detector{
		Provider: func(ctx context.Context, _ string) (Provider, error) {
			select {
			case <-r.started:
				return Provider{ID: "microsoft", MX: []string{"mx.acme.test"}}, nil
			case <-ctx.Done():
				return Provider{}, ctx.Err()
			}
		},
		Discover: &discover.Options{Resolver: r, ProbeTimeout: time.Second, AutoconfigURLs: []string{}},
	}
	setup := &setupfile.Setup{Version: 1, Platform: setupfile.Platform{Account: "acme"}, Company: setupfile.Mailbox{Address: "jobs@acme.test"}}
	s := NewSession(setup, false) // no SMTP server in the file: the discovery matters
	st := s.Next()
	if st.Action == nil || st.Action.Kind != ActionDetect {
		t.Fatalf("first step %+v, want ActionDetect", st)
	}
	if err := (&Env{Detect: d}).Run(context.Background(), s, *st.Action, nil); err != nil {
		t.Fatal(err)
	}
	p, sv := s.Detected()
	if p == nil || p.ID != "microsoft" || s.Provider != "microsoft" {
		t.Fatalf("provider %+v (session %q), want microsoft: the lookups ran one after the other", p, s.Provider)
	}
	if sv == nil {
		t.Fatal("the discovery's result was not recorded")
	}
}
