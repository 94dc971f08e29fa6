package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/jobmail/jobmail/providers"
)

// Device flow defaults from RFC 8628 and Microsoft's documentation.
const (
	defaultDeviceInterval = 5 * time.Second
	defaultDeviceLifetime = 15 * time.Minute
	slowDownStep          = 5 * time.Second
)

// deviceFlow runs the device authorization grant (RFC 8628). Polling is
// our own rather than x/oauth2's DeviceAccessToken: that one counts whole
// seconds of wall-clock time, so a countdown could not be reported and
// tests could not run without sleeping through the intervals.
func (f *Flow) deviceFlow(ctx context.Context, address string, p Prompter) (Grant, error) {
	if p == nil {
		return Grant{}, errors.New("oauth flow: a prompter is needed to show the device code")
	}
	da, err := f.config("").DeviceAuth(f.httpCtx(ctx))
	if err != nil {
		return Grant{}, f.fail(atStage(StageSignIn, fmt.Errorf("request a device code: %w", err)), address)
	}
	clk := f.clock()
	lifetime := defaultDeviceLifetime
	if !da.Expiry.IsZero() {
		lifetime = time.Until(da.Expiry)
	}
	expiresAt := clk.Now().Add(lifetime)
	interval := time.Duration(da.Interval) * time.Second
	if interval <= 0 {
		interval = defaultDeviceInterval
	}
	notify(p, Event{Kind: EventDeviceCode, UserCode: da.UserCode, VerificationURI: da.VerificationURI,
		VerificationURIComplete: da.VerificationURIComplete, ExpiresAt: expiresAt,
		Remaining: lifetime, Interval: interval})
	for {
		select {
		case <-ctx.Done():
			return Grant{}, f.fail(ctx.Err(), address)
		case <-clk.After(interval):
		}
		if !clk.Now().Before(expiresAt) {
			e := providers.Fail(providers.CodeOAuthExpired, providers.ActorUser, "",
				errors.New("the device code expired before sign-in finished"))
			e.Args = map[string]string{"reason": "device_code_expired"}
			return Grant{}, e
		}
		tok, err := f.pollDevice(ctx, da.DeviceCode)
		if err == nil {
			return f.grant(ctx, tok, address, p)
		}
		if ctx.Err() != nil { // the sign-in's own time ran out while polling
			return Grant{}, f.fail(ctx.Err(), address)
		}
		err = atStage(StageToken, err)
		var re *oauth2.RetrieveError
		if !errors.As(err, &re) {
			return Grant{}, f.fail(err, address, da.DeviceCode)
		}
		switch re.ErrorCode {
		case "authorization_pending":
		case "slow_down":
			interval += slowDownStep // RFC 8628 3.5: for this and all later requests
		default:
			return Grant{}, f.fail(err, address, da.DeviceCode)
		}
		notify(p, Event{Kind: EventDevicePoll, ExpiresAt: expiresAt,
			Remaining: expiresAt.Sub(clk.Now()), Interval: interval})
	}
}

// pollDevice asks the token endpoint once. A pending or failed answer is
// an *oauth2.RetrieveError, as x/oauth2 reports token errors elsewhere.
func (f *Flow) pollDevice(ctx context.Context, deviceCode string) (*oauth2.Token, error) {
	v := url.Values{
		"grant_type":  {"urn:ietf:params:oauth:grant-type:device_code"},
		"device_code": {deviceCode},
		"client_id":   {f.ClientID},
	}
	secret := f.ClientSecret.Reveal()
	if secret != "" && f.authStyle() == oauth2.AuthStyleInParams {
		v.Set("client_secret", secret)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.TokenURL, strings.NewReader(v.Encode()))
	if err != nil {
		return nil, fmt.Errorf("device token request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	if secret != "" && f.authStyle() == oauth2.AuthStyleInHeader {
		req.SetBasicAuth(url.QueryEscape(f.ClientID), url.QueryEscape(secret))
	}
	resp, err := f.httpClient().Do(req)
	if err != nil {
		return nil, fmt.Errorf("poll the token endpoint: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("read the token answer: %w", err)
	}
	return parseTokenAnswer(resp, body)
}

// tokenAnswer is RFC 6749 5.1 / 5.2. expires_in is a number, but some
// servers send it as a string.
type tokenAnswer struct {
	AccessToken      string          `json:"access_token"`
	TokenType        string          `json:"token_type"`
	RefreshToken     string          `json:"refresh_token"`
	ExpiresIn        json.RawMessage `json:"expires_in"`
	Error            string          `json:"error"`
	ErrorDescription string          `json:"error_description"`
	ErrorURI         string          `json:"error_uri"`
}

func parseTokenAnswer(resp *http.Response, body []byte) (*oauth2.Token, error) {
	var a tokenAnswer
	jsonErr := json.Unmarshal(body, &a)
	if resp.StatusCode < 200 || resp.StatusCode > 299 || a.Error != "" || a.AccessToken == "" {
		re := &oauth2.RetrieveError{Response: resp, Body: body, ErrorCode: a.Error,
			ErrorDescription: a.ErrorDescription, ErrorURI: a.ErrorURI}
		if re.ErrorCode == "" {
			re.ErrorCode = "http_" + strconv.Itoa(resp.StatusCode)
		}
		return nil, re
	}
	if jsonErr != nil {
		return nil, fmt.Errorf("parse the token answer: %w", jsonErr)
	}
	var raw map[string]any
	_ = json.Unmarshal(body, &raw)
	tok := &oauth2.Token{AccessToken: a.AccessToken, TokenType: a.TokenType, RefreshToken: a.RefreshToken}
	if secs, err := strconv.Atoi(strings.Trim(string(a.ExpiresIn), `"`)); err == nil && secs > 0 {
		tok.Expiry = time.Now().Add(time.Duration(secs) * time.Second)
	}
	return tok.WithExtra(raw), nil
}
