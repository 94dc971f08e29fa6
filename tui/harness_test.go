package tui

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/jobmail/jobmail/providers/oauth"
	"github.com/jobmail/jobmail/secrets"
	"github.com/jobmail/jobmail/secrets/secretstest"
	"github.com/jobmail/jobmail/tui/i18n"
	"github.com/jobmail/jobmail/wizard"
	"github.com/jobmail/jobmail/wizard/setupfile"
)

// snapshot is what the test goroutine may read of the model: copied on
// the program's goroutine after every update, so tests never race it.
type snapshot struct {
	mode  mode
	state wizard.State
	key   string // the question on screen
	kind  wizard.Kind
	view  string // the screen without ANSI codes
	res   Result
	sign  oauth.Event // the sign-in's last event on screen
	dev   deviceCode  // the device code on screen
	paste bool        // the paste field takes input
	// signedIn: the session holds a sign-in's grant
	signedIn bool
	// widest is the widest line before the safety net cuts the screen to
	// the window: wider than the window means text was cut.
	widest, width int
}

// probe wraps the model and records a snapshot after each update.
type probe struct {
	m    *Model
	mu   *sync.Mutex
	last *snapshot
}

func (p probe) Init() tea.Cmd {
	cmd := p.m.Init()
	p.record()
	return cmd
}

func (p probe) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	_, cmd := p.m.Update(msg)
	p.record()
	return p, cmd
}

func (p probe) View() tea.View { return p.m.View() }

func (p probe) record() {
	s := snapshot{mode: p.m.mode, state: p.m.state(), view: ansi.Strip(p.m.render()), res: p.m.result,
		width: max(p.m.width, 20)}
	for _, l := range strings.Split(p.m.compose(), "\n") {
		s.widest = max(s.widest, ansi.StringWidth(l))
	}
	if p.m.q != nil && p.m.mode == modeQuestion {
		s.key, s.kind = p.m.q.Key, p.m.q.Kind
	}
	s.sign = p.m.sign.ev
	if d := p.m.sign.device; d != nil {
		s.dev = *d
	}
	if p.m.run == nil { // while an action runs, the session is its own
		s.signedIn = p.m.s.Grant != nil
	}
	s.paste = p.m.mode == modeRunning && p.m.sign.form != nil && !p.m.sign.submitted
	p.mu.Lock()
	*p.last = s
	p.mu.Unlock()
}

// harness runs one wizard in teatest.
type harness struct {
	t     *testing.T
	tm    *teatest.TestModel
	p     probe
	cfg   Config
	store *secretstest.MemStore
}

// stableScreens makes durations and the spinner constant, so that golden
// screens do not depend on timing.
func stableScreens(m *Model) {
	m.durFmt = func(time.Duration) string { return "9 ms" }
	m.spin = spinner.New(spinner.WithSpinner(spinner.Spinner{Frames: []string{"◌"}, FPS: time.Second}))
}

// testConfig is a wizard configuration on a temporary directory with an
// in-memory keyring and a fixed MX answer.
func testConfig(t *testing.T, provider string) (Config, *secretstest.MemStore) {
	t.Helper()
	// Paths are shown as given; relative ones under a fresh working
	// directory keep the screens the same on every machine.
	t.Chdir(t.TempDir())
	store := secretstest.NewMemStore(nil)
	words := i18n.New(i18n.English)
	cfg := Config{
		Words:      words,
		Env:        &wizard.Env{Timeout: 10 * time.Second, Message: func(tok string) (string, string) { return words.TestMessage(tok, nil) }},
		Keyring:    func() secrets.Store { return store },
		SetupPath:  "jobmail.yaml",
		ExportPath: "recruiting-email.json",
		WriteExport: func(path string, setup *setupfile.Setup, tested []*wizard.Session) error {
			tests := map[string]wizard.TestSummary{}
			for _, s := range tested {
				if s.Result != nil {
					tests[s.Key()] = wizard.SummaryOf(*s.Result, s.Token)
				}
			}
			return wizard.WriteExport(path, wizard.NewExport(setup, tests, wizard.ExportOptions{}))
		},
		Detect: func(ctx context.Context, domain string) (Detection, error) {
			switch provider {
			case "google":
				return Detection{Provider: "google", MX: []string{"aspmx.l.google.com"}}, nil
			case "":
				return Detection{}, &net.DNSError{Err: "no such host", Name: domain, IsNotFound: true}
			}
			return Detection{Provider: provider, MX: []string{"mx." + domain}}, nil
		},
		Now:         func() time.Time { return time.Date(2026, 3, 2, 10, 30, 0, 0, time.UTC) },
		NoAltScreen: true,
		NoDiscover:  true, // tests that want it point it at their own DNS server

	}
	return cfg, store
}

// start runs the wizard on cfg with an optional setup file already there,
// in an 80x24 terminal unless opts say otherwise. A test of another size
// passes it here (teatest.WithInitialTermSize): bubbletea sends a
// program's first WindowSizeMsg from a goroutine of its own, so a size
// sent after start can be overtaken by the 80x24 one.
func start(t *testing.T, cfg Config, store *secretstest.MemStore, tweak func(*Model), opts ...teatest.TestOption) *harness {
	t.Helper()
	setup, resume, note := LoadForResume(cfg)
	m := newModel(t.Context(), cfg, setup, resume, note)
	stableScreens(m)
	if tweak != nil {
		tweak(m)
	}
	p := probe{m: m, mu: &sync.Mutex{}, last: &snapshot{}}
	tm := teatest.NewTestModel(t, p, append([]teatest.TestOption{teatest.WithInitialTermSize(80, 24)}, opts...)...)
	h := &harness{t: t, tm: tm, p: p, cfg: cfg, store: store}
	t.Cleanup(func() {
		_ = tm.Quit()
		tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
		m.writes.close() // before t.Chdir's cleanup: the files go to the test's directory
	})
	return h
}

