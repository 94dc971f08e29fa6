package wizard

import (
	"cmp"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"time"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/providers/smtp"
	"github.com/jobmail/jobmail/secrets"
	"github.com/jobmail/jobmail/wizard/setupfile"
)

// Env is what actions need from the outside world. Both drivers fill it
// and call Run, so checks and the live test exist once.
type Env struct {
	Secrets       *secrets.Resolver      // resolves setup references (headless)
	Timeout       time.Duration          // wall-clock bound of one live test; 0 = 30 s
	AllowInsecure bool                   // credentials over `none` allowed
	Dialer        smtp.Dialer            // nil = net.Dialer
	Resolver      smtp.Resolver          // nil = the system's (tests map names to loopback)
	RootCAs       *x509.CertPool         // nil = the system roots (tests trust their own CA)
	TLSSessions   tls.ClientSessionCache // shared by the run's SMTP tests; nil = none
	Now           func() time.Time       // nil = time.Now
	// Message gives the localized subject and body of the test message;
	// the subject must contain the token.
	Message func(token string) (subject, body string)
	// OAuth runs sign-in and builds OAuth testers for google/microsoft.
	OAuth OAuthRunner
	// Detect runs ActionDetect's lookups; nil: detection off (the provider
	// stays unknown, nothing is suggested).
	Detect *Detector
	// Trace is the Session.Trace of the sessions Replay starts.
	Trace func(event string)
}

// OAuthRunner connects the machine to the direct integrations without
// wizard importing their flows' terminal side.
type OAuthRunner interface {
	Authorize(ctx context.Context, s *Session) error
	Tester(ctx context.Context, s *Session) (providers.Tester, error)
	Checks(s *Session) []providers.Check
}

// credentialsPending stands for the password in the prerequisite checks:
// they run before the secret is resolved and only ask whether credentials
// will be sent (the smtp channel always authenticates), never its value.
var credentialsPending = secrets.New("\x00pending")

// DefaultTimeout bounds a live test when Env.Timeout is zero.
const DefaultTimeout = 30 * time.Second

// ErrNoOAuth means a google/microsoft channel was chosen but the driver
// gave no OAuth runner.
var ErrNoOAuth = errors.New("no oauth runner configured")

// Run performs action a for session s and records its outcome in s.
// An error means the action could not run at all (a secret could not be
// resolved, the context ended); a failed check or test is not an error:
// it is recorded, and Next returns it as Blocked.
func (e *Env) Run(ctx context.Context, s *Session, a Action, obs providers.Observer) error {
	if a.Kind != ActionDetect { // StartDetect traces it, for every driver
		s.trace("action " + string(a.Kind))
	}
	switch a.Kind {
	case ActionDetect:
		e.runDetect(ctx, s)
		return nil
	case ActionCheck:
		s.RecordChecks(e.checks(s))
		return nil
	case ActionAuthorize:
		if e.OAuth == nil {
			return ErrNoOAuth
		}
		if err := e.OAuth.Authorize(ctx, s); err != nil {
			return err
		}
		s.RecordAuthorized()
		return nil
	case ActionTest:
		r, err := e.test(ctx, s, obs)
		if err != nil {
			return err
		}
		s.RecordResult(r)
		return nil
	}
	return fmt.Errorf("unknown action %q", a.Kind)
}

func (e *Env) checks(s *Session) []providers.Check {
	cs := channelOf(s.connection().ChannelID()).checks(e, s)
	return append(cs, s.confirmationChecks()...)
}

// confirmationChecks turns a person's "no" into a check: some answers
// make the test pointless (a shared mailbox cannot log in), others are
// warnings the live test will confirm or refute.
func (s *Session) confirmationChecks() []providers.Check {
	m := s.Mailbox()
	var cs []providers.Check
	for _, id := range sortedKeys(m.Prerequisites) {
		ok := m.Prerequisites[id]
		c := providers.Check{ID: id, OK: ok}
		if !ok {
			code, fatal := confirmationCode(id)
			c.Warning = !fatal
			c.Diagnosis = &providers.Diagnosis{Code: code, Actor: providers.ActorMailAdmin,
				Field: s.prefix() + ".prerequisites." + id, Args: map[string]string{"address": m.Address}}
		}
		cs = append(cs, c)
	}
	return cs
}

