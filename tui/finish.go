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

// EnvPasswordRef is the reference written instead of "keyring" when the
// keyring cannot take the password and the person chooses the
// environment instead.
const EnvPasswordRef = "env:JOBMAIL_SMTP_PASSWORD"

// FilePasswordRef is the reference written when the person chooses a file
// of their own instead (beside the setup file; jobmail never writes it:
// the keyring view gives the command that does).
const FilePasswordRef = "file:jobmail-smtp-password"

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

// The choices when the keyring refused the password.
const (
	choiceKeyRetry = "retry"
	choiceKeyEnv   = "env"
	choiceKeyFile  = "file"
)

// keyringWays reports whether env: and file: are offered: a reference
// names one password, the company's SMTP one.
func (m *Model) keyringWays() bool {
	return m.entity == nil && wizard.PasswordBlock(m.s.Mailbox()) != nil
}

// keyringArgs: the references and the absolute paths the commands use.
func (m *Model) keyringArgs() map[string]string {
	setup := absPath(m.cfg.SetupPath)
	args := m.args()
	args["ref"], args["setup"] = EnvPasswordRef, setup
	args["file"] = filepath.Join(filepath.Dir(setup), strings.TrimPrefix(FilePasswordRef, "file:"))
	args["env"] = strings.TrimPrefix(EnvPasswordRef, "env:")
	if r := m.s.Result; r != nil {
		args["duration"] = m.dur(r.Duration)
	}
	return args
}

// chooseKeyring applies a choice of the keyring menu to the session: the
// reference the setup file gets, and whether the keyring is tried.
func (m *Model) chooseKeyring(choice string) (store bool) {
	switch choice {
	case choiceKeyEnv:
		m.s.Mailbox().SMTP.Password = EnvPasswordRef
		return false
	case choiceKeyFile:
		m.s.Mailbox().SMTP.Password = FilePasswordRef
		return false
	}
	return true
}

func (m *Model) showKeyringMenu() tea.Cmd {
	args := m.keyringArgs()
	m.choice = choiceKeyRetry
	opts := []huh.Option[string]{huh.NewOption(m.words.T("tui.keyring.retry"), choiceKeyRetry)}
	if m.keyringWays() {
		opts = append(opts, huh.NewOption(m.words.T("tui.keyring.env", args), choiceKeyEnv),
			huh.NewOption(m.words.T("tui.keyring.file", args), choiceKeyFile))
	}
	opts = append(opts, huh.NewOption(m.words.T("tui.diag.quit"), choiceQuit))
	m.menu = m.newMenu(m.words.T("tui.diag.choose"), opts)
	return m.menu.Init()
}

func (m *Model) onKeyringChoice() tea.Cmd {
	switch m.choice {
	case choiceKeyRetry, choiceKeyEnv, choiceKeyFile:
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
	ways := []string{"tui.keyring.way.retry"}
	if m.keyringWays() {
		ways = append(ways, "tui.keyring.way.env", "tui.keyring.way.file")
	}
	for _, id := range ways {
		b.WriteString(hanging("• ", m.words.T(id, args), w) + "\n")
	}
	return strings.TrimSuffix(b.String(), "\n")
}
