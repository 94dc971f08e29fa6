package oauth

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/providers/smtp"
	"github.com/jobmail/jobmail/secrets"
)

// SMTPTester is the live test of a direct integration: it trades the
// stored refresh token for an access token, then runs the SMTP channel's
// test with XOAUTH2, so stages and diagnoses are exactly the SMTP ones. It
// never opens a browser: it serves headless replay as well as the wizard.
//
// A refresh failure is reported as a failed auth stage (before any
// connection: without a token there is nothing to authenticate with). A
// rotated refresh token is handed to Store before the SMTP test starts and
// is used by later Test calls of the same tester.
type SMTPTester struct {
	channel providers.Channel
	flow    Flow
	smtp    smtp.Config

	mu      sync.Mutex
	refresh secrets.Secret
}

// NewSMTPTester builds the tester. flow is copied; store (may be nil)
// receives a rotated refresh token, see Flow.Refresh. cfg.OAuthToken is
// filled in at each Test; cfg.Username defaults to the message's From.
func NewSMTPTester(channel providers.Channel, flow Flow, cfg smtp.Config, refresh secrets.Secret, store func(secrets.Secret) error) *SMTPTester {
	t := &SMTPTester{channel: channel, flow: flow, smtp: cfg, refresh: refresh}
	if t.flow.Account == "" {
		t.flow.Account = cfg.Username // a token of another mailbox stops before SMTP
	}
	t.flow.OnRotate = func(s secrets.Secret) error {
		if store != nil {
			if err := store(s); err != nil {
				return err
			}
		}
		t.mu.Lock()
		t.refresh = s
		t.mu.Unlock()
		return nil
	}
	return t
}

var _ providers.Tester = (*SMTPTester)(nil)

// Test implements providers.Tester.
func (t *SMTPTester) Test(ctx context.Context, msg providers.Message, obs providers.Observer) providers.Result {
	start := time.Now()
	if _, ok := ctx.Deadline(); !ok {
		// One wall-clock bound for refresh + SMTP, as the SMTP test has.
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, smtp.DefaultTimeout)
		defer cancel()
	}
	t.mu.Lock()
	refresh := t.refresh
	t.mu.Unlock()

	access, _, _, err := t.flow.Refresh(ctx, refresh)
	if err != nil {
		return t.refreshFailed(start, err, obs)
	}
	cfg := t.smtp
	cfg.OAuthToken = access
	if cfg.Username == "" {
		cfg.Username = msg.From
	}
	if cfg.Security == "" {
		cfg.Security = providers.SecurityStartTLS
	}
	res := smtp.New(cfg).Test(ctx, msg, obs)
	res.Channel = t.channel
	res.Started = start
	res.Duration = time.Since(start)
	scrub(&res, cfg.Username, access.Reveal(), refresh.Reveal())
	return res
}

func (t *SMTPTester) refreshFailed(start time.Time, err error, obs providers.Observer) providers.Result {
	var pe *providers.Error
	if !errors.As(err, &pe) {
		pe = providers.Fail(providers.CodeUnknown, providers.ActorUser, "", err)
	}
	d := time.Since(start)
	stage := providers.Stage{Name: providers.StageAuth, OK: false, Duration: d}
	if obs != nil {
		obs(providers.StageEvent{Stage: providers.Stage{Name: providers.StageAuth}})
		obs(providers.StageEvent{Stage: stage, Done: true})
	}
	diag := pe.Diagnosis
	return providers.Result{Channel: t.channel, Started: start, Duration: d,
		Stages: []providers.Stage{stage}, Diagnosis: &diag, Err: pe}
}

// scrub is defence in depth: the SMTP test redacts its transcript itself,
// but a token that slipped through in any form (raw, or inside the base64
// XOAUTH2 response) is removed here before the result leaves the channel.
func scrub(res *providers.Result, user, access, refresh string) {
	var r secrets.Redactor
	for _, tok := range []string{access, refresh} {
		r.AddOAuth(user, secrets.New(tok))
	}
	for i, line := range res.Transcript {
		res.Transcript[i] = r.Redact(line)
	}
	if res.Diagnosis != nil {
		res.Diagnosis.Reply = r.Redact(res.Diagnosis.Reply)
		for k, v := range res.Diagnosis.Args {
			res.Diagnosis.Args[k] = r.Redact(v)
		}
	}
	if res.Err != nil {
		if msg := r.Redact(res.Err.Error()); msg != res.Err.Error() {
			res.Err = &redactedError{msg: msg, err: res.Err}
		}
	}
}
