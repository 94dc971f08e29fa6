package oauthpeer_test

import (
	"context"
	"net"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/providers/oauth"
	"github.com/jobmail/jobmail/secrets"
)

// TestPeerSignInAndSend: for both shapes, every sign-in mode the shape
// offers ends in an XOAUTH2 live test through mailpeer with the peer's
// token and the message in the Maildir.
func TestPeerSignInAndSend(t *testing.T) {
	for _, sh := range shapes {
		modes := []oauth.Mode{oauth.ModeLoopback, oauth.ModePaste}
		if sh.device {
			modes = append(modes, oauth.ModeDevice)
		}
		for _, mode := range modes {
			t.Run(sh.name+"/"+string(mode), func(t *testing.T) {
				r := newRig(t)
				p := sh.build(t, r, nil)
				g, per, err := r.signIn(p, mode, address, false)
				if err != nil {
					t.Fatalf("sign-in: %v (events %v)", err, per.kinds())
				}
				if !strings.EqualFold(g.Account, address) || g.Refresh.Empty() {
					t.Fatalf("grant: account %q, refresh token %v", g.Account, !g.Refresh.Empty())
				}
				want := map[oauth.Mode]oauth.EventKind{oauth.ModeLoopback: oauth.EventAuthURL,
					oauth.ModePaste: oauth.EventAwaitPaste, oauth.ModeDevice: oauth.EventDeviceCode}[mode]
				if !slices.Contains(per.kinds(), want) || !slices.Contains(per.kinds(), oauth.EventSignedIn) {
					t.Fatalf("events %v, want %s and %s", per.kinds(), want, oauth.EventSignedIn)
				}
				var stored []secrets.Secret
				r.send(p.Tester(address, g.Refresh, r.storeIn(&stored)), true)
				if len(stored) != 1 || stored[0].Reveal() == g.Refresh.Reveal() {
					t.Fatalf("the peer rotates on every refresh: stored %d new tokens", len(stored))
				}
			})
		}
	}
}

// TestPeerRotationNeverReplays: three consecutive headless runs, each a
// new tester built from the last stored refresh token, all deliver; each
// run stores a new token, and the peer (which revokes the whole grant when
// an old one is presented) still accepts the newest at the end.
func TestPeerRotationNeverReplays(t *testing.T) {
	for _, sh := range shapes {
		t.Run(sh.name, func(t *testing.T) {
			r := newRig(t)
			p := sh.build(t, r, nil)
			g, _, err := r.signIn(p, oauth.ModeLoopback, address, false)
			if err != nil {
				t.Fatal(err)
			}
			seen := []string{g.Refresh.Reveal()}
			current := g.Refresh
			before := r.peer.Count(t, "refreshes")
			for run := range 3 {
				var stored []secrets.Secret
				r.send(p.Tester(address, current, r.storeIn(&stored)), true)
				if len(stored) != 1 || slices.Contains(seen, stored[0].Reveal()) {
					t.Fatalf("run %d: %d tokens stored, or an old one again", run, len(stored))
				}
				current = stored[0]
				seen = append(seen, current.Reveal())
			}
			if n := r.peer.Count(t, "refreshes") - before; n != 3 {
				t.Fatalf("the peer saw %d refreshes for 3 runs", n)
			}
			r.send(p.Tester(address, current, nil), true) // the grant survived: nothing was replayed
		})
	}
}

