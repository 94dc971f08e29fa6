package wizard

import (
	"cmp"
	"context"
	"fmt"
	"net/http"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/providers/oauth"
	"github.com/jobmail/jobmail/secrets"
	"github.com/jobmail/jobmail/wizard/setupfile"
)

// OAuth runs the direct integrations (google, microsoft) for the machine.
// Interactive runs sign in through Mode, Opener and Prompter (the driver
// renders the prompter's events); headless runs never open a browser:
// they resolve the stored refresh token and store a rotated one at once.
type OAuth struct {
	Mode       oauth.Mode
	Opener     oauth.Opener
	Prompter   oauth.Prompter
	Getenv     func(string) string // client ids from JOBMAIL_*_CLIENT_ID when the setup has none
	Secrets    *secrets.Resolver   // headless: resolves refresh_token references
	Store      secrets.Store       // where rotated refresh tokens go (the keyring)
	HTTPClient *http.Client
	// WriteFile replaces a file: refresh-token reference with a rotated
	// token (default WriteFileAtomic, mode 0600).
	WriteFile func(path string, data []byte) error
}

// oauthProvider is what google.Provider and microsoft.Provider share.
type oauthProvider interface {
	Authorize(ctx context.Context, mode oauth.Mode, address string, opener oauth.Opener, prompter oauth.Prompter) (oauth.Grant, error)
	Tester(address string, refresh secrets.Secret, store func(secrets.Secret) error) providers.Tester
	Prerequisites(address, account string, confirmed map[string]bool) []providers.Check
}

func (o *OAuth) provider(setup *setupfile.Setup, m *setupfile.Mailbox) (oauthProvider, string, string, error) {
	if c, ok := signInOf(m.ChannelID()); ok {
		return c.provider(o, setup, m)
	}
	return nil, "", "", fmt.Errorf("channel %q has no oauth sign-in", m.Channel)
}

// clientSecret resolves Google's client secret reference (keyring: the
// entry google-client:<reference owner>).
func (o *OAuth) clientSecret(setup *setupfile.Setup, ref string) (secrets.Secret, error) {
	r, err := secrets.ParseRef(ref)
	if err != nil {
		return secrets.Secret{}, err
	}
	if r.Kind == secrets.RefFile {
		r.Arg = setup.ResolvePath(r.Arg)
	}
	if o.Secrets == nil {
		return secrets.Secret{}, fmt.Errorf("resolve %s: %w", r, secrets.ErrUnavailable)
	}
	return o.Secrets.Resolve(context.Background(), r, "google:client_secret")
}

// Authorize signs the mailbox's address in and keeps the grant in the
// session; the refresh token reaches the keyring when the wizard saves.
func (o *OAuth) Authorize(ctx context.Context, s *Session) error {
	p, _, _, err := o.provider(s.Setup, s.connection())
	if err != nil {
		return err
	}
	g, err := p.Authorize(ctx, o.Mode, s.connection().Address, o.Opener, o.Prompter)
	if err != nil {
		return err
	}
	s.Grant = &g
	return nil
}

// Tester builds the live test: from the session's grant when signed in
// here, else from the stored refresh token.
func (o *OAuth) Tester(ctx context.Context, s *Session) (providers.Tester, error) {
	m := s.connection()
	p, account, ref, err := o.provider(s.Setup, m)
	if err != nil {
		return nil, err
	}
	if s.Grant != nil {
		return p.Tester(m.Address, s.Grant.Refresh, func(n secrets.Secret) error { s.Grant.Refresh = n; return nil }), nil
	}
	ref = cmp.Or(ref, setupfile.DefaultSecretRef)
	r, err := secrets.ParseRef(ref)
	if err != nil {
		return nil, err
	}
	if r.Kind == secrets.RefFile {
		r.Arg = s.Setup.ResolvePath(r.Arg)
	}
	refresh, err := o.Secrets.Resolve(ctx, r, account)
	if err != nil {
		return nil, err
	}
	rot := &rotation{o: o, s: s, ref: r, account: account, key: s.prefix() + "." + m.Channel + ".refresh_token", old: refresh}
	if rot.spent(ctx) {
		return spentTester{r: rot, ch: m.ChannelID()}, nil
	}
	return p.Tester(m.Address, refresh, func(n secrets.Secret) error { return rot.store(ctx, n) }), nil
}

// Checks are the provider's prerequisites; the signed-in account is known
// only after an interactive sign-in.
func (o *OAuth) Checks(s *Session) []providers.Check {
	m := s.connection()
	p, _, _, err := o.provider(s.Setup, m)
	if err != nil {
		return []providers.Check{{ID: "oauth_config", Automatic: true, Diagnosis: &providers.Diagnosis{
			Code: providers.CodeOAuthAppNotFound, Actor: providers.ActorUser, Field: s.prefix() + "." + m.Channel}}}
	}
	account := ""
	if s.Grant != nil {
		account = s.Grant.Account
	}
	// Only the automatic checks: confirmations are the machine's questions
	// (prerequisites.<id>), turned into checks by confirmationChecks.
	var cs []providers.Check
	for _, c := range p.Prerequisites(m.Address, account, nil) {
		if !c.Automatic {
			continue
		}
		if d := c.Diagnosis; d != nil && d.Field != "" {
			d.Field = s.prefix() + "." + d.Field
		}
		cs = append(cs, c)
	}
	return cs
}
