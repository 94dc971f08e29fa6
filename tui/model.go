package tui

import (
	"context"
	"time"

	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/providers/oauth"
	"github.com/jobmail/jobmail/tui/i18n"
	"github.com/jobmail/jobmail/wizard"
	"github.com/jobmail/jobmail/wizard/setupfile"
)

// mode is what the screen is doing; the machine's state is in the session.
type mode int

const (
	modeQuestion  mode = iota // a huh field for the machine's question
	modeRunning               // an action runs (checks, sign-in, live test)
	modeBlocked               // the diagnosis view and its actions
	modeFinishing             // keyring, setup file, export being written
	modeKeyring               // the keyring refused the password: what now
	modeDone                  // all written; next steps
	modeQuit                  // "quit?" asked over the current screen
	modeResume                // a saved run was found: resume it?
)

// Model is the wizard's root bubbletea model. It owns the session; every
// change to the session happens in Update (on the UI goroutine), except
// while an action runs: then the action's goroutine owns it until its
// result message arrives, and Update leaves it alone.
type Model struct {
	cfg   Config
	ctx   context.Context
	words *i18n.Localizer
	st    styles
	keys  keyMap

	s             *wizard.Session
	mode          mode
	width, height int
	scroll        int // first line of the context shown, when it does not fit

	// the question on screen, its huh form and the struct it is bound to
	q    *wizard.Question
	form *huh.Form
	ans  *answer

	det     detection
	spin    spinner.Model
	ticking bool

	disc discovery // the server discovery for the address (doctor's probing)

	run      *actionRun
	runSeq   int
	signInCh chan oauth.Event // the OAuth flow's events, while authorizing
	pasteCh  chan string      // what the person pasted, for the flow
	sign     signIn           // the sign-in on screen
	// signInOverride is the sign-in mode after the browser failed to open
	// (paste); "" keeps the configured one.
	signInOverride oauth.Mode
	stages         []stageLine
	checks         []providers.Check

	// subsidiaries: the company's session while an entity's runs, the
	// entity being added, what the done screen showed before it, and the
	// sessions whose test passed (for the export)
	company   *wizard.Session
	entity    *entityRun
	beforeEnt *doneState
	tested    []*wizard.Session

	blocked *blockedView
	menu    *huh.Form // the choices of the diagnosis, keyring and resume screens
	// menuTitle and menuOpts are menu's choices as data: the accessible
	// mode asks the same choices in its own line prompt.
	menuTitle string
	menuOpts  []huh.Option[string]
	choice    string

	quitForm *huh.Form
	quitYes  bool
	prevMode mode
	// quitSave writes the progress once quitting has begun (quitNow); Run
	// calls it again if the program ended before it was written.
	quitSave func() progressSavedMsg

	writes *writes // the commands writing files, waited for at the end

	fin      finishedMsg
	notice   string // one line about something just done (report saved…)
	loadNote string // why an existing setup file was not used
	resume   *setupfile.Progress
	result   Result

	// keepOnEmpty: an empty text answer keeps the prefill (accessible
	// prompts, where the prefill is not editable text).
	keepOnEmpty bool

	// durFmt formats stage durations; tests fix it so screens are stable.
	durFmt func(time.Duration) string
	// now is the UI's clock for the device code's countdown; nil: time.Now.
	now func() time.Time
}

func (m *Model) dur(d time.Duration) string {
	if m.durFmt != nil {
		return m.durFmt(d)
	}
	return m.words.Duration(d)
}

// newModel starts a session on setup (empty, or loaded from the setup
// file). With resume set, the first screen offers to continue there.
func newModel(ctx context.Context, cfg Config, setup *setupfile.Setup, resume *setupfile.Progress, note string) *Model {
	if cfg.Words == nil {
		cfg.Words = i18n.New(i18n.English)
	}
	if cfg.SetupPath == "" {
		cfg.SetupPath = DefaultSetupPath
	}
	m := &Model{
		cfg:      cfg,
		ctx:      ctx,
		words:    cfg.Words,
		st:       newStyles(),
		keys:     newKeyMap(),
		s:        wizard.NewSession(setup, true),
		width:    80,
		height:   24,
		spin:     spinner.New(spinner.WithSpinner(spinner.MiniDot)),
		loadNote: note,
		resume:   resume,
		writes:   &writes{},
	}
	m.s.Getenv = cfg.Getenv
	m.company = m.s
	ch, paste := make(chan oauth.Event, 16), make(chan string, 1)
	if env := withPrompter(cfg.Env, chanPrompter{ch: ch, paste: paste}); env != cfg.Env {
		m.signInCh, m.pasteCh, m.cfg.Env = ch, paste, env
	}
	return m
}

// Init shows the first screen: the resume offer or the first question.
func (m *Model) Init() tea.Cmd {
	if m.resume != nil {
		return m.showResume()
	}
	return m.advance()
}

// advance asks the machine what comes next and shows it (wizard.Drive).
func (m *Model) advance() tea.Cmd {
	_, cmd := wizard.Drive[tea.Cmd](m.s, fullScreen{m})
	return cmd
}

// fullScreen is the full-screen frontend of the driver step: each step
// becomes a screen, and its work a tea.Cmd whose message brings the
// driver back (Update → advance).
type fullScreen struct{ m *Model }

func (fullScreen) Enter(wizard.Step) {}

func (f fullScreen) Question(q wizard.Question) tea.Cmd { return f.m.ask(q) }

// Detect runs the lookups in the background: their results arrive as
// messages while the person keeps answering (the machine moves on at once).
func (f fullScreen) Detect() tea.Cmd {
	return tea.Batch(f.m.detect(), f.m.discover(), f.m.advance())
}

func (f fullScreen) Action(a wizard.Action) tea.Cmd { return f.m.startAction(a) }

func (f fullScreen) Blocked(st wizard.Step) tea.Cmd { return f.m.showBlocked(st) }

func (f fullScreen) Done() tea.Cmd { return f.m.startFinish(true) }

// state is the step the screen belongs to.
func (m *Model) state() wizard.State {
	mo := m.mode
	if mo == modeQuit {
		mo = m.prevMode
	}
	switch {
	case mo == modeDone || mo == modeFinishing || mo == modeKeyring:
		return wizard.StateDone
	case mo == modeRunning && m.run != nil:
		if m.run.action.Kind == wizard.ActionTest {
			return wizard.StateTest
		}
		return m.run.action.State
	case mo == modeBlocked && m.blocked != nil:
		return m.blocked.state
	case m.q != nil:
		return m.q.State
	}
	return wizard.StateForwarding
}

// Result is how the run ended; valid after the program returned.
func (m *Model) Result() Result { return m.result }

// Session is the session the wizard drives (for tests and cmd).
func (m *Model) Session() *wizard.Session { return m.s }
