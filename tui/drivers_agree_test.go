package tui

import (
	"context"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/jobmail/jobmail/wizard"
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

// untilLive is the trace up to and including the first live step (the
// test or the sign-in), where the drivers' paths end being the machine's.
func untilLive(ev []string) []string {
	for i, e := range ev {
		if e == "action test" || e == "action authorize" {
			return ev[:i+1]
		}
	}
	return ev
}

func isLive(ev []string) bool {
	return slices.Contains(ev, "action test") || slices.Contains(ev, "action authorize")
}

// untilCheck is the trace up to and including the prerequisite check.
func untilCheck(ev []string) []string {
	for i, e := range ev {
		if e == "action check" {
			return ev[:i+1]
		}
	}
	return ev
}

var agreeSetups = map[string]string{
	"platform": "company:\n  address: jobs@acme.test\n  channel: platform\n",
	"smtp": "company:\n  address: jobs@acme.test\n  channel: smtp\n  smtp:\n    host: 127.0.0.1\n    port: 1\n" +
		"    security: starttls\n    password: env:JOBMAIL_TEST_PW\n",
	"google":    "company:\n  address: jobs@acme.test\n  channel: google\n  google:\n    client_id: 1-x.apps.googleusercontent.com\n",
	"microsoft": "company:\n  address: jobs@acme.test\n  channel: microsoft\n  microsoft:\n    client_id: 4b0db8c2-9f26-4417-8bde-3f0e3656f8e0\n",
}

// TestDriversTakeTheMachinesPath: for the same answers (a setup file's,
// each question accepted as the machine prefills it, the password typed),
// the full-screen TUI and the in-line drivers (the accessible mode's
// loop, and replay) visit the same questions and actions in the same
// order, on every channel, with detection on (a provider found by MX) and
// off. Interactive and headless runs differ by design only in what needs
// a person: the sign-in (interactive) and the stored refresh token
// (headless), so replay is compared up to the prerequisite check; and
// port and encryption are one choice interactively, the file's two keys
// headless.
func TestDriversTakeTheMachinesPath(t *testing.T) {
	for _, channel := range []string{"platform", "smtp", "google", "microsoft"} {
		for _, provider := range []string{"", "other", "google", "microsoft"} {
			name := channel + "/detect=" + provider
			if provider == "" {
				name = channel + "/detect=off"
			}
			t.Run(name, func(t *testing.T) {
				cfg, store := testConfig(t, provider)
				if provider == "" {
					cfg.Detect = nil
					cfg.Env.Detect = nil
				}
				body := "version: 1\nplatform:\n  account: acme\n" + agreeSetups[channel]
				if err := os.WriteFile(cfg.SetupPath, []byte(body), 0o600); err != nil {
					t.Fatal(err)
				}
				detector := func() *wizard.Detector {
					if provider == "" {
						return nil // detection off
					}
					m := &Model{cfg: cfg}
					return m.detector()
				}
				if provider == "" {
					// the TUI always looks the provider up: off is a lookup
					// that finds nothing, as replay's absent detector does
					cfg.Detect = func(context.Context, string) (Detection, error) { return Detection{}, nil }
				}
				typed := map[string]string{"company.smtp.password": "s3cret"}

				// the full-screen TUI, keys in: each question accepted as
				// prefilled, the password typed
				var tui tracer
				h := start(t, cfg, store, func(m *Model) { m.s.Trace = tui.add })
				live := func() bool { return len(untilLive(tui.events())) < len(tui.events()) || isLive(tui.events()) }
				seen := map[string]bool{}
				for range 60 {
					s := h.waitFor("a question or the live step", func(s snapshot) bool {
						return s.mode == modeQuestion && !seen[s.key] || s.mode == modeBlocked || s.mode == modeDone || live()
					})
					if live() || s.mode != modeQuestion {
						break
					}
					seen[s.key] = true
					if v, ok := typed[s.key]; ok {
						h.answer(s.key, v)
					} else {
						h.enter()
					}
				}
				tuiPath := untilLive(tui.events())

				// the in-line loop of the accessible mode: Next, answer
				// with the prefill, run the action
				setup, _, _ := LoadForResume(cfg)
				s := wizard.NewSession(setup, true)
				var inline tracer
				s.Trace = inline.add
				env := &wizard.Env{Detect: detector()}
				for range 60 {
					st := s.Next()
					if q := st.Question; q != nil {
						v, ok := typed[q.Key]
						if !ok {
							v = q.Value
						}
						if err := s.Answer(q.Key, v); err != nil {
							t.Fatalf("answer %s=%q: %v", q.Key, v, err)
						}
						continue
					}
					if a := st.Action; a != nil && (a.Kind == wizard.ActionTest || a.Kind == wizard.ActionAuthorize) {
						inline.add("action " + string(a.Kind))
					}
					if st.Action == nil || isLive(inline.events()) {
						break
					}
					if err := env.Run(t.Context(), s, *st.Action, nil); err != nil {
						t.Fatal(err)
					}
				}
				if got := inline.events(); !slices.Equal(tuiPath, got) {
					t.Errorf("the TUI and the in-line driver part ways:\n  tui:    %v\n  inline: %v", tuiPath, got)
				}

				// the accessible mode's own driver on the same file and
				// configuration, its answers piped in: Enter (the prefill)
				// for each question the machine asked, the password typed
				if got := accessiblePath(t, cfg, tuiPath, typed); !slices.Equal(tuiPath, got) {
					t.Errorf("the TUI and the accessible mode part ways:\n  tui:        %v\n  accessible: %v", tuiPath, got)
				}

				// replay (headless) of the same file, up to the check
				rsetup, _, _ := LoadForResume(cfg)
				var replay tracer
				t.Setenv("JOBMAIL_TEST_PW", "s3cret")
				_, _, _ = wizard.ReplayMailbox(t.Context(), &wizard.Env{Detect: detector(), Trace: replay.add}, rsetup,
					rsetup.Effective()[0], cfg.SetupPath, nil)
				var got []string
				for _, e := range untilCheck(replay.events()) {
					if !strings.HasSuffix(e, ".refresh_token") { // headless only: the stored token
						got = append(got, e)
					}
				}
				var want []string
				for _, e := range untilCheck(tuiPath) {
					if k, ok := strings.CutSuffix(e, ".smtp.transport"); ok {
						// one choice interactively, the file's two keys headless
						want = append(want, k+".smtp.security", k+".smtp.port")
						continue
					}
					want = append(want, e)
				}
				if !slices.Equal(want, got) {
					t.Errorf("the TUI and replay part ways:\n  tui:    %v\n  replay: %v", want, got)
				}
				if len(tuiPath) < 3 || tuiPath[0] != "action detect" {
					t.Errorf("the TUI's path does not start with the machine's detection: %v", tuiPath)
				}
			})
		}
	}
}

// accessiblePath runs the accessible mode on cfg's setup file with one
// piped line per answer of path (typed[key] or Enter for the prefill) and
// returns its trace up to the first live step, where the run is stopped.
func accessiblePath(t *testing.T, cfg Config, path []string, typed map[string]string) []string {
	t.Helper()
	var in strings.Builder
	for _, e := range path {
		if k, ok := strings.CutPrefix(e, "answer "); ok {
			in.WriteString(typed[k] + "\n")
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
		if isLive([]string{e}) {
			stop() // the live step ends the comparison: the run quits
		}
	}
	a.run(nil)
	return untilLive(tr.events())
}
