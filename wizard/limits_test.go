package wizard

import (
	"maps"
	"slices"
	"testing"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/wizard/setupfile"
)

func TestLocalHostKind(t *testing.T) {
	for _, tc := range []struct{ host, want string }{
		{"smtp.acme.de", ""},
		{"smtp.acme.de.", ""},
		{"203.0.113.7", ""},
		{"2001:db8::1", ""},
		{"127.0.0.1", HostLoopback},
		{"::1", HostLoopback},
		{"[::1]", HostLoopback},
		{"localhost", HostLoopback},
		{"LOCALHOST.", HostLoopback},
		{"0.0.0.0", HostLoopback},
		{"10.1.2.3", HostPrivate},
		{"172.20.0.5", HostPrivate},
		{"192.168.1.10", HostPrivate},
		{"100.64.0.1", HostPrivate},
		{"fd12::1", HostPrivate},
		{"::ffff:192.168.1.10", HostPrivate},
		{"169.254.10.1", HostLinkLocal},
		{"fe80::1", HostLinkLocal},
		{"mail.local", HostLocalDomain},
		{"mail.corp.internal", HostLocalDomain},
		{"dev.localhost", HostLocalDomain},
		{"mailhost", HostSingleLabel},
		{"", ""},
	} {
		if got := LocalHostKind(tc.host); got != tc.want {
			t.Errorf("LocalHostKind(%q) = %q, want %q", tc.host, got, tc.want)
		}
	}
}

// The session, its proof and the export say the same about one setup.
func TestLimitsAndProof(t *testing.T) {
	for _, tc := range []struct {
		name   string
		ch     string
		host   string
		ca     string
		proof  Proof
		codes  []providers.Code
		fields []string
	}{
		{"public server", "smtp", "smtp.acme.de", "", ProofSent, nil, nil},
		{"loopback", "smtp", "127.0.0.1", "", ProofThisMachine,
			[]providers.Code{providers.CodeConfigLocalServer}, []string{"company.smtp.host"}},
		{"private CA", "smtp", "smtp.acme.de", "ca.pem", ProofThisMachine,
			[]providers.Code{providers.CodeConfigPrivateCA}, []string{"company.smtp.ca_file"}},
		{"both", "smtp", "mail.local", "ca.pem", ProofThisMachine,
			[]providers.Code{providers.CodeConfigLocalServer, providers.CodeConfigPrivateCA},
			[]string{"company.smtp.host", "company.smtp.ca_file"}},
		{"platform service", "platform", "", "", ProofNothingSent, nil, nil},
		{"platform by default", "", "", "", ProofNothingSent, nil, nil},
		{"google", "google", "", "", ProofSent, nil, nil},
		{"microsoft", "microsoft", "", "", ProofSent, nil, nil},
		// The direct integrations' smtp_host/ca_file overrides (a relay, a
		// test peer) limit the proof like the smtp channel's server does.
		{"microsoft through a local relay", "microsoft", "127.0.0.1", "ca.pem", ProofThisMachine,
			[]providers.Code{providers.CodeConfigLocalServer, providers.CodeConfigPrivateCA},
			[]string{"company.microsoft.smtp_host", "company.microsoft.ca_file"}},
		{"google with a private CA", "google", "", "ca.pem", ProofThisMachine,
			[]providers.Code{providers.CodeConfigPrivateCA}, []string{"company.google.ca_file"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			setup := &setupfile.Setup{Version: setupfile.SetupVersion, Platform: setupfile.Platform{Account: "acme"},
				Company: setupfile.Mailbox{Address: "jobs@acme.de", Channel: tc.ch}}
			switch tc.ch {
			case "smtp":
				setup.Company.SMTP = &setupfile.SMTP{Host: tc.host, CAFile: tc.ca}
			case "google":
				setup.Company.Google = &setupfile.Google{SMTPHost: tc.host, CAFile: tc.ca}
			case "microsoft":
				setup.Company.Microsoft = &setupfile.Microsoft{SMTPHost: tc.host, CAFile: tc.ca}
			}
			s := NewSession(setup, false)
			if got := s.Proof(); got != tc.proof {
				t.Errorf("Proof = %q, want %q", got, tc.proof)
			}
			s.RecordChecks(nil)
			s.RecordResult(providers.Result{Channel: s.Mailbox().ChannelID()})
			var codes []providers.Code
			var fields []string
			for _, w := range s.Warnings {
				codes, fields = append(codes, w.Diagnosis.Code), append(fields, w.Key)
			}
			if !slices.Equal(codes, tc.codes) || !slices.Equal(fields, tc.fields) {
				t.Errorf("session warnings %v at %v, want %v at %v", codes, fields, tc.codes, tc.fields)
			}
			e := NewExport(setup, nil, ExportOptions{})
			var ecodes []providers.Code
			for _, w := range e.Entities[0].Warnings {
				ecodes = append(ecodes, providers.Code(w.Code))
			}
			if !slices.Equal(ecodes, tc.codes) {
				t.Errorf("export warnings %v, want %v", ecodes, tc.codes)
			}
			if got := proofOf(setup.Effective()[0].Channel, LimitsOf(setup.Effective()[0])); got != tc.proof {
				t.Errorf("proof of the loaded mailbox = %q, want %q", got, tc.proof)
			}
			wantSends := ""
			if tc.proof == ProofNothingSent {
				wantSends = "acme-jobs@" + setupfile.DefaultMailDomain
			}
			if got := s.SendsAs(); got != wantSends {
				t.Errorf("SendsAs = %q, want %q", got, wantSends)
			}
		})
	}
}

