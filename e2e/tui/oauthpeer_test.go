package tui_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jobmail/jobmail/e2e/e2eenv"
	"github.com/jobmail/jobmail/providers/google"
	"github.com/jobmail/jobmail/providers/microsoft"
	"github.com/jobmail/jobmail/secrets"
	"github.com/jobmail/jobmail/secrets/leaktest"
)

// tokenSpy stands between jobmail and oauthpeer (a reverse proxy on
// loopback): every path goes through unchanged, and every access, refresh
// and id token in an answer of the peer is recorded for the leak sweep.
// The peer itself keeps its tokens to itself (its /_peer/state only
// counts), so this is how the test learns all of them — also the access
// and id tokens, which never reach a file or the keyring.
type tokenSpy struct {
	URL string

	mu      sync.Mutex
	tokens  map[string]string // token -> kind (access_token, refresh_token, id_token, device_code)
	refresh []string          // the refresh tokens in the order issued
}

func newTokenSpy(t *testing.T, issuer string) *tokenSpy {
	t.Helper()
	target, err := url.Parse(issuer)
	if err != nil || target.Host == "" {
		t.Fatalf("oauthpeer issuer %q: %v", issuer, err)
	}
	s := &tokenSpy{tokens: map[string]string{}}
	rp := &httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) {
		pr.SetURL(target)
		pr.Out.Host = pr.In.Host             // as the issuer saw it before: the spy's address
		pr.Out.Header.Del("Accept-Encoding") // the proxy's transport then decodes for us
	}}
	rp.ModifyResponse = func(resp *http.Response) error {
		if !strings.Contains(resp.Header.Get("Content-Type"), "json") {
			return nil
		}
		body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		if err != nil {
			return err
		}
		resp.Body = io.NopCloser(bytes.NewReader(body))
		var ans map[string]any
		if json.Unmarshal(body, &ans) == nil {
			s.mu.Lock()
			for _, k := range []string{"access_token", "refresh_token", "id_token", "device_code"} {
				if v, _ := ans[k].(string); v != "" {
					s.tokens[v] = k
					if k == "refresh_token" {
						s.refresh = append(s.refresh, v)
					}
				}
			}
			s.mu.Unlock()
		}
		return nil
	}
	srv := httptest.NewServer(rp)
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

// issued returns the tokens the peer issued so far, by kind.
func (s *tokenSpy) issued() map[string][]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string][]string{}
	for tok, kind := range s.tokens {
		out[kind] = append(out[kind], tok)
	}
	return out
}

// lastRefresh is the refresh token the peer issued last ("" if none): the
// only one that still works, as the peer rotates on every refresh.
func (s *tokenSpy) lastRefresh() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.refresh) == 0 {
		return ""
	}
	return s.refresh[len(s.refresh)-1]
}

// journey is one OAuth run of the wizard in tmux against oauthpeer and
// mailpeer, with everything it showed and wrote collected for the sweep.
type journey struct {
	*run
	peer e2eenv.OAuthPeer
	spy  *tokenSpy

	mu      sync.Mutex
	screens map[string]bool // every distinct screen capture
	outputs []string        // helper and replay outputs
	raw     string          // the pane's raw output (tmux pipe-pane)
	rawLen  int
}

func newJourney(t *testing.T) *journey {
	e2eenv.RequireKeyring(t)
	peer := e2eenv.RequireOAuthPeer(t)
	if peer["OAUTHPEER_MAILPEER_WIRED"] != "1" {
		t.Fatal("oauthpeer is not wired to mailpeer (OAUTHPEER_MAILPEER_WIRED != 1): re-run start-oauthpeer.sh")
	}
	j := &journey{run: newRun(t), peer: peer, spy: newTokenSpy(t, peer["OAUTHPEER_ISSUER"]), screens: map[string]bool{}}
	if pw := peer.Password(j.user); pw == "" {
		t.Fatalf("oauthpeer has no user %s (mailpeer's)", j.user)
	}
	return j
}

func (j *journey) seen(texts ...string) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.outputs = append(j.outputs, texts...)
}

