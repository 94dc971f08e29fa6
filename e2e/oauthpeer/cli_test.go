package oauthpeer_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jobmail/jobmail/e2e/e2eenv"
	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/providers/google"
	"github.com/jobmail/jobmail/providers/microsoft"
	"github.com/jobmail/jobmail/providers/oauth"
	"github.com/jobmail/jobmail/secrets"
)

// cli runs the jobmail binary headless against the peers.
type cli struct {
	r   *rig
	bin string
	dir string
}

func newCLI(t *testing.T, r *rig) *cli {
	dir := t.TempDir()
	return &cli{r: r, bin: e2eenv.Binary(t, dir), dir: dir}
}

// setup writes a setup file for shape with the refresh-token reference ref.
func (c *cli) setup(shape, ref string) string {
	c.r.t.Helper()
	p, mp := c.r.peer, c.r.mp
	var b strings.Builder
	b.WriteString("version: 1\nplatform:\n  account: acme\ncompany:\n  address: " + address + "\n  channel: " + shape + "\n")
	b.WriteString("  " + shape + ":\n")
	if shape == "microsoft" {
		b.WriteString("    authority_url: " + p["OAUTHPEER_MS_AUTHORITY"] + "\n    tenant: " + p["OAUTHPEER_MS_TENANT"] +
			"\n    client_id: " + p["OAUTHPEER_MS_CLIENT_ID"] + "\n")
	} else {
		b.WriteString("    auth_url: " + p["OAUTHPEER_GOOGLE_AUTH_URL"] + "\n    token_url: " + p["OAUTHPEER_GOOGLE_TOKEN_URL"] +
			"\n    client_id: " + p["OAUTHPEER_GOOGLE_CLIENT_ID"] + "\n")
	}
	b.WriteString("    refresh_token: " + ref + "\n    smtp_host: " + mp["MAILPEER_HOST"] + "\n    smtp_port: " +
		mp["MAILPEER_SUBMISSION_PORT"] + "\n    ca_file: " + mp["MAILPEER_CA_FILE"] + "\n")
	b.WriteString("  prerequisites:\n    licensed_mailbox: true\n    not_shared_mailbox: true\n")
	path := filepath.Join(c.dir, shape+".yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		c.r.t.Fatal(err)
	}
	return path
}

type cliResult struct {
	code           int
	stdout, stderr string
	json           map[string]any
}

func (c *cli) test(setup string, env ...string) cliResult {
	c.r.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.bin, "test", "--config", setup, "--json")
	cmd.Env = append(append(os.Environ(), "LANG=C", "JOBMAIL_GOOGLE_CLIENT_SECRET="+c.r.peer["OAUTHPEER_GOOGLE_CLIENT_SECRET"]), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	res := cliResult{stdout: out.String(), stderr: errb.String()}
	c.r.seen(res.stdout, res.stderr)
	if b, err := os.ReadFile(setup); err == nil {
		c.r.seen(string(b)) // the setup file holds references, never a token
	}
	if ee, ok := err.(*exec.ExitError); ok {
		res.code = ee.ExitCode()
	} else if err != nil {
		c.r.t.Fatalf("jobmail test: %v", err)
	}
	if err := json.Unmarshal(out.Bytes(), &res.json); err != nil {
		c.r.t.Fatalf("stdout is not JSON: %v\n%s\nstderr: %s", err, res.stdout, res.stderr)
	}
	return res
}

func (res cliResult) diag() (string, map[string]any) {
	d, _ := res.json["diagnosis"].(map[string]any)
	code, _ := d["code"].(string)
	args, _ := d["args"].(map[string]any)
	return code, args
}

func (res cliResult) warning(code string) map[string]any {
	ws, _ := res.json["warnings"].([]any)
	for _, w := range ws {
		if m, _ := w.(map[string]any); m["code"] == code {
			a, _ := m["args"].(map[string]any)
			return a
		}
	}
	return nil
}

