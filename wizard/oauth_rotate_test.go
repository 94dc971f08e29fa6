package wizard

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/providers/microsoft"
	"github.com/jobmail/jobmail/providers/oauth"
	"github.com/jobmail/jobmail/providers/oauth/oauthtest"
	"github.com/jobmail/jobmail/secrets"
	"github.com/jobmail/jobmail/secrets/secretstest"
	"github.com/jobmail/jobmail/wizard/setupfile"
)

// TestRotatedRefreshTokenKept: whatever the reference, the token the
// server rotated in is kept before the mail server is contacted (here it
// refuses the connection): the keyring entry, the file: (0600), or, for
// env:, the keyring plus a warning; the spent env: value is refused on
// the next run without reaching the authorization server.
func TestRotatedRefreshTokenKept(t *testing.T) {
	const addr = "jobs@example.test"
	for _, kind := range []string{"keyring", "file", "env"} {
		t.Run(kind, func(t *testing.T) {
			auth := oauthtest.New(t, oauthtest.Options{Account: addr, Rotate: true})
			prov, err := microsoft.New(microsoft.Config{ClientID: auth.ClientID(), Tenant: "example.test", AuthorityURL: auth.URL})
			if err != nil {
				t.Fatal(err)
			}
			g, err := prov.Authorize(context.Background(), oauth.ModeLoopback, addr, &oauthtest.Browser{}, nopPrompter{})
			if err != nil {
				t.Fatal(err)
			}
			ln, _ := net.Listen("tcp", "127.0.0.1:0")
			port := ln.Addr().(*net.TCPAddr).Port
			ln.Close()
			dir := t.TempDir()
			store := secretstest.NewMemStore(nil)
			acct := microsoft.KeyringAccount(addr)
			environ := map[string]string{}
			ref := "keyring"
			switch kind {
			case "keyring":
				store.Put(acct, g.Refresh.Reveal())
			case "file":
				ref = "file:" + filepath.Join(dir, "rt")
				if err := os.WriteFile(filepath.Join(dir, "rt"), []byte(g.Refresh.Reveal()+"\n"), 0o600); err != nil {
					t.Fatal(err)
				}
			case "env":
				ref = "env:RT"
				environ["RT"] = g.Refresh.Reveal()
			}
			setup := &setupfile.Setup{Version: 1, Company: setupfile.Mailbox{Address: addr, Channel: "microsoft", Microsoft: &setupfile.Microsoft{
				ClientID: auth.ClientID(), Tenant: "example.test", AuthorityURL: auth.URL, RefreshToken: ref,
				SMTPHost: "127.0.0.1", SMTPPort: port}}}
			resolver := &secrets.Resolver{Store: store, LookupEnv: func(k string) (string, bool) { v, ok := environ[k]; return v, ok }}
			o := &OAuth{Secrets: resolver, Store: store}
			run := func() (*Session, providers.Result) {
				s := NewSession(setup, false)
				tester, err := o.Tester(context.Background(), s)
				if err != nil {
					t.Fatal(err)
				}
				return s, tester.Test(context.Background(), providers.Message{From: addr, To: addr, Token: "x", Subject: "x", Body: "x"}, nil)
			}
			s, res := run()
			if res.Diagnosis == nil || res.Diagnosis.Code != providers.CodeNetRefused {
				t.Fatalf("want the mail server's refusal after the refresh, got %+v", res.Diagnosis)
			}
			var kept string
			switch kind {
			case "keyring", "env":
				kept, _ = store.Value(acct)
			case "file":
				b, _ := os.ReadFile(filepath.Join(dir, "rt"))
				kept = strings.TrimSuffix(string(b), "\n")
				if fi, _ := os.Stat(filepath.Join(dir, "rt")); fi.Mode().Perm() != 0o600 {
					t.Fatalf("token file mode %v", fi.Mode().Perm())
				}
			}
			if kept == "" || kept == g.Refresh.Reveal() || !auth.ValidRefresh(kept) {
				t.Fatalf("rotated token not kept (%d bytes)", len(kept))
			}
			if kind != "env" {
				if len(s.Warnings) != 0 {
					t.Fatalf("warnings %+v", s.Warnings)
				}
				return
			}
			if len(s.Warnings) != 1 || s.Warnings[0].Diagnosis.Code != providers.CodeOAuthRefreshSpent ||
				s.Warnings[0].Diagnosis.Args["state"] != "moved" || s.Warnings[0].Key != "company.microsoft.refresh_token" {
				t.Fatalf("env: warnings %+v", s.Warnings)
			}
			for _, w := range s.Warnings {
				for _, v := range w.Diagnosis.Args {
					if strings.Contains(v, kept) || strings.Contains(v, g.Refresh.Reveal()) {
						t.Fatal("a token leaked into the warning")
					}
				}
			}
			before := auth.Stats().Refreshes
			_, res = run()
			if res.Diagnosis == nil || res.Diagnosis.Code != providers.CodeOAuthRefreshSpent || res.Diagnosis.Args["state"] != "spent" {
				t.Fatalf("second run: %+v", res.Diagnosis)
			}
			if auth.Stats().Refreshes != before || !auth.ValidRefresh(kept) {
				t.Fatal("the spent token was presented again")
			}
			store.SetUnavailable(true)
			environ["RT"] = kept
			s, _ = run()
			if len(s.Warnings) != 1 || s.Warnings[0].Diagnosis.Args["state"] != "lost" {
				t.Fatalf("keyring unavailable: %+v", s.Warnings)
			}
		})
	}
}

type nopPrompter struct{}

func (nopPrompter) Notify(oauth.Event) {}
func (nopPrompter) ReadRedirect(ctx context.Context) (string, error) {
	<-ctx.Done()
	return "", ctx.Err()
}
