package oauth

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"golang.org/x/oauth2"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/secrets"
)

// Claims are the identity claims of an id_token or a userinfo answer.
type Claims struct {
	Email             string `json:"email"`
	PreferredUsername string `json:"preferred_username"`
	UPN               string `json:"upn"`
	TenantID          string `json:"tid"`
	Subject           string `json:"sub"`
}

// Account is the signed-in address: email, else preferred_username, else upn.
func (c Claims) Account() string {
	for _, v := range []string{c.Email, c.PreferredUsername, c.UPN} {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}

// Match returns the claim that equals address, compared case-insensitively
// (mail addresses are, in practice). Microsoft may put the address only in
// preferred_username or upn, so each is tried.
func (c Claims) Match(address string) (string, bool) {
	want := strings.TrimSpace(address)
	if want == "" {
		return "", false
	}
	for _, v := range []string{c.Email, c.PreferredUsername, c.UPN} {
		if v = strings.TrimSpace(v); v != "" && strings.EqualFold(v, want) {
			return v, true
		}
	}
	return "", false
}

// ParseIDToken reads the claims of a JWT id_token WITHOUT verifying its
// signature. That is acceptable here only because the token came straight
// from the token endpoint over TLS in answer to our own code exchange (OIDC
// Core 3.1.3.7 allows TLS server validation in place of the signature in
// that case); never use it on a token received from anywhere else.
func ParseIDToken(raw string) (Claims, error) {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return Claims{}, errors.New("id_token is not a JWT")
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return Claims{}, fmt.Errorf("decode id_token payload: %w", err)
	}
	var c Claims
	if err := json.Unmarshal(payload, &c); err != nil {
		return Claims{}, fmt.Errorf("parse id_token claims: %w", err)
	}
	return c, nil
}

// identify finds out who signed in: the userinfo endpoint when configured
// (falling back to the id_token if it fails and one came), else the
// id_token.
func (f *Flow) identify(ctx context.Context, tok *oauth2.Token) (Claims, error) {
	var idc Claims
	var idErr error
	raw, _ := tok.Extra("id_token").(string)
	if raw != "" {
		idc, idErr = ParseIDToken(raw)
	} else {
		idErr = errors.New("the token answer has no id_token")
	}
	if f.UserinfoURL == "" {
		return idc, idErr
	}
	uc, err := f.userinfo(ctx, tok.AccessToken)
	if err == nil {
		if uc.TenantID == "" {
			uc.TenantID = idc.TenantID
		}
		return uc, nil
	}
	if idErr == nil {
		return idc, nil
	}
	return Claims{}, err
}

func (f *Flow) userinfo(ctx context.Context, access string) (Claims, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, f.UserinfoURL, nil)
	if err != nil {
		return Claims{}, fmt.Errorf("userinfo request: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+access)
	req.Header.Set("Accept", "application/json")
	resp, err := f.httpClient().Do(req)
	if err != nil {
		return Claims{}, fmt.Errorf("userinfo: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return Claims{}, fmt.Errorf("read userinfo: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return Claims{}, fmt.Errorf("userinfo: http status %d", resp.StatusCode)
	}
	var c Claims
	if err := json.Unmarshal(body, &c); err != nil {
		return Claims{}, fmt.Errorf("parse userinfo: %w", err)
	}
	return c, nil
}

// grant turns a fresh token answer into a Grant, after checking the
// account and that a refresh token came (without one, headless runs could
// never send).
func (f *Flow) grant(ctx context.Context, tok *oauth2.Token, address string, p Prompter) (Grant, error) {
	hide := []string{tok.AccessToken, tok.RefreshToken}
	claims, err := f.identify(ctx, tok)
	if err != nil {
		return Grant{}, f.fail(atStage(StageSignIn, fmt.Errorf("find the signed-in account: %w", err)), address, hide...)
	}
	account, ok := claims.Match(address)
	if !ok {
		e := providers.Fail(providers.CodeOAuthAccountMismatch, providers.ActorUser, f.Fields.Address,
			errors.New("signed in with another account than the company address"))
		e.Args = map[string]string{"expected": address, "actual": claims.Account()}
		return Grant{}, e
	}
	if tok.RefreshToken == "" {
		e := providers.Fail(providers.CodeOAuthInvalidScope, providers.ActorPlatform, "",
			errors.New("the authorization server issued no refresh token"))
		e.Args = map[string]string{"reason": "no_refresh_token"}
		return Grant{}, e
	}
	now := f.clock().Now()
	h := Health{IssuedAt: now}
	if f.Health != nil {
		h = f.Health(now)
	}
	notify(p, Event{Kind: EventSignedIn, Account: account})
	return Grant{
		Account:      account,
		TenantID:     claims.TenantID,
		Refresh:      secrets.New(tok.RefreshToken),
		Access:       secrets.New(tok.AccessToken),
		AccessExpiry: tok.Expiry,
		Health:       h,
	}, nil
}
