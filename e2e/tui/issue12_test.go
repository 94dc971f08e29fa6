package tui_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aymanbagabas/go-udiff"

	"github.com/jobmail/jobmail/e2e/e2eenv"
	"github.com/jobmail/jobmail/tui/i18n"
)

var update = flag.Bool("update", false, "rewrite the golden screens in testdata/")

// smtpJourney is the SMTP path against mailpeer in one language: the titles
// it waits for come from that language's catalogue.
type smtpJourney struct {
	r    *run
	p    *pane
	w    *i18n.Localizer
	args map[string]string
	pid  string // file the wizard's process id is written to
	// shot, if set, keeps a golden screen of the questions on the way
	// (the suggested platform account, the host, the one
	// port-and-encryption choice, the user name prefilled with the address)
	shot func(screen, file string)
}

// startJourney runs the wizard in a w×h pane in lang, with mailpeer's CA
// file copied beside the setup file (a short relative path keeps the
// screens the same on every machine); env is added to the pane's.
func startSMTPJourney(t *testing.T, lang i18n.Lang, w, h int, env ...string) *smtpJourney {
	t.Helper()
	r := newRun(t)
	r.env = append(r.env, env...)
	ca, err := os.ReadFile(r.mp.Get("MAILPEER_CA_FILE", ""))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(r.dir, "ca.crt"), ca, 0o600); err != nil {
		t.Fatal(err)
	}
	pid := filepath.Join(t.TempDir(), "pid")
	cmd := fmt.Sprintf(`sh -c 'echo $$ >"$0"; exec "$@"' %s %s --lang %s`, pid, r.bin, lang)
	p := startPaneSized(t, r.dir, r.env, cmd, w, h)
	return &smtpJourney{r: r, p: p, w: i18n.New(lang), pid: pid,
		args: map[string]string{"platform": "Personio", "address": r.user, "domain": "example.test"}}
}

func (j *smtpJourney) t(id string) string { return j.w.T(id, j.args) }

// prefix is the first n runes of s: a fragment that fits on one line.
func prefix(s string, n int) string {
	r := []rune(s)
	return string(r[:min(n, len(r))])
}

// upToPrerequisites answers steps 1–3 up to the prerequisites: the
// company address, the platform account, SMTP on mailpeer's submission
// port with STARTTLS and the copied CA file.
func (j *smtpJourney) upToPrerequisites(password string) {
	p := j.p
	p.answer(j.t("question.address.title"), j.r.user)
	p.waitFor(10*time.Second, "┃ "+j.t("question.platform.account.title"))
	j.keep("question_platform_account")
	p.send("C-u") // suggested from the address's domain
	p.answer(j.t("question.platform.account.title"), "acme")
	p.answer(j.t("question.sender_name.title"), "")
	p.answer(j.t("question.forwarding.title"), "")
	p.waitFor(10*time.Second, "┃ "+j.t("question.channel.title"))
	p.waitFor(5*time.Second, prefix(j.t("tui.detect.found.unknown"), 25), prefix(j.t("tui.detect.found.other"), 25))
	p.choose(j.t("channel.smtp"))
	p.waitFor(10*time.Second, "┃ "+j.t("question.smtp.host.title"))
	if j.shot != nil { // the screen once the search for the server has ended
		p.waitFor(15*time.Second, prefix(j.t("tui.discover.none"), 20), prefix(j.t("tui.discover.found"), 15))
	}
	j.keep("question_host")
	p.answer(j.t("question.smtp.host.title"), j.r.mp.Get("MAILPEER_SERVER_NAME", "localhost"))
	p.waitFor(10*time.Second, "┃ "+j.t("question.smtp.transport.title"))
	j.keep("question_transport")
	p.choose(j.t("option.smtp.transport.other"))
	p.answer(j.t("question.smtp.security.title"), "")
	p.waitFor(10*time.Second, "┃ "+j.t("question.smtp.port.title")+"\n")
	p.send("C-u") // a text field prefilled with the encryption's usual port
	p.answer(j.t("question.smtp.port.title"), j.r.mp.Get("MAILPEER_SUBMISSION_PORT", "12587"))
	p.waitFor(10*time.Second, "┃ "+j.t("question.smtp.username.title"))
	j.keep("question_username") // prefilled with the address
	p.answer(j.t("question.smtp.username.title"), "")
	p.answer(j.t("question.smtp.password.title"), password)
	p.answer(j.t("question.smtp.ca_file.title"), "ca.crt")
}

