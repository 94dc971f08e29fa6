package wizard

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/schema/schemacheck"
	"github.com/jobmail/jobmail/wizard/setupfile"
)

var exportTime = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

// counterTokens gives predictable, well-formed tokens for golden files.
func counterTokens() func() string {
	n := 0
	return func() string {
		n++
		return fmt.Sprintf("jm-%022d", n)
	}
}

func exportSetup() *setupfile.Setup {
	return &setupfile.Setup{
		Version:  1,
		Platform: setupfile.Platform{Account: "acme"},
		Company: setupfile.Mailbox{Address: "jobs@acme.de", Channel: "smtp",
			SMTP: &setupfile.SMTP{Host: "smtp.acme.de", Password: "env:SECRET_MARKER_ENV", CAFile: "/etc/marker-ca.pem"}},
		Entities: []setupfile.Entity{
			{Name: "Acme Italia S.r.l.", Mailbox: setupfile.Mailbox{Address: "jobs@acme.it", SenderName: "employee",
				SMTP: &setupfile.SMTP{Security: "starttls-noverify", Username: "relay@acme.it", Password: "file:/run/secret-marker-file"}}},
			{Name: "Acme Logistics"},
			{Name: "Acme UK", Mailbox: setupfile.Mailbox{Address: "jobs@acme.co.uk", Channel: "microsoft",
				Microsoft: &setupfile.Microsoft{Tenant: "acme.onmicrosoft.com", ClientID: "11111111-2222-3333-4444-555555555555", RefreshToken: "env:RT_MARKER"}}},
			{Name: "Acme Ireland", Mailbox: setupfile.Mailbox{Address: "jobs@acme.ie", Channel: "platform"}},
		},
	}
}

func exportTests() map[string]TestSummary {
	ok := TestSummary{At: exportTime.Add(-time.Minute), OK: true, Duration: 412 * time.Millisecond, Token: "jm-AAAAAAAAAAAAAAAAAAAAAA",
		Stages: []providers.Stage{
			{Name: providers.StageResolve, OK: true, Duration: 2 * time.Millisecond},
			{Name: providers.StageConnect, OK: true, Duration: 31 * time.Millisecond},
			{Name: providers.StageTLS, OK: true, Duration: 88 * time.Millisecond},
			{Name: providers.StageAuth, OK: true, Duration: 120 * time.Millisecond},
			{Name: providers.StageMail, OK: true, Duration: 30 * time.Millisecond},
			{Name: providers.StageRcpt, OK: true, Duration: 30 * time.Millisecond},
			{Name: providers.StageData, OK: true, Duration: 111 * time.Millisecond},
		}}
	failed := TestSummary{At: exportTime.Add(-30 * time.Second), OK: false, Duration: 1500 * time.Millisecond, Token: "jm-BBBBBBBBBBBBBBBBBBBBBB",
		Stages: []providers.Stage{
			{Name: providers.StageConnect, OK: true, Duration: 40 * time.Millisecond},
			{Name: providers.StageTLS, OK: true, Duration: 90 * time.Millisecond},
			{Name: providers.StageAuth, OK: false, Duration: 510 * time.Millisecond},
		},
		Diagnosis: &providers.Diagnosis{Code: providers.CodeAuthRejected, Reply: "535 5.7.8 Error: authentication failed"}}
	oauth := TestSummary{At: exportTime.Add(-10 * time.Second), OK: true, Duration: 700 * time.Millisecond, Token: "jm-CCCCCCCCCCCCCCCCCCCCCC",
		Stages: []providers.Stage{{Name: providers.StageConnect, OK: true}, {Name: providers.StageAuth, OK: true, Duration: time.Second / 4}}}
	// The entity without an address shares the company's test (same
	// connection key), so the driver hands it the same summary.
	return map[string]TestSummary{"company": ok, "entities[0]": failed, "entities[1]": ok, "entities[2]": oauth}
}

func TestExportGolden(t *testing.T) {
	e := NewExport(exportSetup(), exportTests(), ExportOptions{Now: func() time.Time { return exportTime }, NewToken: counterTokens()})
	path := filepath.Join(t.TempDir(), "recruiting-email.json")
	if err := WriteExport(path, e); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", fi.Mode())
	}
	golden(t, "export.golden", data)
}

