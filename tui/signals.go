package tui

import (
	"os"
	"os/signal"
	"syscall"
)

// The quit dialog promises that the answers are saved; this holds however
// the program ends: ctrl+c → Quit saves before quitting (quitNow), and
// every other end — SIGTERM (bubbletea's handler ends the program),
// SIGINT when the input is not a terminal, SIGHUP when the terminal
// window is closed, a cancelled context — is caught by Run, which saves
// the progress once the program has stopped (saveOnExit).

// onHangup calls quit on SIGHUP until stop is called. Without it SIGHUP's
// default action ends the process at once.
func onHangup(quit func()) (stop func()) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGHUP)
	done := make(chan struct{})
	go func() {
		select {
		case <-ch:
			quit()
		case <-done:
		}
	}()
	return func() {
		signal.Stop(ch)
		close(done)
	}
}

// saveOnExit saves the progress when the program ended without doing so
// itself. Runs after the program has stopped and any action has returned
// the session, so nothing else touches the model.
//
// Nothing is written when the run is done (everything is written already),
// while the end's files are being written (finish owns them), or on the
// resume offer (the file on disk is the progress, untouched).
func (m *Model) saveOnExit() {
	switch {
	case m.quitSave != nil: // quitNow started saving; make sure it is written
		if m.result.SetupPath == "" && m.result.Err == nil {
			m.onProgressSaved(m.quitSave())
		}
		return
	case m.mode == modeDone || m.mode == modeFinishing || m.mode == modeResume:
		return
	}
	m.onProgressSaved(m.prepareQuit()())
}
