// Package oauthtest is an in-process OAuth 2.0 authorization server for
// tests, speaking real HTTP (httptest): authorization endpoint with PKCE,
// token endpoint (authorization code, refresh with rotation, device code),
// device authorization with a verification page, revocation, userinfo and
// scripted error answers carrying Entra-style AADSTS numbers.
//
// Endpoints are routed by the last path segment, so both Google's layout
// (/o/oauth2/auth, /token) and Microsoft's
// (/{tenant}/oauth2/v2.0/{authorize,token,devicecode}) work against the
// same server.
package oauthtest

import (
	"crypto/rand"
	"encoding/base64"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
)

// Endpoint names where a scripted error is answered.
type Endpoint string

const (
	EndpointAuthorize  Endpoint = "authorize"     // redirect with ?error=
	EndpointCode       Endpoint = "code"          // token: authorization_code
	EndpointRefresh    Endpoint = "refresh"       // token: refresh_token
	EndpointDevicePoll Endpoint = "device_poll"   // token: device_code
	EndpointDeviceCode Endpoint = "device_code"   // device authorization
	EndpointUserinfo   Endpoint = "userinfo_fail" // userinfo answers 401
)

// ErrorReply is a scripted OAuth error answer.
type ErrorReply struct {
	Error       string
	Description string
	Status      int // token/device endpoints; default 400
}

// Options configure a Server. Zero values are usable defaults.
type Options struct {
	ClientID     string // default "test-client"
	ClientSecret string // when set, the token endpoint requires it
	Account      string // who signs in: the id_token's email; default jobs@example.test
	Tenant       string // the id_token's tid claim
	// Claims are added to (or, with a nil value, removed from) the id_token.
	Claims map[string]any
	// Rotate hands out a new refresh token on every refresh and invalidates
	// the old one at once, as Microsoft does.
	Rotate         bool
	OmitRefresh    bool // issue no refresh token at all
	AccessTokenLen int  // default 64
	// AccessToken, when set, is the value of every access token issued, so
	// a mail server can be told the token in advance.
	AccessToken string
	// Device flow: interval and lifetime in seconds (defaults 1 and 900),
	// and the scripted answers to the first polls (default
	// authorization_pending, then slow_down) before approval counts.
	DeviceInterval  int
	DeviceExpiresIn int
	DeviceScript    []string
	// OnIssue is called (outside the server's lock) with every access
	// token issued and its account, e.g. to register it at a mail server.
	OnIssue func(access, account string)
}

// Stats are counters and the last request values, for assertions.
type Stats struct {
	Authorizations int
	Exchanges      int
	Refreshes      int
	DevicePolls    int
	Revocations    int
	LastLoginHint  string
	LastScope      string
	LastAuthParams url.Values
}

// Server is the authorization server. Close it when done.
type Server struct {
	URL string

	srv *httptest.Server
	key []byte

	mu       sync.Mutex
	opt      Options
	codes    map[string]*codeGrant
	refresh  map[string]string // refresh token → account
	access   map[string]string // access token → account
	devices  map[string]*deviceGrant
	users    map[string]string // user code → device code
	failures map[Endpoint][]ErrorReply
	stats    Stats
}

type codeGrant struct {
	clientID, redirectURI, challenge, account, scope string
}

type deviceGrant struct {
	clientID, scope, account string
	script                   []string
	approved, denied         bool
	expired                  bool
}

