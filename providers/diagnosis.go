// Package providers defines the contract every mail channel implements
// (platform service, SMTP, Google, Microsoft) and the vocabulary they share:
// diagnosis codes, live-test stages and transport security modes.
//
// Providers return codes and data, never sentences: the words for people
// come from the message catalogue (tui/i18n), so that a diagnosis can be
// shown in English, German or Italian and `--json` stays language-neutral.
package providers

import "fmt"

// Code is a stable diagnosis identifier. Codes are the contract of the
// `--json` output and the platform export: add new ones, never rename one.
type Code string

// The diagnosis codes of ../shared/KNOWLEDGE.md.
const (
	CodeDNSNoSuchHost          Code = "dns.no_such_host"
	CodeNetRefused             Code = "net.refused"
	CodeNetTimeout             Code = "net.timeout"
	CodeSMTPRejected           Code = "smtp.rejected"
	CodeSMTPNoGreeting         Code = "smtp.no_greeting"
	CodeTLSNotTLS              Code = "tls.not_tls"
	CodeTLSStartTLSUnsupported Code = "tls.starttls_unsupported"
	CodeTLSUntrustedCert       Code = "tls.untrusted_cert"
	CodeTLSHostnameMismatch    Code = "tls.hostname_mismatch"
	CodeTLSExpiredCert         Code = "tls.expired_cert"
	CodeTLSProtocol            Code = "tls.protocol"
	CodeAuthRejected           Code = "auth.rejected"
	CodeAuthSMTPAuthDisabled   Code = "auth.smtp_auth_disabled"
	CodeAuthBasicAuthBlocked   Code = "auth.basic_auth_blocked"
	CodeAuthTokenRejected      Code = "auth.token_rejected"
	CodeAuthAppPassword        Code = "auth.app_password_required"
	CodeAuthWebLogin           Code = "auth.web_login_required"
	CodeAuthMechanism          Code = "auth.mechanism_unsupported"
	CodeAuthTLSRequired        Code = "auth.tls_required"
	CodeSendSenderRejected     Code = "send.sender_rejected"
	CodeSendRecipientRejected  Code = "send.recipient_rejected"
	CodeSendRelayDenied        Code = "send.relay_denied"
	CodeSendMessageRejected    Code = "send.message_rejected"
	CodeSMTPTemporary          Code = "smtp.temporary"
	CodeSMTPDisconnected       Code = "smtp.disconnected"
	CodeSMTPProtocol           Code = "smtp.protocol"
	CodeConfigUnsupportedHost  Code = "config.unsupported_host"
	CodeConfigSharedMailbox    Code = "config.shared_mailbox"
	CodeConfigUsernameMismatch Code = "config.username_mismatch"
	CodeConfigInsecure         Code = "config.insecure"
	CodeConfigNoVerify         Code = "config.no_verify"
	CodeOAuthAdminConsent      Code = "oauth.admin_consent_required"
	CodeOAuthInvalidScope      Code = "oauth.invalid_scope"
	CodeOAuthInvalidGrant      Code = "oauth.invalid_grant"
	CodeOAuthAccessDenied      Code = "oauth.access_denied"
	CodeOAuthExpired           Code = "oauth.expired"
	CodeOAuthConditional       Code = "oauth.conditional_access"
	CodeOAuthAccountMismatch   Code = "oauth.account_mismatch"
	CodeOAuthAppNotFound       Code = "oauth.app_not_found"
	CodeSecretsUnavailable     Code = "secrets.keyring_unavailable"
	CodeSecretsTooLarge        Code = "secrets.too_large"
	CodeSecretsEnv             Code = "secrets.env_unavailable"   // env:NAME unset or empty
	CodeSecretsStdin           Code = "secrets.stdin_unavailable" // stdin missing, closed or empty
	CodeSecretsFile            Code = "secrets.file_unavailable"  // file: empty, too large, readable by others, not a regular file…
	CodeConfigInvalid          Code = "config.invalid"            // the setup file is invalid (key, line)
	CodeConfigInvalidValue     Code = "config.invalid_value"      // a value cannot be used as given (CR/LF in a header, port range)
	CodeConfigMissing          Code = "config.missing"            // headless run lacks a required key
	CodeConfigGoogleSMTP       Code = "config.google_smtp"
	// CodeConfigBasicAuthRetiring: SMTP with a password at Microsoft 365,
	// which turns basic auth for SMTP off by default after December 2026.
	CodeConfigBasicAuthRetiring Code = "config.basic_auth_retiring"
	// CodeCLIUsage: the command line itself is wrong (exit 2); Args
	// "reason" names the mistake (sign_in, timeout, unknown_flag, …).
	CodeCLIUsage              Code = "cli.usage"
	CodeConfigLocalServer     Code = "config.local_server"       // the platform's servers cannot reach the host (loopback, private, .local…)
	CodeConfigPrivateCA       Code = "config.private_ca"         // trust proven with a ca_file: this machine only
	CodeSMTPIPBlocked         Code = "smtp.ip_blocked"           // the client's IP is blocklisted or lacks reverse DNS, at any stage
	CodeSendQuotaExceeded     Code = "send.quota_exceeded"       // a sending limit was reached
	CodeSendAccountRestricted Code = "send.account_restricted"   // the provider stopped the account sending (suspected spam)
	CodeSendMessageTooLarge   Code = "send.message_too_large"    // the message is above the server's size limit
	CodeAuthRateLimited       Code = "auth.rate_limited"         // too many sign-in attempts
	CodeAuthNotOffered        Code = "auth.not_offered"          // the port or connector offers no AUTH at all
	CodeOAuthUnreachable      Code = "oauth.unreachable"         // the identity provider's host cannot be reached (DNS, refused, timeout, TLS)
	CodeOAuthRefreshSpent     Code = "oauth.refresh_token_spent" // a rotated refresh token from env:/stdin: the old value is spent (moved to the keyring, lost, or refused on a later run)
	CodeCanceled              Code = "run.canceled"
	CodeRunTimeLimit          Code = "run.time_limit" // --timeout (per run) ran out before this test could start
	CodeUnknown               Code = "unknown"
)

