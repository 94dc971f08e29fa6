package smtp

import (
	"fmt"
	"time"

	"github.com/jobmail/jobmail/providers"
)

// send runs MAIL, RCPT, DATA and QUIT, one stage each and without
// pipelining, so that a refusal is pinned to the command that caused it.
func (r *run) send(msg providers.Message) error {
	s := r.sess
	from := "MAIL FROM:<" + msg.From + ">"
	if _, ok := r.ext["SMTPUTF8"]; ok && !(isASCII(msg.From) && isASCII(msg.To)) {
		from += " SMTPUTF8"
	}
	err := r.stage(providers.StageMail, func() error {
		_, err := s.cmd(cmdMAIL, from, from, 250)
		return err
	})
	if err != nil {
		return err
	}
	rcpt := "RCPT TO:<" + msg.To + ">"
	err = r.stage(providers.StageRcpt, func() error {
		_, err := s.cmd(cmdRCPT, rcpt, rcpt, 250, 251)
		return err
	})
	if err != nil {
		return err
	}
	err = r.stage(providers.StageData, func() error {
		if _, err := s.cmd(cmdDATA, "DATA", "DATA", 354); err != nil {
			return err
		}
		data := dotStuff(buildMessage(msg, r.t.cfg.now()))
		s.log = append(s.log, fmt.Sprintf("C: [message, %d bytes]", len(data)-3), "C: .")
		if _, err := s.conn.Write(data); err != nil {
			return &ioError{Op: "write", Err: err}
		}
		_, err := s.expect(cmdMessage, "", 250)
		return err
	})
	if err != nil {
		return err
	}
	r.quit()
	return nil
}

// quit says goodbye. The message is already accepted, so the test passes
// whatever happens here; the stage is OK only when the server answers 221,
// and the wait is short.
func (r *run) quit() {
	s := r.sess
	_ = r.stage(providers.StageQuit, func() error {
		if dl, ok := r.ctx.Deadline(); r.ctx.Err() == nil && (!ok || time.Until(dl) > quitGrace) {
			_ = s.raw.SetDeadline(time.Now().Add(quitGrace))
		}
		_, err := s.cmd(cmdQUIT, "QUIT", "QUIT", 221)
		return err
	})
}
