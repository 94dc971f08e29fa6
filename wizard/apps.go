package wizard

import (
	"strings"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/wizard/setupfile"
)

// The platform's own OAuth apps, built in. jobmail never invents an id:
// the platform operator supplies its ids at build time, as the GitHub CLI
// embeds its OAuth client id,
//
//	go build -ldflags "-X github.com/jobmail/jobmail/wizard.BuildMicrosoftClientID=<GUID> \
//	  -X github.com/jobmail/jobmail/wizard.BuildMicrosoftTenant=organizations \
//	  -X github.com/jobmail/jobmail/wizard.BuildGoogleClientID=<id>.apps.googleusercontent.com \
//	  -X github.com/jobmail/jobmail/wizard.BuildGoogleClientSecret=<desktop secret>" ./cmd/jobmail
//
// or in the setup file's platform block (platform.microsoft.client_id,
// platform.google.client_id, …). The open-source build ships them empty.
var (
	BuildMicrosoftClientID  string
	BuildMicrosoftTenant    string
	BuildGoogleClientID     string
	BuildGoogleClientSecret string // not confidential for a desktop app (KNOWLEDGE.md)
)

// AppSource says where a channel's OAuth client id comes from.
type AppSource string

// Where an app comes from, strongest first.
const (
	AppFromChannel  AppSource = "channel"  // <mailbox>.<channel>.client_id
	AppFromEnv      AppSource = "env"      // JOBMAIL_MICROSOFT_CLIENT_ID, JOBMAIL_GOOGLE_CLIENT_ID
	AppFromPlatform AppSource = "platform" // the setup's platform.<channel> block
	AppFromBuild    AppSource = "build"    // built into this binary
	AppNone         AppSource = ""
)

// The two ways on when a channel has no app: enter the platform's app id,
// or register the organisation's own app (the steps for IT are the
// catalogue's app.<channel>.step<n>).
const (
	AppChoicePlatform = "platform"
	AppChoiceOwn      = "own"
)

// AppChoices are the options of the <channel>.app question.
var AppChoices = []string{AppChoicePlatform, AppChoiceOwn}

// App is the effective OAuth app of a mailbox's channel.
type App struct {
	ClientID string
	Tenant   string // microsoft only; "" = the provider's default
	// ClientSecret is a reference (env:, file:, keyring) from the setup, or
	// SecretValue the built-in value; google only.
	ClientSecret string
	SecretValue  string
	Source       AppSource
}

// AppOf resolves the app of m's channel (google or microsoft): the channel
// block's client_id, else the environment, else the setup's platform block,
// else the build's. Tenant and secret follow the same order independently.
func AppOf(s *setupfile.Setup, m *setupfile.Mailbox, getenv func(string) string) App {
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	if c, ok := signInOf(m.ChannelID()); ok {
		return c.app(s, m, getenv)
	}
	return App{}
}

func pickApp(channel, env, platform, build string) (string, AppSource) {
	for _, c := range []struct {
		v   string
		src AppSource
	}{{channel, AppFromChannel}, {env, AppFromEnv}, {platform, AppFromPlatform}, {build, AppFromBuild}} {
		if v := strings.TrimSpace(c.v); v != "" {
			return v, c.src
		}
	}
	return "", AppNone
}

// ValidateAppClientID checks a client id typed for channel: Entra
// application ids are GUIDs; Google OAuth client ids end in
// .apps.googleusercontent.com.
func ValidateAppClientID(channel providers.Channel) func(string) error {
	return func(v string) error {
		v = strings.TrimSpace(v)
		if err := setupfile.ValidateClientID(v); err != nil {
			return err
		}
		if c, ok := signInOf(channel); ok {
			return c.validClientID(v)
		}
		return nil
	}
}

// platformApp says whether an app other than the mailbox's own client id
// is configured for its channel (environment, the setup's platform block,
// this build): "yes", "no", or "" off the direct integrations and for a
// subsidiary (an empty answer there inherits the company's app).
func (s *Session) platformApp(m *setupfile.Mailbox) string {
	if !s.isCompany() {
		return ""
	}
	ch, ok := signInOf(m.ChannelID())
	if !ok {
		return ""
	}
	c := ch.withoutClientID(*m)
	if AppOf(s.Setup, &c, s.Getenv).Source == AppNone {
		return "no"
	}
	return "yes"
}