// start runs the wizard in a pane whose every capture is kept.
func (j *journey) start(env []string, args string) *pane {
	// every byte the wizard writes to the terminal, escape sequences
	// (OSC 8 links, OSC 52 copies) included — a capture shows only cells;
	// the wizard starts once tmux pipes the pane, so nothing is missed
	tmp := j.t.TempDir()
	gate := filepath.Join(tmp, "piped")
	j.raw = filepath.Join(tmp, "pane.raw")
	p := startPane(j.t, j.dir, append(append([]string{}, j.env...), env...),
		fmt.Sprintf("sh -c 'until [ -e %s ]; do sleep 0.05; done; exec %s%s'", gate, j.bin, args))
	p.onScreen = func(s string) {
		j.mu.Lock()
		j.screens[s] = true
		j.mu.Unlock()
	}
	p.tmux("pipe-pane", "-o", "-t", p.name, "cat >> "+j.raw)
	if err := os.WriteFile(gate, nil, 0o600); err != nil {
		j.t.Fatal(err)
	}
	return p
}

// writeSetup puts the peer's endpoints and ids and mailpeer's address
// into the setup file the wizard starts from: the values a platform
// profile or IT would supply; everything else is asked on screen.
func (j *journey) writeSetup(channel, block string) {
	j.t.Helper()
	setup := "version: 1\ncompany:\n  " + channel + ":\n" + block +
		"    smtp_host: " + j.mp.Get("MAILPEER_SERVER_NAME", "localhost") + "\n" +
		"    smtp_port: " + j.mp.Get("MAILPEER_SUBMISSION_PORT", "12587") + "\n" +
		"    ca_file: " + j.mp.Get("MAILPEER_CA_FILE", "") + "\n"
	if err := os.WriteFile(filepath.Join(j.dir, "jobmail.yaml"), []byte(setup), 0o600); err != nil {
		j.t.Fatal(err)
	}
}

// askedUpToChannel answers the company questions and picks channel.
func (j *journey) askedUpToChannel(p *pane, label string) {
	p.answer("Custom e-mail address", j.user)
	p.waitFor(10*time.Second, "┃ Personio account name")
	p.send("C-u") // prefilled from the address
	p.answer("Personio account name", "acme")
	p.answer("Sender name", "")
	p.answer("E-mail forwarding to", "")
	p.waitFor(10*time.Second, "┃ Send e-mails via")
	p.waitFor(5*time.Second, "could not be found", "is handled by") // the MX lookup is done
	p.choose(label)
}

// noFalseDefault answers the client id question prefilled from the setup
// file: this build has no app of the platform, so the question must not
// call the id optional or offer to leave it empty (issue 17: never offer a
// default that does not exist).
func (j *journey) noFalseDefault(p *pane, title string) {
	j.t.Helper()
	p.waitFor(10*time.Second, "┃ "+title)
	if s := p.screen(); strings.Contains(s, "(optional)") || strings.Contains(s, "Leave empty to use the app") {
		j.t.Errorf("the client id question offers an app that does not exist:\n%s", s)
	}
	p.answer(title, "")
}

// finished waits for the end screen and leaves the wizard with Enter.
func (j *journey) finished(p *pane) {
	j.t.Helper()
	// the block's smtp_host is mailpeer on localhost: a limit of the proof
	got := p.waitFor(90*time.Second, doneLocal, "Done: Personio can send as", "✗ ")
	if got != doneLocal {
		j.t.Fatalf("the wizard did not finish:\n%s", p.screen())
	}
	// the keyring holds the sign-in, not a password
	if s := p.screen(); !strings.Contains(s, "✓ Sign-in stored in the system keyring") || strings.Contains(s, "Password") {
		j.t.Errorf("the done screen does not say that the sign-in went to the keyring:\n%s", s)
	}
	p.send("Enter")
	p.waitFor(10*time.Second, "EXIT=0")
	if s := p.screen(); !strings.Contains(s, "✓ Sign-in stored in the system keyring as") {
		j.t.Errorf("the summary after the end does not say that the sign-in went to the keyring:\n%s", s)
	}
	raw, err := os.ReadFile(j.raw)
	if err != nil || len(raw) == 0 {
		j.t.Fatalf("the pane's raw output: %v (%d bytes)", err, len(raw))
	}
	j.seen(string(raw))
	j.rawLen = len(raw)
	// the whole pane history, also what the wizard printed after it ended
	j.seen(p.tmux("capture-pane", "-p", "-J", "-S", "-", "-t", p.name))
}

