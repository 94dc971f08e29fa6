package providers

import "strings"

// Unsupported is a host the platform cannot send through, and why.
type Unsupported struct {
	Host        string
	Reason      string // catalogue key suffix: "google_relay", "google_restricted", "ms_direct_send"
	Alternative string // the host to use instead
}

// unsupportedExact lists hosts from the seeds that never work: the platform
// sends as a third party, which relays and restricted servers refuse.
var unsupportedExact = map[string]Unsupported{
	"smtp-relay.gmail.com": {Host: "smtp-relay.gmail.com", Reason: "google_relay", Alternative: "smtp.gmail.com"},
	"aspmx.l.google.com":   {Host: "aspmx.l.google.com", Reason: "google_restricted", Alternative: "smtp.gmail.com"},
}

// CheckHost reports whether host is on the unsupported list. Names are
// compared case-insensitively and without a trailing dot.
func CheckHost(host string) (Unsupported, bool) {
	h := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(host)), ".")
	if u, ok := unsupportedExact[h]; ok {
		return u, true
	}
	// Microsoft 365 direct send: <tenant>.mail.protection.outlook.com
	if strings.HasSuffix(h, ".mail.protection.outlook.com") {
		return Unsupported{Host: h, Reason: "ms_direct_send", Alternative: "smtp.office365.com"}, true
	}
	return Unsupported{}, false
}

// UnsupportedDiagnosis is the diagnosis for an unsupported host.
func UnsupportedDiagnosis(u Unsupported, field string) *Diagnosis {
	return &Diagnosis{Code: CodeConfigUnsupportedHost, Actor: ActorUser, Field: field,
		Args: map[string]string{"host": u.Host, "reason": u.Reason, "alternative": u.Alternative}}
}
