package tui

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"

	"charm.land/huh/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/wizard"
	"github.com/jobmail/jobmail/wizard/setupfile"
)

// accessible drives the same machine without redrawing anything: plain
// lines a screen reader reads in order. The machine's questions are asked
// by the mode's own line prompts (accessible_ask.go: defaults read out,
// lists printed once, answers piped in kept line by line by lineInput);
// the menus (diagnosis, keyring, end, resume) are static huh accessible
// selects reading single lines from the same lineInput.
type accessible struct {
	*Model
	lines *lineInput // the line reader of the questions and the menus
	echo  bool       // answers come from a pipe: write them after the prompt
	out   io.Writer
	said  map[string]string // what was told once already
}

func runAccessible(ctx context.Context, cfg Config, setup *setupfile.Setup, resume *setupfile.Progress, note string) (Result, error) {
	if cfg.In == nil {
		// Prompts read the terminal in cooked mode, so ctrl+c arrives as a
		// signal, not as a key: it ends the run here (progress is saved).
		// So does closing the window (SIGHUP), whose default would end the
		// process before anything is saved.
		var stop context.CancelFunc
		ctx, stop = signal.NotifyContext(ctx, os.Interrupt, syscall.SIGHUP)
		defer stop()
	}
	a := newAccessible(ctx, cfg, setup, note)
	res := a.run(resume)
	a.printSummary(cfg.Err, false) // the done view was printed in line already
	return res, nil
}

// newAccessible is the accessible mode on setup, reading cfg.In (stdin
// when nil) and writing cfg.Out (stdout when nil).
func newAccessible(ctx context.Context, cfg Config, setup *setupfile.Setup, note string) *accessible {
	env := cfg.Environ
	if env == nil {
		env = os.Environ()
	}
	out := cfg.Out
	if out == nil {
		out = os.Stdout
	}
	in := cfg.In
	if in == nil {
		in = os.Stdin
	}
	lines := newLineInput(in)
	_, term := lines.terminal()
	a := &accessible{Model: newModel(ctx, cfg, setup, nil, note), lines: lines, echo: !term,
		out: colorprofile.NewWriter(out, env), said: map[string]string{}}
	a.width, a.keepOnEmpty = 80, true
	a.cfg.Env = withPrompter(cfg.Env, printPrompter{m: a.Model, in: lines, out: a.out})
	return a
}

// run tells why a setup file was not used, offers to resume, and runs the
// driver loop to the end.
func (a *accessible) run(resume *setupfile.Progress) Result {
	if a.loadNote != "" {
		a.say(a.loadNote)
	}
	if resume != nil {
		if a.choose(a.words.T("tui.resume.title", a.withResume(resume)), []huh.Option[string]{
			huh.NewOption(a.words.T("tui.resume.resume", a.withResume(resume)), choiceResume),
			huh.NewOption(a.words.T("tui.resume.restart", a.withResume(resume)), choiceRestart),
		}) == choiceResume {
			a.fastForward(*resume)
		}
	}
	a.result = a.loop()
	return a.result
}

func (a *accessible) withResume(p *setupfile.Progress) map[string]string {
	args := a.args()
	args["path"] = a.cfg.SetupPath
	args["step"] = a.words.Step(wizard.State(p.Step))
	return args
}

// loop runs the driver step (wizard.Drive) to the end, one step at a time in
// line: ask, run, diagnose, finish.
func (a *accessible) loop() Result {
	f := &lineFrontend{a: a}
	for {
		if a.ctx.Err() != nil {
			return a.quit()
		}
		if _, end := wizard.Drive[*Result](a.s, f); end != nil {
			return *end
		}
	}
}

// lineFrontend is the accessible frontend of the driver step: every step
// in plain lines, in order; a handler's result is nil to go on, else how
// the run ended.
type lineFrontend struct {
	a    *accessible
	last wizard.State // the step named last
}

// Enter names a step of the four when it begins.
func (f *lineFrontend) Enter(st wizard.Step) {
	if st.State != f.last && st.State.Index() < 4 {
		f.last = st.State
		f.a.say("", f.a.words.T("tui.accessible.step", map[string]string{
			"n": fmt.Sprint(st.State.Index() + 1), "step": f.a.words.Step(st.State)}))
	}
}

func (f *lineFrontend) Question(q wizard.Question) *Result {
	if !f.a.askOne(q) {
		return f.end(f.a.quit())
	}
	return nil
}

func (f *lineFrontend) Detect() *Result { f.a.detectNow(); return nil }

func (f *lineFrontend) Action(act wizard.Action) *Result { f.a.runAction(act); return nil }

