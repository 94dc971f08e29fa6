package google_test

import (
	"context"
	"crypto/rand"
	"strings"
	"testing"
	"time"

	"github.com/jobmail/jobmail/e2e/e2eenv"
	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/providers/google"
	"github.com/jobmail/jobmail/providers/oauth"
	"github.com/jobmail/jobmail/providers/oauth/oauthtest"
)

// TestE2EGoogleThroughMailpeer: loopback sign-in, then a test through the
// real server with XOAUTH2, for a short, a long and an unknown token.
func TestE2EGoogleThroughMailpeer(t *testing.T) {
	mp := e2eenv.RequireUp(t, "MAILPEER_USER", "MAILPEER_CA_FILE", "MAILPEER_OAUTH_TOKENS_FILE", "MAILPEER_MAILDIR")
	user := mp["MAILPEER_USER"]
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
			var issued oauthtest.Issued
			var register func(string, string)
			if tt.register {
				register = mp.AddOAuthTokenFunc(t)
			}
			auth := oauthtest.New(t, oauthtest.Options{Account: user, AccessTokenLen: tt.tokenLen, OnIssue: issued.Hook(register)})
			prov, err := google.New(google.Config{ClientID: auth.ClientID(), AuthURL: auth.AuthURL(), TokenURL: auth.TokenURL(),
				SMTPHost: mp["MAILPEER_HOST"], SMTPPort: mp.Port(t, "MAILPEER_SUBMISSION_PORT"), CAFile: mp["MAILPEER_CA_FILE"],
				Timeout: 20 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			g, err := prov.Authorize(context.Background(), oauth.ModeLoopback, user, &oauthtest.Browser{}, quietPrompter{})
			if err != nil {
				t.Fatalf("Authorize: %v", err)
			}
			marker := "e2e-google-" + rand.Text()
			msg := providers.Message{From: user, To: user, Token: marker, Subject: "jobmail " + marker, Body: "e2e"}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			res := prov.Tester(user, g.Refresh, nil).Test(ctx, msg, nil)
			tokens := issued.Tokens()
			secretsSeen := append([]string{g.Refresh.Reveal()}, tokens...)
			if len(secretsSeen) < 3 { // the sign-in's and the test's access tokens
				t.Fatalf("issued tokens = %d", len(secretsSeen)-1)
			}
			noLeak(t, everything(res), secretsSeen...)
			if tt.want == "" {
				if !res.OK() {
					t.Fatalf("test failed: %+v\n%s", res.Diagnosis, strings.Join(res.Transcript, "\n"))
				}
				if len(tokens[len(tokens)-1]) <= 2048 && tt.tokenLen > 2048 {
					t.Fatal("the long token is not long")
				}
				mp.WaitDelivered(t, marker)
				return
			}
			if res.Diagnosis == nil || res.Diagnosis.Code != tt.want {
				t.Fatalf("diagnosis = %+v, want %s\n%s", res.Diagnosis, tt.want, strings.Join(res.Transcript, "\n"))
			}
		})
	}
}
