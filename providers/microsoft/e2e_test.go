package microsoft_test

import (
	"bufio"
	"context"
	"crypto/rand"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/providers/microsoft"
	"github.com/jobmail/jobmail/providers/oauth"
	"github.com/jobmail/jobmail/providers/oauth/oauthtest"
	"github.com/jobmail/jobmail/secrets"
)

// peer is the real mail server (mailpeer: Postfix + Dovecot) end-to-end
// tests send through.
type peer struct {
	host, user, caFile, tokensFile, maildir string
	port                                    int
}

// mailpeer skips unless JOBMAIL_E2E=1; then a missing or unreachable
// mailpeer is a failure. Settings come from MAILPEER_* variables, else
// from ${MAILPEER_DIR:-/tmp/mailpeer/state}/mailpeer.env.
func mailpeer(t *testing.T) peer {
	t.Helper()
	if os.Getenv("JOBMAIL_E2E") != "1" {
		t.Skip("end-to-end: set JOBMAIL_E2E=1 to run against mailpeer")
	}
	dir := os.Getenv("MAILPEER_DIR")
	if dir == "" {
		dir = "/tmp/mailpeer/state"
	}
	file := map[string]string{}
	if b, err := os.ReadFile(filepath.Join(dir, "mailpeer.env")); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(strings.TrimSpace(line), "="); ok {
				file[k] = v
			}
		}
	}
	get := func(k string) string {
		if v := os.Getenv(k); v != "" {
			return v
		}
		if file[k] == "" {
			t.Fatalf("mailpeer setting %s missing (env or %s/mailpeer.env)", k, dir)
		}
		return file[k]
	}
	p := peer{host: get("MAILPEER_HOST"), user: get("MAILPEER_USER"), caFile: get("MAILPEER_CA_FILE"),
		tokensFile: get("MAILPEER_OAUTH_TOKENS_FILE"), maildir: get("MAILPEER_MAILDIR")}
	var err error
	if p.port, err = strconv.Atoi(get("MAILPEER_SUBMISSION_PORT")); err != nil {
		t.Fatalf("MAILPEER_SUBMISSION_PORT: %v", err)
	}
	c, err := net.DialTimeout("tcp", net.JoinHostPort(p.host, strconv.Itoa(p.port)), 3*time.Second)
	if err != nil {
		t.Fatalf("mailpeer not reachable: %v", err)
	}
	c.Close()
	return p
}

// register makes a token valid at mailpeer (its introspection endpoint
// re-reads the file on every request).
func (p peer) register(t *testing.T, token, user string) {
	f, err := os.OpenFile(p.tokensFile, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Errorf("register token: %v", err)
		return
	}
	defer f.Close()
	if _, err := f.WriteString(token + " " + user + "\n"); err != nil {
		t.Errorf("register token: %v", err)
	}
}

