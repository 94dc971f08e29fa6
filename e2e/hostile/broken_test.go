package hostile_test

import (
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jobmail/jobmail/e2e/e2eenv"
)

// fast is how long refusing a broken setup file may take, start-up
// included: it is read, never acted on.
const fast = 2 * time.Second

// committedBroken: every file of wizard/setupfile/testdata/broken with the key and
// line the error must name (key "" or line 0 where the file has none).
// Kept here, not shared with the wizard's table, so that the binary is
// checked against expectations written down independently.
var committedBroken = map[string]struct {
	key  string
	line int
}{
	"account-uppercase.yaml": {"platform.account", 3}, "address-bad-punycode.yaml": {"company.address", 5},
	"address-display-name.yaml": {"company.address", 5}, "address-double-at.yaml": {"company.address", 5},
	"address-entity.yaml": {"entities[0].address", 8}, "address-missing-at.yaml": {"company.address", 5},
	"address-space.yaml": {"company.address", 5}, "alias-bomb.yaml": {"", 2}, "alias-merge-key.yaml": {"", 7},
	"binary.yaml": {"", 4}, "ca-file-directory.yaml": {"company.smtp.ca_file", 9},
	"ca-file-empty-string.yaml": {"company.smtp.ca_file", 9}, "ca-file-missing.yaml": {"company.smtp.ca_file", 9},
	"ca-file-not-pem.yaml": {"company.smtp.ca_file", 9}, "channel-unknown.yaml": {"company.channel", 6},
	"comments-only.yaml": {"", 0}, "crlf-block-scalar-host.yaml": {"company.smtp.host", 8},
	"crlf-entity-name.yaml": {"entities[0].name", 7}, "crlf-sender-name.yaml": {"company.sender_name", 6},
	"duplicate-key.yaml": {"company.smtp.port", 10}, "empty.yaml": {"", 0},
	"entity-duplicate-name.yaml": {"entities[1].name", 9}, "entity-inherits-with-channel.yaml": {"entities[0].channel", 8},
	"entity-name-missing.yaml": {"entities[0].name", 7}, "entity-smtp-no-host.yaml": {"entities[0].smtp.host", 10},
	"host-with-port.yaml": {"company.smtp.host", 8}, "host-with-scheme.yaml": {"company.smtp.host", 8},
	"latin1.yaml": {"", 6}, "multiple-documents.yaml": {"", 6}, "null-company.yaml": {"company.address", 4},
	"password-bad-env.yaml": {"company.smtp.password", 9}, "password-plaintext.yaml": {"company.smtp.password", 9},
	"port-70000.yaml": {"company.smtp.port", 9}, "port-huge.yaml": {"company.smtp.port", 9},
	"port-zero.yaml": {"company.smtp.port", 9}, "secret-file-missing.yaml": {"company.smtp.password", 9},
	"security-unknown.yaml": {"company.smtp.security", 9}, "smtp-without-block.yaml": {"company.smtp.host", 4},
	"smtp-without-host.yaml": {"company.smtp.host", 7}, "syntax-bad-indent.yaml": {"", 3},
	"syntax-tab-indent.yaml": {"", 3}, "syntax-unclosed-flow.yaml": {"", 1}, "syntax-unclosed-quote.yaml": {"", 5},
	"type-account-number.yaml": {"platform.account", 3}, "type-company-list.yaml": {"company", 5},
	"type-entities-map.yaml": {"entities", 7}, "type-outgoing-ips-scalar.yaml": {"platform.outgoing_ips", 4},
	"type-port-abc.yaml": {"company.smtp.port", 9}, "type-port-float.yaml": {"company.smtp.port", 9},
	"type-port-quoted.yaml": {"company.smtp.port", 9}, "type-prerequisite-string.yaml": {"company.prerequisites.ip_allowlist", 7},
	"type-smtp-scalar.yaml": {"company.smtp", 7}, "type-top-level-list.yaml": {"", 1},
	"unknown-key-entity.yaml": {"entities[1].smpt", 11}, "unknown-key-nested.yaml": {"company.smtp.hostname", 8},
	"unknown-key-top.yaml": {"compnay", 4}, "url-plain-http.yaml": {"company.google.token_url", 8},
	"version-2.yaml": {"version", 1}, "version-missing.yaml": {"version", 0},
}

// brokenCase is one setup file the binary must refuse.
type brokenCase struct {
	name   string
	path   string // as passed to --config
	dir    string // working directory (relative paths in the file resolve from it)
	key    string // the key stderr and --json must name; "" when none
	line   int    // the line stderr and --json must name; 0 when none
	as     *syscall.Credential
	extras []string // more words stderr must contain (the file's name for file-level errors)
}

