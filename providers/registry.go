package providers

import "time"

// ChannelSpec is what every layer knows of a channel as data, written
// once here: the wizard's per-channel behaviour (fields, checks, test,
// commit, export) hangs off the same Channel in one table of its own
// (wizard/channels.go), and its settings block (defaults, inheritance)
// in the setup file's (wizard/setupfile/blocks.go, next to the block's
// type in Mailbox), so adding a channel touches these places and no
// switch elsewhere.
type ChannelSpec struct {
	ID Channel
	// SignIn: a direct integration (OAuth sign-in in the browser, the
	// refresh token kept in the keyring).
	SignIn bool
	// Sends: the live test sends a message (the platform's own service
	// sends nothing, so it proves nothing about an address).
	Sends bool
	// TokenIdle is how long the refresh token lives unused (KNOWLEDGE.md)
	// and TokenReason the export's name for that estimate; zero without
	// a refresh token.
	TokenIdle   time.Duration
	TokenReason string
}

// Refresh-token lifetimes without use (KNOWLEDGE.md): Microsoft's expire
// after 90 days of inactivity; Google's after six months (sooner for apps
// in testing, which only the provider can tell).
const (
	microsoftTokenIdle = 90 * 24 * time.Hour
	googleTokenIdle    = 183 * 24 * time.Hour
)

// specs are the channels, in the order of Channels.
var specs = [...]ChannelSpec{
	{ID: ChannelPlatform},
	{ID: ChannelGoogle, SignIn: true, Sends: true, TokenIdle: googleTokenIdle, TokenReason: "google_inactivity_6_months"},
	{ID: ChannelMicrosoft, SignIn: true, Sends: true, TokenIdle: microsoftTokenIdle, TokenReason: "microsoft_inactivity_90_days"},
	{ID: ChannelSMTP, Sends: true},
}

// SpecOf is the description of ch; an unknown or empty channel is the
// platform's own service (the setup file's default), with its ID kept.
func SpecOf(ch Channel) ChannelSpec {
	for _, s := range specs {
		if s.ID == ch {
			return s
		}
	}
	return ChannelSpec{ID: ch}
}