// delivered waits for the run's verification token in the Maildir.
func (c *cli) delivered(res cliResult) {
	c.r.t.Helper()
	tok, _ := res.json["verification_token"].(string)
	if res.code != 0 || tok == "" {
		code, args := res.diag()
		c.r.t.Fatalf("run failed: exit %d, %s %v\n%s", res.code, code, args, res.stderr)
	}
	c.r.seen(string(c.r.mp.WaitDelivered(c.r.t, tok)))
}

// firstGrant signs in through the library (scripted browser) for the
// token the setup then references.
func (c *cli) firstGrant(shape string) secrets.Secret {
	c.r.t.Helper()
	for _, sh := range shapes {
		if sh.name == shape {
			g, _, err := c.r.signIn(sh.build(c.r.t, c.r, nil), oauth.ModeLoopback, address, false)
			if err != nil {
				c.r.t.Fatal(err)
			}
			return g.Refresh
		}
	}
	c.r.t.Fatalf("no shape %s", shape)
	return secrets.Secret{}
}

func keyringAccount(shape string) string {
	if shape == "google" {
		return google.KeyringAccount(address)
	}
	return microsoft.KeyringAccount(address)
}

// TestCLIRotationThreeRuns: three consecutive `jobmail test` runs from a
// keyring (Microsoft) and a file: reference (Google) each deliver, each
// stores the rotated token before sending (the keyring entry, the file
// replaced with mode 0600), and the old token is never presented again
// (the peer would revoke the grant: a fourth run would fail).
func TestCLIRotationThreeRuns(t *testing.T) {
	for _, tt := range []struct{ shape, kind string }{{"microsoft", "keyring"}, {"google", "file"}, {"microsoft", "file"}} {
		t.Run(tt.shape+"/"+tt.kind, func(t *testing.T) {
			r := newRig(t)
			c := newCLI(t, r)
			ctx := context.Background()
			current := c.firstGrant(tt.shape)
			var read func() secrets.Secret
			ref := "keyring"
			switch tt.kind {
			case "keyring":
				e2eenv.RequireKeyring(t)
				kr := secrets.NewKeyring()
				acct := keyringAccount(tt.shape)
				if err := kr.Set(ctx, acct, current); err != nil {
					t.Fatalf("keyring: %v", err)
				}
				t.Cleanup(func() { _ = kr.Delete(context.Background(), acct) })
				read = func() secrets.Secret {
					s, err := kr.Get(ctx, acct)
					if err != nil {
						t.Fatal(err)
					}
					return s
				}
			case "file":
				path := filepath.Join(c.dir, "refresh-token")
				if err := os.WriteFile(path, []byte(current.Reveal()+"\n"), 0o600); err != nil {
					t.Fatal(err)
				}
				ref = "file:" + path
				read = func() secrets.Secret {
					fi, err := os.Stat(path)
					if err != nil || fi.Mode().Perm() != 0o600 {
						t.Fatalf("token file: %v, mode %v", err, fi.Mode())
					}
					b, _ := os.ReadFile(path)
					return secrets.New(strings.TrimSuffix(string(b), "\n"))
				}
			}
			setup := c.setup(tt.shape, ref)
			seen := []string{current.Reveal()}
			for run := range 3 {
				res := c.test(setup)
				c.delivered(res)
				now := read()
				r.keep(now)
				if slices.Contains(seen, now.Reveal()) {
					t.Fatalf("run %d: the rotated token was not stored", run)
				}
				seen = append(seen, now.Reveal())
			}
			c.delivered(c.test(setup)) // the grant is intact: nothing old was presented
		})
	}
}

