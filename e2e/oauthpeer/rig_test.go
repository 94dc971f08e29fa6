// Package oauthpeer_test signs jobmail's direct integrations in against a
// real, independent authorization server (../shared/oauthpeer:
// node-oidc-provider with Microsoft- and Google-shaped endpoints) and
// sends through mailpeer with the peer's tokens (XOAUTH2, introspected by
// mailpeer at the peer). The peer's /_peer/ switches are global, so no
// test here runs in parallel.
package oauthpeer_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jobmail/jobmail/e2e/e2eenv"
	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/providers/google"
	"github.com/jobmail/jobmail/providers/microsoft"
	"github.com/jobmail/jobmail/providers/oauth"
	"github.com/jobmail/jobmail/secrets"
	"github.com/jobmail/jobmail/secrets/leaktest"
)

const address = "jobs@example.test"

// shape is one provider's face of the peer.
type shape struct {
	name   string
	device bool
	build  func(t *testing.T, r *rig, mut func(*config)) provider
}

// config are the knobs a test may turn before the provider is built.
type config struct {
	authority, authURL, tokenURL, userinfoURL string
	timeout                                   time.Duration
}

type provider interface {
	Authorize(ctx context.Context, mode oauth.Mode, address string, opener oauth.Opener, prompter oauth.Prompter) (oauth.Grant, error)
	Tester(address string, refresh secrets.Secret, store func(secrets.Secret) error) providers.Tester
}

var shapes = []shape{
	{name: "microsoft", device: true, build: func(t *testing.T, r *rig, mut func(*config)) provider {
		c := config{authority: r.peer["OAUTHPEER_MS_AUTHORITY"], timeout: 60 * time.Second}
		if mut != nil {
			mut(&c)
		}
		p, err := microsoft.New(microsoft.Config{AuthorityURL: c.authority, Tenant: r.peer["OAUTHPEER_MS_TENANT"],
			ClientID: r.peer["OAUTHPEER_MS_CLIENT_ID"], UserinfoURL: c.userinfoURL,
			SMTPHost: r.mp["MAILPEER_HOST"], SMTPPort: r.mp.Port(t, "MAILPEER_SUBMISSION_PORT"),
			CAFile: r.mp["MAILPEER_CA_FILE"], Timeout: c.timeout})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}},
	{name: "google", build: func(t *testing.T, r *rig, mut func(*config)) provider {
		c := config{authURL: r.peer["OAUTHPEER_GOOGLE_AUTH_URL"], tokenURL: r.peer["OAUTHPEER_GOOGLE_TOKEN_URL"],
			userinfoURL: r.peer["OAUTHPEER_GOOGLE_USERINFO_URL"], timeout: 60 * time.Second}
		if mut != nil {
			mut(&c)
		}
		p, err := google.New(google.Config{ClientID: r.peer["OAUTHPEER_GOOGLE_CLIENT_ID"],
			ClientSecret: secrets.New(r.peer["OAUTHPEER_GOOGLE_CLIENT_SECRET"]),
			AuthURL:      c.authURL, TokenURL: c.tokenURL, UserinfoURL: c.userinfoURL,
			SMTPHost: r.mp["MAILPEER_HOST"], SMTPPort: r.mp.Port(t, "MAILPEER_SUBMISSION_PORT"),
			CAFile: r.mp["MAILPEER_CA_FILE"], Timeout: c.timeout})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}},
}

// rig is one test's peers and everything secret they handed out.
type rig struct {
	t    *testing.T
	peer e2eenv.OAuthPeer
	mp   e2eenv.Mailpeer

	mu      sync.Mutex
	secrets []string // every token the peer issued to this test
	texts   []string // every output of this test, for the leak sweep
}

func newRig(t *testing.T) *rig {
	peer := e2eenv.RequireOAuthPeer(t)
	mp := e2eenv.RequireUp(t, "MAILPEER_CA_FILE", "MAILPEER_MAILDIR")
	if peer["OAUTHPEER_MAILPEER_WIRED"] != "1" {
		t.Fatal("oauthpeer is not wired to mailpeer (OAUTHPEER_MAILPEER_WIRED != 1): re-run start-oauthpeer.sh")
	}
	r := &rig{t: t, peer: peer, mp: mp}
	t.Cleanup(r.sweep)
	return r
}

// keep records a token the peer issued.
func (r *rig) keep(s ...secrets.Secret) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, x := range s {
		if !x.Empty() {
			r.secrets = append(r.secrets, x.Reveal())
		}
	}
}

// seen records output for the leak sweep.
func (r *rig) seen(texts ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.texts = append(r.texts, texts...)
}

func (r *rig) result(res providers.Result) {
	r.seen(res.Transcript...)
	r.seen(fmt.Sprintf("%+v", res))
	if res.Err != nil {
		r.seen(res.Err.Error())
	}
	if res.Diagnosis != nil {
		b, _ := json.Marshal(res.Diagnosis)
		r.seen(string(b))
	}
}

func (r *rig) err(err error) {
	if err != nil {
		r.seen(err.Error(), fmt.Sprintf("%+v", err))
		b, _ := json.Marshal(err)
		r.seen(string(b))
	}
}