func TestExportContent(t *testing.T) {
	e := NewExport(exportSetup(), exportTests(), ExportOptions{Now: func() time.Time { return exportTime }, NewToken: counterTokens()})
	if len(e.Entities) != 5 || e.Entities[0].Name != "company" || e.Entities[0].Key != "company" {
		t.Fatalf("entities %+v", e.Entities)
	}
	if e.Platform.InboundAddress != "acme-jobs@m-personio.de" || e.Entities[3].InboundAddress != "acme-jobs@m-personio.de" {
		t.Fatalf("inbound %q", e.Platform.InboundAddress)
	}
	c, it, logistics, uk, ie := e.Entities[0], e.Entities[1], e.Entities[2], e.Entities[3], e.Entities[4]
	if c.Settings.Encryption != "smtp_starttls_verify" || c.Settings.Port != 587 || c.Settings.Username != "jobs@acme.de" {
		t.Errorf("company settings %+v", c.Settings)
	}
	if it.Settings.Encryption != "smtp_starttls" || it.Settings.Host != "smtp.acme.de" || it.Sender.NameMode != "employee" {
		t.Errorf("italy %+v", it)
	}
	if it.LastTest.OK || it.LastTest.DiagnosisCode == nil || *it.LastTest.DiagnosisCode != "auth.rejected" || it.LastTest.DurationMS != 1500 {
		t.Errorf("italy test %+v", it.LastTest)
	}
	if !logistics.InheritsCompany || logistics.Sender.Address != "jobs@acme.de" || logistics.Verification.Token != c.Verification.Token {
		t.Errorf("logistics %+v", logistics)
	}
	if uk.Settings.Account != "jobs@acme.co.uk" || uk.Settings.Token == nil ||
		!uk.Settings.Token.LikelyExpiresAt.Equal(exportTime.Add(-10*time.Second).Add(90*24*time.Hour)) {
		t.Errorf("uk %+v %+v", uk.Settings, uk.Settings.Token)
	}
	if ie.LastTest != nil || ie.Settings.SendsAs != "acme-jobs@m-personio.de" || ie.Verification.Token != "jm-0000000000000000000001" {
		t.Errorf("ireland %+v", ie)
	}
}

func TestExportHasNoSecretReferences(t *testing.T) {
	data, err := MarshalExport(NewExport(exportSetup(), exportTests(), ExportOptions{}))
	if err != nil {
		t.Fatal(err)
	}
	for _, marker := range []string{"SECRET_MARKER_ENV", "secret-marker-file", "RT_MARKER", "env:", "file:", "keyring", "535 5.7.8"} {
		if strings.Contains(string(data), marker) {
			t.Errorf("export contains %q", marker)
		}
	}
}

func TestNewToken(t *testing.T) {
	re := regexp.MustCompile(`^jm-[A-Za-z0-9_-]{22}$`)
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		tok := NewToken()
		if !re.MatchString(tok) || seen[tok] {
			t.Fatalf("token %q (seen %v)", tok, seen[tok])
		}
		seen[tok] = true
	}
}

func TestEncryption(t *testing.T) {
	for sec, want := range map[providers.Security]string{
		providers.SecurityStartTLS: "smtp_starttls_verify", providers.SecurityStartTLSNoVerify: "smtp_starttls",
		providers.SecuritySMTPS: "smtps", providers.SecurityNone: "none",
	} {
		if got := Encryption(sec); got != want {
			t.Errorf("Encryption(%s) = %s, want %s", sec, got, want)
		}
	}
}

// TestExportSchemaRejects proves the export schema can fail: each change
// breaks the contract and must be caught before anything is written.
func TestExportSchemaRejects(t *testing.T) {
	base, err := MarshalExport(NewExport(exportSetup(), exportTests(), ExportOptions{}))
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]func(m map[string]any){
		"no token":           func(m map[string]any) { ent(m, 0)["verification"].(map[string]any)["token"] = "" },
		"smtp without host":  func(m map[string]any) { delete(ent(m, 0)["settings"].(map[string]any), "host") },
		"password in export": func(m map[string]any) { ent(m, 0)["settings"].(map[string]any)["password"] = "x" },
		"unknown stage":      func(m map[string]any) { stage(m)["name"] = "handshake" },
		"ok with diagnosis":  func(m map[string]any) { ent(m, 0)["last_test"].(map[string]any)["diagnosis_code"] = "auth.rejected" },
		"failed, no code":    func(m map[string]any) { ent(m, 1)["last_test"].(map[string]any)["diagnosis_code"] = nil },
		"negative duration":  func(m map[string]any) { stage(m)["duration_ms"] = -1 },
		"no entities":        func(m map[string]any) { m["entities"] = []any{} },
		"bad channel":        func(m map[string]any) { ent(m, 0)["channel"] = "sendgrid" },
		"schema version 2":   func(m map[string]any) { m["schema_version"] = 2 },
	}
	for name, mutate := range cases {
		t.Run(name, func(t *testing.T) {
			var m map[string]any
			if err := json.Unmarshal(base, &m); err != nil {
				t.Fatal(err)
			}
			mutate(m)
			data, _ := json.Marshal(m)
			if err := schemacheck.Export(data); err == nil {
				t.Fatal("schema accepted a broken export")
			}
		})
	}
}

func ent(m map[string]any, i int) map[string]any { return m["entities"].([]any)[i].(map[string]any) }
func stage(m map[string]any) map[string]any {
	return ent(m, 0)["last_test"].(map[string]any)["stages"].([]any)[0].(map[string]any)
}