// prerequisiteCodes ties each prerequisite a person confirms to the
// diagnosis it stands for, both ways: a "no" gives the code (fatal: the
// test would be pointless), and the IT report blames the prerequisite for
// a failed test with that code when the code names it beyond doubt
// (blamed; an smtp.rejected has other causes than the allowlist).
var prerequisiteCodes = []struct {
	id            string
	code          providers.Code
	fatal, blamed bool
}{
	{"not_shared_mailbox", providers.CodeConfigSharedMailbox, true, true},
	{"licensed_mailbox", providers.CodeConfigSharedMailbox, true, false},
	{"smtp_auth_enabled", providers.CodeAuthSMTPAuthDisabled, true, true},
	{"security_defaults_allow_basic_auth", providers.CodeAuthBasicAuthBlocked, true, true},
	{"admin_rights_or_consent", providers.CodeOAuthAdminConsent, false, true},
	{"ip_allowlist", providers.CodeSMTPRejected, false, false},
	// The server named the IP block itself (a blocklist, no reverse DNS):
	// the allowlist is the way out. A "no" still gives smtp.rejected above.
	{"ip_allowlist", providers.CodeSMTPIPBlocked, false, true},
}

func confirmationCode(id string) (providers.Code, bool) {
	for _, p := range prerequisiteCodes {
		if p.id == id {
			return p.code, p.fatal
		}
	}
	return providers.CodeAuthRejected, false
}

func (e *Env) test(ctx context.Context, s *Session, obs providers.Observer) (providers.Result, error) {
	m := s.connection()
	t, err := channelOf(m.ChannelID()).tester(ctx, e, s)
	if err != nil {
		return providers.Result{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, e.timeout())
	defer cancel()
	return t.Test(ctx, e.message(s), obs), nil
}

// timeout is the wall-clock bound of one live test.
func (e *Env) timeout() time.Duration {
	if e.Timeout <= 0 {
		return DefaultTimeout
	}
	return e.Timeout
}

func (e *Env) secret(ctx context.Context, setup *setupfile.Setup, ref, account string) (secrets.Secret, error) {
	ref = cmp.Or(ref, setupfile.DefaultSecretRef)
	r, err := secrets.ParseRef(ref)
	if err != nil {
		return secrets.Secret{}, err
	}
	if r.Kind == secrets.RefFile {
		r.Arg = setup.ResolvePath(r.Arg)
	}
	if e.Secrets == nil {
		return secrets.Secret{}, fmt.Errorf("resolve %s: %w", r, secrets.ErrUnavailable)
	}
	return e.Secrets.Resolve(ctx, r, account)
}

func (e *Env) smtpConfig(setup *setupfile.Setup, m *setupfile.Mailbox, pw secrets.Secret) smtp.Config {
	c := setupfile.DefaultSMTP(m.SMTP, m.Address)
	return smtp.Config{Host: c.Host, Port: c.Port, Security: providers.Security(c.Security), Username: c.Username, Password: pw,
		CAFile: setup.ResolvePath(c.CAFile), AllowInsecure: e.AllowInsecure, Dialer: e.Dialer, Resolver: e.Resolver, RootCAs: e.RootCAs, Now: e.Now, SessionCache: e.TLSSessions}
}

func (e *Env) message(s *Session) providers.Message {
	m := s.connection()
	subject, body := "jobmail test "+s.Token, "jobmail test message, verification token "+s.Token
	if e.Message != nil {
		subject, body = e.Message(s.Token)
	}
	name := ""
	if m.SenderName != "employee" {
		name = s.Setup.PlatformName()
	}
	return providers.Message{From: m.Address, SenderName: name, To: m.Address, Token: s.Token, Subject: subject, Body: body}
}

// KeyringAccount is the keyring entry of a mailbox's secret, e.g.
// "smtp:jobs@acme.de". Wizard and headless replays agree on it.
func KeyringAccount(ch providers.Channel, user string) string {
	return secrets.Account(string(ch), user)
}
