package oauth

import (
	"context"
	"crypto/x509"
	"strings"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/secrets/safefile"
)

// Check IDs of a direct integration's prerequisites. The confirmations are
// also the keys of the setup file's `prerequisites:` map.
const (
	CheckClientID         = "client_id_configured"
	CheckHostSupported    = "host_supported"
	CheckCAFileReadable   = "ca_file_readable"
	CheckAccountMatches   = "account_matches"
	CheckLicensedMailbox  = "licensed_mailbox"
	CheckNotSharedMailbox = "not_shared_mailbox"
	CheckAdminConsent     = "admin_rights_or_consent"
)

// Confirmations lists the checks a person confirms, in the order to ask.
var Confirmations = []string{CheckLicensedMailbox, CheckNotSharedMailbox, CheckAdminConsent}

// PrereqInput is what the prerequisites of Google or Microsoft look at.
type PrereqInput struct {
	Channel   string // google | microsoft: names the provider in an app_not_found diagnosis
	Address   string
	Account   string // the signed-in account; empty before sign-in
	ClientID  string
	SMTPHost  string
	CAFile    string
	Confirmed map[string]bool
	// ConsentArgs are added to the admin-consent check's diagnosis (the
	// admin-consent URL and tenant for Microsoft).
	ConsentArgs map[string]string
	Fields      Fields
	HostField   string // e.g. "google.smtp_host"
	CAField     string // e.g. "google.ca_file"
}

// Prerequisites returns the automatic checks (client id present, SMTP host
// supported, CA file usable, signed-in account = company address once
// known) followed by the confirmations. A confirmation not (yet) given is
// OK false with the diagnosis that explains what goes wrong without it.
func Prerequisites(in PrereqInput) []providers.Check {
	var checks []providers.Check
	c := providers.Check{ID: CheckClientID, Automatic: true, OK: strings.TrimSpace(in.ClientID) != ""}
	if !c.OK {
		c.Diagnosis = &providers.Diagnosis{Code: providers.CodeOAuthAppNotFound, Actor: providers.ActorPlatform,
			Field: in.Fields.ClientID, Args: map[string]string{"reason": "missing_client_id", "channel": in.Channel}}
	}
	checks = append(checks, c)

	c = providers.Check{ID: CheckHostSupported, Automatic: true, OK: true}
	if u, bad := providers.CheckHost(in.SMTPHost); bad {
		c.OK = false
		c.Diagnosis = providers.UnsupportedDiagnosis(u, in.HostField)
	}
	checks = append(checks, c)

	if in.CAFile != "" {
		c = providers.Check{ID: CheckCAFileReadable, Automatic: true, OK: true}
		if reason := caFileProblem(in.CAFile); reason != "" {
			c.OK = false
			c.Diagnosis = &providers.Diagnosis{Code: providers.CodeTLSUntrustedCert, Actor: providers.ActorUser,
				Field: in.CAField, Args: map[string]string{"path": in.CAFile, "reason": reason}}
		}
		checks = append(checks, c)
	}

	if in.Account != "" {
		c = providers.Check{ID: CheckAccountMatches, Automatic: true,
			OK: strings.EqualFold(strings.TrimSpace(in.Account), strings.TrimSpace(in.Address))}
		if !c.OK {
			c.Diagnosis = &providers.Diagnosis{Code: providers.CodeOAuthAccountMismatch, Actor: providers.ActorUser,
				Field: in.Fields.Address, Args: map[string]string{"expected": in.Address, "actual": in.Account}}
		}
		checks = append(checks, c)
	}

	for _, id := range Confirmations {
		c = providers.Check{ID: id, OK: in.Confirmed[id]}
		if !c.OK {
			c.Diagnosis = confirmationDiagnosis(id, in)
		}
		checks = append(checks, c)
	}
	return checks
}

func confirmationDiagnosis(id string, in PrereqInput) *providers.Diagnosis {
	switch id {
	case CheckAdminConsent:
		args := map[string]string{"address": in.Address, "client_id": in.ClientID}
		for k, v := range in.ConsentArgs {
			args[k] = v
		}
		return &providers.Diagnosis{Code: providers.CodeOAuthAdminConsent, Actor: providers.ActorMailAdmin, Args: args}
	default: // licensed_mailbox, not_shared_mailbox: no own login, no sign-in
		return &providers.Diagnosis{Code: providers.CodeConfigSharedMailbox, Actor: providers.ActorMailAdmin,
			Field: in.Fields.Address, Args: map[string]string{"address": in.Address, "check": id}}
	}
}

// caFileProblem returns "" when path holds at least one PEM certificate,
// else a reason key: "unreadable" or "no_certificates".
func caFileProblem(path string) string {
	b, err := safefile.Read(context.Background(), path, safefile.ReadOptions{Max: safefile.MaxCA})
	if err != nil {
		return "unreadable"
	}
	if !x509.NewCertPool().AppendCertsFromPEM(b) {
		return "no_certificates"
	}
	return ""
}
