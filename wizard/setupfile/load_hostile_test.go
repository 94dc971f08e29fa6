package setupfile

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestLoadHostileFiles covers the files that are generated, not committed.
func TestLoadHostileFiles(t *testing.T) {
	dir := t.TempDir()

	t.Run("100MB", func(t *testing.T) {
		path := filepath.Join(dir, "huge.yaml")
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.WriteString("version: 1\n"); err != nil {
			t.Fatal(err)
		}
		if err := f.Truncate(100 << 20); err != nil { // sparse: instant, and 100 MB as far as stat is concerned
			t.Fatal(err)
		}
		f.Close()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		start := time.Now()
		_, fe := loadErr(t, path, LoadOptions{})
		took := time.Since(start)
		runtime.ReadMemStats(&after)
		if fe.Reason != ReasonFileTooLarge || fe.Args["max_bytes"] != "1048576" {
			t.Fatalf("got %v %v", fe.Reason, fe.Args)
		}
		if took > time.Second || after.TotalAlloc-before.TotalAlloc > 1<<20 {
			t.Fatalf("refusing took %v and %d bytes: not refused before reading", took, after.TotalAlloc-before.TotalAlloc)
		}
	})

	t.Run("endless device", func(t *testing.T) {
		if _, err := os.Stat("/dev/zero"); err != nil {
			t.Skip("no /dev/zero")
		}
		// Not a regular file: refused before a byte is read.
		if _, fe := loadErr(t, "/dev/zero", LoadOptions{}); fe.Reason != ReasonFileUnreadable || fe.Args["detail"] != "not_regular" {
			t.Fatalf("got %v %v", fe.Reason, fe.Args)
		}
	})

	t.Run("directory", func(t *testing.T) {
		if _, fe := loadErr(t, dir, LoadOptions{}); fe.Reason != ReasonFileIsDir {
			t.Fatalf("got %v", fe.Reason)
		}
	})

	t.Run("missing", func(t *testing.T) {
		if _, fe := loadErr(t, filepath.Join(dir, "nope.yaml"), LoadOptions{}); fe.Reason != ReasonFileNotFound {
			t.Fatalf("got %v", fe.Reason)
		}
	})

	t.Run("unreadable", func(t *testing.T) {
		path := filepath.Join(dir, "secret.yaml")
		if err := os.WriteFile(path, []byte("version: 1\n"), 0o000); err != nil {
			t.Fatal(err)
		}
		if f, err := os.Open(path); err == nil {
			f.Close()
			// Root reads mode 000 anyway: prove it as an unprivileged user.
			runUnreadableAsNobody(t)
			return
		}
		checkUnreadable(t, path)
	})

	t.Run("crlf line endings are fine", func(t *testing.T) {
		if _, err := LoadFile("testdata/examples/crlf-line-endings.yaml"); err != nil {
			t.Fatal(err)
		}
	})
}

func checkUnreadable(t *testing.T, path string) {
	t.Helper()
	if _, fe := loadErr(t, path, LoadOptions{}); fe.Reason != ReasonFileUnreadable || fe.Args["detail"] != "permission" {
		t.Fatalf("got %v %v", fe.Reason, fe.Args)
	}
}

// TestLoadUnreadableChild is the unprivileged half of the unreadable-file
// test; it does nothing unless started by runUnreadableAsNobody.
func TestLoadUnreadableChild(t *testing.T) {
	path := os.Getenv("JOBMAIL_TEST_UNREADABLE")
	if path == "" {
		t.Skip("child of TestLoadHostileFiles/unreadable only")
	}
	checkUnreadable(t, path)
}

