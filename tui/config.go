// Package tui is jobmail's interactive wizard: a bubbletea root model that
// renders the questions of the wizard machine as huh fields, one view per
// step (forwarding, channel, prerequisites, live test), runs the machine's
// actions off the UI goroutine, shows a diagnosis when a check or the live
// test fails, and at the end stores the password in the OS keyring and
// writes the setup file and the platform export.
//
// Nothing here decides what a valid answer is, which question comes next or
// what a default is: that is the wizard package's job, shared with the
// headless replay. This package only asks, shows and runs. Words come from
// the message catalogue (tui/i18n).
package tui

import (
	"context"
	"io"
	"time"

	"github.com/jobmail/jobmail/providers/discover"
	"github.com/jobmail/jobmail/secrets"
	"github.com/jobmail/jobmail/tui/i18n"
	"github.com/jobmail/jobmail/wizard"
	"github.com/jobmail/jobmail/wizard/setupfile"
)

// DefaultSetupPath is where the wizard writes the setup file unless told
// otherwise; the next `jobmail` looks there to offer a resume.
const DefaultSetupPath = "jobmail.yaml"

// DetectBudget bounds the MX lookup that suggests a channel. The person is
// typing meanwhile; after this the suggestion is simply "unknown".
const DetectBudget = wizard.DetectBudget

// DiscoverBudget bounds the server discovery (jobmail doctor's probing)
// that prefills the SMTP questions: probes run while the person answers
// steps 1 and 2, and a slow network never holds anything up.
const DiscoverBudget = wizard.DiscoverBudget

// Detection is what the MX records of the company domain say.
type Detection struct {
	Provider string   // google | microsoft | other | "" (unknown)
	MX       []string // the mail exchangers, by preference
}

// Config is everything the wizard needs from the outside world. cmd fills
// it; tests fill it with in-process servers and temporary paths.
type Config struct {
	Words *i18n.Localizer
	// Env runs the machine's actions (checks, sign-in, live test).
	Env *wizard.Env
	// Keyring opens the OS keyring; it is called only at the end, from a
	// command, never on the UI goroutine.
	Keyring func() secrets.Store
	// SetupPath is the setup file to write (and to resume from).
	SetupPath string
	// ExportPath is the platform export to write when done.
	ExportPath string
	// WriteExport writes the platform export of setup; tested are the
	// sessions whose live test passed in this run (the company's, then the
	// subsidiaries' with a connection of their own), for their results.
	WriteExport func(path string, setup *setupfile.Setup, tested []*wizard.Session) error
	// Detect looks up the provider of a domain within ctx's deadline; nil
	// means DetectProvider (providers/discover, the system resolver).
	Detect func(ctx context.Context, domain string) (Detection, error)
	// Discover configures the server discovery that runs once the company
	// address is known (resolver, probe timeout, trust anchors); nil means
	// the system resolver and DiscoverBudget. NoDiscover turns it off.
	Discover   *discover.Options
	NoDiscover bool
	// Getenv reads the environment for the hand-off report (a Microsoft
	// client id from JOBMAIL_MICROSOFT_CLIENT_ID); nil reads nothing.
	Getenv func(string) string
	// Accessible asks with huh's accessible mode: plain prompts, one static
	// form at a time, no redrawing (for screen readers and TERM=dumb).
	Accessible bool
	// Now dates the support report; nil means time.Now.
	Now func() time.Time
	// In and Out are the terminal; nil means the process's stdin/stdout.
	In  io.Reader
	Out io.Writer
	// Err receives the closing summary after the screen is released
	// (paths written, or where the progress was saved); nil discards it.
	Err io.Writer
	// Environ is the environment the program inspects for its color
	// profile (NO_COLOR, TERM); nil means the process's.
	Environ []string
	// NoAltScreen keeps the wizard in the normal screen buffer.
	NoAltScreen bool
}

func (c *Config) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// Outcome is how a wizard run ended.
type Outcome string

const (
	OutcomeDone        Outcome = "done"           // tested, stored, written
	OutcomeQuit        Outcome = "quit"           // the person quit; progress saved
	OutcomeTestFailed  Outcome = "test_failed"    // quit from a failed live test
	OutcomePrereqFail  Outcome = "prereq_failed"  // quit from a failed prerequisite
	OutcomeSecretsFail Outcome = "secrets_failed" // the keyring could not take the password
)

// Result is what Run reports to cmd for the exit code and the last words.
type Result struct {
	Outcome    Outcome
	SetupPath  string // written (done) or progress saved (quit); "" if nothing was written
	ExportPath string // written when done
	Account    string // keyring account of the company's password or token
	// Accounts are every keyring account written: the company's, then
	// those of subsidiaries with a login of their own.
	Accounts []string
	Err      error // an error that ended the run (e.g. the setup file could not be written)
}
