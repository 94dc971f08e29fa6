package wizard

import (
	"strings"
	"time"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/providers/microsoft"
	"github.com/jobmail/jobmail/wizard/setupfile"
)

// Report is the IT hand-off report's content: for every mailbox of a
// setup (the company's first, then each entity's), what the mail
// administrator must do so that the platform can send as the address and
// receive its replies, and what the last live test found. It holds codes
// and data only; the words (Markdown) come from the message catalogue.
// Like the export, it never holds a secret nor a secret's reference.
type Report struct {
	GeneratedAt time.Time       `json:"generated_at"`
	Platform    ExportPlatform  `json:"platform"`
	Tested      bool            `json:"tested"` // a live test ran for this report
	Mailboxes   []ReportMailbox `json:"mailboxes"`
}

// ReportMailbox is one sender: the company or an entity.
type ReportMailbox struct {
	Key       string            `json:"key"`  // company | entities[N]
	Name      string            `json:"name"` // CompanyName for the company
	Address   string            `json:"address"`
	Inherited bool              `json:"inherits_company"` // uses the company's mailbox: nothing of its own to do
	Channel   providers.Channel `json:"channel"`
	Settings  ExportSettings    `json:"settings"`
	// Provider runs the mailbox (google | microsoft | other) and picks the
	// forwarding instructions; ProviderFrom says how it is known: channel,
	// host (the SMTP server's name), mx (DNS, only with a live test) or
	// "" (not known: the general instructions apply).
	Provider     string                `json:"provider"`
	ProviderFrom string                `json:"provider_from,omitempty"`
	Actions      []ReportAction        `json:"actions"`
	Problems     []providers.Diagnosis `json:"problems"` // what the setup file itself shows
	Test         *ReportTest           `json:"test"`     // nil: not tested
}

// ReportAction is one thing the mail administrator does: ActionForwarding
// or a prerequisite id (check.<id> in the catalogue). Args fill the
// catalogue's texts (address, inbound, ips, admin_consent_url, tenant).
type ReportAction struct {
	ID     string            `json:"id"`
	Status ActionStatus      `json:"status"`
	Args   map[string]string `json:"args,omitempty"`
}

// ActionStatus says what is known of an action.
type ActionStatus string

const (
	StatusTodo      ActionStatus = "todo"      // nobody said it is done
	StatusConfirmed ActionStatus = "confirmed" // a person confirmed it in the setup file
	StatusVerified  ActionStatus = "verified"  // the live test proved it
	StatusFailed    ActionStatus = "failed"    // the live test failed because of it
)

// ActionForwarding is the forwarding rule from the address to the
// platform's inbound address.
const ActionForwarding = "forwarding"

// ReportTest is a mailbox's live test as the report shows it. Diagnosis is
// set when it failed, also when it stopped before connecting (a
// prerequisite, a secret); Transcript is already redacted.
type ReportTest struct {
	At         time.Time            `json:"at"`
	OK         bool                 `json:"ok"`
	Duration   time.Duration        `json:"duration_ns"`
	Stages     []providers.Stage    `json:"stages"`
	Diagnosis  *providers.Diagnosis `json:"diagnosis"`
	Transcript []string             `json:"transcript,omitempty"`
	TestedWith string               `json:"tested_with,omitempty"` // the mailbox whose identical connection was tested
}

// ReportOptions are NewReport's inputs besides the setup.
type ReportOptions struct {
	Now      func() time.Time      // nil: time.Now
	Getenv   func(string) string   // the Microsoft client id may come from JOBMAIL_MICROSOFT_CLIENT_ID
	Warnings []setupfile.Warning   // the loader's warnings, attached to their mailbox
	Tests    map[string]ReportTest // by mailbox key; nil: no live test ran
	// Providers are mail providers learnt from DNS, by mailbox key; they
	// win over what the setup implies only where the setup says nothing.
	Providers map[string]string
}

