package tui

import (
	"strings"
	"testing"
	"time"

	"github.com/jobmail/jobmail/providers/oauth"
	"github.com/jobmail/jobmail/wizard"
	"github.com/jobmail/jobmail/wizard/setupfile"
)

// TestSignInWiring: the wizard gives the OAuth runner a prompter (and the
// loopback mode when none is set) on a copy of the environment, and shows
// the flow's events: the page to open, a device code, who signed in.
func TestSignInWiring(t *testing.T) {
	cfg, _ := testConfig(t, "google")
	orig := &wizard.OAuth{}
	cfg.Env.OAuth = orig
	m := newModel(t.Context(), cfg, &setupfile.Setup{}, nil, "")
	o, ok := m.cfg.Env.OAuth.(*wizard.OAuth)
	if !ok || o == orig || o.Prompter == nil || o.Mode != oauth.ModeLoopback || m.signInCh == nil {
		t.Fatalf("oauth runner not wired: %+v", m.cfg.Env.OAuth)
	}
	if orig.Prompter != nil || orig.Mode != "" {
		t.Fatal("the caller's OAuth runner was changed")
	}
	o.Prompter.Notify(oauth.Event{Kind: oauth.EventAuthURL, URL: "https://accounts.example/auth?x=1"})
	if ev := <-m.signInCh; ev.URL != "https://accounts.example/auth?x=1" {
		t.Fatalf("event %+v", ev)
	}
	m.s.Mailbox().Address = "jobs@acme.test"
	tests := []struct {
		ev   oauth.Event
		want []string
	}{
		{oauth.Event{Kind: oauth.EventAuthURL, URL: "https://accounts.example/auth?x=1"},
			[]string{"sign in as jobs@acme.test", "https://accounts.example/auth?x=1"}},
		{oauth.Event{Kind: oauth.EventDeviceCode, UserCode: "ABCD-EFGH", VerificationURI: "https://microsoft.com/devicelogin", Remaining: 14 * time.Minute},
			[]string{"ABCD-EFGH", "https://microsoft.com/devicelogin", "14 min"}},
		{oauth.Event{Kind: oauth.EventSignedIn, Account: "jobs@acme.test"}, []string{"Signed in as jobs@acme.test"}},
	}
	for _, tc := range tests {
		t.Run(string(tc.ev.Kind), func(t *testing.T) {
			got := m.signInLines(tc.ev, 200, false)
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("%q lacks %q", got, w)
				}
			}
		})
	}
	// a full prompter never blocks the flow
	for range 100 {
		o.Prompter.Notify(oauth.Event{Kind: oauth.EventDevicePoll})
	}
}
