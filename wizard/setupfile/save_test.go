package setupfile

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/jobmail/jobmail/secrets/safefile"
)

// goldenSetup has every key, values that need quoting, and an answer "no".
func goldenSetup() *Setup {
	return &Setup{
		Version:  1,
		Platform: Platform{Name: "Personio", Account: "acme", MailDomain: "m-personio.de", OutgoingIPs: []string{"3.121.59.239/32"}},
		Company: Mailbox{Address: "jobs@acme.de", SenderName: "company", Forwarding: "done", Channel: "smtp",
			SMTP:          &SMTP{Host: "smtp.acme.de", Port: 587, Security: "starttls", Username: "jobs@acme.de", Password: "keyring", CAFile: "testdata/certs/ca.pem"},
			Microsoft:     &Microsoft{Tenant: "acme.onmicrosoft.com", ClientID: "00000000-0000-0000-0000-000000000000"},
			Prerequisites: map[string]bool{"not_shared_mailbox": true, "ip_allowlist": false}},
		Entities: []Entity{
			{Name: "Acme Italia S.r.l.", Mailbox: Mailbox{Address: "jobs@acme.it", Channel: "smtp",
				SMTP: &SMTP{Host: "smtp.acme.it", Security: "smtps", Password: "env:ACME_IT_PASSWORD"}}},
			{Name: "Acme: Österreich # GmbH"},
			{Name: "2024", Mailbox: Mailbox{SenderName: "employee"}},
			{Name: "true"},
		},
		Progress: &Progress{Step: "test"},
	}
}

func TestSaveGolden(t *testing.T) {
	data, err := MarshalSetup(goldenSetup())
	if err != nil {
		t.Fatal(err)
	}
	golden.RequireEqual(t, data) // testdata/TestSaveGolden.golden; -update rewrites it
}