// delivered waits for a message containing marker in the Maildir.
func (p peer) delivered(t *testing.T, marker string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		for _, sub := range []string{"new", "cur"} {
			entries, _ := os.ReadDir(filepath.Join(p.maildir, sub))
			for _, e := range entries {
				if containsLine(filepath.Join(p.maildir, sub, e.Name()), marker) {
					return
				}
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("no message with %s delivered to %s", marker, p.maildir)
}

func containsLine(path, marker string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if strings.Contains(sc.Text(), marker) {
			return true
		}
	}
	return false
}

// TestE2EMicrosoftThroughMailpeer: device-flow sign-in, then two headless
// tests through the real server with Entra-sized (over 2,048 characters)
// rotating tokens, then a revoked token.
func TestE2EMicrosoftThroughMailpeer(t *testing.T) {
	mp := mailpeer(t)
	var mu sync.Mutex
	var issued []string
	auth := oauthtest.New(t, oauthtest.Options{Account: mp.user, Rotate: true, AccessTokenLen: 2600,
		Claims: map[string]any{"email": nil, "preferred_username": mp.user},
		OnIssue: func(tok, account string) {
			mu.Lock()
			issued = append(issued, tok)
			mu.Unlock()
			mp.register(t, tok, account)
		}})
	prov, err := microsoft.New(microsoft.Config{ClientID: auth.ClientID(), Tenant: "example.test", AuthorityURL: auth.URL,
		SMTPHost: mp.host, SMTPPort: mp.port, CAFile: mp.caFile, Clock: oauthtest.NewClock(time.Now())})
	if err != nil {
		t.Fatal(err)
	}
	g, err := prov.Authorize(context.Background(), oauth.ModeDevice, mp.user, nil,
		&devicePerson{b: &oauthtest.Browser{}, action: "approve"})
	if err != nil {
		t.Fatalf("Authorize: %v", err)
	}
	var stored []secrets.Secret
	tester := prov.Tester(mp.user, g.Refresh, func(s secrets.Secret) error { stored = append(stored, s); return nil })
	for i := range 2 {
		marker := "e2e-microsoft-" + rand.Text()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		res := tester.Test(ctx, providers.Message{From: mp.user, To: mp.user, Token: marker,
			Subject: "jobmail " + marker, Body: "e2e"}, nil)
		cancel()
		if !res.OK() {
			t.Fatalf("test %d: %+v\n%s", i, res.Diagnosis, strings.Join(res.Transcript, "\n"))
		}
		mp.delivered(t, marker)
		mu.Lock()
		all := append([]string{g.Refresh.Reveal()}, issued...)
		mu.Unlock()
		for _, s := range stored {
			all = append(all, s.Reveal())
		}
		noLeak(t, leakTexts(res), all...)
	}
	if len(stored) != 2 || !auth.ValidRefresh(stored[1].Reveal()) || auth.ValidRefresh(g.Refresh.Reveal()) {
		t.Fatalf("rotation: stored %d, newest valid %v", len(stored), len(stored) == 2 && auth.ValidRefresh(stored[1].Reveal()))
	}

	resp, err := http.PostForm(auth.RevokeURL(), url.Values{"token": {stored[1].Reveal()}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	res := tester.Test(context.Background(), providers.Message{From: mp.user, To: mp.user, Token: "x", Subject: "x", Body: "x"}, nil)
	if res.Diagnosis == nil || res.Diagnosis.Code != providers.CodeOAuthInvalidGrant || len(res.Stages) != 1 ||
		res.Diagnosis.Args["action"] != oauth.ActionRunWizard {
		t.Fatalf("revoked: %+v stages %+v", res.Diagnosis, res.Stages)
	}
}

// TestE2EKeyringRoundTrip keeps the refresh token in the real OS keyring
// (gnome-keyring over D-Bus): stored after sign-in, read back for a
// headless test, replaced by the rotated one during the test, and read
// back again for a second run. Gated by JOBMAIL_E2E_KEYRING=1; the mail
// side is the in-process SMTP server so the test needs no mailpeer.
func TestE2EKeyringRoundTrip(t *testing.T) {
	if os.Getenv("JOBMAIL_E2E_KEYRING") != "1" {
		t.Skip("end-to-end: set JOBMAIL_E2E_KEYRING=1 (inside a D-Bus session with gnome-keyring) to run")
	}
	ctx := context.Background()
	kr := secrets.NewKeyring()
	if err := secrets.Probe(ctx, kr); err != nil {
		t.Fatalf("keyring: %v", err)
	}
	account := microsoft.KeyringAccount(address) + ":e2e-" + rand.Text()
	t.Cleanup(func() { _ = kr.Delete(context.Background(), account) })

	r := newRig(t, oauthtest.Options{}, "")
	g, err := r.prov.Authorize(ctx, oauth.ModeLoopback, address, &oauthtest.Browser{}, &devicePerson{})
	if err != nil {
		t.Fatalf("Authorize: %v", err)
	}
	if err := kr.Set(ctx, account, g.Refresh); err != nil {
		t.Fatalf("store refresh token: %v", err)
	}
	store := func(s secrets.Secret) error { return kr.Set(ctx, account, s) }
	prev := g.Refresh.Reveal()
	for i := range 2 {
		rt, err := kr.Get(ctx, account) // a fresh headless run reads the keyring
		if err != nil {
			t.Fatalf("run %d: read refresh token: %v", i, err)
		}
		if rt.Reveal() != prev {
			t.Fatalf("run %d: keyring does not hold the newest refresh token", i)
		}
		res := r.prov.Tester(address, rt, store).Test(ctx, message(), nil)
		if !res.OK() {
			t.Fatalf("run %d: %+v", i, res.Diagnosis)
		}
		now, err := kr.Get(ctx, account)
		if err != nil {
			t.Fatal(err)
		}
		if now.Reveal() == prev || !r.auth.ValidRefresh(now.Reveal()) || r.auth.ValidRefresh(prev) {
			t.Fatalf("run %d: rotated token not saved to the keyring", i)
		}
		noLeak(t, leakTexts(res), prev, now.Reveal())
		prev = now.Reveal()
	}
}
