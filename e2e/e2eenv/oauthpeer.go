package e2eenv

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// OAuthPeer holds the OAUTHPEER_* settings of ../shared/oauthpeer, the
// real authorization server (node-oidc-provider) the OAuth suites sign in
// against.
type OAuthPeer map[string]string

// RequireOAuthPeer skips without JOBMAIL_E2E=1 or when oauthpeer.env is
// absent (the peer was never started on this machine), and fails when the
// env names a peer that does not answer. The peer's /_peer/ switches are
// reset when the test ends.
func RequireOAuthPeer(t testing.TB) OAuthPeer {
	t.Helper()
	if os.Getenv("JOBMAIL_E2E") != "1" {
		t.Skip("end-to-end test: set JOBMAIL_E2E=1 (CI does)")
	}
	p, err := LoadOAuthPeer()
	if err != nil {
		t.Skipf("oauthpeer is not set up (start ../shared/oauthpeer/start-oauthpeer.sh): %v", err)
	}
	for _, k := range []string{"OAUTHPEER_ISSUER", "OAUTHPEER_ADMIN_URL", "OAUTHPEER_BROWSER", "OAUTHPEER_DEVICE_HELPER"} {
		if p[k] == "" {
			t.Fatalf("oauthpeer setting %s is missing", k)
		}
	}
	c := http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get(p["OAUTHPEER_ADMIN_URL"] + "/state")
	if err != nil {
		t.Fatalf("oauthpeer.env exists but the peer does not answer: %v", err)
	}
	resp.Body.Close()
	p.Reset(t)
	t.Cleanup(func() { p.Reset(t) })
	return p
}

// LoadOAuthPeer reads $OAUTHPEER_DIR/oauthpeer.env; OAUTHPEER_* variables
// of the environment override it.
func LoadOAuthPeer() (OAuthPeer, error) {
	dir := os.Getenv("OAUTHPEER_DIR")
	if dir == "" {
		dir = "/tmp/oauthpeer/state"
	}
	f, err := os.Open(filepath.Join(dir, "oauthpeer.env"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	p := OAuthPeer{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok && (strings.HasPrefix(k, "OAUTHPEER_") || strings.HasPrefix(k, "MAILPEER_OAUTH_")) {
			p[k] = strings.Trim(v, `"'`)
		}
	}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok && strings.HasPrefix(k, "OAUTHPEER_") && v != "" {
			p[k] = v
		}
	}
	return p, sc.Err()
}

// switchMu: the peer's switches are global; one test at a time flips them.
var switchMu sync.Mutex

// Switch posts one /_peer/ switch (fail, revoke, require-consent,
// device-ttl, reset) and fails the test when the peer refuses it.
func (p OAuthPeer) Switch(t testing.TB, name string, params url.Values) {
	t.Helper()
	switchMu.Lock()
	defer switchMu.Unlock()
	c := http.Client{Timeout: 5 * time.Second}
	resp, err := c.PostForm(p["OAUTHPEER_ADMIN_URL"]+"/"+name, params)
	if err != nil {
		t.Fatalf("oauthpeer switch %s: %v", name, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("oauthpeer switch %s %v: http %d", name, params, resp.StatusCode)
	}
}

// Reset clears every switch and counter.
func (p OAuthPeer) Reset(t testing.TB) { p.Switch(t, "reset", nil) }

// Stats returns the peer's counters (GET /_peer/state "stats").
func (p OAuthPeer) Stats(t testing.TB) map[string]any {
	t.Helper()
	c := http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get(p["OAUTHPEER_ADMIN_URL"] + "/state")
	if err != nil {
		t.Fatalf("oauthpeer state: %v", err)
	}
	defer resp.Body.Close()
	var st struct {
		Stats map[string]any `json:"stats"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatalf("oauthpeer state: %v", err)
	}
	return st.Stats
}

// Count is one numeric counter of Stats.
func (p OAuthPeer) Count(t testing.TB, name string) int {
	t.Helper()
	v, ok := p.Stats(t)[name].(float64)
	if !ok {
		t.Fatalf("oauthpeer state has no counter %q", name)
	}
	return int(v)
}

// Password is the sign-in password of one of the peer's users
// (OAUTHPEER_USER_n / _PASSWORD_n), "" for an unknown user.
func (p OAuthPeer) Password(user string) string {
	for i := 1; ; i++ {
		u, ok := p[fmt.Sprintf("OAUTHPEER_USER_%d", i)]
		if !ok {
			return ""
		}
		if strings.EqualFold(u, user) {
			return p[fmt.Sprintf("OAUTHPEER_PASSWORD_%d", i)]
		}
	}
}
