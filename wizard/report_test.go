package wizard

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/providers/microsoft"
	"github.com/jobmail/jobmail/wizard/setupfile"
)

var reportTime = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

// reportSetup has one mailbox of every kind the report tells apart.
func reportSetup() *setupfile.Setup {
	return &setupfile.Setup{
		Version:  1,
		Platform: setupfile.Platform{Account: "acme"},
		Company: setupfile.Mailbox{Address: "jobs@acme.de", Forwarding: "done", Channel: "smtp",
			SMTP:          &setupfile.SMTP{Host: "mail.acme.de", Password: "env:SECRET_MARKER_ENV"},
			Prerequisites: map[string]bool{"not_shared_mailbox": true, "ip_allowlist": false}},
		Entities: []setupfile.Entity{
			{Name: "Acme Logistics"}, // inherits the company's mailbox
			{Name: "Acme Italia", Mailbox: setupfile.Mailbox{Address: "jobs@acme.it", SMTP: &setupfile.SMTP{Host: "smtp.office365.com", Password: "file:/run/marker"}}},
			{Name: "Acme UK", Mailbox: setupfile.Mailbox{Address: "jobs@acme.co.uk", Channel: "microsoft",
				Microsoft: &setupfile.Microsoft{Tenant: "acme.onmicrosoft.com", ClientID: "11111111-2222-3333-4444-555555555555", RefreshToken: "env:RT_MARKER"}}},
			{Name: "Acme US", Mailbox: setupfile.Mailbox{Address: "jobs@acme.us", Channel: "google", Google: &setupfile.Google{ClientID: "g-client"}}},
			{Name: "Acme Ireland", Mailbox: setupfile.Mailbox{Address: "jobs@acme.ie", Channel: "platform"}},
			{Name: "Acme Relay", Mailbox: setupfile.Mailbox{Address: "jobs@acme.es", SMTP: &setupfile.SMTP{Host: "smtp-relay.gmail.com"}}},
		},
	}
}

// reportTests: the company passed (its inheriting entity shares the
// test), Acme Italia failed because SMTP AUTH is off, with a transcript.
func reportTests() map[string]ReportTest {
	ok := ReportTest{At: reportTime, OK: true, Duration: 42 * time.Millisecond,
		Stages: []providers.Stage{{Name: providers.StageConnect, OK: true, Duration: 3 * time.Millisecond}}}
	shared := ok
	shared.TestedWith = setupfile.CompanyName
	return map[string]ReportTest{
		"company":     ok,
		"entities[0]": shared,
		"entities[1]": {At: reportTime, Duration: 120 * time.Millisecond,
			Stages:     []providers.Stage{{Name: providers.StageConnect, OK: true}, {Name: providers.StageAuth}},
			Diagnosis:  &providers.Diagnosis{Code: providers.CodeAuthSMTPAuthDisabled, Reply: "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox.", Actor: providers.ActorMailAdmin},
			Transcript: []string{"S: 220 smtp.office365.com", "C: AUTH LOGIN [redacted]", "S: 535 5.7.139 Authentication unsuccessful"}},
		"entities[2]": {Diagnosis: &providers.Diagnosis{Code: providers.CodeOAuthAdminConsent}},
	}
}

func TestReportGolden(t *testing.T) {
	warn := []setupfile.Warning{{Key: "entities[1].smtp.username", Diagnosis: providers.Diagnosis{Code: providers.CodeConfigUsernameMismatch}}}
	r := NewReport(reportSetup(), ReportOptions{Now: func() time.Time { return reportTime }, Tests: reportTests(), Warnings: warn})
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	for _, marker := range []string{"SECRET_MARKER", "RT_MARKER", "/run/marker", "env:", "file:", "keyring"} {
		if strings.Contains(string(data), marker) {
			t.Errorf("report carries %q", marker)
		}
	}
	golden(t, "report.golden", append(data, '\n'))
}

// actionsOf is "id:status" for each action, in order.
func actionsOf(m ReportMailbox) string {
	var out []string
	for _, a := range m.Actions {
		out = append(out, a.ID+":"+string(a.Status))
	}
	return strings.Join(out, " ")
}

