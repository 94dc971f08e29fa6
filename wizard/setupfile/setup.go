// Package setupfile is the setup-file contract (jobmail.yaml): the model,
// loading it strictly (structure, values, cross-field rules, each error
// with key and line), saving it atomically, the validators every driver
// judges a value with, and the inheritance and defaults that turn what is
// written into what is tested (Effective). It knows no terminal, no
// network and no step machine: package wizard builds on it.
package setupfile

import "github.com/jobmail/jobmail/providers"

// SetupVersion is the only setup-file version this program reads.
const SetupVersion = 1

// Defaults for the platform (DESIGN.md), all overridable in the setup file.
const (
	DefaultPlatformName = "Personio"
	DefaultMailDomain   = "m-personio.de"
	DefaultMailService  = "Mailjet"
)

// DefaultOutgoingIPs are the platform's sending addresses an IP-allowlisting
// mail server must accept.
var DefaultOutgoingIPs = []string{"3.121.59.239/32", "3.65.146.216/32", "18.158.122.164/32"}

// Setup is the setup file (jobmail.yaml): the answers, replayable, never a
// secret (passwords appear only as references). Field order is the order
// keys are written in. The yaml keys are a public contract: extend, never
// rename.
type Setup struct {
	Version  int       `yaml:"version" json:"version"`
	Platform Platform  `yaml:"platform" json:"platform"`
	Company  Mailbox   `yaml:"company" json:"company"`
	Entities []Entity  `yaml:"entities,omitempty" json:"entities,omitempty"`
	Progress *Progress `yaml:"progress,omitempty" json:"progress,omitempty"`

	dir      string    // directory of the file it was loaded from (see ResolvePath)
	verdicts *verdicts // the values judged since it was loaded (see Valid)
}

// Platform identifies the customer's platform account.
type Platform struct {
	Name        string   `yaml:"name,omitempty" json:"name,omitempty"`               // default Personio
	Account     string   `yaml:"account" json:"account"`                             // inbound <account>-jobs@<mail_domain>
	MailDomain  string   `yaml:"mail_domain,omitempty" json:"mail_domain,omitempty"` // default m-personio.de
	OutgoingIPs []string `yaml:"outgoing_ips,omitempty" json:"outgoing_ips,omitempty"`
	// The platform's own OAuth apps (see App): they override the ids built
	// into this binary; a channel block's client_id and the JOBMAIL_*
	// variables override them.
	Microsoft *PlatformApp `yaml:"microsoft,omitempty" json:"microsoft,omitempty"`
	Google    *PlatformApp `yaml:"google,omitempty" json:"google,omitempty"`
}

// PlatformApp is one provider's OAuth app of the platform: the client id,
// Microsoft's default tenant, Google's desktop client secret (a reference:
// env:NAME, file:PATH or keyring; not confidential for desktop apps, but
// kept out of the file all the same).
type PlatformApp struct {
	ClientID     string `yaml:"client_id,omitempty" json:"client_id,omitempty"`
	Tenant       string `yaml:"tenant,omitempty" json:"tenant,omitempty"`
	ClientSecret string `yaml:"client_secret,omitempty" json:"client_secret,omitempty"`
}

// Mailbox is one recruiting address and how the platform sends as it: the
// company's, or an entity's own.
type Mailbox struct {
	Address       string          `yaml:"address" json:"address"`
	SenderName    string          `yaml:"sender_name,omitempty" json:"sender_name,omitempty"` // company | employee
	Forwarding    string          `yaml:"forwarding,omitempty" json:"forwarding,omitempty"`   // done | later
	Channel       string          `yaml:"channel,omitempty" json:"channel,omitempty"`         // platform | google | microsoft | smtp
	SMTP          *SMTP           `yaml:"smtp,omitempty" json:"smtp,omitempty"`
	Google        *Google         `yaml:"google,omitempty" json:"google,omitempty"`
	Microsoft     *Microsoft      `yaml:"microsoft,omitempty" json:"microsoft,omitempty"`
	Prerequisites map[string]bool `yaml:"prerequisites,omitempty" json:"prerequisites,omitempty"` // confirmations by a person
}

// SMTP are the settings of the smtp channel.
type SMTP struct {
	Host     string `yaml:"host" json:"host"`
	Port     int    `yaml:"port,omitempty" json:"port,omitempty"`         // default by security: 587 / 465
	Security string `yaml:"security,omitempty" json:"security,omitempty"` // starttls | smtps | starttls-noverify | none
	Username string `yaml:"username,omitempty" json:"username,omitempty"` // default: the address
	Password string `yaml:"password,omitempty" json:"password,omitempty"` // a reference: keyring | env:NAME | file:PATH | stdin
	CAFile   string `yaml:"ca_file,omitempty" json:"ca_file,omitempty"`
}

// Google are the settings of the google channel (direct integration).
type Google struct {
	ClientID     string `yaml:"client_id,omitempty" json:"client_id,omitempty"`
	ClientSecret string `yaml:"client_secret,omitempty" json:"client_secret,omitempty"` // a reference; default JOBMAIL_GOOGLE_CLIENT_SECRET
	RefreshToken string `yaml:"refresh_token,omitempty" json:"refresh_token,omitempty"` // a reference, default keyring
	AuthURL      string `yaml:"auth_url,omitempty" json:"auth_url,omitempty"`
	TokenURL     string `yaml:"token_url,omitempty" json:"token_url,omitempty"`
	SMTPHost     string `yaml:"smtp_host,omitempty" json:"smtp_host,omitempty"`
	SMTPPort     int    `yaml:"smtp_port,omitempty" json:"smtp_port,omitempty"`
	CAFile       string `yaml:"ca_file,omitempty" json:"ca_file,omitempty"`
}

// Microsoft are the settings of the microsoft channel (direct integration).
type Microsoft struct {
	Tenant       string `yaml:"tenant,omitempty" json:"tenant,omitempty"` // common | organizations | domain | id
	ClientID     string `yaml:"client_id,omitempty" json:"client_id,omitempty"`
	RefreshToken string `yaml:"refresh_token,omitempty" json:"refresh_token,omitempty"`
	AuthorityURL string `yaml:"authority_url,omitempty" json:"authority_url,omitempty"` // default https://login.microsoftonline.com
	SMTPHost     string `yaml:"smtp_host,omitempty" json:"smtp_host,omitempty"`
	SMTPPort     int    `yaml:"smtp_port,omitempty" json:"smtp_port,omitempty"`
	CAFile       string `yaml:"ca_file,omitempty" json:"ca_file,omitempty"`
}

// Entity is a subsidiary (legal entity). An empty Address means it uses the
// company's settings; with an address it needs its own connection, which
// defaults to the company's channel and settings where left out.
type Entity struct {
	Name    string `yaml:"name" json:"name"`
	Mailbox `yaml:",inline" json:",inline"`
}

// Progress records where an interrupted interactive run stopped, so the
// next `jobmail` can offer to resume it.
type Progress struct {
	Step  string `yaml:"step" json:"step"`
	Field string `yaml:"field,omitempty" json:"field,omitempty"`
}

// Channel returns the mailbox's channel as a typed value.
func (m *Mailbox) ChannelID() providers.Channel { return providers.Channel(m.Channel) }