// New starts a server; it is closed by t.Cleanup when t is given.
func New(t interface{ Cleanup(func()) }, opt Options) *Server {
	if opt.ClientID == "" {
		opt.ClientID = "test-client"
	}
	if opt.Account == "" {
		opt.Account = "jobs@example.test"
	}
	if opt.AccessTokenLen <= 0 {
		opt.AccessTokenLen = 64
	}
	if opt.DeviceInterval <= 0 {
		opt.DeviceInterval = 1
	}
	if opt.DeviceExpiresIn <= 0 {
		opt.DeviceExpiresIn = 900
	}
	if opt.DeviceScript == nil {
		opt.DeviceScript = []string{"authorization_pending", "slow_down"}
	}
	s := &Server{opt: opt, key: []byte(randomString(32)),
		codes: map[string]*codeGrant{}, refresh: map[string]string{}, access: map[string]string{},
		devices: map[string]*deviceGrant{}, users: map[string]string{}, failures: map[Endpoint][]ErrorReply{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.route))
	s.URL = s.srv.URL
	if t != nil {
		t.Cleanup(s.Close)
	}
	return s
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Google-style and Microsoft-style endpoint URLs of this server.
func (s *Server) AuthURL() string     { return s.URL + "/o/oauth2/auth" }
func (s *Server) TokenURL() string    { return s.URL + "/token" }
func (s *Server) DeviceURL() string   { return s.URL + "/devicecode" }
func (s *Server) UserinfoURL() string { return s.URL + "/userinfo" }
func (s *Server) RevokeURL() string   { return s.URL + "/revoke" }

// ClientID is the client id the server accepts.
func (s *Server) ClientID() string { return s.opt.ClientID }

// FailNext scripts the next answer of ep to be e (queued, in order).
func (s *Server) FailNext(ep Endpoint, e ErrorReply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures[ep] = append(s.failures[ep], e)
}

// Stats returns a copy of the counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

// ValidRefresh reports whether a refresh token is currently valid.
func (s *Server) ValidRefresh(token string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.refresh[token]
	return ok
}

// nextFailure pops a scripted failure; callers hold s.mu.
func (s *Server) nextFailure(ep Endpoint) (ErrorReply, bool) {
	q := s.failures[ep]
	if len(q) == 0 {
		return ErrorReply{}, false
	}
	s.failures[ep] = q[1:]
	return q[0], true
}

func (s *Server) route(w http.ResponseWriter, r *http.Request) {
	seg := r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:]
	switch seg {
	case "auth", "authorize":
		s.authorize(w, r)
	case "token":
		s.token(w, r)
	case "devicecode":
		s.deviceCode(w, r)
	case "device":
		s.devicePage(w, r)
	case "revoke":
		s.revoke(w, r)
	case "userinfo":
		s.userinfo(w, r)
	default:
		http.NotFound(w, r)
	}
}

// authorize approves at once (the test's "browser" is an HTTP client
// following redirects) unless a failure is scripted. Like real servers it
// never redirects to an unregistered place: the redirect URI must be
// loopback.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	redirect, err := url.Parse(q.Get("redirect_uri"))
	if err != nil || redirect.Scheme != "http" || !isLoopback(redirect.Hostname()) {
		http.Error(w, "redirect_uri must be a loopback http address", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	s.stats.Authorizations++
	s.stats.LastLoginHint = q.Get("login_hint")
	s.stats.LastScope = q.Get("scope")
	s.stats.LastAuthParams = q
	fail, failed := s.nextFailure(EndpointAuthorize)
	switch {
	case failed:
	case q.Get("client_id") != s.opt.ClientID:
		fail, failed = ErrorReply{Error: "unauthorized_client", Description: "AADSTS700016: Application with identifier '" +
			q.Get("client_id") + "' was not found in the directory 'example'."}, true
	case q.Get("response_type") != "code":
		fail, failed = ErrorReply{Error: "unsupported_response_type", Description: "response_type must be code"}, true
	case q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "":
		fail, failed = ErrorReply{Error: "invalid_request", Description: "PKCE with S256 is required"}, true
	}
	out := redirect.Query()
	out.Set("state", q.Get("state"))
	if failed {
		out.Set("error", fail.Error)
		out.Set("error_description", fail.Description)
	} else {
		code := randomString(32)
		s.codes[code] = &codeGrant{clientID: q.Get("client_id"), redirectURI: q.Get("redirect_uri"),
			challenge: q.Get("code_challenge"), account: s.opt.Account, scope: q.Get("scope")}
		out.Set("code", code)
	}
	s.mu.Unlock()
	redirect.RawQuery = out.Encode()
	http.Redirect(w, r, redirect.String(), http.StatusFound)
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func randomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)[:n]
}
