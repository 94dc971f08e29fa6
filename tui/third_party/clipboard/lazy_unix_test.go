//go:build freebsd || linux || netbsd || openbsd || solaris || dragonfly

package clipboard

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestLookUpIsLazy: loading the package looks nothing up (upstream did in
// init); the first WriteAll does, and then uses the program it found.
func TestLookUpIsLazy(t *testing.T) {
	if pasteCmdArgs != nil || copyCmdArgs != nil || Unsupported {
		t.Fatalf("clipboard programs looked up before any copy: paste %q copy %q unsupported %v", pasteCmdArgs, copyCmdArgs, Unsupported)
	}
	dir := t.TempDir()
	got := filepath.Join(dir, "copied")
	fake(t, dir, "xclip", "/bin/cat > "+got)
	t.Setenv("PATH", dir)
	t.Setenv("WAYLAND_DISPLAY", "")
	if err := WriteAll("日本語"); err != nil {
		t.Fatalf("WriteAll: %v", err)
	}
	if b, err := os.ReadFile(got); err != nil || string(b) != "日本語" {
		t.Fatalf("fake xclip got %q (%v), want 日本語", b, err)
	}
	if !slices.Equal(copyCmdArgs, xclipCopyArgs()) {
		t.Errorf("copy command %q, want %q", copyCmdArgs, xclipCopyArgs())
	}
}

// TestLookUpChoice: the order of upstream's init is kept.
func TestLookUpChoice(t *testing.T) {
	for _, tc := range []struct {
		name        string
		tools       []string
		wayland     string
		copy        []string
		unsupported bool
	}{
		{"xclip first", []string{"xclip", "xsel"}, "", xclipCopyArgs(), false},
		{"xsel", []string{"xsel"}, "", xselCopyArgs(), false},
		{"wayland", []string{"wl-copy", "wl-paste", "xclip"}, "wayland-0", []string{wlcopy}, false},
		{"wayland without wl-paste", []string{"wl-copy", "xclip"}, "wayland-0", xclipCopyArgs(), false},
		{"termux", []string{"termux-clipboard-set", "termux-clipboard-get"}, "", []string{termuxClipboardSet}, false},
		{"wsl", []string{"clip.exe", "powershell.exe"}, "", []string{clipExe}, false},
		{"none", nil, "", []string{clipExe}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, name := range tc.tools {
				fake(t, dir, name, "exit 0")
			}
			t.Setenv("PATH", dir)
			t.Setenv("WAYLAND_DISPLAY", tc.wayland)
			t.Cleanup(func() { pasteCmdArgs, copyCmdArgs, trimDos, Unsupported = nil, nil, false, false })
			lookUp()
			if !slices.Equal(copyCmdArgs, tc.copy) || Unsupported != tc.unsupported {
				t.Errorf("copy %q unsupported %v, want %q %v", copyCmdArgs, Unsupported, tc.copy, tc.unsupported)
			}
		})
	}
}

func fake(t *testing.T, dir, name, script string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"+script+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
}