func (f *lineFrontend) Blocked(st wizard.Step) *Result {
	if r, done := f.a.diagnose(st); done {
		return f.end(r)
	}
	return nil
}

func (f *lineFrontend) Done() *Result { return f.end(f.a.finish()) }

func (*lineFrontend) end(r Result) *Result { return &r }

// askOne asks q in plain lines (accessible_ask.go); false means the
// person left (ctrl+c or end of input).
func (a *accessible) askOne(q wizard.Question) bool {
	if q.Open && q.Value != "" && !slices.Contains(q.Options, q.Value) {
		q.Kind = wizard.KindInput
	}
	a.q, a.ans, a.mode = &q, newAnswer(q), modeQuestion
	a.context(q)
	if help := a.words.Question(q).Help; help != "" && !strings.HasPrefix(help, "question.") {
		a.say(wrap(help, a.width))
	}
	return a.ask(q)
}

// detectNow runs the machine's ActionDetect in line (nothing else is on
// screen): the provider, then the server discovery, each within the
// machine's bounds; it says what the discovery found.
func (a *accessible) detectNow() {
	addr := a.s.DetectAddress()
	d := a.detector()
	domain := wizard.DomainOf(addr)
	if domain != "" && domain != a.det.domain {
		p, err := d.LookupProvider(a.ctx, addr)
		a.det = detection{domain: domain, done: true, result: Detection{Provider: p.ID, MX: p.MX}, err: err}
		a.s.RecordProvider(addr, p)
	}
	if d.NoDiscover || addr == a.disc.address {
		return
	}
	a.say(a.words.T("tui.discover.running", a.args()))
	sv, _ := d.LookupServer(a.ctx, a.s.Setup, addr)
	a.disc = discovery{address: addr, done: true, rec: sv.Recommended, ready: sv.Ready}
	if sv.Recommended == nil {
		a.say(a.words.T("tui.discover.none", a.args()))
		return
	}
	a.s.RecordServer(addr, sv)
	a.say(strings.TrimSpace(a.discoveryLine(1<<20, false)))
}

// runAction runs an action in line, one line per finished stage.
func (a *accessible) runAction(act wizard.Action) {
	switch act.Kind {
	case wizard.ActionCheck:
		a.say(a.words.T("tui.checks.running"))
	case wizard.ActionAuthorize:
		a.say(a.words.T("tui.authorize.running", a.args()))
	case wizard.ActionTest:
		a.say(a.words.T("tui.test.title", a.args()))
	}
	obs := func(ev providers.StageEvent) {
		if !ev.Done {
			return
		}
		a.say(a.stageWords(ev))
	}
	err := execute(a.ctx, a.cfg.Env, a.s, act, obs)
	a.actionEnded(act, err, a.ctx.Err() != nil)
	if act.Kind == wizard.ActionCheck {
		a.say(a.checksWords()...)
	}
}

// diagnose tells a failed check or test and asks what to do.
func (a *accessible) diagnose(st wizard.Step) (Result, bool) {
	a.showBlocked(st)
	a.say("", a.blockedContext(a.width))
	for {
		a.showBlockedMenu()
		if a.chooseLine(a.menuTitle, a.menuOpts) == "" {
			return a.quit(), true
		}
		switch a.choice {
		case choiceReport, choiceIT:
			save := a.saveReport
			if a.choice == choiceIT {
				save = a.saveHandoff
			}
			a.onReportSaved(save()().(reportSavedMsg))
			a.say(a.notice)
			continue
		case choiceQuit:
			return a.quit(), true
		}
		a.resolveBlocked(a.choice)
		return Result{}, false
	}
}

// finish stores the password and writes the files, in line.
func (a *accessible) finish() Result {
	store := true
	for {
		a.say(a.words.T("tui.finish.running"))
		a.onFinished(finish(a.ctx, a.cfg, a.s, store, []*wizard.Session{a.s}))
		if a.mode != modeKeyring {
			a.say("", a.doneView(a.width))
			return a.result
		}
		a.say(a.keyringView(a.width))
		if a.chooseLine(a.menuTitle, a.menuOpts) == "" || a.choice == choiceQuit {
			return a.quit()
		}
		store = a.chooseKeyring(a.choice)
	}
}

// quit saves the progress, as the full-screen wizard does.
func (a *accessible) quit() Result {
	msg := a.prepareQuit()()
	a.result.SetupPath = msg.path
	if msg.err != nil && a.result.Err == nil {
		a.result.Err = msg.err
	}
	return a.result
}