func TestReportActions(t *testing.T) {
	passed := &ReportTest{OK: true}
	cases := []struct {
		name      string
		mb        setupfile.Mailbox
		test      *ReportTest
		providers map[string]string
		provider  string
		from      string
		want      string
	}{
		{"self-hosted smtp", setupfile.Mailbox{Address: "jobs@acme.de", Channel: "smtp", SMTP: &setupfile.SMTP{Host: "mail.acme.de"}}, nil, nil, "other", "",
			"forwarding:todo not_shared_mailbox:todo ip_allowlist:todo external_apps_allowed:todo"},
		{"self-hosted, DNS says microsoft", setupfile.Mailbox{Address: "jobs@acme.de", Channel: "smtp", SMTP: &setupfile.SMTP{Host: "mail.acme.de"}}, nil,
			map[string]string{"company": "microsoft"}, "microsoft", "mx",
			"forwarding:todo not_shared_mailbox:todo smtp_auth_enabled:todo security_defaults_allow_basic_auth:todo licensed_mailbox:todo external_apps_allowed:todo"},
		{"office365 host beats DNS", setupfile.Mailbox{Address: "jobs@acme.de", Channel: "smtp", SMTP: &setupfile.SMTP{Host: "SMTP.Office365.com"}}, nil,
			map[string]string{"company": "google"}, "microsoft", "host",
			"forwarding:todo not_shared_mailbox:todo smtp_auth_enabled:todo security_defaults_allow_basic_auth:todo licensed_mailbox:todo external_apps_allowed:todo"},
		{"gmail smtp: no allowlist", setupfile.Mailbox{Address: "jobs@acme.de", Channel: "smtp", SMTP: &setupfile.SMTP{Host: "smtp.gmail.com"}}, nil, nil, "google", "host",
			"forwarding:todo not_shared_mailbox:todo external_apps_allowed:todo"},
		{"passed test proves the sign-in, not forwarding or the allowlist",
			setupfile.Mailbox{Address: "jobs@acme.de", Channel: "smtp", SMTP: &setupfile.SMTP{Host: "mail.acme.de"}}, passed, nil, "other", "",
			"forwarding:todo not_shared_mailbox:verified ip_allowlist:todo external_apps_allowed:verified"},
		{"confirmations and forwarding done", setupfile.Mailbox{Address: "jobs@acme.de", Forwarding: "done", Channel: "smtp", SMTP: &setupfile.SMTP{Host: "mail.acme.de"},
			Prerequisites: map[string]bool{"ip_allowlist": true, "not_shared_mailbox": false}}, nil, nil, "other", "",
			"forwarding:confirmed not_shared_mailbox:todo ip_allowlist:confirmed external_apps_allowed:todo"},
		{"smtp auth off on a server with another name", setupfile.Mailbox{Address: "jobs@acme.de", Channel: "smtp", SMTP: &setupfile.SMTP{Host: "relay.acme.de"}},
			&ReportTest{Diagnosis: &providers.Diagnosis{Code: providers.CodeAuthSMTPAuthDisabled}}, nil, "other", "",
			"forwarding:todo not_shared_mailbox:todo ip_allowlist:todo external_apps_allowed:todo smtp_auth_enabled:failed"},
		{"ip blocked: the allowlist failed", setupfile.Mailbox{Address: "jobs@acme.de", Channel: "smtp", SMTP: &setupfile.SMTP{Host: "mail.acme.de"}},
			&ReportTest{Diagnosis: &providers.Diagnosis{Code: providers.CodeSMTPIPBlocked}}, nil, "other", "",
			"forwarding:todo not_shared_mailbox:todo ip_allowlist:failed external_apps_allowed:todo"},
		{"ip blocked on a provider without an allowlist question", setupfile.Mailbox{Address: "jobs@acme.de", Channel: "smtp", SMTP: &setupfile.SMTP{Host: "smtp.gmail.com"}},
			&ReportTest{Diagnosis: &providers.Diagnosis{Code: providers.CodeSMTPIPBlocked}}, nil, "google", "host",
			"forwarding:todo not_shared_mailbox:todo external_apps_allowed:todo ip_allowlist:failed"},
		{"basic auth blocked", setupfile.Mailbox{Address: "jobs@acme.de", Channel: "smtp", SMTP: &setupfile.SMTP{Host: "smtp.office365.com"}},
			&ReportTest{Diagnosis: &providers.Diagnosis{Code: providers.CodeAuthBasicAuthBlocked}}, nil, "microsoft", "host",
			"forwarding:todo not_shared_mailbox:todo smtp_auth_enabled:todo security_defaults_allow_basic_auth:failed licensed_mailbox:todo external_apps_allowed:todo"},
		{"microsoft direct integration", setupfile.Mailbox{Address: "jobs@acme.de", Channel: "microsoft", Microsoft: &setupfile.Microsoft{ClientID: "cid"}},
			&ReportTest{Diagnosis: &providers.Diagnosis{Code: providers.CodeOAuthAdminConsent}}, nil, "microsoft", "channel",
			"forwarding:todo licensed_mailbox:todo not_shared_mailbox:todo smtp_auth_enabled:todo admin_rights_or_consent:failed"},
		{"google direct integration", setupfile.Mailbox{Address: "jobs@acme.de", Channel: "google"}, passed, map[string]string{"company": "microsoft"}, "google", "channel",
			"forwarding:todo not_shared_mailbox:verified admin_rights_or_consent:verified"},
		{"platform service", setupfile.Mailbox{Address: "jobs@acme.de"}, nil, map[string]string{"company": "google"}, "google", "mx", "forwarding:todo"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			opts := ReportOptions{Providers: tc.providers}
			if tc.test != nil {
				opts.Tests = map[string]ReportTest{"company": *tc.test}
			}
			r := NewReport(&setupfile.Setup{Version: 1, Platform: setupfile.Platform{Account: "acme"}, Company: tc.mb}, opts)
			m := r.Mailboxes[0]
			if got := actionsOf(m); got != tc.want {
				t.Errorf("actions\n got %s\nwant %s", got, tc.want)
			}
			if m.Provider != tc.provider || m.ProviderFrom != tc.from {
				t.Errorf("provider %q from %q, want %q from %q", m.Provider, m.ProviderFrom, tc.provider, tc.from)
			}
			if r.Tested != (tc.test != nil) {
				t.Errorf("tested = %v", r.Tested)
			}
			for _, a := range m.Actions {
				if a.Args["address"] != "jobs@acme.de" || a.Args["inbound"] != "acme-jobs@m-personio.de" {
					t.Errorf("%s: args %v", a.ID, a.Args)
				}
			}
		})
	}
}