// NewReport builds the hand-off report of s.
func NewReport(s *setupfile.Setup, opts ReportOptions) *Report {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Getenv == nil {
		opts.Getenv = func(string) string { return "" }
	}
	// The platform block is the export's, so both files agree.
	exp := NewExport(s, nil, ExportOptions{Now: opts.Now, NewToken: func() string { return "" }})
	r := &Report{GeneratedAt: exp.GeneratedAt, Platform: exp.Platform, Tested: opts.Tests != nil}
	for i, m := range s.Effective() {
		rm := ReportMailbox{Key: m.Key, Name: m.Name, Address: m.Address, Inherited: m.Inherited,
			Channel: m.Channel, Settings: exp.Entities[i].Settings, Actions: []ReportAction{}, Problems: []providers.Diagnosis{}}
		rm.Provider, rm.ProviderFrom = mailProvider(m)
		if rm.ProviderFrom == "" && opts.Providers[m.Key] != "" {
			rm.Provider, rm.ProviderFrom = opts.Providers[m.Key], "mx"
		}
		if t, ok := opts.Tests[m.Key]; ok {
			rm.Test = &t
		}
		if !m.Inherited {
			rm.Problems = problems(m, opts.Warnings)
			rm.Actions = actions(m, rm.Provider, r.Platform, rm.Test, opts.Getenv)
			if a, ok := appAction(s, m, opts.Getenv); ok && (rm.Test == nil || !rm.Test.OK) { // a passed test had an app
				rm.Actions = append([]ReportAction{a}, rm.Actions...)
			}
		}
		if rm.Provider == "" {
			rm.Provider = "other"
		}
		r.Mailboxes = append(r.Mailboxes, rm)
	}
	return r
}

// mailProvider tells who runs the mailbox from the setup alone: the
// channel of a direct integration, or the SMTP server's name.
func mailProvider(m setupfile.EffectiveMailbox) (provider, from string) {
	if providers.SpecOf(m.Channel).SignIn {
		return string(m.Channel), "channel"
	}
	if m.SMTP == nil {
		return "", ""
	}
	h := strings.TrimSuffix(strings.ToLower(m.SMTP.Host), ".")
	if u, bad := providers.CheckHost(h); bad {
		if strings.HasPrefix(u.Reason, "google") {
			return "google", "host"
		}
		return "microsoft", "host"
	}
	switch {
	case h == "smtp.gmail.com" || h == "smtp.googlemail.com":
		return "google", "host"
	case isMicrosoftHost(h):
		return "microsoft", "host"
	}
	return "", ""
}

// isMicrosoftHost: Exchange Online's client submission names.
func isMicrosoftHost(h string) bool {
	return h == "smtp.office365.com" || h == "smtp-mail.outlook.com" || strings.HasSuffix(h, ".office365.com")
}

// actions lists what the mail admin does for m, in the order of the
// wizard's questions: forwarding, then the channel's prerequisites.
func actions(m setupfile.EffectiveMailbox, provider string, p ExportPlatform, test *ReportTest, getenv func(string) string) []ReportAction {
	base := map[string]string{"address": m.Address, "inbound": p.InboundAddress}
	fwd := ReportAction{ID: ActionForwarding, Status: StatusTodo, Args: base}
	if m.Forwarding == "done" {
		fwd.Status = StatusConfirmed
	}
	out := []ReportAction{fwd}
	ids := channelOf(m.Channel).adminActions(m, provider)
	failed := ""
	if test != nil && test.Diagnosis != nil {
		failed = failedAction(test.Diagnosis.Code)
		if (failed == "smtp_auth_enabled" || failed == "ip_allowlist") && !contains(ids, failed) {
			ids = append(ids, failed) // the server said so, whatever its name
		}
	}
	for _, id := range ids {
		a := ReportAction{ID: id, Status: StatusTodo, Args: base}
		switch id {
		case "ip_allowlist":
			a.Args = withArg(base, "ips", strings.Join(p.OutgoingIPs, ", "))
		case "admin_rights_or_consent":
			if m.Channel == providers.ChannelMicrosoft {
				a.Args = consentArgs(m, base, getenv)
			}
		}
		switch {
		case id == failed:
			a.Status = StatusFailed
		case test != nil && test.OK && provenByTest(id):
			a.Status = StatusVerified
		case m.Prerequisites[id]:
			a.Status = StatusConfirmed
		}
		out = append(out, a)
	}
	return out
}

