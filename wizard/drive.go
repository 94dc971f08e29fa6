package wizard

// Every driver of the machine (the TUI's full screen, its accessible
// lines, and replay of a setup file) runs one driver step: Drive asks the
// machine for its next step and hands it to the driver's Frontend. The
// drivers differ in how they show a step and where an answer comes from
// (a form, a line, the file); none decides what comes next: that is the
// Step, so the same answers take the same path in every driver.

// Frontend shows the machine's steps; each handler returns what the
// driver's loop needs next (R): the full screen a tea.Cmd, the accessible
// mode and replay whether to go on.
type Frontend[R any] interface {
	// Enter is told every step Next hands out, before its handler (the
	// accessible mode names a step when it begins).
	Enter(st Step)
	// Question shows q and gives its answer to Session.Answer.
	Question(q Question) R
	// Detect runs the machine's ActionDetect (the provider lookup and the
	// server discovery, within the machine's bounds); Drive has told the
	// session it started.
	Detect() R
	// Action runs a check, the sign-in or the live test (Env.Run).
	Action(a Action) R
	// Blocked shows a failed check, test or action with its remedies.
	Blocked(st Step) R
	// Done ends the run (the TUI commits; replay reports).
	Done() R
}

// Drive advances s one step: the detection a resumed run still owes first
// (its fast-forward answered the address past ActionDetect: DeferDetect),
// else the machine's Next, handed to f. It returns the step it handed on
// and f's result. Trace sees "blocked <code>" and "done" besides the
// answers and actions, so a test can follow any driver to its end.
func Drive[R any](s *Session, f Frontend[R]) (Step, R) {
	if s.detect.owed {
		s.detect.owed = false
		s.trace("action " + string(ActionDetect))
		return Step{State: StateForwarding, Action: &Action{Kind: ActionDetect, State: StateForwarding}}, f.Detect()
	}
	st := s.Next()
	f.Enter(st)
	switch {
	case st.Question != nil:
		return st, f.Question(*st.Question)
	case st.Action != nil && st.Action.Kind == ActionDetect:
		s.StartDetect()
		return st, f.Detect()
	case st.Action != nil:
		return st, f.Action(*st.Action)
	case st.Blocked != nil:
		s.trace("blocked " + string(st.Blocked.Code))
		return st, f.Blocked(st)
	}
	// Done (a step with nothing set is no step the machine hands out)
	s.trace("done")
	return st, f.Done()
}

// DeferDetect is ActionDetect put off by a driver that answers saved
// answers first (the TUI's resume): Next moves on as if it had started,
// and the next Drive runs it before anything else.
func (s *Session) DeferDetect() {
	s.detect = detectState{address: s.Mailbox().Address, owed: true}
}