func TestReportArgs(t *testing.T) {
	s := &setupfile.Setup{Version: 1, Platform: setupfile.Platform{Account: "acme", MailDomain: "mail.example", OutgoingIPs: []string{"192.0.2.1/32", "192.0.2.2/32"}},
		Company: setupfile.Mailbox{Address: "jobs@acme.de", Channel: "smtp", SMTP: &setupfile.SMTP{Host: "mail.acme.de"}},
		Entities: []setupfile.Entity{
			{Name: "tenant default", Mailbox: setupfile.Mailbox{Address: "jobs@acme.it", Channel: "microsoft", Microsoft: &setupfile.Microsoft{ClientID: "cid-it"}}},
			{Name: "client id from env", Mailbox: setupfile.Mailbox{Address: "jobs@acme.fr", Channel: "microsoft", Microsoft: &setupfile.Microsoft{Tenant: "acme.onmicrosoft.com"}}},
		}}
	env := map[string]string{microsoft.EnvClientID: "cid-env"}
	r := NewReport(s, ReportOptions{Getenv: func(k string) string { return env[k] }})
	arg := func(m int, id, k string) string {
		for _, a := range r.Mailboxes[m].Actions {
			if a.ID == id {
				return a.Args[k]
			}
		}
		t.Fatalf("mailbox %d has no action %s", m, id)
		return ""
	}
	cases := []struct{ name, got, want string }{
		{"outgoing ips from the setup", arg(0, "ip_allowlist", "ips"), "192.0.2.1/32, 192.0.2.2/32"},
		{"inbound with the setup's mail domain", arg(0, "forwarding", "inbound"), "acme-jobs@mail.example"},
		{"consent link for the address's domain", arg(1, "admin_rights_or_consent", "admin_consent_url"),
			"https://login.microsoftonline.com/acme.it/adminconsent?client_id=cid-it"},
		{"consent link with the env's client id", arg(2, "admin_rights_or_consent", "admin_consent_url"),
			"https://login.microsoftonline.com/acme.onmicrosoft.com/adminconsent?client_id=cid-env"},
		{"tenant named", arg(2, "admin_rights_or_consent", "tenant"), "acme.onmicrosoft.com"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got != tc.want {
				t.Errorf("got %q, want %q", tc.got, tc.want)
			}
		})
	}
	// Without any client id there is no app to consent to: no link.
	r = NewReport(s, ReportOptions{})
	for _, a := range r.Mailboxes[2].Actions {
		if a.Args["admin_consent_url"] != "" {
			t.Errorf("consent link without a client id: %v", a.Args)
		}
	}
}

