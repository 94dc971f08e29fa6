package tui

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/jobmail/jobmail/providers/oauth"
	"github.com/jobmail/jobmail/providers/oauth/oauthtest"
	"github.com/jobmail/jobmail/secrets"
	"github.com/jobmail/jobmail/wizard"
	"github.com/jobmail/jobmail/wizard/setupfile"
)

// tracer collects a session's Trace from any goroutine (the UI's and an
// action's); huh may validate one answer twice, which is one answer.
type tracer struct {
	mu sync.Mutex
	ev []string
}

func (tr *tracer) add(e string) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	if n := len(tr.ev); n > 0 && tr.ev[n-1] == e && strings.HasPrefix(e, "answer ") {
		return
	}
	tr.ev = append(tr.ev, e)
}

func (tr *tracer) events() []string {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return slices.Clone(tr.ev)
}

// endRig is one channel's run of all three drivers to the machine's end
// (done or blocked), each on its own copy of one setup file.
type endRig struct {
	cfg   Config
	typed map[string]string // what a person types (the rest is accepted as prefilled)
	// replayEnv resolves the file's secrets for replay: the environment's
	// password, the refresh token the TUI's sign-in stored.
	replayEnv func() *wizard.Env
}

// TestDriversAgreeToTheEnd: the full-screen TUI, the accessible mode and
// replay of a setup file visit the same questions and actions in the same
// order all the way to the machine's end, on every channel, with
// detection off and on (each provider), and end on the same step: done
// after a live test that passed (against in-process SMTP and OAuth
// servers), or blocked on the same code after one that failed. They all
// run wizard.Drive, which traces blocked and done. Interactive and
// headless runs differ by design only where a person is needed (the
// sign-in; headless reads the refresh token the sign-in stored) and in
// port and encryption being one choice interactively, the file's two keys
// headless: norm maps those, nothing else.
func TestDriversAgreeToTheEnd(t *testing.T) {
	type tcase struct{ channel, provider, password string }
	var cases []tcase
	for _, ch := range []string{"platform", "smtp", "google", "microsoft"} {
		for _, p := range []string{"", "other", "google", "microsoft"} {
			cases = append(cases, tcase{ch, p, ""})
		}
	}
	cases = append(cases, tcase{"smtp", "", "wrong"}, tcase{"smtp", "other", "wrong"})
	for _, tc := range cases {
		name := tc.channel + "/detect=" + tc.provider
		if tc.provider == "" {
			name = tc.channel + "/detect=off"
		}
		if tc.password != "" {
			name += "/" + tc.password + "_password"
		}
		t.Run(name, func(t *testing.T) {
			det, _ := testConfig(t, tc.provider)
			r := newEndRig(t, tc.channel, tc.password)
			r.cfg.Detect = det.Detect
			if tc.provider == "" {
				// off: the TUI's lookup finds nothing, replay has no detector
				r.cfg.Detect = func(context.Context, string) (Detection, error) { return Detection{}, nil }
			}
			detector := func() *wizard.Detector {
				if tc.provider == "" {
					return nil
				}
				return (&Model{cfg: r.cfg}).detector()
			}
			body, err := os.ReadFile(r.cfg.SetupPath)
			if err != nil {
				t.Fatal(err)
			}

			tuiPath := r.fullScreen(t, copyTo(t, r.cfg, "tui.yaml", body))
			last := tuiPath[len(tuiPath)-1]
			switch {
			case tc.password != "" && !strings.HasPrefix(last, "blocked "):
				t.Fatalf("a wrong password did not block the TUI: %v", tuiPath)
			case tc.password == "" && last != "done":
				t.Fatalf("the TUI did not end done: %v", tuiPath)
			case tuiPath[0] != "action detect":
				t.Errorf("the TUI's path does not start with the machine's detection: %v", tuiPath)
			}

			acc := r.accessible(t, copyTo(t, r.cfg, "accessible.yaml", body), tuiPath)
			if !slices.Equal(tuiPath, acc) {
				t.Errorf("the TUI and the accessible mode part ways:\n  tui:        %v\n  accessible: %v", tuiPath, acc)
			}

			rcfg := copyTo(t, r.cfg, "replay.yaml", body)
			l, err := setupfile.Load(rcfg.SetupPath, setupfile.LoadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			var tr tracer
			env := r.replayEnv()
			env.Detect, env.Trace = detector(), tr.add
			_, st, err := wizard.ReplayMailbox(t.Context(), env, l.Setup, l.Setup.Effective()[0], rcfg.SetupPath, nil)
			if err != nil {
				t.Fatalf("replay: %v (step %+v)", err, st)
			}
			if want, got := norm(tuiPath, true), norm(tr.events(), false); !slices.Equal(want, got) {
				t.Errorf("the TUI and replay part ways:\n  tui:    %v\n  replay: %v", want, got)
			}
		})
	}
}

// norm maps a trace to what interactive and headless runs share: the one
// port-and-encryption choice is the file's two keys; the sign-in (a
// person's) and reading the token it stored (headless) are dropped.
func norm(ev []string, interactive bool) []string {
	var out []string
	for _, e := range ev {
		switch {
		case interactive && e == "action "+string(wizard.ActionAuthorize):
		case !interactive && strings.HasSuffix(e, ".refresh_token"):
		case interactive && strings.HasSuffix(e, ".smtp.transport"):
			k := strings.TrimSuffix(e, ".smtp.transport")
			out = append(out, k+".smtp.security", k+".smtp.port")
		default:
			out = append(out, e)
		}
	}
	return out
}

// copyTo gives cfg its own setup file (name, beside the others, so the
// file's relative CA path holds) holding body.
func copyTo(t *testing.T, cfg Config, name string, body []byte) Config {
	t.Helper()
	if err := os.WriteFile(name, body, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg.SetupPath = name
	return cfg
}

// newEndRig writes channel's setup file against in-process servers: the
// SMTP server (the file's password env:JOBMAIL_TEST_PW; password "wrong"
// types and exports a wrong one) or the OAuth authorization server and
// its XOAUTH2 mail server (signing in through a loopback browser).
func newEndRig(t *testing.T, channel, password string) *endRig {
	t.Helper()
	switch channel {
	case "google", "microsoft":
		o := prepareOAuth(t, channel, oauth.ModeLoopback, &oauthtest.Browser{}, oauthtest.Options{})
		return &endRig{cfg: o.cfg, typed: map[string]string{}, replayEnv: func() *wizard.Env {
			env, auth := *o.cfg.Env, *o.cfg.Env.OAuth.(*wizard.OAuth)
			auth.Secrets, auth.Store = &secrets.Resolver{Store: o.store}, o.store
			env.OAuth = &auth
			return &env
		}}
	}
	cfg, _ := testConfig(t, "")
	body := "version: 1\nplatform:\n  account: acme\ncompany:\n  address: jobs@acme.test\n  channel: platform\n"
	pw := "s3cret-pass"
	if channel == "smtp" {
		srv := startMailServer(t, "jobs@acme.test", pw)
		body = fmt.Sprintf("version: 1\nplatform:\n  account: acme\ncompany:\n  address: jobs@acme.test\n  channel: smtp\n"+
			"  smtp:\n    host: 127.0.0.1\n    port: %d\n    security: starttls\n    ca_file: %s\n    password: env:JOBMAIL_TEST_PW\n",
			srv.addr.Port, srv.caFile)
	}
	if password != "" {
		pw = password
	}
	if err := os.WriteFile(cfg.SetupPath, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return &endRig{cfg: cfg, typed: map[string]string{"company.smtp.password": pw}, replayEnv: func() *wizard.Env {
		env := *cfg.Env
		env.Secrets = &secrets.Resolver{LookupEnv: func(k string) (string, bool) { return pw, k == "JOBMAIL_TEST_PW" }}
		return &env
	}}
}

// ends says whether a trace reached the machine's end.
func ends(ev []string) bool {
	return len(ev) > 0 && (ev[len(ev)-1] == "done" || strings.HasPrefix(ev[len(ev)-1], "blocked "))
}

// fullScreen runs the full-screen TUI on cfg, each question accepted as
// prefilled or typed, and returns its trace up to the machine's end
// (after a done, it finishes).
func (r *endRig) fullScreen(t *testing.T, cfg Config) []string {
	t.Helper()
	var tr tracer
	h := start(t, cfg, nil, func(m *Model) { m.s.Trace = tr.add })
	seen := map[string]bool{}
	for range 60 {
		s := h.waitFor("a question or the end", func(s snapshot) bool {
			return s.mode == modeQuestion && !seen[s.key] || ends(tr.events())
		})
		if ends(tr.events()) {
			break
		}
		seen[s.key] = true
		if v, ok := r.typed[s.key]; ok {
			h.answer(s.key, v)
		} else {
			h.enter()
		}
	}
	ev := tr.events()
	if ev[len(ev)-1] == "done" {
		// Finish: the commit stores what a headless run reads (the
		// refresh token)
		h.waitFor("the done menu", func(s snapshot) bool { return s.mode == modeDone })
		h.enter()
		if res := h.final().Result(); res.Outcome != OutcomeDone {
			t.Fatalf("the TUI's finish: %+v", res)
		}
	}
	return ev
}

// accessible runs the accessible mode on cfg with one piped line per
// answer of path (typed, or Enter for the prefill) and returns its trace
// up to the machine's end, where the run is stopped.
func (r *endRig) accessible(t *testing.T, cfg Config, path []string) []string {
	t.Helper()
	var in strings.Builder
	for _, e := range path {
		if k, ok := strings.CutPrefix(e, "answer "); ok {
			in.WriteString(r.typed[k] + "\n")
		}
	}
	cfg.In, cfg.Out, cfg.Environ = strings.NewReader(in.String()), &lockedBuffer{}, []string{"TERM=dumb"}
	ctx, stop := context.WithCancel(t.Context())
	defer stop()
	setup, _, note := LoadForResume(cfg)
	a := newAccessible(ctx, cfg, setup, note)
	var tr tracer
	a.s.Trace = func(e string) {
		tr.add(e)
		if ends([]string{e}) {
			stop() // the machine's end ends the comparison: the run quits
		}
	}
	a.run(nil)
	return tr.events()
}
