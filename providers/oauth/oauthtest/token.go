package oauthtest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, e ErrorReply) {
	status := e.Status
	if status == 0 {
		status = http.StatusBadRequest
	}
	writeJSON(w, status, map[string]string{"error": e.Error, "error_description": e.Description})
}

// client authenticates the client: id in the form or in Basic auth, and
// the secret when the server has one.
func (s *Server) client(r *http.Request) (ErrorReply, bool) {
	id, secret := r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	if u, p, ok := r.BasicAuth(); ok {
		id, _ = url.QueryUnescape(u)
		secret, _ = url.QueryUnescape(p)
	}
	if id != s.opt.ClientID {
		return ErrorReply{Error: "invalid_client", Status: http.StatusUnauthorized,
			Description: "AADSTS700016: Application with identifier '" + id + "' was not found in the directory 'example'."}, false
	}
	if s.opt.ClientSecret != "" && secret != s.opt.ClientSecret {
		return ErrorReply{Error: "invalid_client", Status: http.StatusUnauthorized,
			Description: "AADSTS7000215: Invalid client secret provided."}, false
	}
	return ErrorReply{}, true
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.ParseForm() != nil {
		writeError(w, ErrorReply{Error: "invalid_request", Description: "POST a form"})
		return
	}
	s.mu.Lock()
	answer, status, issued := s.tokenLocked(r)
	onIssue := s.opt.OnIssue
	s.mu.Unlock()
	if issued != "" && onIssue != nil {
		onIssue(issued, answer["account"].(string))
	}
	delete(answer, "account")
	writeJSON(w, status, answer)
}

// tokenLocked answers a token request; it returns the JSON answer, the
// status and the access token issued (if any). Callers hold s.mu.
func (s *Server) tokenLocked(r *http.Request) (map[string]any, int, string) {
	f := r.PostForm
	fail := func(e ErrorReply) (map[string]any, int, string) {
		if e.Status == 0 {
			e.Status = http.StatusBadRequest
		}
		return map[string]any{"error": e.Error, "error_description": e.Description, "account": ""}, e.Status, ""
	}
	ep := map[string]Endpoint{"authorization_code": EndpointCode, "refresh_token": EndpointRefresh,
		"urn:ietf:params:oauth:grant-type:device_code": EndpointDevicePoll}[f.Get("grant_type")]
	if ep == "" {
		return fail(ErrorReply{Error: "unsupported_grant_type", Description: "unknown grant_type"})
	}
	if e, ok := s.client(r); !ok {
		return fail(e)
	}
	if e, ok := s.nextFailure(ep); ok {
		if ep == EndpointDevicePoll {
			s.stats.DevicePolls++
		}
		return fail(e)
	}
	switch ep {
	case EndpointCode:
		s.stats.Exchanges++
		g, ok := s.codes[f.Get("code")]
		delete(s.codes, f.Get("code")) // single use, even when the request fails
		switch {
		case !ok:
			return fail(ErrorReply{Error: "invalid_grant", Description: "AADSTS70000: The provided authorization code is invalid or was already used."})
		case g.redirectURI != f.Get("redirect_uri"):
			return fail(ErrorReply{Error: "invalid_grant", Description: "AADSTS50011: The redirect URI does not match."})
		case s256(f.Get("code_verifier")) != g.challenge:
			return fail(ErrorReply{Error: "invalid_grant", Description: "AADSTS501481: The Code_Verifier does not match the code_challenge supplied in the authorization request."})
		}
		return s.issue(g.account, g.scope, true)
	case EndpointRefresh:
		s.stats.Refreshes++
		old := f.Get("refresh_token")
		account, ok := s.refresh[old]
		if !ok {
			return fail(ErrorReply{Error: "invalid_grant", Description: "Token has been expired or revoked."})
		}
		if s.opt.Rotate {
			delete(s.refresh, old)
		}
		return s.issue(account, f.Get("scope"), s.opt.Rotate)
	default:
		s.stats.DevicePolls++
		d, ok := s.devices[f.Get("device_code")]
		switch {
		case !ok || d.expired:
			return fail(ErrorReply{Error: "expired_token", Description: "AADSTS70020: The provided value for the input parameter 'device_code' is not valid. This device code has expired."})
		case len(d.script) > 0:
			e := d.script[0]
			d.script = d.script[1:]
			return fail(ErrorReply{Error: e, Description: "scripted " + e})
		case d.denied:
			delete(s.devices, f.Get("device_code"))
			return fail(ErrorReply{Error: "authorization_declined", Description: "AADSTS70000: The user declined the authorization request."})
		case !d.approved:
			return fail(ErrorReply{Error: "authorization_pending", Description: "AADSTS70016: OAuth 2.0 device flow error. Authorization is pending."})
		}
		delete(s.devices, f.Get("device_code"))
		return s.issue(d.account, d.scope, true)
	}
}

