package oauth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"golang.org/x/oauth2"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/secrets"
)

// ActionRunWizard is the "action" arg of an invalid_grant diagnosis from a
// headless run: the stored refresh token is missing or no longer valid and
// only an interactive sign-in (the wizard, once) can replace it.
const ActionRunWizard = "run_wizard"

// Refresh trades a refresh token for an access token. It never opens a
// browser, so headless replay can use it.
//
// Rotation contract: a server may answer with a new refresh token and
// invalidate the old one at once (Microsoft does). Refresh then calls
// f.OnRotate(newRefresh) before returning, so the new token is stored even
// if the caller fails later; when OnRotate fails, Refresh fails too, since
// carrying on would lose the only valid token silently. newRefresh is
// always the token to keep: the rotated one, or refreshToken unchanged.
// A caller that leaves OnRotate nil must store newRefresh itself whenever
// it differs from refreshToken.
//
// A missing, revoked or expired refresh token is oauth.invalid_grant with
// Args["action"] = ActionRunWizard.
func (f *Flow) Refresh(ctx context.Context, refreshToken secrets.Secret) (access, newRefresh secrets.Secret, expiry time.Time, err error) {
	if err := f.validate(); err != nil {
		return secrets.Secret{}, refreshToken, time.Time{}, err
	}
	if refreshToken.Empty() {
		e := providers.Fail(providers.CodeOAuthInvalidGrant, providers.ActorUser, f.Fields.Refresh,
			errors.New("no refresh token stored"))
		e.Args = map[string]string{"reason": "missing", "action": ActionRunWizard}
		return secrets.Secret{}, refreshToken, time.Time{}, e
	}
	old := refreshToken.Reveal()
	src := f.config("").TokenSource(f.httpCtx(ctx), &oauth2.Token{RefreshToken: old})
	tok, err := src.Token()
	if err != nil {
		e := f.fail(atStage(StageRefresh, fmt.Errorf("refresh the access token: %w", err)), "", old)
		if e.Code == providers.CodeOAuthInvalidGrant {
			if e.Args == nil {
				e.Args = map[string]string{}
			}
			e.Args["action"] = ActionRunWizard
		}
		return secrets.Secret{}, refreshToken, time.Time{}, e
	}
	access = secrets.New(tok.AccessToken)
	newRefresh = refreshToken
	if tok.RefreshToken != "" && tok.RefreshToken != old {
		newRefresh = secrets.New(tok.RefreshToken)
		if f.OnRotate != nil {
			if err := f.OnRotate(newRefresh); err != nil {
				return access, newRefresh, tok.Expiry, storeFailure(err)
			}
		}
	}
	if err := f.refreshAccount(ctx, tok); err != nil {
		return secrets.Secret{}, newRefresh, time.Time{}, err
	}
	return access, newRefresh, tok.Expiry, nil
}

// refreshAccount checks who the refreshed token belongs to, when f.Account
// is set and the answer says (an id_token, or a configured userinfo). An
// answer that names nobody passes: the mail server still checks.
func (f *Flow) refreshAccount(ctx context.Context, tok *oauth2.Token) error {
	if f.Account == "" {
		return nil
	}
	if raw, _ := tok.Extra("id_token").(string); raw == "" && f.UserinfoURL == "" {
		return nil
	}
	claims, err := f.identify(ctx, tok)
	if err != nil || claims.Account() == "" {
		return nil
	}
	if _, ok := claims.Match(f.Account); ok {
		return nil
	}
	e := providers.Fail(providers.CodeOAuthAccountMismatch, providers.ActorUser, f.Fields.Address,
		errors.New("the stored sign-in belongs to another account than the company address"))
	e.Args = map[string]string{"expected": f.Account, "actual": claims.Account(), "stage": StageRefresh}
	return e
}

// storeFailure classifies a failure to save a rotated refresh token.
func storeFailure(err error) *providers.Error {
	var pe *providers.Error
	if errors.As(err, &pe) {
		return pe
	}
	code := providers.CodeSecretsUnavailable
	if errors.Is(err, secrets.ErrTooLarge) {
		code = providers.CodeSecretsTooLarge
	}
	e := providers.Fail(code, providers.ActorUser, "", fmt.Errorf("store the rotated refresh token: %w", err))
	e.Args = map[string]string{"reason": "rotated_refresh_token"}
	return e
}
