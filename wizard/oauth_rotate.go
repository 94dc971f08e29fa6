package wizard

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/secrets"
	"github.com/jobmail/jobmail/wizard/setupfile"
)

// A refresh token the server rotates is spent the moment the new one is
// handed out; presenting it again makes a server with reuse detection
// revoke the whole grant, the new token included. So every rotated token
// is kept before any mail traffic, wherever the setup's reference allows:
//
//   - keyring: replaced in the keyring (as before);
//   - file:PATH: the file is replaced atomically, mode 0600;
//   - env:NAME and stdin cannot be written back: the new token goes to the
//     keyring under the channel's account, the spent one is remembered
//     there by its SHA-256 only, and the run warns with
//     oauth.refresh_token_spent (Args state "moved", or "lost" when the
//     keyring is unavailable too). A later run that is handed the same
//     spent value refuses to send it (state "spent") instead of ending the
//     grant for good.

// spentSuffix marks the keyring entry that remembers a spent token's hash.
const spentSuffix = "#spent"

func tokenHash(s secrets.Secret) secrets.Secret {
	h := sha256.Sum256([]byte(s.Reveal()))
	return secrets.New(hex.EncodeToString(h[:]))
}

// rotation is the store of one tester's rotated refresh tokens.
type rotation struct {
	o       *OAuth
	s       *Session
	ref     secrets.Ref
	account string // keyring account of the channel
	key     string // setup-file key of the reference
	old     secrets.Secret
}

// spent reports whether refresh (from an env:/stdin reference) is a token
// an earlier run saw rotated away. A keyring that cannot be read answers
// "not known to be spent".
func (r *rotation) spent(ctx context.Context) bool {
	if r.o.Store == nil || (r.ref.Kind != secrets.RefEnv && r.ref.Kind != secrets.RefStdin) {
		return false
	}
	h, err := r.o.Store.Get(ctx, r.account+spentSuffix)
	return err == nil && h.Reveal() == tokenHash(r.old).Reveal()
}

func (r *rotation) args(state string) map[string]string {
	return map[string]string{"state": state, "ref": r.ref.String(), "key": r.key, "account": r.account}
}

// spentResult is the live test's answer for a spent token: the auth stage
// fails before any connection, nothing is sent to the server.
func (r *rotation) spentResult(ch providers.Channel) providers.Result {
	d := providers.Diagnosis{Code: providers.CodeOAuthRefreshSpent, Actor: providers.ActorUser, Field: r.key, Args: r.args("spent")}
	return providers.Result{Channel: ch, Started: time.Now(),
		Stages:    []providers.Stage{{Name: providers.StageAuth}},
		Diagnosis: &d, Err: &providers.Error{Diagnosis: d, Err: errors.New("the refresh token was already rotated away on an earlier run")}}
}

// store keeps n, the token that replaced r.old.
func (r *rotation) store(ctx context.Context, n secrets.Secret) error {
	switch r.ref.Kind {
	case secrets.RefKeyring:
		if r.o.Store == nil {
			return fmt.Errorf("store the rotated refresh token: %w", secrets.ErrUnavailable)
		}
		return r.o.Store.Set(ctx, r.account, n)
	case secrets.RefFile:
		write := r.o.WriteFile
		if write == nil {
			write = func(path string, data []byte) error { return setupfile.WriteFileAtomic(path, data, 0o600) }
		}
		if err := write(r.ref.Arg, []byte(n.Reveal()+"\n")); err != nil {
			e := providers.Fail(providers.CodeSecretsUnavailable, providers.ActorUser, r.key,
				fmt.Errorf("write the rotated refresh token back to %s: %w", r.ref, err))
			e.Args = map[string]string{"reason": "rotated_refresh_token"}
			return e
		}
		return nil
	}
	// env: and stdin: the keyring takes the new one; the setup must follow.
	state := "moved"
	if r.o.Store == nil || r.o.Store.Set(ctx, r.account, n) != nil {
		state = "lost"
	} else {
		_ = r.o.Store.Set(ctx, r.account+spentSuffix, tokenHash(r.old))
	}
	r.s.Warnings = append(r.s.Warnings, setupfile.Warning{Key: r.key, Diagnosis: providers.Diagnosis{
		Code: providers.CodeOAuthRefreshSpent, Actor: providers.ActorUser, Field: r.key, Args: r.args(state)}})
	r.old = n
	return nil
}

// spentTester answers every test with the spent diagnosis.
type spentTester struct {
	r  *rotation
	ch providers.Channel
}

func (t spentTester) Test(_ context.Context, _ providers.Message, obs providers.Observer) providers.Result {
	res := t.r.spentResult(t.ch)
	if obs != nil {
		obs(providers.StageEvent{Stage: providers.Stage{Name: providers.StageAuth}})
		obs(providers.StageEvent{Stage: res.Stages[0], Done: true})
	}
	return res
}