// AllCodes lists every code; the catalogue test checks each has its words.
var AllCodes = []Code{
	CodeDNSNoSuchHost, CodeNetRefused, CodeNetTimeout, CodeSMTPRejected,
	CodeSMTPNoGreeting, CodeTLSNotTLS, CodeTLSStartTLSUnsupported,
	CodeTLSUntrustedCert, CodeTLSHostnameMismatch, CodeTLSExpiredCert,
	CodeTLSProtocol, CodeAuthRejected, CodeAuthSMTPAuthDisabled,
	CodeAuthBasicAuthBlocked, CodeAuthTokenRejected, CodeAuthAppPassword,
	CodeAuthWebLogin, CodeAuthMechanism, CodeAuthTLSRequired,
	CodeSendSenderRejected, CodeSendRecipientRejected, CodeSendRelayDenied,
	CodeSendMessageRejected, CodeSMTPTemporary, CodeSMTPDisconnected,
	CodeSMTPProtocol, CodeConfigUnsupportedHost, CodeConfigSharedMailbox,
	CodeConfigUsernameMismatch, CodeConfigInsecure, CodeConfigNoVerify,
	CodeOAuthAdminConsent, CodeOAuthInvalidScope, CodeOAuthInvalidGrant,
	CodeOAuthAccessDenied, CodeOAuthExpired, CodeOAuthConditional,
	CodeOAuthAccountMismatch, CodeOAuthAppNotFound, CodeSecretsUnavailable,
	CodeSecretsTooLarge, CodeSecretsEnv, CodeSecretsStdin, CodeSecretsFile, CodeConfigInvalid, CodeConfigInvalidValue, CodeConfigMissing, CodeConfigGoogleSMTP, CodeConfigBasicAuthRetiring, CodeCLIUsage,
	CodeConfigLocalServer, CodeConfigPrivateCA,
	CodeSMTPIPBlocked, CodeSendQuotaExceeded, CodeSendAccountRestricted,
	CodeSendMessageTooLarge, CodeAuthRateLimited, CodeAuthNotOffered,
	CodeOAuthUnreachable, CodeOAuthRefreshSpent,
	CodeCanceled, CodeRunTimeLimit, CodeUnknown,
}

// Actor says who must act on a diagnosis.
type Actor string

const (
	ActorUser      Actor = "user"       // the person running jobmail
	ActorMailAdmin Actor = "mail_admin" // the company's IT / mail administrator
	ActorPlatform  Actor = "platform"   // the recruiting platform's support
)

// Diagnosis explains one failure. Reply is the server's (or authorization
// server's) own words, verbatim but redacted; Field is the setup-file key
// that fixes the problem, so a UI can jump back to it; Args fill the
// placeholders of the catalogue's text for Code (host, port, alternative…).
type Diagnosis struct {
	Code  Code              `json:"code"`
	Reply string            `json:"reply,omitempty"`
	Actor Actor             `json:"actor,omitempty"`
	Field string            `json:"field,omitempty"`
	Args  map[string]string `json:"args,omitempty"`
}

// Error is a failure that already knows its diagnosis. Providers return it
// (wrapped or not) so callers can recover the code with errors.As.
type Error struct {
	Diagnosis
	Err error // the underlying cause, for logs; may be nil
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %v", e.Code, e.Err)
	}
	if e.Reply != "" {
		return fmt.Sprintf("%s: %s", e.Code, e.Reply)
	}
	return string(e.Code)
}

func (e *Error) Unwrap() error { return e.Err }

// Fail builds an *Error.
func Fail(code Code, actor Actor, field string, err error) *Error {
	return &Error{Diagnosis: Diagnosis{Code: code, Actor: actor, Field: field}, Err: err}
}