// withCerts is a temporary directory holding testdata/certs, so that a
// setup file saved there finds its relative ca_file as in the repository.
func withCerts(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(filepath.Join(dir, "testdata", "certs"), os.DirFS("testdata/certs")); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestSaveRoundTrip(t *testing.T) {
	dir := withCerts(t)
	t.Run("constructed", func(t *testing.T) {
		path := filepath.Join(dir, "jobmail.yaml")
		want := goldenSetup()
		if err := Save(path, want); err != nil {
			t.Fatal(err)
		}
		l, err := LoadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		l.Setup.dir, l.Setup.verdicts = "", nil // where it was loaded from, what was judged: not part of the model
		if !reflect.DeepEqual(l.Setup, want) {
			t.Fatalf("round trip:\n got %+v\nwant %+v", l.Setup, want)
		}
		fi, err := os.Stat(path)
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("mode %v %v", fi.Mode(), err)
		}
	})
	examples, _ := filepath.Glob("testdata/examples/*.yaml")
	// The examples name ../certs/…: save them where that still resolves.
	exDir := filepath.Join(dir, "testdata", "examples")
	if err := os.MkdirAll(exDir, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, f := range examples {
		t.Run(filepath.Base(f), func(t *testing.T) {
			first, err := LoadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(exDir, filepath.Base(f))
			if err := Save(path, first.Setup); err != nil {
				t.Fatal(err)
			}
			second, err := LoadFile(path)
			if err != nil {
				t.Fatalf("reload: %v", err)
			}
			// Same meaning, and saving again changes nothing.
			if !reflect.DeepEqual(first.Setup.Effective(), second.Setup.Effective()) {
				t.Fatalf("meaning changed:\n%+v\n%+v", first.Setup.Effective(), second.Setup.Effective())
			}
			a, _ := MarshalSetup(first.Setup)
			b, _ := MarshalSetup(second.Setup)
			if !bytes.Equal(a, b) {
				t.Fatalf("not stable:\n%s\n%s", a, b)
			}
		})
	}
}

func TestSaveRefuses(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "jobmail.yaml")
	if err := os.WriteFile(path, []byte("previous\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	const marker = "Plain-Marker-Password-42"
	cases := []struct {
		name   string
		mutate func(s *Setup)
		key    string
		reason string
	}{
		{"plaintext password", func(s *Setup) { s.Company.SMTP.Password = marker }, "company.smtp.password", ReasonSecretUnsafe},
		{"plaintext token in entity", func(s *Setup) {
			s.Entities[0].Microsoft = &Microsoft{RefreshToken: marker}
		}, "entities[0].microsoft.refresh_token", ReasonSecretUnsafe},
		{"crlf in a name", func(s *Setup) { s.Entities[1].Name = "Acme\r\nBcc: x@evil.test" }, "entities[1].name", ReasonCRLF},
		{"escape in a host", func(s *Setup) { s.Company.SMTP.Host = "smtp\x1b.acme.de" }, "company.smtp.host", ReasonControlChar},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := goldenSetup()
			c.mutate(s)
			err := Save(path, s)
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Key != c.key || fe.Reason != c.reason {
				t.Fatalf("err %v, want %s at %s", err, c.reason, c.key)
			}
			if strings.Contains(err.Error(), marker) {
				t.Fatal("the refused value is in the error")
			}
			if b, _ := os.ReadFile(path); string(b) != "previous\n" {
				t.Fatalf("file changed: %q", b)
			}
		})
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("temporary files left: %v", entries)
	}
}

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	t.Run("replaces, 0600, no temp left", func(t *testing.T) {
		path := filepath.Join(dir, "a.yaml")
		if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := WriteFileAtomic(path, []byte("new"), 0o600); err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(path)
		fi, _ := os.Stat(path)
		if string(b) != "new" || fi.Mode().Perm() != 0o600 {
			t.Fatalf("%q %v", b, fi.Mode())
		}
		if m, _ := filepath.Glob(filepath.Join(dir, ".a.yaml.tmp-*")); len(m) != 0 {
			t.Fatalf("temp left: %v", m)
		}
	})
	t.Run("refuses a symlink, touching neither link nor target", func(t *testing.T) {
		target := filepath.Join(dir, "real.yaml")
		link := filepath.Join(dir, "link.yaml")
		if err := os.WriteFile(target, []byte("old"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, link); err != nil {
			t.Skip(err)
		}
		err := WriteFileAtomic(link, []byte("new"), 0o600)
		if !errors.Is(err, safefile.ErrSymlink) || !strings.Contains(err.Error(), link) {
			t.Fatalf("err = %v, want ErrSymlink naming %s", err, link)
		}
		if fi, _ := os.Lstat(link); fi.Mode()&os.ModeSymlink == 0 {
			t.Fatal("link replaced by a file")
		}
		if b, _ := os.ReadFile(target); string(b) != "old" {
			t.Fatalf("target %q", b)
		}
	})
	t.Run("refuses the protected file, by identity", func(t *testing.T) {
		setup := filepath.Join(dir, "setup.yaml")
		hard := filepath.Join(dir, "hard.yaml")
		if err := os.WriteFile(setup, []byte("setup"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Link(setup, hard); err != nil {
			t.Skip(err)
		}
		for _, p := range []string{setup, hard, filepath.Join(dir, ".", "setup.yaml")} {
			if err := WriteFileAtomic(p, []byte("export"), 0o600, setup); !errors.Is(err, safefile.ErrProtected) {
				t.Fatalf("%s: err = %v, want ErrProtected", p, err)
			}
		}
		if b, _ := os.ReadFile(setup); string(b) != "setup" {
			t.Fatalf("setup file changed: %q", b)
		}
	})
	t.Run("refuses a device", func(t *testing.T) {
		if err := WriteFileAtomic("/dev/null", []byte("x"), 0o600); !errors.Is(err, safefile.ErrNotRegular) {
			t.Fatalf("err = %v, want ErrNotRegular", err)
		}
		if fi, err := os.Lstat("/dev/null"); err != nil || fi.Mode()&os.ModeDevice == 0 {
			t.Fatalf("/dev/null is no longer a device: %v %v", fi.Mode(), err)
		}
	})
	t.Run("removes what killed writers left, not a live writer's", func(t *testing.T) {
		path := filepath.Join(dir, "b[1].yaml") // a glob character in the name
		stale := filepath.Join(dir, ".b[1].yaml.tmp-111")
		live := filepath.Join(dir, ".b[1].yaml.tmp-222")
		other := filepath.Join(dir, ".c.yaml.tmp-333")
		old := time.Now().Add(-time.Hour)
		for _, p := range []string{stale, live, other} {
			if err := os.WriteFile(p, []byte("half"), 0o600); err != nil {
				t.Fatal(err)
			}
			if p != live {
				if err := os.Chtimes(p, old, old); err != nil {
					t.Fatal(err)
				}
			}
		}
		if err := WriteFileAtomic(path, []byte("new"), 0o600); err != nil {
			t.Fatal(err)
		}
		for p, want := range map[string]bool{stale: false, live: true, other: true} {
			if _, err := os.Stat(p); (err == nil) != want {
				t.Errorf("%s exists: %v, want %v", filepath.Base(p), err == nil, want)
			}
		}
	})
	t.Run("directory", func(t *testing.T) {
		if err := WriteFileAtomic(dir, []byte("x"), 0o600); err == nil {
			t.Fatal("wrote over a directory")
		}
	})
	t.Run("missing directory", func(t *testing.T) {
		if err := WriteFileAtomic(filepath.Join(dir, "no", "such", "x.yaml"), []byte("x"), 0o600); err == nil {
			t.Fatal("no error")
		}
	})
}

// bigSetup is large enough (about 90 KiB) that a write takes a while, so
// kills land in the middle of one.
func bigSetup(tag string) *Setup {
	s := goldenSetup()
	for i := 0; i < 1500; i++ {
		s.Entities = append(s.Entities, Entity{Name: fmt.Sprintf("%s subsidiary %d", tag, i),
			Mailbox: Mailbox{Address: fmt.Sprintf("jobs-%d@%s.example", i, tag)}})
	}
	return s
}

// TestSaveKilledMidWrite kills a process that saves in a loop with
// SIGKILL at random moments: the file must always load, as one version or
// the other, never a mix or a truncated file.
func TestSaveKilledMidWrite(t *testing.T) {
	if path := os.Getenv("JOBMAIL_TEST_SAVE_LOOP"); path != "" {
		// Save is MarshalSetup then WriteFileAtomic; marshalling takes far
		// longer than writing, so it is done once and the loop spends its
		// time writing, where a kill can hurt.
		var data [2][]byte
		for i, tag := range []string{"a", "b"} {
			var err error
			if data[i], err = MarshalSetup(bigSetup(tag)); err != nil {
				fmt.Fprintln(os.Stderr, "marshal:", err)
				os.Exit(3)
			}
		}
		for i := 0; ; i++ { // until killed
			if err := WriteFileAtomic(path, data[i%2], 0o600); err != nil {
				fmt.Fprintln(os.Stderr, "save:", err)
				os.Exit(3)
			}
			if i == 0 {
				fmt.Println("saving") // the parent waits for this before killing
			}
		}
	}
	if testing.Short() {
		t.Skip("spawns processes")
	}
	dir := withCerts(t)
	path := filepath.Join(dir, "jobmail.yaml")
	versions := map[string]bool{}
	for _, tag := range []string{"a", "b"} {
		data, err := MarshalSetup(bigSetup(tag))
		if err != nil {
			t.Fatal(err)
		}
		versions[string(data)] = true
	}
	if err := Save(path, bigSetup("a")); err != nil {
		t.Fatal(err)
	}
	const rounds = 10
	for round := 0; round < rounds; round++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestSaveKilledMidWrite$")
		cmd.Env = append(os.Environ(), "JOBMAIL_TEST_SAVE_LOOP="+path)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// The first line comes after one whole save: from then on the
		// child is always somewhere inside Save.
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		if line != "saving\n" {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			t.Fatalf("child did not start saving: %q %s", line, stderr.String())
		}
		time.Sleep(time.Duration(round*7%40) * time.Millisecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		err = cmd.Wait()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
			t.Fatalf("round %d: child ended with %v, not by the kill:\n%s", round, err, stderr.String())
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !versions[string(data)] {
			t.Fatalf("round %d: file is neither version (%d bytes)", round, len(data))
		}
		if _, err := LoadFile(path); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
	}
	// Each temporary file left behind is a kill that landed mid-write,
	// proof that the test hits the window it is about.
	left, _ := filepath.Glob(filepath.Join(dir, ".jobmail.yaml.tmp-*"))
	t.Logf("kills that landed mid-write: %d of %d", len(left), rounds)
	if len(left) == 0 {
		t.Fatal("no kill landed inside a write")
	}
}