// A CA file keeps its warning even though the test passes with it (the
// remedy of tls.untrusted_cert used to be the only place that said so).
func TestPrivateCAWarningSurvivesAPassedTest(t *testing.T) {
	setup := &setupfile.Setup{Version: setupfile.SetupVersion, Platform: setupfile.Platform{Account: "acme"},
		Company: setupfile.Mailbox{Address: "jobs@acme.de", Channel: "smtp", SMTP: &setupfile.SMTP{Host: "smtp.acme.de", CAFile: "ca.pem"}}}
	s := NewSession(setup, false)
	s.RecordChecks([]providers.Check{{ID: "ca_file_readable", OK: true}})
	s.RecordResult(providers.Result{Channel: providers.ChannelSMTP})
	if len(s.Warnings) != 1 || s.Warnings[0].Diagnosis.Code != providers.CodeConfigPrivateCA {
		t.Fatalf("warnings after a passed test: %+v", s.Warnings)
	}
	if want := map[string]string{"host": "smtp.acme.de", "path": "ca.pem"}; !maps.Equal(s.Warnings[0].Diagnosis.Args, want) {
		t.Fatalf("args %v, want %v", s.Warnings[0].Diagnosis.Args, want)
	}
}

// The limits say "tested from this machine only": they join the warnings
// only with a passed test, never before one or after a failed one, and a
// retried test does not repeat them.
func TestLimitsOnlyWithAPassedTest(t *testing.T) {
	setup := &setupfile.Setup{Version: setupfile.SetupVersion, Platform: setupfile.Platform{Account: "acme"},
		Company: setupfile.Mailbox{Address: "jobs@acme.de", Channel: "smtp", SMTP: &setupfile.SMTP{Host: "127.0.0.1", CAFile: "ca.pem"}}}
	s := NewSession(setup, false)
	count := func() int {
		n := 0
		for _, w := range s.Warnings {
			if isLimit(w.Diagnosis.Code) {
				n++
			}
		}
		return n
	}
	s.RecordChecks(nil)
	if n := count(); n != 0 {
		t.Fatalf("%d limits before any test: %+v", n, s.Warnings)
	}
	s.RecordResult(providers.Result{Channel: providers.ChannelSMTP, Diagnosis: &providers.Diagnosis{Code: providers.CodeAuthRejected}})
	if n := count(); n != 0 {
		t.Fatalf("%d limits after a failed test: %+v", n, s.Warnings)
	}
	for range 2 { // passed, then retried and passed again
		s.RecordResult(providers.Result{Channel: providers.ChannelSMTP})
		if n := count(); n != 2 {
			t.Fatalf("%d limits after a passed test, want 2: %+v", n, s.Warnings)
		}
	}
}

// SMTP with a password at Microsoft 365 warns of the basic-auth switch-off
// (config.basic_auth_retiring) at every driver's end; other hosts and the
// direct integration do not.
func TestBasicAuthRetiringWarning(t *testing.T) {
	for _, tc := range []struct {
		name, ch, host string
		want           bool
	}{
		{"smtp at Microsoft 365", "smtp", "smtp.office365.com", true},
		{"spelt loosely", "smtp", " SMTP.Office365.com. ", true},
		{"another server", "smtp", "smtp.acme.de", false},
		{"the direct integration", "microsoft", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			setup := &setupfile.Setup{Version: setupfile.SetupVersion, Platform: setupfile.Platform{Account: "acme"},
				Company: setupfile.Mailbox{Address: "jobs@acme.de", Channel: tc.ch}}
			if tc.ch == "smtp" {
				setup.Company.SMTP = &setupfile.SMTP{Host: tc.host}
			} else {
				setup.Company.Microsoft = &setupfile.Microsoft{}
			}
			s := NewSession(setup, false)
			s.RecordChecks(nil)
			got := false
			for _, w := range s.Warnings {
				if w.Diagnosis.Code == providers.CodeConfigBasicAuthRetiring {
					got = true
					if w.Key != "company.channel" || w.Diagnosis.Args["address"] != "jobs@acme.de" {
						t.Errorf("warning at %q with %v", w.Key, w.Diagnosis.Args)
					}
				}
			}
			if got != tc.want {
				t.Errorf("basic-auth warning = %v, want %v (warnings %v)", got, tc.want, s.Warnings)
			}
		})
	}
}
