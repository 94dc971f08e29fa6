// Package platform is the default channel: the platform's own mail service
// (Mailjet for Personio). There is nothing to connect; mail goes out as the
// inbound address <account>-jobs@<mail domain>, which the live test and the
// export report.
package platform

import (
	"context"
	"time"

	"github.com/jobmail/jobmail/providers"
)

// Tester is the platform service's "live test": it has no server to talk
// to, so it passes at once with no stages and records the sender address.
type Tester struct {
	Sender string // <account>-jobs@<mail domain>
}

// New returns the tester for the inbound/sender address.
func New(sender string) *Tester { return &Tester{Sender: sender} }

// Test implements providers.Tester.
func (t *Tester) Test(ctx context.Context, _ providers.Message, _ providers.Observer) providers.Result {
	r := providers.Result{Channel: providers.ChannelPlatform, Started: time.Now()}
	if err := ctx.Err(); err != nil {
		r.Err = err
		r.Diagnosis = &providers.Diagnosis{Code: providers.CodeCanceled}
	}
	return r
}