// sweep: no token the peer issued appears in any output of the test.
func (r *rig) sweep() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range r.secrets {
		for _, txt := range r.texts {
			if how := leaktest.Find(txt, s); how != "" {
				r.t.Errorf("a token the peer issued (len %d) leaked (%s) into %.200q", len(s), how, txt)
			}
		}
	}
}

// browser is the peer's scripted browser as the flow's Opener: it signs in
// as user and follows the redirect to the loopback listener.
func (r *rig) browser(user string, extra ...string) oauth.Opener {
	return oauth.OpenerFunc(func(u string) error {
		args := append([]string{u, user, r.peer.Password(user)}, extra...)
		cmd := exec.Command(r.peer["OAUTHPEER_BROWSER"], args...)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			return err
		}
		go func() {
			err := cmd.Wait()
			r.seen(out.String())
			if err != nil {
				r.t.Logf("scripted browser: %v\n%s", err, out.String())
			}
		}()
		return nil
	})
}

// person is the Prompter: it records events, answers the paste prompt with
// the scripted browser's --no-follow output, and enters a device code with
// the peer's device helper.
type person struct {
	r      *rig
	user   string
	deny   bool
	pasted chan string
	mu     sync.Mutex
	log    []oauth.Event
}

func (r *rig) person(user string, deny bool) *person {
	return &person{r: r, user: user, deny: deny, pasted: make(chan string, 1)}
}

func (p *person) Notify(e oauth.Event) {
	p.mu.Lock()
	p.log = append(p.log, e)
	p.mu.Unlock()
	p.r.seen(fmt.Sprintf("%+v", e))
	switch e.Kind {
	case oauth.EventAwaitPaste:
		go p.paste(e.URL)
	case oauth.EventDeviceCode:
		go p.device(e.UserCode)
	}
}

func (p *person) extra() []string {
	if p.deny {
		return []string{"--deny"}
	}
	return nil
}

func (p *person) paste(u string) {
	args := append([]string{u, p.user, p.r.peer.Password(p.user), "--no-follow"}, p.extra()...)
	out, err := exec.Command(p.r.peer["OAUTHPEER_BROWSER"], args...).Output()
	p.r.seen(string(out))
	if err != nil {
		p.r.t.Logf("scripted browser (--no-follow): %v", err)
	}
	p.pasted <- strings.TrimSpace(string(out))
}

func (p *person) device(code string) {
	args := append([]string{code, p.user, p.r.peer.Password(p.user)}, p.extra()...)
	out, err := exec.Command(p.r.peer["OAUTHPEER_DEVICE_HELPER"], args...).CombinedOutput()
	p.r.seen(string(out))
	if err != nil {
		p.r.t.Logf("device helper: %v\n%s", err, out)
	}
}

func (p *person) ReadRedirect(ctx context.Context) (string, error) {
	select {
	case s := <-p.pasted:
		return s, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

func (p *person) kinds() []oauth.EventKind {
	p.mu.Lock()
	defer p.mu.Unlock()
	var ks []oauth.EventKind
	for _, e := range p.log {
		ks = append(ks, e.Kind)
	}
	return ks
}

// signIn runs one sign-in in mode as user and records the grant's tokens.
func (r *rig) signIn(p provider, mode oauth.Mode, user string, deny bool) (oauth.Grant, *person, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	per := r.person(user, deny)
	var opener oauth.Opener
	if mode == oauth.ModeLoopback {
		opener = r.browser(user, per.extra()...)
	}
	g, err := p.Authorize(ctx, mode, address, opener, per)
	r.keep(g.Refresh, g.Access)
	r.err(err)
	return g, per, err
}

// send runs the live test and, when wantOK, waits for the message in the
// Maildir.
func (r *rig) send(tester providers.Tester, wantOK bool) providers.Result {
	r.t.Helper()
	marker := "e2e-oauthpeer-" + rand.Text()
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	res := tester.Test(ctx, providers.Message{From: address, To: address, Token: marker,
		Subject: "jobmail " + marker, Body: "oauthpeer e2e"}, nil)
	r.result(res)
	if wantOK {
		if !res.OK() {
			r.t.Fatalf("live test failed: %+v\n%s", res.Diagnosis, strings.Join(res.Transcript, "\n"))
		}
		msg := r.mp.WaitDelivered(r.t, marker)
		r.seen(string(msg))
	}
	return res
}

// storeIn is a refresh-token store that records what it gets.
func (r *rig) storeIn(dst *[]secrets.Secret) func(secrets.Secret) error {
	return func(s secrets.Secret) error {
		r.keep(s)
		*dst = append(*dst, s)
		return nil
	}
}

func wantCode(t *testing.T, what string, err error, want providers.Code) *providers.Error {
	t.Helper()
	var pe *providers.Error
	if !errors.As(err, &pe) {
		t.Fatalf("%s: error %v is not a diagnosis, want %s", what, err, want)
	}
	if pe.Code != want {
		t.Fatalf("%s: code %s (%+v), want %s", what, pe.Code, pe.Diagnosis, want)
	}
	return pe
}
