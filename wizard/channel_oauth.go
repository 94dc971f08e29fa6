package wizard

import (
	"context"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/secrets"
	"github.com/jobmail/jobmail/wizard/setupfile"
)

// directIntegration is what google and microsoft share: the checks and
// the live test come from the driver's OAuthRunner, the secret is the
// sign-in's refresh token under the provider's keyring account.
type directIntegration struct {
	keyringAccount func(address string) string
}

func (directIntegration) passwordBlock(*setupfile.Mailbox) *setupfile.SMTP { return nil }

func (directIntegration) checks(e *Env, s *Session) []providers.Check {
	if e.OAuth == nil {
		return nil
	}
	return e.OAuth.Checks(s)
}

func (directIntegration) tester(ctx context.Context, e *Env, s *Session) (providers.Tester, error) {
	if e.OAuth == nil {
		return nil, ErrNoOAuth
	}
	return e.OAuth.Tester(ctx, s)
}

func (d directIntegration) secret(s *Session) (string, secrets.Secret, bool) {
	if s.Grant == nil || s.Grant.Refresh.Empty() {
		return "", secrets.Secret{}, false
	}
	return d.keyringAccount(s.Mailbox().Address), s.Grant.Refresh, true
}
