package wizard

import (
	"context"

	"github.com/jobmail/jobmail/providers/smtp"
)

// A headless replay knows where a mailbox's live test goes long before
// the machine asks for the test: the setup file names the server. The
// first thing the machine does with the address is ActionDetect, whose MX
// lookup waits on the network; the test's opening (smtp.Ahead: DNS, TCP,
// greeting, TLS, EHLO, nothing of the mailbox's and no secret) runs
// meanwhile, and the test goes on from it. The machine's path is the one
// it takes without the opening: the test still runs only when Next hands
// it out, and an opening no test takes is closed when the replay ends.
// The interactive drivers open nothing ahead: a person's answers may
// take minutes, longer than a server keeps an idle connection.

// aheadChannel is a channel whose live test can open ahead.
type aheadChannel interface {
	openAhead(ctx context.Context, e *Env, s *Session) *smtp.Ahead
}

// openAhead starts the opening of the live test of s's connection, if its
// channel has one and none is open yet.
func (s *Session) openAhead(ctx context.Context, e *Env) {
	if s.ahead != nil {
		return
	}
	if c, ok := channelOf(s.connection().ChannelID()).(aheadChannel); ok {
		s.ahead = c.openAhead(ctx, e, s)
	}
}

// takeAhead hands the opening to the live test being built (the tester
// takes it over or closes it).
func (s *Session) takeAhead() *smtp.Ahead {
	a := s.ahead
	s.ahead = nil
	return a
}

// closeAhead ends an opening no test took.
func (s *Session) closeAhead() { s.takeAhead().Close() }
