package wizard

import (
	"context"
	"fmt"

	"github.com/jobmail/jobmail/secrets"
	"github.com/jobmail/jobmail/wizard/setupfile"
)

// CommitDeps is where the commit step writes. Every driver fills it and
// calls Commit, so the order (secret, setup file, export) and what is
// written exist once.
type CommitDeps struct {
	// Store takes the session's secret (the typed password, a sign-in's
	// refresh token); nil means no keyring: secrets.ErrUnavailable when a
	// secret must be stored.
	Store secrets.Store
	// SkipSecret leaves the secret out (the person chose the environment
	// variable instead of the keyring).
	SkipSecret bool
	// SetupPath is the setup file to write; "" leaves it alone (a replay
	// never rewrites the file it runs from).
	SetupPath string
	// ExportPath and WriteExport write the platform export of the setup;
	// no export when either is empty.
	ExportPath  string
	WriteExport func(path string, setup *setupfile.Setup) error
}

// Committed is what Commit wrote, and the first failure. A failed secret
// stops it before anything else (without the secret the setup file would
// point at nothing); a failed setup file stops it before the export.
type Committed struct {
	Account   string // keyring account written ("" if none)
	SecretErr error
	SetupErr  error
	ExportErr error
}

// Err is the first failure of the commit, or nil.
func (c Committed) Err() error {
	switch {
	case c.SecretErr != nil:
		return c.SecretErr
	case c.SetupErr != nil:
		return c.SetupErr
	}
	return c.ExportErr
}

// Commit ends a successful session: it stores the session's secret, writes
// the setup file with only the chosen channel's settings (answers given
// for a channel chosen and then left are dropped here, not earlier, so
// that going back to it keeps them as the prefill), and writes the export.
func Commit(ctx context.Context, s *Session, d CommitDeps) Committed {
	var out Committed
	if account, secret, ok := s.Secret(); ok && !d.SkipSecret {
		if d.Store == nil {
			out.SecretErr = fmt.Errorf("store password: %w", secrets.ErrUnavailable)
			return out
		}
		if err := d.Store.Set(ctx, account, secret); err != nil {
			out.SecretErr = fmt.Errorf("store password: %w", err)
			return out
		}
		out.Account = account
	}
	if d.SetupPath != "" {
		s.Setup.Progress = nil
		s.DropStale()
		if err := setupfile.Save(d.SetupPath, s.Setup); err != nil {
			out.SetupErr = fmt.Errorf("write setup file: %w", err)
			return out
		}
	}
	if d.WriteExport != nil && d.ExportPath != "" {
		if err := d.WriteExport(d.ExportPath, s.Setup); err != nil {
			out.ExportErr = fmt.Errorf("write export: %w", err)
		}
	}
	return out
}

// Secret is what the session must leave in the keyring: the SMTP password
// typed or read (Session.Password), or the refresh token of a direct
// integration's sign-in, under the account later headless runs look up.
func (s *Session) Secret() (account string, secret secrets.Secret, ok bool) {
	return channelOf(s.Mailbox().ChannelID()).secret(s)
}

// PasswordAccount is the keyring account of the mailbox's password (its
// SMTP login's), where a headless run looks it up; "" for a channel
// without a password.
func (s *Session) PasswordAccount() string {
	if PasswordBlock(s.Mailbox()) == nil {
		return ""
	}
	return KeyringAccount(s.Mailbox().ChannelID(), s.SMTPUser())
}

// SMTPUser is the SMTP login of the mailbox: its username, else its address.
func (s *Session) SMTPUser() string {
	mb := s.Mailbox()
	if mb.SMTP != nil && mb.SMTP.Username != "" {
		return mb.SMTP.Username
	}
	return mb.Address
}

// DropStale removes from the session's mailbox what belongs to no
// question of the current branch: the settings block of a channel other
// than the chosen one, and confirmations the chosen channel does not ask
// (a person who picked SMTP, went back and picked Google saves no smtp:
// block and no SMTP-only confirmation).
func (s *Session) DropStale() {
	m := s.Mailbox()
	if m.Channel == "" {
		return // the channel is inherited or not chosen: nothing to judge by
	}
	for id, c := range channels {
		if id != m.ChannelID() {
			c.drop(m)
		}
	}
	if len(m.Prerequisites) == 0 {
		return
	}
	asked := map[string]bool{}
	for _, q := range s.questions() {
		if id, ok := PrerequisiteOf(q.Field); ok {
			asked[id] = true
		}
	}
	for id := range m.Prerequisites {
		if !asked[id] {
			delete(m.Prerequisites, id)
		}
	}
	if len(m.Prerequisites) == 0 {
		m.Prerequisites = nil
	}
}