func (h *harness) snap() snapshot {
	h.p.mu.Lock()
	defer h.p.mu.Unlock()
	return *h.p.last
}

// waitFor polls the snapshot until cond holds.
func (h *harness) waitFor(what string, cond func(snapshot) bool) snapshot {
	h.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if s := h.snap(); cond(s) {
			return s
		}
		time.Sleep(5 * time.Millisecond)
	}
	h.t.Fatalf("timed out waiting for %s; screen:\n%s", what, h.snap().view)
	return snapshot{}
}

// at waits for the question with key.
func (h *harness) at(key string) snapshot {
	h.t.Helper()
	return h.waitFor("question "+key, func(s snapshot) bool { return s.mode == modeQuestion && s.key == key })
}

// screenHas waits until the screen shows text.
func (h *harness) screenHas(text string) snapshot {
	h.t.Helper()
	return h.waitFor("screen with "+text, func(s snapshot) bool { return strings.Contains(s.view, text) })
}

func (h *harness) typ(s string) { h.tm.Type(s) }

func (h *harness) key(code rune, mod tea.KeyMod) {
	h.tm.Send(tea.KeyPressMsg{Code: code, Mod: mod})
}

func (h *harness) enter() { h.key(tea.KeyEnter, 0) }
func (h *harness) down(n int) {
	for range n {
		h.key(tea.KeyDown, 0)
	}
}
func (h *harness) ctrlC()    { h.key('c', tea.ModCtrl) }
func (h *harness) shiftTab() { h.key(tea.KeyTab, tea.ModShift) }
func (h *harness) esc()      { h.key(tea.KeyEscape, 0) }

// answer types v into the question key (clearing a prefill) and submits.
func (h *harness) answer(key, v string) {
	h.t.Helper()
	h.at(key)
	h.key('u', tea.ModCtrl) // clear the prefilled value (readline's ctrl+u)
	h.typ(v)
	h.enter()
}

// accept submits the question key as prefilled.
func (h *harness) accept(key string) {
	h.t.Helper()
	h.at(key)
	h.enter()
}

// final ends nothing: it waits for the program to quit on its own and
// returns the model.
func (h *harness) final() *Model {
	h.t.Helper()
	fm := h.tm.FinalModel(h.t, teatest.WithFinalTimeout(15*time.Second))
	return fm.(probe).m
}

// --- an in-process SMTP server (emersion/go-smtp), STARTTLS with a test CA

type mailServer struct {
	addr   *net.TCPAddr
	caFile string
	user   string
	pass   string

	mu    sync.Mutex
	msgs  []string
	hold  chan struct{}     // when set, DATA waits for it
	extra map[string]string // more logins: user → password
}

// addUser lets another login send (a subsidiary's own mailbox).
func (s *mailServer) addUser(user, pass string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.extra == nil {
		s.extra = map[string]string{}
	}
	s.extra[user] = pass
}

func (s *mailServer) messages() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.msgs...)
}

// holdData makes the next DATA wait until the returned release is called.
func (s *mailServer) holdData() (release func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hold = make(chan struct{})
	var once sync.Once
	ch := s.hold
	return func() { once.Do(func() { close(ch) }) }
}

func (s *mailServer) NewSession(*smtp.Conn) (smtp.Session, error) { return &mailSession{srv: s}, nil }

type mailSession struct {
	srv    *mailServer
	authed bool
}

func (ss *mailSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (ss *mailSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		ss.srv.mu.Lock()
		want, extra := ss.srv.extra[user]
		ss.srv.mu.Unlock()
		if !(user == ss.srv.user && pass == ss.srv.pass) && !(extra && pass == want) {
			return smtp.ErrAuthFailed
		}
		ss.authed = true
		return nil
	}), nil
}

func (ss *mailSession) Mail(string, *smtp.MailOptions) error {
	if !ss.authed {
		return smtp.ErrAuthRequired
	}
	return nil
}
func (ss *mailSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (ss *mailSession) Reset()                               {}
func (ss *mailSession) Logout() error                        { return nil }

func (ss *mailSession) Data(r io.Reader) error {
	ss.srv.mu.Lock()
	hold := ss.srv.hold
	ss.srv.mu.Unlock()
	if hold != nil {
		<-hold
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	ss.srv.mu.Lock()
	ss.srv.msgs = append(ss.srv.msgs, string(b))
	ss.srv.mu.Unlock()
	return nil
}

// startMailServer serves SMTP with STARTTLS on 127.0.0.1, its certificate
// signed by a CA written to ca.pem in the working directory (call it after
// testConfig).
func startMailServer(t *testing.T, user, pass string) *mailServer {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "jobmail test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	leaf := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, DNSNames: []string{"localhost"},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, KeyUsage: x509.KeyUsageDigitalSignature}
	leafDER, err := x509.CreateCertificate(rand.Reader, leaf, caCert, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caFile := "ca.pem"
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	s := &mailServer{caFile: caFile, user: user, pass: pass}
	srv := smtp.NewServer(s)
	srv.Domain = "localhost"
	srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{leafDER}, PrivateKey: key}}}
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.addr = ln.Addr().(*net.TCPAddr)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return s
}
