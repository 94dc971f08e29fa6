package tui

import (
	"context"
	"path/filepath"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/jobmail/jobmail/wizard"
	"github.com/jobmail/jobmail/wizard/setupfile"
)

type finishedMsg struct {
	account   string // keyring account written ("" if none)
	keyErr    error  // the keyring refused; nothing else was written
	setupErr  error
	exportErr error
}

// startFinish stores the password (when asked to) and writes the setup
// file and the export, in a command: keyring and disk may be slow.
func (m *Model) startFinish(storePassword bool) tea.Cmd {
	m.mode, m.scroll = modeFinishing, 0
	m.s.Setup.Progress = nil
	m.stopDiscovery()
	cfg, s, ctx := m.cfg, m.s, m.ctx
	tested := append(slices.Clone(m.tested), s)
	work := func() tea.Msg { return finish(ctx, cfg, s, storePassword, tested) }
	return tea.Batch(m.startSpinner(), m.writes.do(work))
}

// finish is the end of a successful run: the machine's commit step
// (secret, setup file, export with the results of tested, s's among them).
func finish(ctx context.Context, cfg Config, s *wizard.Session, storePassword bool, tested []*wizard.Session) finishedMsg {
	d := wizard.CommitDeps{SkipSecret: !storePassword, SetupPath: cfg.SetupPath, ExportPath: cfg.ExportPath}
	if cfg.Keyring != nil {
		if _, _, ok := s.Secret(); ok && storePassword {
			d.Store = cfg.Keyring() // opened only when there is something to store
		}
	}
	if cfg.WriteExport != nil {
		d.WriteExport = func(path string, setup *setupfile.Setup) error { return cfg.WriteExport(path, setup, tested) }
	}
	c := wizard.Commit(ctx, s, d)
	return finishedMsg{account: c.Account, keyErr: c.SecretErr, setupErr: c.SetupErr, exportErr: c.ExportErr}
}

func (m *Model) onFinished(msg finishedMsg) tea.Cmd {
	m.fin = msg
	if msg.keyErr != nil {
		m.mode = modeKeyring
		if m.entity == nil { // a subsidiary's failure leaves the company's result as it is
			m.result = Result{Outcome: OutcomeSecretsFail, Err: msg.keyErr}
		}
		return m.showKeyringMenu()
	}
	m.mode, m.menu = modeDone, nil
	res := Result{Outcome: OutcomeDone, Account: msg.account}
	if m.entity != nil {
		res = m.result
		res.Err = nil
	}
	if msg.account != "" {
		res.Accounts = append(res.Accounts, msg.account)
	}
	switch {
	case msg.setupErr != nil:
		res.Err = msg.setupErr
	case msg.exportErr != nil:
		res.SetupPath = m.cfg.SetupPath
		res.Err = msg.exportErr
	default:
		res.SetupPath, res.ExportPath = m.cfg.SetupPath, m.cfg.ExportPath
	}
	m.result = res
	if msg.setupErr != nil {
		return nil // nothing to build on: the setup file is not there
	}
	m.tested = append(m.tested, m.s)
	m.entity, m.beforeEnt = nil, nil
	return m.showDoneMenu()
}

// keyringArgs: the references and the absolute paths the commands use.
func (m *Model) keyringArgs() map[string]string {
	setup := absPath(m.cfg.SetupPath)
	args := m.args()
	args["ref"], args["setup"] = wizard.EnvPasswordRef, setup
	args["file"] = filepath.Join(filepath.Dir(setup), strings.TrimPrefix(wizard.FilePasswordRef, "file:"))
	args["env"] = strings.TrimPrefix(wizard.EnvPasswordRef, "env:")
	if r := m.s.Result; r != nil {
		args["duration"] = m.dur(r.Duration)
	}
	return args
}

// chooseKeyring applies a choice of the keyring menu (a wizard.SecretWay)
// to the session; it reports whether the keyring is tried.
func (m *Model) chooseKeyring(choice string) (store bool) {
	return m.s.TakeSecretWay(wizard.SecretWay(choice))
}

// keyringChoices are the menu ids of the keyring screen: the machine's
// ways, each its menu label and its explanation with the command.
var keyringChoices = map[wizard.SecretWay]struct{ label, way string }{
	wizard.WayKeyring: {"tui.keyring.retry", "tui.keyring.way.retry"},
	wizard.WayEnv:     {"tui.keyring.env", "tui.keyring.way.env"},
	wizard.WayFile:    {"tui.keyring.file", "tui.keyring.way.file"},
}

func (m *Model) showKeyringMenu() tea.Cmd {
	args := m.keyringArgs()
	m.choice = string(wizard.WayKeyring)
	var opts []huh.Option[string]
	for _, w := range m.s.SecretWays() {
		opts = append(opts, huh.NewOption(m.words.T(keyringChoices[w].label, args), string(w)))
	}
	opts = append(opts, huh.NewOption(m.words.T("tui.diag.quit"), choiceQuit))
	m.menu = m.newMenu(m.words.T("tui.diag.choose"), opts)
	return m.menu.Init()
}

func (m *Model) onKeyringChoice() tea.Cmd {
	if m.choice != choiceQuit {
		return m.startFinish(m.chooseKeyring(m.choice))
	}
	m.quitYes = true
	return m.quitNow()
}

// keyringView says first that the test passed (a missing keyring never
// hides it), then that the keyring refused and nothing was written in
// plain text instead, then each way on with the command that continues;
// the choices follow.
func (m *Model) keyringView(w int) string {
	t := m.words.Diagnosis(diagnosisOf(m.fin.keyErr, false))
	args := m.keyringArgs()
	var b strings.Builder
	if r := m.s.Result; r != nil && r.OK() {
		b.WriteString(m.st.ok.Render(markOK) + " " + indent(wrap(m.words.T("tui.keyring.passed", args), w-2), "  ")[2:] + "\n\n")
	}
	b.WriteString(m.st.bad.Render(markBad+" "+t.Title) + "\n")
	b.WriteString(wrap(t.Explain, w) + "\n")
	b.WriteString(m.st.faint.Render(wrap(m.fin.keyErr.Error(), w)) + "\n\n")
	b.WriteString(m.st.bold.Render(m.words.T("tui.keyring.ways")) + "\n")
	for _, way := range m.s.SecretWays() {
		b.WriteString(hanging("• ", m.words.T(keyringChoices[way].way, args), w) + "\n")
	}
	return strings.TrimSuffix(b.String(), "\n")
}
