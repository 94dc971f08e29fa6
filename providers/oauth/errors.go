package oauth

import (
	"context"
	"errors"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/oauth2"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/secrets"
)

// DefaultAuthority is Microsoft's login host; tests and sovereign clouds
// override it.
const DefaultAuthority = "https://login.microsoftonline.com"

// AdminConsentURL is the link a tenant administrator opens to grant the
// app consent for the whole tenant. A multi-tenant placeholder (common,
// organizations, consumers) cannot be consented for, so the company
// address's domain names the tenant instead: Entra accepts a verified
// domain wherever it accepts a tenant id.
func AdminConsentURL(authority, tenant, clientID, address string) string {
	if authority == "" {
		authority = DefaultAuthority
	}
	t := ConsentTenant(tenant, address)
	return strings.TrimRight(authority, "/") + "/" + url.PathEscape(t) +
		"/adminconsent?client_id=" + url.QueryEscape(clientID)
}

// ConsentTenant is the tenant an admin consent is asked for (see
// AdminConsentURL).
func ConsentTenant(tenant, address string) string {
	switch strings.ToLower(strings.TrimSpace(tenant)) {
	case "", "common", "organizations", "consumers":
		if i := strings.LastIndexByte(address, '@'); i >= 0 && i < len(address)-1 {
			return strings.ToLower(address[i+1:])
		}
		return "organizations"
	}
	return strings.TrimSpace(tenant)
}

// aadsts maps Entra ID error numbers (found in error_description as
// "AADSTS65001: …") to codes; they are more precise than the RFC 6749
// error, which is often just invalid_grant or invalid_request.
var aadsts = map[string]providers.Code{
	"65001":  providers.CodeOAuthAdminConsent, // consent not granted
	"90094":  providers.CodeOAuthAdminConsent, // admin consent required
	"90095":  providers.CodeOAuthAdminConsent, // admin consent workflow: request sent
	"65004":  providers.CodeOAuthAccessDenied, // user declined consent
	"53003":  providers.CodeOAuthConditional,  // blocked by conditional access
	"50076":  providers.CodeOAuthConditional,  // MFA required
	"50079":  providers.CodeOAuthConditional,  // MFA enrolment required
	"50158":  providers.CodeOAuthConditional,  // external security challenge
	"700016": providers.CodeOAuthAppNotFound,  // app not found in the tenant
	"90002":  providers.CodeOAuthAppNotFound,  // tenant not found
	"70043":  providers.CodeOAuthInvalidGrant, // refresh token expired (sign-in frequency)
	"700082": providers.CodeOAuthInvalidGrant, // refresh token expired by inactivity
	"700084": providers.CodeOAuthInvalidGrant, // SPA refresh token lifetime
	"70008":  providers.CodeOAuthInvalidGrant, // code or refresh token expired
	"50173":  providers.CodeOAuthInvalidGrant, // grant expired: password changed
	"70019":  providers.CodeOAuthExpired,      // device code expired
	"70020":  providers.CodeOAuthExpired,      // device code expired
}

// rfcErrors maps the RFC 6749 / 8628 error parameter.
var rfcErrors = map[string]providers.Code{
	"invalid_grant":          providers.CodeOAuthInvalidGrant,
	"invalid_scope":          providers.CodeOAuthInvalidScope,
	"access_denied":          providers.CodeOAuthAccessDenied,
	"authorization_declined": providers.CodeOAuthAccessDenied,
	"expired_token":          providers.CodeOAuthExpired,
	"bad_verification_code":  providers.CodeOAuthExpired,
	"consent_required":       providers.CodeOAuthAdminConsent,
	"interaction_required":   providers.CodeOAuthConditional,
	"invalid_client":         providers.CodeOAuthAppNotFound,
	"unauthorized_client":    providers.CodeOAuthAppNotFound,
}

var aadstsRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`AADSTS(\d+)`) })

// Classify maps an authorization server's error and error_description to
// a code. The description wins when it names an Entra error number or an
// admin approval, because the RFC error alone is too coarse.
func Classify(errCode, description string) providers.Code {
	if m := aadstsRe().FindStringSubmatch(description); m != nil {
		if c, ok := aadsts[m[1]]; ok {
			return c
		}
	}
	d := strings.ToLower(description)
	if strings.Contains(d, "admin approval") || strings.Contains(d, "admin consent") {
		return providers.CodeOAuthAdminConsent
	}
	if c, ok := rfcErrors[strings.TrimSpace(errCode)]; ok {
		return c
	}
	if temporary(strings.TrimSpace(errCode)) {
		return providers.CodeOAuthUnreachable
	}
	return providers.CodeUnknown
}