// checkRefused runs `jobmail --config` and `jobmail test --config`, with
// and without --json, and checks exit 2, the key/line in words and in
// JSON, and speed.
func checkRefused(t *testing.T, c brokenCase) {
	t.Helper()
	for _, args := range [][]string{{"--config", c.path}, {"test", "--config", c.path}} {
		o := run(t, "", inv{args: args, dir: c.dir, cred: c.as, env: []string{"JOBMAIL_PW=x"}, limit: 5 * time.Second})
		if o.code != 2 {
			t.Fatalf("%v: exit %d, want 2\nstdout: %s\nstderr: %s", args, o.code, o.stdout, o.stderr)
		}
		if o.took > fast {
			t.Errorf("%v: took %v, want under %v", args, o.took, fast)
		}
		if o.stdout != "" {
			t.Errorf("%v: people's text on stdout: %q", args, o.stdout)
		}
		want := c.extras
		if c.line > 0 {
			want = append(want, c.path+":"+strconv.Itoa(c.line)+":")
		}
		if c.key != "" {
			want = append(want, c.key)
		}
		if len(want) == 0 {
			want = []string{c.path}
		}
		for _, w := range want {
			if !strings.Contains(o.stderr, w) {
				t.Errorf("%v: stderr does not name %q:\n%s", args, w, o.stderr)
			}
		}
		if n := strings.Count(strings.TrimSpace(o.stderr), "\n") + 1; n > 25 {
			t.Errorf("%v: %d lines on stderr for one broken file", args, n)
		}

		j := oneJSON(t, run(t, "", inv{args: append(args, "--json"), dir: c.dir, cred: c.as, env: []string{"JOBMAIL_PW=x"}, limit: 5 * time.Second}))
		code, field, line := diagnosis(j)
		if j["ok"] != false || j["exit_code"] != float64(2) || !strings.HasPrefix(code, "config.") {
			t.Errorf("%v --json: ok=%v exit_code=%v code=%q", args, j["ok"], j["exit_code"], code)
		}
		if field != c.key || line != c.line {
			t.Errorf("%v --json: field %q line %d, want %q %d", args, field, line, c.key, c.line)
		}
	}
}

// TestBrokenSetupFilesCommitted runs the binary on every file of
// wizard/setupfile/testdata/broken, from that package's directory (the files name CA
// and secret files relative to it).
func TestBrokenSetupFilesCommitted(t *testing.T) {
	e2eenv.Require(t)
	wizardDir := filepath.Join(repoDir(), "wizard", "setupfile")
	files, err := filepath.Glob(filepath.Join(wizardDir, "testdata", "broken", "*"))
	if err != nil || len(files) < 30 {
		t.Fatalf("broken files: %d (%v)", len(files), err)
	}
	for _, f := range files {
		name := filepath.Base(f)
		want, ok := committedBroken[name]
		if !ok {
			t.Errorf("%s has no expectation here: add it to committedBroken", name)
			continue
		}
		t.Run(name, func(t *testing.T) {
			checkRefused(t, brokenCase{name: name, path: filepath.Join("testdata", "broken", name), dir: wizardDir,
				key: want.key, line: want.line})
		})
	}
	if len(files) != len(committedBroken) {
		t.Errorf("%d files, %d expectations: a file was removed or renamed", len(files), len(committedBroken))
	}
}

// smtpSetup is a valid setup file but for one line: line 11 is the
// password reference, line 12 the CA file.
func smtpSetup(senderName, password, caFile string) string {
	return fmt.Sprintf(`version: 1
platform:
  account: acme
company:
  address: jobs@acme.de
  sender_name: %s
  channel: smtp
  smtp:
    host: smtp.acme.de
    port: 587
    password: %s
    ca_file: %s
`, senderName, password, caFile)
}

