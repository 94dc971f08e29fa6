package oauth_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/providers/oauth"
	"github.com/jobmail/jobmail/providers/oauth/oauthtest"
)

func TestDeviceFlow(t *testing.T) {
	s := oauthtest.New(t, oauthtest.Options{DeviceInterval: 2, DeviceExpiresIn: 900})
	f := newFlow(s)
	start := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	clk := oauthtest.NewClock(start)
	f.Clock = clk
	b := &oauthtest.Browser{}
	p := &prompter{}
	p.onEvent = func(e oauth.Event) {
		if e.Kind == oauth.EventDeviceCode {
			if err := b.EnterDeviceCode(context.Background(), e.VerificationURI, e.UserCode, "approve"); err != nil {
				t.Errorf("approve: %v", err)
			}
		}
	}
	g, err := f.Authorize(context.Background(), oauth.ModeDevice, address, nil, p)
	if err != nil {
		t.Fatalf("Authorize: %v", err)
	}
	if g.Account != address || !s.ValidRefresh(g.Refresh.Reveal()) {
		t.Fatalf("grant = %+v", g)
	}
	// authorization_pending keeps the interval, slow_down adds 5 s for
	// this and every later poll, then the approval is seen.
	if got, want := clk.Waits(), []time.Duration{2 * time.Second, 2 * time.Second, 7 * time.Second}; !slices.Equal(got, want) {
		t.Errorf("poll waits = %v, want %v", got, want)
	}
	if st := s.Stats(); st.DevicePolls != 3 || st.LastScope == "" {
		t.Errorf("stats = %+v", st)
	}
	dc, ok := p.first(oauth.EventDeviceCode)
	if !ok || dc.UserCode == "" || dc.VerificationURI != s.URL+"/device" || dc.Interval != 2*time.Second ||
		dc.Remaining < 899*time.Second || dc.ExpiresAt.Sub(start) < 899*time.Second {
		t.Errorf("device_code event = %+v", dc)
	}
	var remaining []time.Duration
	for _, e := range p.events {
		if e.Kind == oauth.EventDevicePoll {
			remaining = append(remaining, e.Remaining)
		}
	}
	if len(remaining) != 2 || remaining[0] <= remaining[1] {
		t.Errorf("countdown = %v, want two decreasing values", remaining)
	}
}

func TestDeviceFlowFailures(t *testing.T) {
	tests := []struct {
		name   string
		opt    oauthtest.Options
		action string // what the person does at the verification page; "" = nothing
		cancel bool
		want   providers.Code
		reason string
	}{
		{name: "declined", action: "deny", want: providers.CodeOAuthAccessDenied},
		{name: "server says expired", action: "expire", want: providers.CodeOAuthExpired},
		{name: "nobody enters the code", opt: oauthtest.Options{DeviceExpiresIn: 30},
			want: providers.CodeOAuthExpired, reason: "device_code_expired"},
		{name: "canceled", cancel: true, want: providers.CodeCanceled},
		{name: "other account", action: "approve", opt: oauthtest.Options{Account: "someone@else.test"},
			want: providers.CodeOAuthAccountMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := oauthtest.New(t, tt.opt)
			f := newFlow(s)
			f.Clock = oauthtest.NewClock(time.Now())
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			b := &oauthtest.Browser{}
			p := &prompter{onEvent: func(e oauth.Event) {
				switch {
				case e.Kind == oauth.EventDeviceCode && tt.action != "":
					if err := b.EnterDeviceCode(ctx, e.VerificationURI, e.UserCode, tt.action); err != nil {
						t.Errorf("verification page: %v", err)
					}
				case e.Kind == oauth.EventDevicePoll && tt.cancel:
					cancel()
				}
			}}
			_, err := f.Authorize(ctx, oauth.ModeDevice, address, nil, p)
			pe := wantCode(t, err, tt.want)
			if tt.reason != "" && pe.Args["reason"] != tt.reason {
				t.Errorf("args = %v, want reason %s", pe.Args, tt.reason)
			}
		})
	}
}

func TestDeviceFlowRefused(t *testing.T) {
	s := oauthtest.New(t, oauthtest.Options{})
	t.Run("no device endpoint (Google)", func(t *testing.T) {
		f := newFlow(s)
		f.DeviceURL = ""
		_, err := f.Authorize(context.Background(), oauth.ModeDevice, address, nil, &prompter{})
		if pe := wantCode(t, err, providers.CodeOAuthInvalidScope); pe.Args["reason"] != "device_flow_unsupported" {
			t.Errorf("args = %v", pe.Args)
		}
	})
	t.Run("device authorization rejects the scope", func(t *testing.T) {
		s.FailNext(oauthtest.EndpointDeviceCode, oauthtest.ErrorReply{Error: "invalid_scope",
			Description: "Invalid device flow scope: https://mail.google.com/"})
		_, err := newFlow(s).Authorize(context.Background(), oauth.ModeDevice, address, nil, &prompter{})
		if pe := wantCode(t, err, providers.CodeOAuthInvalidScope); pe.Reply != "Invalid device flow scope: https://mail.google.com/" {
			t.Errorf("reply = %q", pe.Reply)
		}
	})
}
