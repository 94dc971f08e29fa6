package wizard

import (
	"cmp"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/wizard/setupfile"
)

// ExportSchemaVersion is the version of the platform export's format.
const ExportSchemaVersion = 1

// Export is the platform export (recruiting-email.json): for the company
// and each entity, what the platform's "recruiting e-mail settings" form
// needs, plus the last live test and the verification token. It never
// holds a secret, nor even a secret's reference.
type Export struct {
	SchemaVersion int            `json:"schema_version"`
	GeneratedAt   time.Time      `json:"generated_at"`
	Platform      ExportPlatform `json:"platform"`
	Entities      []ExportEntity `json:"entities"` // the company first, named "company"
}

// ExportPlatform is the customer's platform account.
type ExportPlatform struct {
	Name           string   `json:"name"`
	Account        string   `json:"account"`
	MailDomain     string   `json:"mail_domain"`
	InboundAddress string   `json:"inbound_address"` // <account>-jobs@<mail_domain>
	MailService    string   `json:"mail_service"`
	OutgoingIPs    []string `json:"outgoing_ips"`
}

// ExportEntity is one sender: the company or a subsidiary.
type ExportEntity struct {
	Name            string             `json:"name"`
	Key             string             `json:"key"`              // setup-file key: company | entities[N]
	InheritsCompany bool               `json:"inherits_company"` // an entity without an address of its own
	Sender          ExportSender       `json:"sender"`
	Channel         providers.Channel  `json:"channel"`
	Settings        ExportSettings     `json:"settings"`
	InboundAddress  string             `json:"inbound_address"`
	Verification    ExportVerification `json:"verification"`
	LastTest        *ExportLastTest    `json:"last_test"` // null: not tested
	// Warnings are what a passing test does not prove for the platform
	// (config.local_server, config.private_ca); empty when nothing limits it.
	Warnings []ExportWarning `json:"warnings"`
}

// ExportWarning is one limit of the setup: its code and the setting.
type ExportWarning struct {
	Code  string `json:"code"`
	Field string `json:"field"`
}

// ExportSender is the custom address and whose name is shown.
type ExportSender struct {
	Address  string `json:"address"`
	NameMode string `json:"name_mode"` // company | employee
}

// ExportSettings are the channel's settings, secrets left out. Which
// fields are set depends on the channel (the schema says which).
type ExportSettings struct {
	// smtp
	Host       string `json:"host,omitempty"`
	Port       int    `json:"port,omitempty"`
	Security   string `json:"security,omitempty"`   // jobmail's name
	Encryption string `json:"encryption,omitempty"` // the platform form's option
	Username   string `json:"username,omitempty"`
	// google, microsoft
	Account  string       `json:"account,omitempty"` // the signed-in mailbox
	Tenant   string       `json:"tenant,omitempty"`
	ClientID string       `json:"client_id,omitempty"`
	Token    *TokenHealth `json:"token,omitempty"`
	// platform
	Service string `json:"service,omitempty"`
	SendsAs string `json:"sends_as,omitempty"`
}

// TokenHealth says when an OAuth refresh token likely stops working, so
// the platform can ask for a new sign-in in time.
type TokenHealth struct {
	LikelyExpiresAt time.Time `json:"likely_expires_at"`
	Reason          string    `json:"reason"` // microsoft_inactivity_90_days | google_inactivity_6_months | caller's
}

// ExportVerification is the token the test message carries; the platform
// flips the address to verified when the forwarded message arrives.
type ExportVerification struct {
	Token  string `json:"token"`
	Status string `json:"status"` // pending
}

// ExportLastTest is the outcome of the last live test.
type ExportLastTest struct {
	At            time.Time     `json:"at"`
	OK            bool          `json:"ok"`
	DurationMS    int64         `json:"duration_ms"`
	Stages        []ExportStage `json:"stages"`
	DiagnosisCode *string       `json:"diagnosis_code"` // null when ok
}

// ExportStage is one stage of the test.
type ExportStage struct {
	Name       string `json:"name"`
	OK         bool   `json:"ok"`
	DurationMS int64  `json:"duration_ms"`
}

// TestSummary is what the export needs to know of a mailbox's live test.
type TestSummary struct {
	At          time.Time
	OK          bool
	Duration    time.Duration
	Stages      []providers.Stage
	Diagnosis   *providers.Diagnosis
	Token       string       // the verification token the test message carried
	TokenHealth *TokenHealth // OAuth: when known to the provider; nil: estimated from At
}

// SummaryOf condenses a live-test result.
func SummaryOf(r providers.Result, token string) TestSummary {
	return TestSummary{At: r.Started, OK: r.OK(), Duration: r.Duration, Stages: r.Stages,
		Diagnosis: r.Diagnosis, Token: token}
}

// ExportOptions are NewExport's dependencies; nil means time.Now and
// NewToken.
type ExportOptions struct {
	Now      func() time.Time
	NewToken func() string
}