func actorFor(c providers.Code) providers.Actor {
	switch c {
	case providers.CodeOAuthAdminConsent, providers.CodeOAuthConditional:
		return providers.ActorMailAdmin
	case providers.CodeOAuthInvalidScope:
		return providers.ActorPlatform
	}
	return providers.ActorUser
}

func (f *Flow) fieldFor(c providers.Code) string {
	switch c {
	case providers.CodeOAuthAppNotFound:
		return f.Fields.ClientID
	case providers.CodeOAuthInvalidGrant:
		return f.Fields.Refresh
	case providers.CodeOAuthAccountMismatch:
		return f.Fields.Address
	}
	return ""
}

// classify builds the error for an OAuth error response. The description
// is the server's own words and becomes Reply verbatim, minus any value in
// hide (codes, tokens) that a server might echo.
func (f *Flow) classify(errCode, description, address string, cause error, hide ...string) *providers.Error {
	c := Classify(errCode, description)
	reply := description
	if reply == "" {
		reply = errCode
	}
	reply = redact(reply, append(hide, f.ClientSecret.Reveal())...)
	if cause == nil {
		cause = errors.New("authorization server error " + redact(errCode, hide...))
	} else {
		cause = &redactedError{msg: redact(cause.Error(), append(hide, f.ClientSecret.Reveal())...), err: cause}
	}
	e := providers.Fail(c, actorFor(c), f.fieldFor(c), cause)
	e.Reply = reply
	e.Args = map[string]string{"error": errCode}
	if c == providers.CodeOAuthAdminConsent {
		f.consentArgs(e.Args, address)
	}
	if c == providers.CodeOAuthAppNotFound && f.Channel != "" {
		e.Args["channel"] = f.Channel
	}
	return e
}

// consentArgs are the data of the ready-to-send message to the tenant
// admin; its words are the catalogue's.
func (f *Flow) consentArgs(args map[string]string, address string) {
	if f.AdminConsentURL != "" {
		args["admin_consent_url"] = f.AdminConsentURL
		args["tenant"] = ConsentTenant(f.Tenant, address)
	}
	args["client_id"] = f.ClientID
	args["address"] = address
	args["scopes"] = strings.Join(f.Scopes, " ")
}

// fail turns any error of a flow into a *providers.Error.
func (f *Flow) fail(err error, address string, hide ...string) *providers.Error {
	var pe *providers.Error
	if errors.As(err, &pe) {
		return pe
	}
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		code, desc := re.ErrorCode, re.ErrorDescription
		if code == "" && re.Response != nil {
			code = "http_" + strconv.Itoa(re.Response.StatusCode)
		}
		e := f.classify(code, desc, address, err, hide...)
		if e.Code == providers.CodeOAuthUnreachable {
			host := ""
			if re.Response != nil && re.Response.Request != nil {
				host = re.Response.Request.URL.Host
			}
			markUnavailable(e, host, stageOf(err))
		}
		return e
	}
	wrapped := &redactedError{msg: redact(err.Error(), append(hide, f.ClientSecret.Reveal())...), err: err}
	if reason, host, ok := transportFailure(err); ok {
		return unreachable(reason, host, stageOf(err), wrapped)
	}
	switch {
	case errors.Is(err, context.Canceled):
		return providers.Fail(providers.CodeCanceled, providers.ActorUser, "", wrapped)
	case errors.Is(err, context.DeadlineExceeded):
		e := providers.Fail(providers.CodeOAuthExpired, providers.ActorUser, "", wrapped)
		e.Args = map[string]string{"reason": "timeout"}
		return e
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
		return providers.Fail(providers.CodeDNSNoSuchHost, providers.ActorUser, "", wrapped)
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return providers.Fail(providers.CodeNetTimeout, providers.ActorUser, "", wrapped)
	}
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Op == "dial" {
		return providers.Fail(providers.CodeNetRefused, providers.ActorUser, "", wrapped)
	}
	return providers.Fail(providers.CodeUnknown, providers.ActorUser, "", wrapped)
}

// redactedError keeps the cause for errors.As while its text is cleaned.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// redact removes every hidden value from s, in every form the one engine
// (secrets.Redactor) knows: raw, base64 at any alignment, hex. Values
// shorter than 4 characters are skipped: replacing them would mangle the
// text without protecting anything.
func redact(s string, hide ...string) string {
	var r secrets.Redactor
	for _, h := range hide {
		if len(h) >= 4 {
			r.Add(secrets.New(h))
		}
	}
	return r.Redact(s)
}