// verifyOAuth checks the journey's results: the setup file, the export
// whose verification token arrived in the Maildir, the refresh token in
// the keyring (the last one the peer issued), and a headless replay.
func (j *journey) verifyOAuth(channel, account string) {
	t := j.t
	setup, err := os.ReadFile(filepath.Join(j.dir, "jobmail.yaml"))
	if err != nil {
		t.Fatalf("setup file: %v", err)
	}
	for _, want := range []string{"channel: " + channel, "address: " + j.user, "account: acme"} {
		if !strings.Contains(string(setup), want) {
			t.Errorf("setup file lacks %q:\n%s", want, setup)
		}
	}
	exp, err := os.ReadFile(filepath.Join(j.dir, "recruiting-email.json"))
	if err != nil {
		t.Fatalf("export: %v", err)
	}
	if !strings.Contains(string(exp), `"`+channel+`"`) {
		t.Errorf("export does not name the channel %s:\n%s", channel, exp)
	}
	token := regexp.MustCompile(`jm-[A-Za-z0-9_-]{10,}`).FindString(string(exp))
	msg, ok := e2eenv.Delivered(j.mp.Get("MAILPEER_MAILDIR", ""), token, 10*time.Second)
	if token == "" || !ok {
		t.Errorf("the wizard's test message (token %q) is not in %s", token, j.mp.Get("MAILPEER_MAILDIR", ""))
	}
	j.seen(string(msg))

	j.stored(account, "the wizard")

	// the headless replay signs in with the keyring's token (a rotation)
	cmd := exec.Command(j.bin, "--config", "jobmail.yaml", "--json")
	cmd.Dir, cmd.Env = j.dir, append(os.Environ(), "HOME="+filepath.Dir(j.dir), "JOBMAIL_GOOGLE_CLIENT_SECRET="+j.peer["OAUTHPEER_GOOGLE_CLIENT_SECRET"])
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	j.seen(string(out), stderr.String())
	if err != nil {
		t.Fatalf("headless replay: %v\n%s\n%s", err, out, stderr.String())
	}
	var res struct {
		OK      bool   `json:"ok"`
		Channel string `json:"channel"`
	}
	if err := json.Unmarshal(out, &res); err != nil || !res.OK || res.Channel != channel {
		t.Fatalf("replay %+v (%v):\n%s", res, err, out)
	}
	j.stored(account, "the replay")
}

// stored: the keyring entry holds the refresh token the peer issued last
// (rotation: any earlier one is spent, and presenting it would make the
// peer revoke the whole grant).
func (j *journey) stored(account, after string) {
	j.t.Helper()
	kr, err := secrets.NewKeyring().Get(context.Background(), account)
	if err != nil {
		j.t.Fatalf("after %s: keyring entry %s: %v", after, account, err)
	}
	refresh := j.spy.issued()["refresh_token"]
	switch {
	case !contains(refresh, kr.Reveal()):
		j.t.Fatalf("after %s: keyring entry %s is not a refresh token the peer issued (%d issued)", after, account, len(refresh))
	case kr.Reveal() != j.spy.lastRefresh():
		j.t.Fatalf("after %s: keyring entry %s holds a spent refresh token, not the last one the peer issued (%d issued)", after, account, len(refresh))
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// sweep: no access, refresh or id token the peer issued appears in any
// screen capture, output, or file under the wizard's HOME (setup file,
// export, anything else it wrote). Each kind must have been issued at
// least once, or the sweep would prove nothing.
func (j *journey) sweep() {
	t := j.t
	issued := j.spy.issued()
	for _, kind := range []string{"access_token", "refresh_token", "id_token"} {
		if len(issued[kind]) == 0 {
			t.Errorf("the peer issued no %s in this journey (the spy saw %v)", kind, issued)
		}
	}
	type text struct{ where, s string }
	var texts []text
	j.mu.Lock()
	for s := range j.screens {
		texts = append(texts, text{"a screen capture", s})
	}
	for _, s := range j.outputs {
		texts = append(texts, text{"an output", s})
	}
	j.mu.Unlock()
	home := filepath.Dir(j.dir)
	var files []string
	_ = filepath.WalkDir(home, func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			b, rerr := os.ReadFile(path)
			if rerr == nil {
				texts = append(texts, text{path, string(b)})
				files = append(files, strings.TrimPrefix(path, home+"/"))
			}
		}
		return nil
	})
	sort.Strings(files)
	n := 0
	for kind, toks := range issued {
		for _, tok := range toks {
			n++
			for _, x := range texts {
				if how := leaktest.Find(x.s, tok); how != "" {
					t.Errorf("an issued %s (len %d) leaked (%s) into %s: %.300q", kind, len(tok), how, x.where, x.s)
				}
			}
		}
	}
	t.Logf("leak sweep: %d secrets (%d access, %d refresh, %d id tokens, %d device codes) × %d texts (%d distinct screens, %d raw bytes, files %v)",
		n, len(issued["access_token"]), len(issued["refresh_token"]), len(issued["id_token"]), len(issued["device_code"]),
		len(texts), len(j.screens), j.rawLen, files)
}