// TestPeerFailures: what the real server answers, as the user reads it.
func TestPeerFailures(t *testing.T) {
	for _, sh := range shapes {
		t.Run(sh.name+"/revoked grant", func(t *testing.T) {
			r := newRig(t)
			p := sh.build(t, r, nil)
			g, _, err := r.signIn(p, oauth.ModeLoopback, address, false)
			if err != nil {
				t.Fatal(err)
			}
			r.peer.Switch(t, "revoke", url.Values{"user": {address}})
			res := r.send(p.Tester(address, g.Refresh, nil), false)
			if res.Diagnosis == nil || res.Diagnosis.Code != providers.CodeOAuthInvalidGrant ||
				res.Diagnosis.Args["action"] != oauth.ActionRunWizard || len(res.Stages) != 1 {
				t.Fatalf("revoked: %+v stages %+v", res.Diagnosis, res.Stages)
			}
		})
		t.Run(sh.name+"/consent declined", func(t *testing.T) {
			r := newRig(t)
			p := sh.build(t, r, nil)
			_, _, err := r.signIn(p, oauth.ModeLoopback, address, true)
			wantCode(t, "declined", err, providers.CodeOAuthAccessDenied)
		})
		t.Run(sh.name+"/wrong account", func(t *testing.T) {
			r := newRig(t)
			p := sh.build(t, r, nil)
			other := r.peer["OAUTHPEER_OTHER_USER"]
			_, _, err := r.signIn(p, oauth.ModeLoopback, other, false)
			pe := wantCode(t, "other account", err, providers.CodeOAuthAccountMismatch)
			if pe.Args["expected"] != address || !strings.EqualFold(pe.Args["actual"], other) {
				t.Fatalf("mismatch names %+v", pe.Args)
			}
		})
		t.Run(sh.name+"/stored sign-in of another account", func(t *testing.T) {
			r := newRig(t)
			p := sh.build(t, r, nil)
			other := r.peer["OAUTHPEER_OTHER_USER"]
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			g, err := p.Authorize(ctx, oauth.ModeLoopback, other, r.browser(other), r.person(other, false))
			r.keep(g.Refresh, g.Access)
			if err != nil {
				t.Fatal(err)
			}
			// other's refresh token configured for jobs@: stopped before any SMTP
			var stored []secrets.Secret
			res := r.send(p.Tester(address, g.Refresh, r.storeIn(&stored)), false)
			d := res.Diagnosis
			if d == nil || d.Code != providers.CodeOAuthAccountMismatch || d.Args["expected"] != address ||
				!strings.EqualFold(d.Args["actual"], other) || len(res.Stages) != 1 || len(res.Transcript) != 0 {
				t.Fatalf("headless mismatch: %+v stages %+v transcript %d", d, res.Stages, len(res.Transcript))
			}
			if len(stored) != 1 {
				t.Fatalf("the rotated token of the refresh was not stored (%d)", len(stored))
			}
		})
		t.Run(sh.name+"/token endpoint 503", func(t *testing.T) {
			r := newRig(t)
			p := sh.build(t, r, nil)
			g, _, err := r.signIn(p, oauth.ModeLoopback, address, false)
			if err != nil {
				t.Fatal(err)
			}
			r.peer.Switch(t, "fail", url.Values{"endpoint": {"refresh"}, "error": {"temporarily_unavailable"}, "status": {"503"}})
			var stored []secrets.Secret
			res := r.send(p.Tester(address, g.Refresh, r.storeIn(&stored)), false)
			d := res.Diagnosis
			if d == nil || d.Code != providers.CodeOAuthUnreachable || d.Args["retry"] != "later" || d.Args["stage"] != "refresh" {
				t.Fatalf("503: %+v", d)
			}
			// retryable: the token was not spent, the next run works
			r.send(p.Tester(address, g.Refresh, r.storeIn(&stored)), true)
		})
		t.Run(sh.name+"/peer port closed", func(t *testing.T) {
			r := newRig(t)
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			closed := "http://" + ln.Addr().String()
			ln.Close()
			p := sh.build(t, r, func(c *config) {
				c.timeout = 10 * time.Second
				if c.authority != "" {
					c.authority = closed + "/ms"
				}
				if c.authURL != "" {
					c.authURL, c.tokenURL, c.userinfoURL = closed+"/auth", closed+"/token", ""
				}
			})
			start := time.Now()
			res := r.send(p.Tester(address, secrets.New("no-token-needed-to-find-the-port-closed"), nil), false)
			d := res.Diagnosis
			if d == nil || d.Code != providers.CodeOAuthUnreachable || d.Args["host"] != ln.Addr().String() ||
				d.Args["stage"] != "refresh" || d.Actor != providers.ActorMailAdmin {
				t.Fatalf("closed port: %+v", d)
			}
			if time.Since(start) > 10*time.Second {
				t.Fatalf("closed port diagnosed after %v", time.Since(start))
			}
		})
	}
	t.Run("microsoft/consent required again", func(t *testing.T) {
		r := newRig(t)
		p := shapes[0].build(t, r, nil)
		g, _, err := r.signIn(p, oauth.ModeLoopback, address, false)
		if err != nil {
			t.Fatal(err)
		}
		r.peer.Switch(t, "require-consent", url.Values{"user": {address}})
		res := r.send(p.Tester(address, g.Refresh, nil), false)
		if res.Diagnosis == nil || res.Diagnosis.Code != providers.CodeOAuthAdminConsent ||
			!strings.Contains(res.Diagnosis.Args["admin_consent_url"], "/adminconsent?client_id=") {
			t.Fatalf("refresh without consent: %+v", res.Diagnosis)
		}
		_, _, err = r.signIn(p, oauth.ModeLoopback, address, false)
		pe := wantCode(t, "sign-in without consent", err, providers.CodeOAuthAdminConsent)
		if pe.Actor != providers.ActorMailAdmin || pe.Args["admin_consent_url"] == "" {
			t.Fatalf("admin consent: %+v", pe.Diagnosis)
		}
	})
}
