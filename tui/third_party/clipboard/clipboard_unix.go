// Copyright 2013 @atotto. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build freebsd || linux || netbsd || openbsd || solaris || dragonfly

package clipboard

import (
	"os"
	"os/exec"
	"sync"
)

const (
	xsel               = "xsel"
	xclip              = "xclip"
	powershellExe      = "powershell.exe"
	clipExe            = "clip.exe"
	wlcopy             = "wl-copy"
	wlpaste            = "wl-paste"
	termuxClipboardGet = "termux-clipboard-get"
	termuxClipboardSet = "termux-clipboard-set"
)

var (
	Primary bool
	trimDos bool

	pasteCmdArgs []string
	copyCmdArgs  []string

	// lookedUp guards the one look-up of the clipboard programs. Upstream
	// ran it in init, which cost every program that links the package
	// (through bubbles' textinput) a walk of PATH at start.
	lookedUp sync.Once
)

// missingCommands is a constant, not an errors.New variable, so the
// package has no init at all (GODEBUG=inittrace=1 does not list it).
const missingCommands = clipError("No clipboard utilities available. Please install xsel, xclip, wl-clipboard or Termux:API add-on for termux-clipboard-get/set.")

type clipError string

func (e clipError) Error() string { return string(e) }

// The argument lists are functions, not package variables, so the package
// has nothing to build at init.
func xselPasteArgs() []string  { return []string{xsel, "--output", "--clipboard"} }
func xselCopyArgs() []string   { return []string{xsel, "--input", "--clipboard"} }
func xclipPasteArgs() []string { return []string{xclip, "-out", "-selection", "clipboard"} }
func xclipCopyArgs() []string  { return []string{xclip, "-in", "-selection", "clipboard"} }

// lookUp is upstream's init, unchanged but for the argument lists: it picks
// the first available of wl-clipboard (under Wayland), xclip, xsel, Termux
// and clip.exe/powershell.exe (WSL), and sets Unsupported when none is.
func lookUp() {
	if os.Getenv("WAYLAND_DISPLAY") != "" {
		pasteCmdArgs = []string{wlpaste, "--no-newline"}
		copyCmdArgs = []string{wlcopy}

		if _, err := exec.LookPath(wlcopy); err == nil {
			if _, err := exec.LookPath(wlpaste); err == nil {
				return
			}
		}
	}

	pasteCmdArgs = xclipPasteArgs()
	copyCmdArgs = xclipCopyArgs()

	if _, err := exec.LookPath(xclip); err == nil {
		return
	}

	pasteCmdArgs = xselPasteArgs()
	copyCmdArgs = xselCopyArgs()

	if _, err := exec.LookPath(xsel); err == nil {
		return
	}

	pasteCmdArgs = []string{termuxClipboardGet}
	copyCmdArgs = []string{termuxClipboardSet}

	if _, err := exec.LookPath(termuxClipboardSet); err == nil {
		if _, err := exec.LookPath(termuxClipboardGet); err == nil {
			return
		}
	}

	pasteCmdArgs = []string{powershellExe, "Get-Clipboard"}
	copyCmdArgs = []string{clipExe}
	trimDos = true

	if _, err := exec.LookPath(clipExe); err == nil {
		if _, err := exec.LookPath(powershellExe); err == nil {
			return
		}
	}

	Unsupported = true
}

func getPasteCommand() *exec.Cmd {
	if Primary {
		pasteCmdArgs = pasteCmdArgs[:1]
	}
	return exec.Command(pasteCmdArgs[0], pasteCmdArgs[1:]...)
}

func getCopyCommand() *exec.Cmd {
	if Primary {
		copyCmdArgs = copyCmdArgs[:1]
	}
	return exec.Command(copyCmdArgs[0], copyCmdArgs[1:]...)
}

func readAll() (string, error) {
	lookedUp.Do(lookUp)
	if Unsupported {
		return "", missingCommands
	}
	pasteCmd := getPasteCommand()
	out, err := pasteCmd.Output()
	if err != nil {
		return "", err
	}
	result := string(out)
	if trimDos && len(result) > 1 {
		result = result[:len(result)-2]
	}
	return result, nil
}

func writeAll(text string) error {
	lookedUp.Do(lookUp)
	if Unsupported {
		return missingCommands
	}
	copyCmd := getCopyCommand()
	in, err := copyCmd.StdinPipe()
	if err != nil {
		return err
	}

	if err := copyCmd.Start(); err != nil {
		return err
	}
	if _, err := in.Write([]byte(text)); err != nil {
		return err
	}
	if err := in.Close(); err != nil {
		return err
	}
	return copyCmd.Wait()
}