// TestCLIRotationFromEnv: a refresh token from env: cannot be written
// back: the first run still delivers, moves the new token into the keyring
// and warns (oauth.refresh_token_spent, state moved); a second run with the
// same env: value refuses to present it (state spent, nothing sent to the
// peer), and the keyring's token still works.
func TestCLIRotationFromEnv(t *testing.T) {
	e2eenv.RequireKeyring(t)
	r := newRig(t)
	c := newCLI(t, r)
	ctx := context.Background()
	kr := secrets.NewKeyring()
	acct := keyringAccount("microsoft")
	t.Cleanup(func() {
		_ = kr.Delete(context.Background(), acct)
		_ = kr.Delete(context.Background(), acct+"#spent")
	})
	first := c.firstGrant("microsoft")
	env := "JOBMAIL_E2E_MS_REFRESH=" + first.Reveal()
	setup := c.setup("microsoft", "env:JOBMAIL_E2E_MS_REFRESH")

	res := c.test(setup, env)
	c.delivered(res)
	w := res.warning(string(providers.CodeOAuthRefreshSpent))
	if w == nil || w["state"] != "moved" || w["ref"] != "env:JOBMAIL_E2E_MS_REFRESH" || w["key"] != "company.microsoft.refresh_token" {
		t.Fatalf("first run: warning %v in %s", w, res.stdout)
	}
	moved, err := kr.Get(ctx, acct)
	if err != nil || moved.Reveal() == first.Reveal() {
		t.Fatalf("the rotated token is not in the keyring: %v", err)
	}
	r.keep(moved)

	before := r.peer.Count(t, "refreshes")
	res = c.test(setup, env)
	code, args := res.diag()
	if res.code == 0 || code != string(providers.CodeOAuthRefreshSpent) || args["state"] != "spent" {
		t.Fatalf("second run with the spent value: exit %d, %s %v", res.code, code, args)
	}
	if n := r.peer.Count(t, "refreshes") - before; n != 0 {
		t.Fatalf("the spent token was presented to the peer (%d refreshes)", n)
	}
	c.delivered(c.test(c.setup("microsoft", "keyring")))
}

// TestCLIUnreachableAuthority: headless, an identity provider whose port
// is closed is oauth.unreachable naming the host and the stage (refresh),
// actor IT, within the run's timeout; never the mail server's net.refused.
func TestCLIUnreachableAuthority(t *testing.T) {
	r := newRig(t)
	c := newCLI(t, r)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	setup := c.setup("microsoft", "env:JOBMAIL_E2E_MS_REFRESH")
	b, _ := os.ReadFile(setup)
	if err := os.WriteFile(setup, []byte(strings.Replace(string(b), r.peer["OAUTHPEER_MS_AUTHORITY"], "http://"+closed+"/ms", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	res := c.test(setup, "JOBMAIL_E2E_MS_REFRESH=not-sent-anywhere")
	code, args := res.diag()
	d, _ := res.json["diagnosis"].(map[string]any)
	if res.code == 0 || code != string(providers.CodeOAuthUnreachable) || args["host"] != closed || args["stage"] != "refresh" ||
		d["actor"] != string(providers.ActorMailAdmin) {
		t.Fatalf("exit %d, %s %v (%v)", res.code, code, args, d)
	}
	if took := time.Since(start); took > 30*time.Second {
		t.Fatalf("took %v", took)
	}
	// the words name the host and do not blame the typing
	plain := c.plain(setup, "JOBMAIL_E2E_MS_REFRESH=not-sent-anywhere")
	if !strings.Contains(plain, closed) || !strings.Contains(plain, "Sign-in service not reachable") || strings.Contains(plain, "spelling") {
		t.Fatalf("text output:\n%s", plain)
	}
}

// plain runs jobmail test without --json and returns stdout+stderr.
func (c *cli) plain(setup string, env ...string) string {
	cmd := exec.Command(c.bin, "test", "--config", setup)
	cmd.Env = append(append(os.Environ(), "LANG=C"), env...)
	out, _ := cmd.CombinedOutput()
	c.r.seen(string(out))
	return string(out)
}