// consentArgs carry the admin-consent link of the microsoft channel,
// built by the provider itself so the report and the wizard agree.
func consentArgs(m setupfile.EffectiveMailbox, base map[string]string, getenv func(string) string) map[string]string {
	ms := m.Microsoft
	cfg := microsoft.Config{Tenant: ms.Tenant, ClientID: ms.ClientID, AuthorityURL: ms.AuthorityURL}.WithEnv(getenv)
	p, err := microsoft.New(cfg)
	if err != nil || p.Config().ClientID == "" {
		return base // no app to consent to: the check's own words apply
	}
	a := withArg(base, "admin_consent_url", p.AdminConsentURL(m.Address))
	return withArg(a, "tenant", p.Config().Tenant)
}

// failedAction is the prerequisite a diagnosis code blames
// (prerequisiteCodes read backwards).
func failedAction(c providers.Code) string {
	for _, p := range prerequisiteCodes {
		if p.blamed && p.code == c {
			return p.id
		}
	}
	return ""
}

// provenByTest: a test that signed in and sent proves these; it says
// nothing of forwarding, nor of the platform's own IP addresses (the test
// ran from here).
func provenByTest(id string) bool {
	switch id {
	case "smtp_auth_enabled", "security_defaults_allow_basic_auth", "licensed_mailbox",
		"not_shared_mailbox", "admin_rights_or_consent", "external_apps_allowed":
		return true
	}
	return false
}

// problems are what the setup file shows without a test: an unsupported
// host, and the loader's warnings for this mailbox.
func problems(m setupfile.EffectiveMailbox, warnings []setupfile.Warning) []providers.Diagnosis {
	out := []providers.Diagnosis{}
	host, field := "", ""
	switch {
	case m.SMTP != nil:
		host, field = m.SMTP.Host, m.Key+".smtp.host"
	case m.Google != nil:
		host, field = m.Google.SMTPHost, m.Key+".google.smtp_host"
	case m.Microsoft != nil:
		host, field = m.Microsoft.SMTPHost, m.Key+".microsoft.smtp_host"
	}
	if u, bad := providers.CheckHost(host); bad && host != "" {
		out = append(out, *providers.UnsupportedDiagnosis(u, field))
	}
	for _, w := range warnings {
		if w.Key == m.Key || strings.HasPrefix(w.Key, m.Key+".") {
			d := w.Diagnosis
			if d.Field == "" {
				d.Field = w.Key
			}
			out = append(out, d)
		}
	}
	return out
}

func withArg(m map[string]string, k, v string) map[string]string {
	out := make(map[string]string, len(m)+1)
	for key, val := range m {
		out[key] = val
	}
	out[k] = v
	return out
}

func contains(ss []string, s string) bool {
	for _, v := range ss {
		if v == s {
			return true
		}
	}
	return false
}

// CheckOAuthApp is the report's first action for a direct integration
// without an OAuth app: IT registers the organisation's own app (the same
// steps the wizard shows at the channel step) or enters the platform's.
const CheckOAuthApp = "oauth_app"

func appAction(s *setupfile.Setup, m setupfile.EffectiveMailbox, getenv func(string) string) (ReportAction, bool) {
	if !providers.SpecOf(m.Channel).SignIn {
		return ReportAction{}, false
	}
	mb := &setupfile.Mailbox{Address: m.Address, Channel: string(m.Channel), Google: m.Google, Microsoft: m.Microsoft}
	if AppOf(s, mb, getenv).Source != AppNone {
		return ReportAction{}, false
	}
	return ReportAction{ID: CheckOAuthApp, Status: StatusTodo,
		Args: map[string]string{"address": m.Address, "channel": string(m.Channel)}}, true
}