// issue mints an access token (and a refresh token when withRefresh) with
// an id_token for account. Callers hold s.mu.
func (s *Server) issue(account, scope string, withRefresh bool) (map[string]any, int, string) {
	access := s.opt.AccessToken
	if access == "" {
		access = randomString(s.opt.AccessTokenLen)
	}
	s.access[access] = account
	a := map[string]any{"access_token": access, "token_type": "Bearer", "expires_in": 3599,
		"scope": scope, "id_token": s.idToken(account), "account": account}
	if withRefresh && !s.opt.OmitRefresh {
		rt := "rt-" + randomString(40)
		s.refresh[rt] = account
		a["refresh_token"] = rt
	}
	return a, http.StatusOK, access
}

// idToken is a JWT signed with a throw-away HMAC key: the client under
// test reads its claims without verifying (it came over TLS from the token
// endpoint), which is exactly what this exercises.
func (s *Server) idToken(account string) string {
	now := time.Now()
	claims := map[string]any{"iss": s.URL, "aud": s.opt.ClientID, "sub": "sub-" + account,
		"email": account, "iat": now.Unix(), "exp": now.Add(time.Hour).Unix()}
	if s.opt.Tenant != "" {
		claims["tid"] = s.opt.Tenant
	}
	for k, v := range s.opt.Claims {
		if v == nil {
			delete(claims, k)
		} else {
			claims[k] = v
		}
	}
	enc := base64.RawURLEncoding
	head, _ := json.Marshal(map[string]string{"alg": "HS256", "typ": "JWT"})
	body, _ := json.Marshal(claims)
	signed := enc.EncodeToString(head) + "." + enc.EncodeToString(body)
	mac := hmac.New(sha256.New, s.key)
	mac.Write([]byte(signed))
	return signed + "." + enc.EncodeToString(mac.Sum(nil))
}

func s256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// deviceCode is the device authorization endpoint (RFC 8628 3.1).
func (s *Server) deviceCode(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.ParseForm() != nil {
		writeError(w, ErrorReply{Error: "invalid_request", Description: "POST a form"})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.nextFailure(EndpointDeviceCode); ok {
		writeError(w, e)
		return
	}
	if r.PostForm.Get("client_id") != s.opt.ClientID {
		writeError(w, ErrorReply{Error: "unauthorized_client", Description: "AADSTS700016: Application with identifier '" +
			r.PostForm.Get("client_id") + "' was not found in the directory 'example'."})
		return
	}
	dc, uc := randomString(48), strings.ToUpper(randomString(8))
	s.devices[dc] = &deviceGrant{clientID: s.opt.ClientID, scope: r.PostForm.Get("scope"),
		account: s.opt.Account, script: append([]string(nil), s.opt.DeviceScript...)}
	s.users[uc] = dc
	s.stats.LastScope = r.PostForm.Get("scope")
	writeJSON(w, http.StatusOK, map[string]any{"device_code": dc, "user_code": uc,
		"verification_uri": s.URL + "/device", "expires_in": s.opt.DeviceExpiresIn,
		"interval": s.opt.DeviceInterval, "message": "To sign in, enter the code " + uc})
}

// devicePage is the verification page: POST user_code and action
// (approve, deny or expire) as the person at the other device would.
func (s *Server) devicePage(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.ParseForm() != nil {
		fmt.Fprint(w, `<form method="post"><input name="user_code"><button name="action" value="approve">Continue</button></form>`)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.devices[s.users[strings.ToUpper(strings.TrimSpace(r.PostForm.Get("user_code")))]]
	if !ok {
		http.Error(w, "unknown code", http.StatusNotFound)
		return
	}
	switch r.PostForm.Get("action") {
	case "deny":
		d.denied = true
	case "expire":
		d.expired = true
	default:
		d.approved = true
	}
	fmt.Fprint(w, "ok")
}

func (s *Server) revoke(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.ParseForm() != nil {
		writeError(w, ErrorReply{Error: "invalid_request", Description: "POST a form"})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.Revocations++
	tok := r.PostForm.Get("token")
	delete(s.refresh, tok)
	delete(s.access, tok)
	w.WriteHeader(http.StatusOK)
}

func (s *Server) userinfo(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, failed := s.nextFailure(EndpointUserinfo)
	account, ok := s.access[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")]
	if failed || !ok {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"sub": "sub-" + account, "email": account, "email_verified": true})
}
