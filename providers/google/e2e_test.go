package google_test

import (
	"bufio"
	"context"
	"crypto/rand"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/providers/google"
	"github.com/jobmail/jobmail/providers/oauth"
	"github.com/jobmail/jobmail/providers/oauth/oauthtest"
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

func TestE2EGoogleThroughMailpeer(t *testing.T) {
	mp := mailpeer(t)
	tests := []struct {
		name     string
		tokenLen int
		register bool
		want     providers.Code // "" = delivered
	}{
		{name: "token accepted", tokenLen: 180, register: true},
		{name: "token longer than 2048 characters", tokenLen: 3000, register: true},
		{name: "token the server does not know", tokenLen: 180, register: false, want: providers.CodeAuthTokenRejected},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			var issued []string
			auth := oauthtest.New(t, oauthtest.Options{Account: mp.user, AccessTokenLen: tt.tokenLen,
				OnIssue: func(tok, account string) {
					mu.Lock()
					issued = append(issued, tok)
					mu.Unlock()
					if tt.register {
						mp.register(t, tok, account)
					}
				}})
			prov, err := google.New(google.Config{ClientID: auth.ClientID(), AuthURL: auth.AuthURL(), TokenURL: auth.TokenURL(),
				SMTPHost: mp.host, SMTPPort: mp.port, CAFile: mp.caFile, Timeout: 20 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			g, err := prov.Authorize(context.Background(), oauth.ModeLoopback, mp.user, &oauthtest.Browser{}, quietPrompter{})
			if err != nil {
				t.Fatalf("Authorize: %v", err)
			}
			marker := "e2e-google-" + rand.Text()
			msg := providers.Message{From: mp.user, To: mp.user, Token: marker, Subject: "jobmail " + marker, Body: "e2e"}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			res := prov.Tester(mp.user, g.Refresh, nil).Test(ctx, msg, nil)
			mu.Lock()
			secretsSeen := append([]string{g.Refresh.Reveal()}, issued...)
			mu.Unlock()
			if len(secretsSeen) < 3 { // the sign-in's and the test's access tokens
				t.Fatalf("issued tokens = %d", len(secretsSeen)-1)
			}
			noLeak(t, everything(res), secretsSeen...)
			if tt.want == "" {
				if !res.OK() {
					t.Fatalf("test failed: %+v\n%s", res.Diagnosis, strings.Join(res.Transcript, "\n"))
				}
				if len(issued[len(issued)-1]) <= 2048 && tt.tokenLen > 2048 {
					t.Fatal("the long token is not long")
				}
				mp.delivered(t, marker)
				return
			}
			if res.Diagnosis == nil || res.Diagnosis.Code != tt.want {
				t.Fatalf("diagnosis = %+v, want %s\n%s", res.Diagnosis, tt.want, strings.Join(res.Transcript, "\n"))
			}
		})
	}
}