// runUnreadableAsNobody copies the test binary into a world-readable
// directory next to a mode-000 setup file and runs the child test as
// uid/gid 65534. Skips when this process cannot switch users.
func runUnreadableAsNobody(t *testing.T) {
	dir, err := os.MkdirTemp("", "jobmail-unreadable-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "jobmail.yaml")
	if err := os.WriteFile(path, []byte("version: 1\n"), 0o000); err != nil {
		t.Fatal(err)
	}
	self, err := os.ReadFile(os.Args[0])
	if err != nil {
		t.Skipf("cannot copy the test binary: %v", err)
	}
	bin := filepath.Join(dir, "wizard.test")
	if err := os.WriteFile(bin, self, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-test.run=^TestLoadUnreadableChild$", "-test.v")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "JOBMAIL_TEST_UNREADABLE="+path, "GOCOVERDIR="+dir)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	if err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			t.Skipf("cannot run as uid 65534: %v", err)
		}
		t.Fatalf("child failed: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "--- PASS: TestLoadUnreadableChild") {
		t.Fatalf("child did not run the check:\n%s", out)
	}
}

// TestLoadWorstCaseInputsAreBounded: hostile documents just under the size
// limit are refused (or loaded) with work bounded by their size, measured
// in memory allocated (not in wall time, which a loaded machine stretches).
func TestLoadWorstCaseInputsAreBounded(t *testing.T) {
	var ents strings.Builder
	ents.WriteString("version: 1\nplatform:\n  account: acme\ncompany:\n  address: jobs@acme.de\nentities:\n")
	for i := 0; ents.Len() < MaxSetupSize-100; i++ {
		ents.WriteString("  - {name: e" + strconv.Itoa(i) + ", address: j" + strconv.Itoa(i) + "@acme.de}\n")
	}
	for name, c := range map[string]struct {
		doc    string
		reason string // "" = loads
	}{
		"deep sequence":     {strings.Repeat("[", MaxSetupSize-10), ReasonYAMLSyntax},
		"deep mapping":      {strings.Repeat("{a: ", MaxSetupSize/4-10), ReasonYAMLSyntax},
		"unknown keys":      {strings.Repeat("zz: 1\n", MaxSetupSize/6-10), ReasonUnknownKey},
		"one long value":    {"version: 1\ncompany: {address: jobs@acme.de}\nplatform:\n  account: " + strings.Repeat("a", MaxSetupSize-80) + "\n", ReasonAccountInvalid},
		"20000 entities":    {ents.String(), ""},
		"long indent":       {"version: 1\n" + strings.Repeat(" ", MaxSetupSize-20) + "x: 1\n", ReasonYAMLSyntax},
		"one byte too many": {strings.Repeat("#", MaxSetupSize+1), ReasonFileTooLarge},
	} {
		t.Run(name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := Parse(name, []byte(c.doc), LoadOptions{})
			runtime.ReadMemStats(&after)
			// linear work: at most 256 bytes and 4 allocations per byte
			// read (the worst case, 174,000 unknown keys, takes 159 and
			// 2.2); a loader that hangs fails on go test's -timeout
			if b, n := after.TotalAlloc-before.TotalAlloc, after.Mallocs-before.Mallocs; b > 256*uint64(len(c.doc)) || n > 4*uint64(len(c.doc)) {
				t.Fatalf("%d bytes in took %d bytes and %d allocations", len(c.doc), b, n)
			}
			var fe *FieldError
			switch {
			case c.reason == "" && err != nil:
				t.Fatal(err)
			case c.reason != "" && (!errors.As(err, &fe) || fe.Reason != c.reason):
				t.Fatalf("err %v, want %s", err, c.reason)
			}
		})
	}
}

// FuzzLoad: any input is refused with *FieldErrors that carry a reason,
// or loads into a setup that saves, reloads to the same meaning, and
// saves to the same bytes again. Never a panic. Referenced files are
// served from memory so that fuzzed paths never touch the disk.
func FuzzLoad(f *testing.F) {
	for _, dir := range []string{"testdata/examples", "testdata/broken"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*"))
		for _, p := range files {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b)
			}
		}
	}
	ca, err := os.ReadFile("testdata/certs/ca.pem")
	if err != nil {
		f.Fatal(err)
	}
	opts := LoadOptions{
		ReadFile: func(p string) ([]byte, error) {
			if p == "testdata/certs/ca.pem" || p == "../certs/ca.pem" {
				return ca, nil
			}
			return nil, os.ErrNotExist
		},
		CheckReadable: func(p string) error {
			if p == "testdata/certs/password.txt" || p == "../certs/password.txt" {
				return nil
			}
			return os.ErrNotExist
		},
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := Parse("fuzz.yaml", data, opts)
		if err != nil {
			var se *SetupError
			if !errors.As(err, &se) || len(se.Errors) == 0 {
				t.Fatalf("error %v (%T) is not a SetupError", err, err)
			}
			for _, fe := range se.Errors {
				if fe.Reason == "" || fe.File != "fuzz.yaml" {
					t.Fatalf("bad FieldError %+v", fe)
				}
			}
			return
		}
		out, err := MarshalSetup(l.Setup)
		if err != nil {
			t.Fatalf("a loaded setup does not save: %v", err)
		}
		l2, err := Parse("saved.yaml", out, opts)
		if err != nil {
			t.Fatalf("saved setup does not load: %v\n%s", err, out)
		}
		if !reflect.DeepEqual(l.Setup.Effective(), l2.Setup.Effective()) {
			t.Fatalf("meaning changed by save:\n%s", out)
		}
		if out2, _ := MarshalSetup(l2.Setup); !bytes.Equal(out, out2) {
			t.Fatalf("save not stable:\n%s\n%s", out, out2)
		}
	})
}