// TestOAuthPeerMicrosoftDevice is one whole Microsoft 365 journey in the
// terminal against the real authorization server: the company questions,
// the channel, the prerequisites, the device code entered on the peer's
// page by its device helper (as a person on a phone would), the XOAUTH2
// live test through mailpeer with the peer's token, the setup file, the
// export, the refresh token in gnome-keyring, a headless replay — and no
// token the peer issued in any screen, output or written file.
func TestOAuthPeerMicrosoftDevice(t *testing.T) {
	j := newJourney(t)
	account := microsoft.KeyringAccount(j.user)
	t.Cleanup(func() { _ = secrets.NewKeyring().Delete(context.Background(), account) })
	j.writeSetup("microsoft", "    authority_url: "+j.spy.URL+"/ms\n"+
		"    tenant: "+j.peer["OAUTHPEER_MS_TENANT"]+"\n    client_id: "+j.peer["OAUTHPEER_MS_CLIENT_ID"]+"\n")
	p := j.start(nil, " --sign-in device")
	j.askedUpToChannel(p, "Microsoft 365")
	p.answer("Microsoft 365 tenant", "")
	j.noFalseDefault(p, "Microsoft application (client) ID")
	p.confirmAll()

	p.waitFor(30*time.Second, "Time left to enter the code:")
	s := p.screen()
	m := regexp.MustCompile(`│ (\S+) │`).FindStringSubmatch(s)
	// the peer names its page by the host it was asked at: the spy's
	if m == nil || !strings.Contains(s, j.spy.URL+"/device") {
		t.Fatalf("no device code and the peer's page on screen:\n%s", s)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, j.peer["OAUTHPEER_DEVICE_HELPER"], m[1], j.user, j.peer.Password(j.user)).CombinedOutput()
	j.seen(string(out))
	if err != nil || !strings.Contains(string(out), "approved") {
		t.Fatalf("device helper: %v\n%s", err, out)
	}
	j.finished(p)
	j.verifyOAuth("microsoft", account)
	j.sweep()
}

// TestOAuthPeerGoogleLoopback is one whole Google journey in the terminal
// against the real authorization server: the wizard opens the sign-in
// page with xdg-open, which is the peer's scripted browser (it signs in,
// consents and follows the redirect to the wizard's loopback listener,
// PKCE and state checked by the peer and by jobmail); then the XOAUTH2
// live test through mailpeer, the setup file, the export, the refresh
// token in gnome-keyring, a headless replay and the leak sweep.
func TestOAuthPeerGoogleLoopback(t *testing.T) {
	j := newJourney(t)
	account := google.KeyringAccount(j.user)
	t.Cleanup(func() { _ = secrets.NewKeyring().Delete(context.Background(), account) })
	bin := t.TempDir()
	if err := os.Symlink(j.peer["OAUTHPEER_BROWSER"], filepath.Join(bin, "xdg-open")); err != nil {
		t.Fatal(err)
	}
	j.writeSetup("google", "    auth_url: "+j.spy.URL+"/google/o/oauth2/auth\n"+
		"    token_url: "+j.spy.URL+"/google/token\n    client_id: "+j.peer["OAUTHPEER_GOOGLE_CLIENT_ID"]+"\n")
	p := j.start([]string{"PATH=" + bin + ":" + os.Getenv("PATH"),
		"JOBMAIL_GOOGLE_CLIENT_SECRET=" + j.peer["OAUTHPEER_GOOGLE_CLIENT_SECRET"],
		"OAUTHPEER_BROWSER_USER=" + j.user, "OAUTHPEER_BROWSER_PASSWORD=" + j.peer.Password(j.user),
		"OAUTHPEER_BROWSER_BACKGROUND=1"}, "")
	j.askedUpToChannel(p, "Google (direct integration)")
	j.noFalseDefault(p, "Google OAuth client ID")
	p.confirmAll()
	j.finished(p)
	j.verifyOAuth("google", account)
	j.sweep()
}