// Encryption maps a security mode to the platform form's encryption
// option. `none` has no counterpart there and keeps its name.
func Encryption(sec providers.Security) string {
	switch sec {
	case providers.SecurityStartTLS:
		return "smtp_starttls_verify"
	case providers.SecurityStartTLSNoVerify:
		return "smtp_starttls"
	case providers.SecuritySMTPS:
		return "smtps"
	}
	return string(sec)
}

// NewExport builds the export of s. tests holds the live-test summaries
// by EffectiveMailbox.Key ("company", "entities[0]"…); a mailbox without
// one gets last_test null and a fresh verification token.
func NewExport(s *setupfile.Setup, tests map[string]TestSummary, opts ExportOptions) *Export {
	now, token := opts.Now, opts.NewToken
	if now == nil {
		now = time.Now
	}
	if token == nil {
		token = NewToken
	}
	p := s.Platform
	e := &Export{
		SchemaVersion: ExportSchemaVersion,
		GeneratedAt:   now().UTC(),
		Platform: ExportPlatform{
			Name: s.PlatformName(), Account: p.Account, MailDomain: cmp.Or(p.MailDomain, setupfile.DefaultMailDomain),
			InboundAddress: s.InboundAddress(), MailService: setupfile.DefaultMailService,
			OutgoingIPs: append([]string{}, setupfile.DefaultOutgoingIPs...),
		},
	}
	if len(p.OutgoingIPs) > 0 {
		e.Platform.OutgoingIPs = append([]string{}, p.OutgoingIPs...)
	}
	for _, m := range s.Effective() {
		ent := ExportEntity{
			Name: m.Name, Key: m.Key, InheritsCompany: m.Inherited,
			Sender:         ExportSender{Address: m.Address, NameMode: m.SenderName},
			Channel:        m.Channel,
			Settings:       exportSettings(m, e.Platform),
			InboundAddress: e.Platform.InboundAddress,
			Verification:   ExportVerification{Status: "pending"},
			Warnings:       []ExportWarning{},
		}
		for _, w := range LimitsOf(m) {
			ent.Warnings = append(ent.Warnings, ExportWarning{Code: string(w.Diagnosis.Code), Field: w.Key})
		}
		if t, ok := tests[m.Key]; ok {
			ent.LastTest = lastTest(t)
			ent.Verification.Token = t.Token
			if ent.Settings.Account != "" {
				ent.Settings.Token = tokenHealth(m.Channel, t)
			}
		}
		if ent.Verification.Token == "" {
			ent.Verification.Token = token()
		}
		e.Entities = append(e.Entities, ent)
	}
	return e
}

func exportSettings(m setupfile.EffectiveMailbox, p ExportPlatform) ExportSettings {
	return channelOf(m.Channel).export(m, p)
}

func lastTest(t TestSummary) *ExportLastTest {
	lt := &ExportLastTest{At: t.At.UTC(), OK: t.OK, DurationMS: t.Duration.Milliseconds(), Stages: []ExportStage{}}
	for _, st := range t.Stages {
		lt.Stages = append(lt.Stages, ExportStage{Name: string(st.Name), OK: st.OK, DurationMS: st.Duration.Milliseconds()})
	}
	if t.Diagnosis != nil {
		code := string(t.Diagnosis.Code)
		lt.DiagnosisCode = &code
	} else if !t.OK {
		code := string(providers.CodeUnknown)
		lt.DiagnosisCode = &code
	}
	return lt
}

// tokenHealth estimates when a refresh token used at the test stops
// working unless the provider said so itself. A failed test says nothing.
func tokenHealth(ch providers.Channel, t TestSummary) *TokenHealth {
	if t.TokenHealth != nil {
		h := *t.TokenHealth
		h.LikelyExpiresAt = h.LikelyExpiresAt.UTC()
		return &h
	}
	if !t.OK || t.At.IsZero() {
		return nil
	}
	if sp := providers.SpecOf(ch); sp.TokenIdle > 0 {
		return &TokenHealth{LikelyExpiresAt: t.At.UTC().Add(sp.TokenIdle), Reason: sp.TokenReason}
	}
	return nil
}

// NewToken draws a verification token: "jm-" and 128 random bits,
// URL-safe base64 without padding (22 characters), fit for a mail
// header, a subject line and a URL alike.
func NewToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (it aborts the program instead)
	return "jm-" + base64.RawURLEncoding.EncodeToString(b[:])
}

// MarshalExport is the JSON WriteExport writes. The tests check every
// export shape against the shipped JSON Schema; the binary does not link
// the schema validator, whose initialisation alone costs ~7 ms of every
// start.
func MarshalExport(e *Export) ([]byte, error) {
	data, err := json.MarshalIndent(e, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode export: %w", err)
	}
	return append(data, '\n'), nil
}

// WriteExport writes the export to path atomically, mode 0600, never onto
// a file protect names (the setup file being read).
func WriteExport(path string, e *Export, protect ...string) error {
	data, err := MarshalExport(e)
	if err != nil {
		return fmt.Errorf("write export: %w", err)
	}
	if err := setupfile.WriteFileAtomic(path, data, 0o600, protect...); err != nil {
		return fmt.Errorf("write export: %w", err)
	}
	return nil
}
