package providers

import (
	"context"
	"time"
)

// Channel names how the platform sends mail. The values are the setup
// file's `channel:` values and the export's; never rename one.
type Channel string

const (
	ChannelPlatform  Channel = "platform"
	ChannelGoogle    Channel = "google"
	ChannelMicrosoft Channel = "microsoft"
	ChannelSMTP      Channel = "smtp"
)

// Channels in the order a person is offered them.
var Channels = []Channel{ChannelPlatform, ChannelGoogle, ChannelMicrosoft, ChannelSMTP}

// Security is the transport security of an SMTP connection. `starttls` and
// `smtps` always verify the certificate; the other two must be chosen on
// purpose.
type Security string

const (
	SecurityStartTLS         Security = "starttls"
	SecuritySMTPS            Security = "smtps"
	SecurityStartTLSNoVerify Security = "starttls-noverify"
	SecurityNone             Security = "none"
)

// Securities lists the valid values, recommended first.
var Securities = []Security{SecurityStartTLS, SecuritySMTPS, SecurityStartTLSNoVerify, SecurityNone}

// UsesTLS reports whether the connection is encrypted at all.
func (s Security) UsesTLS() bool { return s != SecurityNone }

// Verifies reports whether the server certificate is verified.
func (s Security) Verifies() bool { return s == SecurityStartTLS || s == SecuritySMTPS }

// StageName names one step of a live test. The order of a test is the order
// of Stages; the names are part of the `--json` contract.
type StageName string

const (
	StageResolve StageName = "resolve"
	StageConnect StageName = "connect"
	// StageGreeting is the wait for the server's banner (inside TLS for
	// SMTPS): a port that expects the other encryption fails here.
	StageGreeting StageName = "greeting"
	StageTLS      StageName = "tls"
	StageEHLO     StageName = "ehlo"
	StageAuth     StageName = "auth"
	StageMail     StageName = "mail"
	StageRcpt     StageName = "rcpt"
	StageData     StageName = "data"
	StageQuit     StageName = "quit"
)

// Stage is one finished step of a live test.
type Stage struct {
	Name     StageName     `json:"name"`
	OK       bool          `json:"ok"`
	Duration time.Duration `json:"-"`
}

// StageEvent reports progress while a test runs: Done is false when a stage
// starts and true when it ends. Observers must not block.
type StageEvent struct {
	Stage
	Done bool
}

// Observer receives stage events; nil means nobody listens.
type Observer func(StageEvent)

// Result is the outcome of a live test. Err is nil on success; otherwise
// Diagnosis says what went wrong. Transcript is already redacted.
type Result struct {
	Channel    Channel
	Started    time.Time
	Duration   time.Duration
	Stages     []Stage
	Transcript []string
	Diagnosis  *Diagnosis
	Err        error
}

// OK reports whether the test passed.
func (r Result) OK() bool { return r.Err == nil && r.Diagnosis == nil }

// Message is what a live test sends: a test message to the company address
// (so forwarding brings it back to the platform) carrying the verification
// token in a header and in the subject.
type Message struct {
	From       string // the company address
	SenderName string // display name, may be empty
	To         string // the company address
	Token      string // verification token
	Subject    string // already localized by the caller; must contain Token
	Body       string // already localized by the caller
}

// Tester runs a live test. Implementations honour ctx as the one wall-clock
// bound of the whole test, report stages through obs as they happen and
// return a Result whose Diagnosis is set on failure.
type Tester interface {
	Test(ctx context.Context, msg Message, obs Observer) Result
}

// Check is one prerequisite. Automatic checks are run by the program;
// the others are confirmed by a person and exist as setup-file keys.
type Check struct {
	ID        string     `json:"id"`                  // e.g. "host_supported", "smtp_auth_enabled"
	Automatic bool       `json:"automatic"`           // checked by the program
	OK        bool       `json:"ok"`                  // passed / confirmed
	Warning   bool       `json:"warning,omitempty"`   // not fatal
	Diagnosis *Diagnosis `json:"diagnosis,omitempty"` // when not OK
}
