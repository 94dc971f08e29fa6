package wizard

import (
	"strings"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/wizard/setupfile"
)

// The field list is built once per shape of the session, not on every
// Next, question and Answer (a 300-entity replay spent a fifth of its CPU
// rebuilding it). Its values are read through the fields' closures at
// the time they are asked, so only what buildFields reads while building
// can make a list stale; fieldShape is exactly that, and a changed shape
// rebuilds the list, whoever changed it (an answer, a remedy, Prev, a
// detection result, a driver writing Session.Provider).
type fieldShape struct {
	mb          *setupfile.Mailbox
	key         string
	entity      int
	inherits    bool
	channel     providers.Channel
	interactive bool
	app         string // <channel>.app answered: the own app asks its id and tenant at the channel step
	provider    string // smtpConfirmations
	office365   bool   // smtpConfirmations: the host is Exchange Online's
}

type fieldMemo struct {
	shape fieldShape
	fs    []field
	keys  []string // setup-file key of each field, keyOf(fs[i])
}

func (s *Session) shape() fieldShape {
	m := s.Mailbox()
	var host string
	if m.SMTP != nil {
		host = m.SMTP.Host
	}
	return fieldShape{mb: m, key: s.key, entity: s.entity, inherits: s.Inherits(), channel: m.ChannelID(),
		interactive: s.Interactive, app: s.appChoice[m.ChannelID()], provider: s.Provider,
		office365: strings.EqualFold(host, providerSMTPHost["microsoft"])}
}

// fields is the session's field list, rebuilt only when its shape changed.
func (s *Session) fields() []field {
	sh := s.shape()
	if s.memo != nil && s.memo.shape == sh {
		return s.memo.fs
	}
	fs := s.buildFields()
	keys := make([]string, len(fs))
	for i, f := range fs {
		keys[i] = s.keyOf(f)
	}
	s.memo = &fieldMemo{shape: sh, fs: fs, keys: keys}
	return fs
}
