package discover

import "github.com/jobmail/jobmail/providers"

// Codes this package adds to the diagnosis vocabulary (providers/diagnosis.go
// holds the live-test ones). Like those, they are a contract of the
// `--json` output: add new ones, never rename one. The message catalogue
// gives each its words.
const (
	// CodePort25Blocked: port 25 never answered the connection (ISPs and
	// firewalls drop outgoing port 25); use 587 or 465 instead.
	CodePort25Blocked providers.Code = "net.port25_blocked"
	// CodeIPAllowlist: the server looks self-hosted; if it only accepts
	// allowlisted addresses, the platform's outgoing IPs (arg "ips") must
	// be added.
	CodeIPAllowlist providers.Code = "config.ip_allowlist"
	// CodeUseIntegration: the provider (arg "channel") has a direct
	// integration that works better than SMTP.
	CodeUseIntegration providers.Code = "provider.use_integration"
	// CodeNoneReachable: no candidate server answered at all.
	CodeNoneReachable providers.Code = "discover.none_reachable"

	CodeSPFMissing            providers.Code = "dns.spf_missing"              // no v=spf1 record
	CodeSPFMultiple           providers.Code = "dns.spf_multiple"             // more than one: SPF permerror
	CodeSPFPlatformAllowed    providers.Code = "dns.spf_platform_allowed"     // arg "include" found
	CodeSPFPlatformNotAllowed providers.Code = "dns.spf_platform_not_allowed" // arg "include" missing
	CodeSPFAllFail            providers.Code = "dns.spf_all_fail"             // -all: others are rejected
	CodeSPFAllSoftfail        providers.Code = "dns.spf_all_softfail"         // ~all
	CodeSPFAllNeutral         providers.Code = "dns.spf_all_neutral"          // ?all or no all
	CodeSPFAllPass            providers.Code = "dns.spf_all_pass"             // +all: anyone may send
	CodeSPFLookupLimit        providers.Code = "dns.spf_lookup_limit"         // more than 10 DNS lookups
	CodeDMARCMissing          providers.Code = "dns.dmarc_missing"            // no _dmarc record
	CodeDMARCPolicy           providers.Code = "dns.dmarc_policy"             // args "policy" (none|quarantine|reject), "pct"
	CodeDMARCStrict           providers.Code = "dns.dmarc_strict"             // args "adkim", "aspf": strict alignment
	CodeDMARCInvalid          providers.Code = "dns.dmarc_invalid"            // record without a valid p=
)

// Codes lists the codes above; the catalogue test checks each has words.
var Codes = []providers.Code{
	CodePort25Blocked, CodeIPAllowlist, CodeUseIntegration, CodeNoneReachable,
	CodeSPFMissing, CodeSPFMultiple, CodeSPFPlatformAllowed, CodeSPFPlatformNotAllowed,
	CodeSPFAllFail, CodeSPFAllSoftfail, CodeSPFAllNeutral, CodeSPFAllPass, CodeSPFLookupLimit,
	CodeDMARCMissing, CodeDMARCPolicy, CodeDMARCStrict, CodeDMARCInvalid,
}

// ReasonCode says why a server is recommended. Reasons are codes with
// arguments, never sentences; the catalogue words them.
type ReasonCode string

const (
	ReasonTLSVerified    ReasonCode = "verdict.tls_verified"    // arg "version"
	ReasonAuthOffered    ReasonCode = "verdict.auth_offered"    // arg "mechanisms"
	ReasonNoAuth         ReasonCode = "verdict.no_auth"         // the server announced no AUTH
	ReasonSubmissionPort ReasonCode = "verdict.submission_port" // arg "port"
	ReasonSource         ReasonCode = "verdict.source"          // arg "source"
	ReasonKnownProvider  ReasonCode = "verdict.known_provider"  // arg "provider"
	ReasonStartTLS       ReasonCode = "verdict.starttls"        // STARTTLS upgrade works
	ReasonImplicitTLS    ReasonCode = "verdict.implicit_tls"    // TLS from the first byte
)

// ReasonCodes lists the reason codes for the catalogue test.
var ReasonCodes = []ReasonCode{
	ReasonTLSVerified, ReasonAuthOffered, ReasonNoAuth, ReasonSubmissionPort,
	ReasonSource, ReasonKnownProvider, ReasonStartTLS, ReasonImplicitTLS,
}
