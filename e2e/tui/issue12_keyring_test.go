package tui_test

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jobmail/jobmail/secrets/leaktest"
	"github.com/jobmail/jobmail/tui/i18n"
)

// TestWizardKeyringMissing runs the SMTP journey against mailpeer with no
// Secret Service reachable (the pane's D-Bus session bus is a socket path
// that does not exist), in English and German at 80×24 and 60×20 (issue 12
// item 2). After the passed test the keyring screen says first that the
// test passed and nothing was written yet, then the refusal, then the ways
// on (retry, env:, file:) each with its command: golden screens in
// testdata/TestWizardKeyringMissing/<lang>_<size>/ (-update rewrites
// them): keyring.golden, its top, the passed paragraph joined into one
// line so the golden does not follow the test's duration. Scrolled with
// pgdn to its end, the screen gives every way's command after the
// heading of the ways (pgdn skips no line). Choosing the env: way ends the run, and no file written
// under HOME holds the password in any form leaktest finds.
func TestWizardKeyringMissing(t *testing.T) {
	for _, lang := range []i18n.Lang{i18n.English, i18n.German} {
		for _, size := range [][2]int{{80, 24}, {60, 20}} {
			name := fmt.Sprintf("%s_%dx%d", lang, size[0], size[1])
			t.Run(name, func(t *testing.T) {
				j := startSMTPJourney(t, lang, size[0], size[1], "DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent/jobmail-e2e-bus")
				p := j.p
				j.upToPrerequisites(j.r.pass)
				refused := j.t("diag.secrets.keyring_unavailable.title")
				done := prefix(j.t("tui.done.title.this_machine_only"), 20)
				if got := p.acceptUntil(60*time.Second, nil, refused, done); got != refused {
					t.Fatalf("with no Secret Service the wizard did not stop at the keyring:\n%s", p.screen())
				}
				s := p.settled()
				requireScreen(t, filepath.Join("testdata", "TestWizardKeyringMissing", name, "keyring.golden"), j.normalize(oneStageLine(s)))
				// the passed test first, then the refusal
				passed := strings.Index(s, "✓ "+prefix(j.t("tui.keyring.passed"), 15))
				bad := strings.Index(s, "✗ "+refused)
				if passed < 0 || bad < 0 || passed > bad {
					t.Errorf("the keyring screen does not say first that the test passed (%d), then the refusal (%d):\n%s", passed, bad, s)
				}
				// then the ways on, each with its command: scrolled to the end
				seen := s
				end := prefix(j.t("tui.key.more_above"), 12)
				for range 8 {
					if strings.Contains(p.screen(), end) {
						break
					}
					p.send("PageDown")
					time.Sleep(200 * time.Millisecond)
					seen += p.screen()
				}
				p.waitFor(5*time.Second, end)
				// the ways' commands hold absolute paths that wrap where the
				// temporary directory's length puts them: read, not kept
				seen = strings.Join(strings.Fields(seen+p.settled()), " ")
				ways := strings.Index(seen, j.t("tui.keyring.ways"))
				for _, cmd := range []string{"gnome-keyring-daemon --unlock", "JOBMAIL_SMTP_PASSWORD='…'", "umask 077"} {
					if i := strings.Index(seen, cmd); i < 0 || ways < 0 || i < ways {
						t.Errorf("after the refusal, the ways on (%d) lack the command %q (%d):\n%s", ways, cmd, i, seen)
					}
				}
				if f := leaktest.Find(seen, j.r.pass); f != "" {
					t.Errorf("the password is on the keyring screen (%s)", f)
				}
				j.args["ref"] = "env:JOBMAIL_SMTP_PASSWORD"
				p.choose(prefix(j.t("tui.keyring.env"), 25)) // the label wraps at 60 columns
				p.waitFor(30*time.Second, done)
				p.send("Enter") // Finish
				p.waitFor(15*time.Second, "EXIT=0")
				b, err := os.ReadFile(filepath.Join(j.r.dir, "jobmail.yaml"))
				if err != nil {
					t.Fatalf("no setup file after the env: way: %v", err)
				}
				if !strings.Contains(string(b), "env:JOBMAIL_SMTP_PASSWORD") {
					t.Errorf("the setup file does not name env:JOBMAIL_SMTP_PASSWORD:\n%s", b)
				}
				// every file written under HOME, the setup file and the export among them
				home := filepath.Dir(j.r.dir)
				n := 0
				err = filepath.WalkDir(home, func(path string, d fs.DirEntry, err error) error {
					if err != nil || d.IsDir() {
						return err
					}
					n++
					b, err := os.ReadFile(path)
					if err != nil {
						return err
					}
					if f := leaktest.Find(string(b), j.r.pass); f != "" {
						t.Errorf("the password is in %s (%s)", path, f)
					}
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				if n == 0 {
					t.Fatalf("no file written under %s", home)
				}
				if f := leaktest.Find(p.tmux("capture-pane", "-p", "-J", "-S", "-", "-t", p.name), j.r.pass); f != "" {
					t.Errorf("the password is on the terminal after the run (%s)", f)
				}
			})
		}
	}
}