// TestBrokenSetupFilesGenerated covers the broken files that cannot be
// committed (size, mode, kind of file) or that need absolute paths.
func TestBrokenSetupFilesGenerated(t *testing.T) {
	e2eenv.Require(t)
	dir := t.TempDir()
	ca := filepath.Join(repoDir(), "wizard", "setupfile", "testdata", "certs")
	if _, err := os.Stat(ca); err != nil {
		t.Fatalf("no CA fixtures: %v", err)
	}
	pem, _ := filepath.Glob(filepath.Join(ca, "*.pem"))
	validCA := ""
	for _, p := range pem {
		if b, _ := os.ReadFile(p); strings.Contains(string(b), "BEGIN CERTIFICATE") {
			validCA = p
			break
		}
	}
	if validCA == "" {
		t.Fatal("no CA certificate among wizard/setupfile/testdata/certs/*.pem")
	}
	cases := []struct {
		name string
		make func(t *testing.T) brokenCase
	}{
		{"100 MB file", func(t *testing.T) brokenCase {
			p := filepath.Join(dir, "huge.yaml")
			f, err := os.Create(p)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if _, err := f.WriteString(smtpSetup("company", "env:JOBMAIL_PW", validCA)); err != nil {
				t.Fatal(err)
			}
			if err := f.Truncate(100 << 20); err != nil { // sparse: 100 MB for stat and read alike
				t.Fatal(err)
			}
			return brokenCase{path: p}
		}},
		{"binary file", func(t *testing.T) brokenCase {
			// A text first line, then 64 KiB of noise starting with a NUL
			// on line 2 (no line breaks, so the line is known).
			b := make([]byte, 64<<10)
			_, _ = rand.Read(b)
			b[0] = 0
			for i := range b {
				if b[i] == '\n' || b[i] == '\r' {
					b[i] = 0
				}
			}
			return brokenCase{path: writeFile(t, filepath.Join(dir, "random.yaml"), "version: 1\n"+string(b), 0o600), line: 2}
		}},
		{"directory", func(t *testing.T) brokenCase {
			p := filepath.Join(dir, "folder.yaml")
			if err := os.Mkdir(p, 0o755); err != nil {
				t.Fatal(err)
			}
			return brokenCase{path: p}
		}},
		{"missing file", func(t *testing.T) brokenCase { return brokenCase{path: filepath.Join(dir, "nope.yaml")} }},
		{"endless device", func(t *testing.T) brokenCase { return brokenCase{path: "/dev/zero"} }},
		{"symlink loop", func(t *testing.T) brokenCase {
			p := filepath.Join(dir, "loop.yaml")
			if err := os.Symlink(p, p); err != nil {
				t.Fatal(err)
			}
			return brokenCase{path: p}
		}},
		{"named pipe nobody writes to", func(t *testing.T) brokenCase {
			p := filepath.Join(dir, "fifo.yaml")
			if err := syscall.Mkfifo(p, 0o600); err != nil {
				t.Skipf("mkfifo: %v", err)
			}
			return brokenCase{path: p}
		}},
		{"mode 000", func(t *testing.T) brokenCase {
			d, err := os.MkdirTemp("", "jobmail-mode000-")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { os.RemoveAll(d) })
			if err := os.Chmod(d, 0o755); err != nil {
				t.Fatal(err)
			}
			p := writeFile(t, filepath.Join(d, "locked.yaml"), smtpSetup("company", "env:JOBMAIL_PW", validCA), 0o000)
			c := brokenCase{path: p, dir: d}
			if os.Geteuid() == 0 {
				// Root reads mode 000 anyway: run the binary as nobody.
				c.as = &syscall.Credential{Uid: 65534, Gid: 65534}
			}
			return c
		}},
		{"missing ca_file", func(t *testing.T) brokenCase {
			return brokenCase{path: writeFile(t, filepath.Join(dir, "ca.yaml"),
				smtpSetup("company", "env:JOBMAIL_PW", filepath.Join(dir, "no-such-ca.pem")), 0o600),
				key: "company.smtp.ca_file", line: 12}
		}},
		{"ca_file that holds no certificate", func(t *testing.T) brokenCase {
			notPEM := writeFile(t, filepath.Join(dir, "not-a-cert.pem"), "hello\n", 0o600)
			return brokenCase{path: writeFile(t, filepath.Join(dir, "ca2.yaml"),
				smtpSetup("company", "env:JOBMAIL_PW", notPEM), 0o600), key: "company.smtp.ca_file", line: 12}
		}},
		{"missing file: secret", func(t *testing.T) brokenCase {
			return brokenCase{path: writeFile(t, filepath.Join(dir, "secret.yaml"),
				smtpSetup("company", "file:"+filepath.Join(dir, "no-such-password"), validCA), 0o600),
				key: "company.smtp.password", line: 11}
		}},
		{"CRLF in a sender name", func(t *testing.T) brokenCase {
			return brokenCase{path: writeFile(t, filepath.Join(dir, "crlf.yaml"),
				smtpSetup(`"company\r\nBcc: x@evil.test"`, "env:JOBMAIL_PW", validCA), 0o600),
				key: "company.sender_name", line: 6}
		}},
		{"NUL in a sender name", func(t *testing.T) brokenCase {
			return brokenCase{path: writeFile(t, filepath.Join(dir, "nul.yaml"),
				smtpSetup(`"company\x00"`, "env:JOBMAIL_PW", validCA), 0o600),
				key: "company.sender_name", line: 6}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.make(t)
			c.name = tc.name
			if c.key == "" && c.line == 0 {
				c.extras = []string{filepath.Base(c.path)}
			}
			checkRefused(t, c)
		})
	}
}
