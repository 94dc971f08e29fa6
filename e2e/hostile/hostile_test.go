// Package hostile_test drives the real jobmail binary with hostile input:
// every broken setup file (committed and generated), setup files that try
// to smuggle line breaks into mail headers and SMTP commands, and a sweep
// of every command on passing and failing paths that greps every output
// and every written file for a marker password. It runs with
// JOBMAIL_E2E=1 (and then needs mailpeer); without it, it skips.
package hostile_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jobmail/jobmail/e2e/e2eenv"
)

// shared is built once per package run into a world-readable directory,
// so that the unprivileged child of the mode-000 test can execute it.
var shared struct {
	once sync.Once
	dir  string
	bin  string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.dir != "" {
		_ = os.RemoveAll(shared.dir)
	}
	os.Exit(code)
}

// binary returns the jobmail binary, building it on first use.
func binary(t *testing.T) string {
	t.Helper()
	shared.once.Do(func() {
		// e2eenv.Binary fails this test on a broken build; the tests
		// after it need to know too.
		shared.err = errors.New("the build failed: see the first test's output")
		dir, err := os.MkdirTemp("", "jobmail-hostile-")
		if err == nil {
			err = os.Chmod(dir, 0o755)
		}
		if err != nil {
			shared.err = err
			return
		}
		shared.dir = dir
		shared.bin = e2eenv.Binary(t, dir)
		shared.err = nil
	})
	if shared.err != nil || shared.bin == "" {
		t.Fatalf("build jobmail: %v", shared.err)
	}
	return shared.bin
}

// repoDir is the repository root.
func repoDir() string {
	_, here, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(here), "..", "..")
}

// inv is one invocation of the binary.
type inv struct {
	args  []string
	wrap  []string // a command that runs the binary (e.g. dbus-run-session --)
	env   []string // on top of the clean base environment
	stdin string
	dir   string              // working directory; "" the test's temp dir
	cred  *syscall.Credential // run as another user
	limit time.Duration       // hard bound; default 20 s
	crash bool                // a crash dump is expected: skip the stack-trace check
	// signal, when set, is sent after delay.
	signal os.Signal
	delay  time.Duration
}

type out struct {
	code           int
	stdout, stderr string
	took           time.Duration
}

// baseEnv is a clean environment: no inherited secrets or session bus,
// HOME and the XDG and temp directories inside home, so that every file
// the binary writes anywhere is one the test can read back.
func baseEnv(home string) []string {
	env := []string{"PATH=" + os.Getenv("PATH"), "LANG=C", "TERM=dumb", "NO_COLOR=1",
		"DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent/jobmail-hostile-bus"}
	if home != "" {
		env = append(env, "HOME="+home, "TMPDIR="+filepath.Join(home, "tmp"),
			"XDG_CONFIG_HOME="+filepath.Join(home, ".config"), "XDG_CACHE_HOME="+filepath.Join(home, ".cache"),
			"XDG_DATA_HOME="+filepath.Join(home, ".local", "share"), "XDG_STATE_HOME="+filepath.Join(home, ".local", "state"))
	}
	return env
}

// run runs the binary and fails the test on a stack trace, a panic or a
// run that outlives its limit.
func run(t *testing.T, home string, c inv) out {
	t.Helper()
	limit := c.limit
	if limit == 0 {
		limit = 20 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	argv := append(append(append([]string{}, c.wrap...), binary(t)), c.args...)
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.WaitDelay = time.Second
	cmd.Env = append(baseEnv(home), c.env...)
	cmd.Dir = c.dir
	if cmd.Dir == "" {
		cmd.Dir = t.TempDir()
	}
	cmd.Stdin = strings.NewReader(c.stdin)
	var so, se bytes.Buffer
	cmd.Stdout, cmd.Stderr = &so, &se
	if c.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred}
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %v: %v", c.args, err)
	}
	if c.signal != nil {
		time.AfterFunc(c.delay, func() { _ = cmd.Process.Signal(c.signal) })
	}
	err := cmd.Wait()
	o := out{stdout: so.String(), stderr: se.String(), took: time.Since(start)}
	var ee *exec.ExitError
	switch {
	case ctx.Err() != nil:
		t.Fatalf("jobmail %q did not finish within %v (killed)\nstderr: %s", c.args, limit, o.stderr)
	case errors.As(err, &ee):
		o.code = ee.ExitCode()
	case err != nil:
		t.Fatalf("run %v: %v", c.args, err)
	}
	if !c.crash {
		for _, s := range []string{o.stdout, o.stderr} {
			if strings.Contains(s, "goroutine ") || strings.Contains(strings.ToLower(s), "panic") {
				t.Fatalf("stack trace or panic in the output of %q:\n%s", c.args, s)
			}
		}
	}
	return o
}

// oneJSON decodes stdout as exactly one JSON object.
func oneJSON(t *testing.T, o out) map[string]any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(o.stdout))
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("stdout is not a JSON object: %v\n%s\nstderr: %s", err, o.stdout, o.stderr)
	}
	var extra json.RawMessage
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		t.Fatalf("stdout holds more than one JSON value: %s", o.stdout)
	}
	return m
}

// diagnosis returns the code, field and line of a --json result.
func diagnosis(j map[string]any) (code, field string, line int) {
	d, _ := j["diagnosis"].(map[string]any)
	code, _ = d["code"].(string)
	field, _ = d["field"].(string)
	if l, ok := d["line"].(float64); ok {
		line = int(l)
	}
	return code, field, line
}

func writeFile(t *testing.T, path, content string, mode os.FileMode) string {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	return path
}
