package oauth

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/url"
	"strings"

	"github.com/jobmail/jobmail/providers"
)

// Stages of the OAuth exchange an oauth.unreachable diagnosis names
// (Args["stage"]): the sign-in itself (authorization, device code,
// userinfo), the token exchange after it (code or device code), or the
// refresh of a stored grant (headless runs, live tests).
const (
	StageSignIn  = "sign-in"
	StageToken   = "token"
	StageRefresh = "refresh"
)

// Causes of an oauth.unreachable diagnosis (Args["cause"]; not "reason",
// whose values the catalogue renders as sentences of their own).
const (
	ReasonDNS         = "dns"
	ReasonRefused     = "refused"
	ReasonTimeout     = "timeout"
	ReasonTLS         = "tls"
	ReasonNetwork     = "network"
	ReasonUnavailable = "temporarily_unavailable" // the server answered 5xx / temporarily_unavailable: retry later
)

// stageError marks which stage of the exchange err happened in.
type stageError struct {
	stage string
	err   error
}

func (e *stageError) Error() string { return e.err.Error() }
func (e *stageError) Unwrap() error { return e.err }

func atStage(stage string, err error) error {
	if err == nil {
		return nil
	}
	return &stageError{stage: stage, err: err}
}

func stageOf(err error) string {
	var se *stageError
	if errors.As(err, &se) {
		return se.stage
	}
	return ""
}

// temporary reports an authorization server's answer that says "not now":
// RFC 6749 temporarily_unavailable / server_error, or an HTTP 5xx without
// an OAuth error.
func temporary(errCode string) bool {
	switch errCode {
	case "temporarily_unavailable", "server_error":
		return true
	}
	return strings.HasPrefix(errCode, "http_5")
}

// transportFailure returns the reason and host when err is an HTTP request
// to the identity provider that never got an answer: name not found,
// connection refused, timed out, or TLS failed. The user typed none of
// these hosts, so this is never a dns.* or net.* diagnosis of the mail
// server.
func transportFailure(err error) (reason, host string, ok bool) {
	var ue *url.Error
	if !errors.As(err, &ue) || errors.Is(err, context.Canceled) {
		return "", "", false
	}
	if u, perr := url.Parse(ue.URL); perr == nil {
		host = u.Host
	}
	var dnsErr *net.DNSError
	var certErr *tls.CertificateVerificationError
	var hostErr x509.HostnameError
	var authErr x509.UnknownAuthorityError
	var invalidErr x509.CertificateInvalidError
	var recErr tls.RecordHeaderError
	var ae tls.AlertError
	var oe *net.OpError
	switch {
	case errors.As(err, &dnsErr):
		reason = ReasonDNS
	case errors.As(err, &certErr), errors.As(err, &hostErr), errors.As(err, &authErr),
		errors.As(err, &invalidErr), errors.As(err, &recErr), errors.As(err, &ae):
		reason = ReasonTLS
	case providers.IsTimeout(err):
		reason = ReasonTimeout
	case errors.As(err, &oe) && oe.Op == "dial":
		reason = ReasonRefused
	default:
		reason = ReasonNetwork
	}
	return reason, host, true
}

// unreachable builds oauth.unreachable for host at stage.
func unreachable(reason, host, stage string, cause error) *providers.Error {
	actor := providers.ActorMailAdmin // network, proxy, firewall: IT
	if reason == ReasonUnavailable {
		actor = providers.ActorUser // nobody to call: try again later
	}
	e := providers.Fail(providers.CodeOAuthUnreachable, actor, "", cause)
	e.Args = map[string]string{"cause": reason, "host": host, "stage": stage}
	if reason == ReasonUnavailable {
		e.Args["retry"] = "later"
	}
	return e
}

// markUnavailable turns a classified temporary answer into the retryable
// oauth.unreachable, naming where it came from.
func markUnavailable(e *providers.Error, host, stage string) {
	e.Actor = providers.ActorUser
	if e.Args == nil {
		e.Args = map[string]string{}
	}
	e.Args["cause"], e.Args["host"], e.Args["stage"], e.Args["retry"] = ReasonUnavailable, host, stage, "later"
}

func hostOf(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return u.Host
	}
	return ""
}