// keep hands the settled screen to j.shot, if set.
func (j *smtpJourney) keep(file string) {
	if j.shot != nil {
		j.shot(j.p.settled(), file)
	}
}

// settled is the screen once two captures 150 ms apart agree: a frame
// still being drawn is not kept as a golden.
func (p *pane) settled() string {
	p.t.Helper()
	s := p.screen()
	for range 20 {
		time.Sleep(150 * time.Millisecond)
		n := p.screen()
		if n == s {
			return s
		}
		s = n
	}
	p.t.Fatalf("the screen does not settle:\n%s", s)
	return ""
}

// pid is the wizard's process id.
func (j *smtpJourney) processID() int {
	j.r.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		b, err := os.ReadFile(j.pid)
		if n, perr := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && perr == nil {
			return n
		}
		if time.Now().After(deadline) {
			j.r.t.Fatalf("no process id in %s", j.pid)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// acceptUntil submits every question as prefilled until the screen shows
// one of texts; onForm sees each new question's screen first.
func (p *pane) acceptUntil(timeout time.Duration, onForm func(screen string), texts ...string) string {
	p.t.Helper()
	deadline := time.Now().Add(timeout)
	last := ""
	for {
		s := p.screen()
		for _, t := range texts {
			if strings.Contains(s, t) {
				return t
			}
		}
		if f := firstFieldLine(s); f != "" && f != last {
			time.Sleep(150 * time.Millisecond) // let the frame settle before reading it
			if s = p.screen(); firstFieldLine(s) == f && !slices.ContainsFunc(texts, func(t string) bool { return strings.Contains(s, t) }) {
				if onForm != nil {
					onForm(s)
				}
				last = f
				p.send("Enter")
			}
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("waiting for %q; screen:\n%s", texts, s)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestWizardSignals: closing the terminal window (SIGHUP to the whole
// session), SIGHUP, SIGTERM and ctrl+c → Quit in the middle of the
// prerequisites each leave a setup file holding every answer given —
// address, account, server, port, encryption, CA file, where to resume —
// and never the password; the wizard says where the progress is.
func TestWizardSignals(t *testing.T) {
	tests := []struct {
		name   string
		end    func(j *smtpJourney, pid int)
		closed bool // the pane is gone: nothing to read on it
	}{
		{"SIGHUP", func(_ *smtpJourney, pid int) { _ = syscall.Kill(pid, syscall.SIGHUP) }, false},
		{"SIGTERM", func(_ *smtpJourney, pid int) { _ = syscall.Kill(pid, syscall.SIGTERM) }, false},
		{"ctrl+c then Quit", func(j *smtpJourney, _ int) {
			j.p.send("C-c")
			j.p.waitFor(10*time.Second, j.t("tui.quit.title"))
			j.p.send("Enter") // "Quit" is the default
		}, false},
		{"window closed", func(j *smtpJourney, _ int) { j.p.tmux("kill-server") }, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			j := startSMTPJourney(t, i18n.English, 80, 24)
			j.upToPrerequisites(j.r.pass)
			j.p.waitFor(10*time.Second, "┃ "+prefix(j.t("check.not_shared_mailbox.question"), 20))
			pid := j.processID()
			tc.end(j, pid)
			if tc.closed {
				deadline := time.Now().Add(15 * time.Second)
				for syscall.Kill(pid, 0) == nil {
					if time.Now().After(deadline) {
						t.Fatal("the wizard outlived its terminal window")
					}
					time.Sleep(50 * time.Millisecond)
				}
			} else {
				j.p.waitFor(15*time.Second, "EXIT=130")
				saved := j.w.T("tui.summary.progress", map[string]string{"setup": filepath.Join(j.r.dir, "jobmail.yaml")})
				if s := j.p.tmux("capture-pane", "-p", "-J", "-t", j.p.name); !strings.Contains(s, saved) {
					t.Errorf("the normal screen lacks %q:\n%s", saved, s)
				}
			}
			b, err := os.ReadFile(filepath.Join(j.r.dir, "jobmail.yaml"))
			if err != nil {
				t.Fatalf("no setup file after %s: %v", tc.name, err)
			}
			for _, want := range []string{"address: " + j.r.user, "account: acme", "channel: smtp",
				"host: " + j.r.mp.Get("MAILPEER_SERVER_NAME", "localhost"),
				"port: " + j.r.mp.Get("MAILPEER_SUBMISSION_PORT", "12587"), "security: starttls",
				"ca_file: ca.crt", "progress:", "step: prerequisites"} {
				if !strings.Contains(string(b), want) {
					t.Errorf("setup file after %s lacks %q:\n%s", tc.name, want, b)
				}
			}
			if strings.Contains(string(b), j.r.pass) {
				t.Fatalf("the password reached the setup file after %s", tc.name)
			}
		})
	}
}

// TestAccessibleHangup: in accessible mode (plain prompts, the terminal
// in cooked mode) closing the window saves the answers given, too.
func TestAccessibleHangup(t *testing.T) {
	r := newRun(t)
	pid := filepath.Join(t.TempDir(), "pid")
	p := startPane(t, r.dir, r.env, fmt.Sprintf(`sh -c 'echo $$ >"$0"; exec "$@"' %s %s --accessible`, pid, r.bin))
	w := i18n.New(i18n.English)
	args := map[string]string{"platform": "Personio"}
	p.waitFor(10*time.Second, w.T("question.address.title", args))
	p.text(r.user)
	p.send("Enter")
	p.waitFor(10*time.Second, w.T("question.platform.account.title", args)+" [")
	j := &smtpJourney{r: r, p: p, w: w, pid: pid}
	id := j.processID()
	p.tmux("kill-server")
	deadline := time.Now().Add(15 * time.Second)
	for syscall.Kill(id, 0) == nil {
		if time.Now().After(deadline) {
			t.Fatal("the wizard outlived its terminal window")
		}
		time.Sleep(50 * time.Millisecond)
	}
	b, err := os.ReadFile(filepath.Join(r.dir, "jobmail.yaml"))
	if err != nil {
		t.Fatalf("no setup file after the window closed: %v", err)
	}
	for _, want := range []string{"address: " + r.user, "progress:", "field: platform.account"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("setup file lacks %q:\n%s", want, b)
		}
	}
}

// TestWizardGoldenScreens runs the SMTP smtpJourney against mailpeer at 80×24
// and 60×20 in English and German: a wrong password first (the server's
// reply is shown whole), then the right one. Golden screens
// (testdata/TestWizardGoldenScreens/<lang>_<size>/; -update rewrites
// them): the questions item 6 shortens (the platform account suggested
// from the domain, the host, the one port-and-encryption choice, the user
// name prefilled with the address), the
// IP-allowlist prerequisite (the IP list wraps whole) and the last
// prerequisite with every mark above it (item 8), the diagnosis with the
// server's reply uncut (items 5, 7; timings masked), the password asked
// alone after "change the password" (item 4, nothing else asked before
// the re-test), the top of the done screen (the headline, the stages on
// success; items 1, 6) and its end (what localhost with a private CA does not
// prove, the next steps) and the summary left on the normal screen after
// Finish (absolute paths, the limits, the verification code, the steps).
func TestWizardGoldenScreens(t *testing.T) {
	e2eenv.RequireKeyring(t)
	for _, lang := range []i18n.Lang{i18n.English, i18n.German} {
		for _, size := range [][2]int{{80, 24}, {60, 20}} {
			name := fmt.Sprintf("%s_%dx%d", lang, size[0], size[1])
			t.Run(name, func(t *testing.T) {
				j := startSMTPJourney(t, lang, size[0], size[1])
				golden := func(screen, file string) {
					t.Helper()
					requireScreen(t, filepath.Join("testdata", "TestWizardGoldenScreens", name, file+".golden"), j.normalize(screen))
				}
				j.shot = golden
				p := j.p
				j.upToPrerequisites("not-" + j.r.pass)
				allowlist := "> " + j.t("option.prerequisites.ip_allowlist.true")
				apps := "┃ " + prefix(j.t("check.external_apps_allowed.question"), 30)
				diag := j.t("diag.auth.rejected.title")
				p.acceptUntil(30*time.Second, func(s string) {
					switch {
					case strings.Contains(s, allowlist):
						golden(s, "prerequisite_allowlist")
					case strings.Contains(s, apps): // the last one: every mark above it
						golden(s, "prerequisite_external_apps")
					}
				}, diag)
				// the server's reply, whole: no line of it is cut
				s := p.settled()
				golden(oneStageLine(s), "diagnosis")
				reply := regexp.MustCompile(`(?m)^ *535 .*$`).FindString(s)
				if reply == "" {
					t.Fatalf("no 535 reply on the diagnosis:\n%s", s)
				}
				for _, l := range strings.Split(s, "\n") {
					if strings.HasSuffix(strings.TrimSpace(l), "…") {
						t.Errorf("a line of the diagnosis is cut: %q\n%s", l, s)
					}
				}
				p.send("Enter") // change the password: the first choice
				p.waitFor(10*time.Second, "┃ "+j.t("question.smtp.password.title"))
				golden(p.settled(), "fix_password")
				p.answer(j.t("question.smtp.password.title"), j.r.pass)
				done := prefix(j.t("tui.done.title.this_machine_only"), 20)
				// the fix keeps the rest: nothing but the password is asked again
				p.acceptUntil(40*time.Second, func(s string) {
					t.Errorf("after the password, the re-test asks again %q:\n%s", firstFieldLine(s), s)
				}, done)
				// the top of the done screen: the headline that says what was
				// proven (item 1) and the stages with their timings (item 6)
				golden(upToStages(p.settled()), "done_top")
				above := prefix(j.t("tui.key.more_above"), 12)
				for range 8 {
					if strings.Contains(p.screen(), above) {
						break
					}
					p.send("PageDown")
					time.Sleep(200 * time.Millisecond)
				}
				p.waitFor(5*time.Second, above)
				golden(p.screen(), "done_end")
				p.send("Enter") // Finish
				p.waitFor(15*time.Second, "EXIT=0")
				golden(p.tmux("capture-pane", "-p", "-J", "-S", "-", "-t", p.name), "summary") // with the scrollback
			})
		}
	}
}

var (
	tokenRe = regexp.MustCompile(`jm-[A-Za-z0-9_-]{10,}`)
	// a stage's time as i18n's Duration writes it: "<1 ms", "12 ms", "1.2 s", "1,2 s"
	durationRe = regexp.MustCompile(`(<1|\b\d+) ms\b|\b\d+[.,]\d s\b`)
)

// normalize makes a screen the same on every run: the working directory
// the verification code and the stages' timings vary, trailing blanks and
// lines do not count.
func (j *smtpJourney) normalize(screen string) string {
	screen = strings.ReplaceAll(screen, j.r.dir, "$DIR")
	screen = tokenRe.ReplaceAllString(screen, "jm-TOKEN")
	screen = durationRe.ReplaceAllString(screen, "T ms")
	lines := strings.Split(screen, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.TrimRight(strings.Join(lines, "\n"), "\n") + "\n"
}

// oneStageLine joins the diagnosis's stage list ("✓ DNS lookup 3 ms ·
// ✓ Connect …", wrapped where the timings' widths put it) into one line
// and drops the blank lines whose number follows its height, so the
// golden does not depend on how long each stage took.
func oneStageLine(screen string) string {
	lines := strings.Split(screen, "\n")
	for i, l := range lines {
		if (strings.HasPrefix(l, "✓ ") || strings.HasPrefix(l, "✗ ")) && durationRe.MatchString(l) {
			k := i + 1
			for k < len(lines) && strings.TrimSpace(lines[k]) != "" && !strings.HasPrefix(lines[k], "┃") && !strings.HasPrefix(lines[k], "  ↓") {
				k++
			}
			for n := i + 1; n < k; n++ {
				lines[i] += " " + strings.TrimSpace(lines[n])
			}
			lines = slices.Delete(lines, i+1, k)
			break
		}
	}
	lines = slices.DeleteFunc(lines, func(l string) bool { return strings.TrimSpace(l) == "" })
	return strings.Join(lines, "\n")
}

// upToStages is the top of a scrolled screen up to its stage list (joined
// by oneStageLine) and its bottom from the scroll hint on: what lies in
// between depends on how many lines the stages wrapped into (the summary
// golden holds those lines whole).
func upToStages(screen string) string {
	lines := strings.Split(oneStageLine(screen), "\n")
	i := slices.IndexFunc(lines, func(l string) bool { return durationRe.MatchString(l) })
	if i < 0 {
		return strings.Join(lines, "\n")
	}
	if h := slices.IndexFunc(lines[i:], func(l string) bool { return strings.HasPrefix(l, "  ↓") }); h > 1 {
		lines = slices.Delete(lines, i+1, i+h)
	}
	return strings.Join(lines, "\n")
}

// requireScreen compares got with the golden file at path (written
// first with -update).
func requireScreen(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if d := udiff.Unified("golden", "got", string(want), got); d != "" {
		t.Errorf("screen differs from %s:\n%s\ngot:\n%s", path, d, got)
	}
}