func TestReportProblemsAndInheritance(t *testing.T) {
	s := reportSetup()
	warn := []setupfile.Warning{
		{Key: "company.smtp.security", Diagnosis: providers.Diagnosis{Code: providers.CodeConfigNoVerify}},
		{Key: "entities[1].smtp.username", Diagnosis: providers.Diagnosis{Code: providers.CodeConfigUsernameMismatch}},
	}
	r := NewReport(s, ReportOptions{Warnings: warn})
	codes := func(m ReportMailbox) string {
		var cs []string
		for _, d := range m.Problems {
			cs = append(cs, string(d.Code)+"@"+d.Field)
		}
		return strings.Join(cs, " ")
	}
	cases := []struct {
		i         int
		problems  string
		inherited bool
		actions   int
	}{
		{0, "config.no_verify@company.smtp.security", false, 4},
		{1, "", true, 0}, // inherits: the company's items cover it
		{2, "config.username_mismatch@entities[1].smtp.username", false, 6},
		{6, "config.unsupported_host@entities[5].smtp.host", false, 3},
	}
	for _, tc := range cases {
		m := r.Mailboxes[tc.i]
		t.Run(m.Name, func(t *testing.T) {
			if got := codes(m); got != tc.problems {
				t.Errorf("problems %q, want %q", got, tc.problems)
			}
			if m.Inherited != tc.inherited || len(m.Actions) != tc.actions {
				t.Errorf("inherited %v actions %s", m.Inherited, actionsOf(m))
			}
		})
	}
	if m := r.Mailboxes[6]; m.Provider != "google" || m.ProviderFrom != "host" {
		t.Errorf("relay host: provider %s from %s", m.Provider, m.ProviderFrom)
	}
	if r.Mailboxes[1].Address != "jobs@acme.de" || r.Mailboxes[1].Settings.Host != "mail.acme.de" {
		t.Errorf("inheriting entity: %+v", r.Mailboxes[1])
	}
}

// The report blames a prerequisite only for the codes that name it beyond
// doubt; the wizard's "no" gives each prerequisite's code.
func TestPrerequisiteCodesBothWays(t *testing.T) {
	blamed := map[providers.Code]string{
		providers.CodeAuthSMTPAuthDisabled: "smtp_auth_enabled",
		providers.CodeAuthBasicAuthBlocked: "security_defaults_allow_basic_auth",
		providers.CodeOAuthAdminConsent:    "admin_rights_or_consent",
		providers.CodeConfigSharedMailbox:  "not_shared_mailbox",
		providers.CodeSMTPRejected:         "",
		providers.CodeAuthRejected:         "",
		providers.CodeSMTPIPBlocked:        "ip_allowlist",
		providers.CodeSendQuotaExceeded:    "",
		providers.CodeAuthRateLimited:      "",
	}
	for code, want := range blamed {
		if got := failedAction(code); got != want {
			t.Errorf("failedAction(%s) = %q, want %q", code, got, want)
		}
	}
	for id, want := range map[string]providers.Code{"licensed_mailbox": providers.CodeConfigSharedMailbox,
		"ip_allowlist": providers.CodeSMTPRejected, "external_apps_allowed": providers.CodeAuthRejected} {
		if got, _ := confirmationCode(id); got != want {
			t.Errorf("confirmationCode(%s) = %s, want %s", id, got, want)
		}
	}
}
