package smtp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail/smtp"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/secrets"
)

// quitGrace bounds the wait for the reply to QUIT: the message is already
// accepted, so a server that never says goodbye must not hold the test
// until the overall deadline.
const quitGrace = time.Second

// longAgo is a deadline in the past: setting it makes every pending read
// and write return at once.
var longAgo = time.Unix(1, 0)

// run is the state of one Test call.
type run struct {
	t      *Tester
	ctx    context.Context
	obs    providers.Observer
	res    providers.Result
	sc     *secrets.Redactor
	sess   *session
	c      *gomail.Client // go-mail's client on the session's wire
	ext    map[string]string
	isTLS  bool
	tcpUp  bool   // the TCP connection was established
	remote string // ip:port actually connected to
	// unwatch stops the goroutine that interrupts I/O when ctx ends.
	unwatch func() bool
}

// DefaultTimeout bounds a test whose context has no deadline, so that a
// silent server can never hang the program.
const DefaultTimeout = 30 * time.Second

// Test runs the live test: resolve, connect, TLS, EHLO, AUTH, MAIL, RCPT,
// DATA, QUIT, each reported through obs and in Result.Stages. ctx's deadline
// bounds the whole test however the server behaves; cancelling ctx ends it
// at once with run.canceled.
func (t *Tester) Test(ctx context.Context, msg providers.Message, obs providers.Observer) providers.Result {
	start := time.Now()
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultTimeout)
		defer cancel()
	}
	r := &run{t: t, ctx: ctx, obs: obs, sc: newScrubber(t.cfg.Password, t.cfg.OAuthToken),
		res: providers.Result{Channel: providers.ChannelSMTP, Started: t.cfg.now()}}
	err := r.preflight(msg)
	if err != nil {
		t.cfg.Ahead.Close() // refused before any connection, as without it
	} else {
		// The message is composed before the wait for an opening ahead,
		// which is idle time on this goroutine: composing it at DATA put
		// go-mail's writer and the time zone's first load (/etc/localtime)
		// between the server's reply to RCPT and the next command.
		var m composed
		m.data, m.err = buildMessage(msg, t.cfg.now())
		if a := t.cfg.Ahead.take(ctx, t.cfg); a != nil {
			r, err, start = a.r, a.err, a.start
			r.handOver(t, ctx, obs, a.events)
			a.cancel() // the test's bound holds the connection from here
		} else {
			err = r.open()
		}
		if err == nil {
			err = r.finish(msg, m)
		}
	}
	if r.unwatch != nil {
		r.unwatch()
	}
	if r.sess != nil {
		_ = r.sess.raw.Close()
		r.res.Transcript = r.sess.log
	}
	r.res.Duration = time.Since(start)
	if err != nil {
		pe := r.diagnosis(err)
		pe.Reply = r.sc.Redact(pe.Reply)
		for k, v := range pe.Args {
			pe.Args[k] = r.sc.Redact(v)
		}
		pe.Err = secrets.RedactError(pe.Err, r.sc)
		d := pe.Diagnosis
		r.res.Diagnosis = &d
		r.res.Err = pe
	}
	return r.res
}

// preflight refuses what must never reach a server: a malformed message,
// a fatal prerequisite, an ended context.
func (r *run) preflight(msg providers.Message) error {
	cfg := r.t.cfg
	if d := checkMessage(cfg, msg); d != nil {
		return &providers.Error{Diagnosis: *d}
	}
	if d := fatal(Prerequisites(cfg, msg.From)); d != nil {
		return &providers.Error{Diagnosis: *d}
	}
	return r.ctx.Err()
}

// open runs the stages that say nothing of the mailbox: resolve, connect,
// the greeting, TLS and the EHLO whose extensions count (an Ahead runs
// them before the test is due).
func (r *run) open() error {
	cfg := r.t.cfg
	var addrs []string
	err := r.stage(providers.StageResolve, func() (err error) {
		addrs, err = r.resolve()
		return err
	})
	if err != nil {
		return err
	}
	if err := r.stage(providers.StageConnect, func() error { return r.connect(addrs) }); err != nil {
		return err
	}
	// SMTPS greets inside TLS; the other modes greet first.
	smtps := cfg.Security == providers.SecuritySMTPS
	if !smtps {
		if err := r.stage(providers.StageGreeting, r.greeting); err != nil {
			return err
		}
	}
	if cfg.Security.UsesTLS() {
		if err := r.stage(providers.StageTLS, r.secure); err != nil {
			return err
		}
	}
	if smtps {
		if err := r.stage(providers.StageGreeting, r.greeting); err != nil {
			return err
		}
	}
	return r.stage(providers.StageEHLO, r.ehlo)
}

// finish signs in and sends: the stages that carry the mailbox's name,
// its secret and the message.
func (r *run) finish(msg providers.Message, m composed) error {
	if r.t.cfg.hasCredentials() {
		if err := r.stage(providers.StageAuth, func() error { return r.auth(msg.From) }); err != nil {
			return err
		}
	}
	return r.send(msg, m)
}

// stage times f and reports it; a failure is tagged with the stage.
func (r *run) stage(name providers.StageName, f func() error) error {
	r.emit(providers.StageEvent{Stage: providers.Stage{Name: name}})
	if r.sess != nil {
		r.sess.stage = name
	}
	t0 := time.Now()
	err := f()
	st := providers.Stage{Name: name, OK: err == nil, Duration: time.Since(t0)}
	r.res.Stages = append(r.res.Stages, st)
	r.emit(providers.StageEvent{Stage: st, Done: true})
	if err != nil {
		return &stageError{stage: name, err: err}
	}
	return nil
}

func (r *run) emit(ev providers.StageEvent) {
	if r.obs != nil {
		r.obs(ev)
	}
}

type stageError struct {
	stage providers.StageName
	err   error
}

func (e *stageError) Error() string { return string(e.stage) + ": " + e.err.Error() }
func (e *stageError) Unwrap() error { return e.err }

func (r *run) resolve() ([]string, error) {
	host := strings.TrimSuffix(r.t.cfg.Host, ".")
	if ip := net.ParseIP(strings.Trim(host, "[]")); ip != nil {
		return []string{ip.String()}, nil
	}
	addrs, err := r.t.resolver().LookupHost(r.ctx, host)
	if err == nil && len(addrs) == 0 {
		err = &net.DNSError{Err: "no addresses", Name: host, IsNotFound: true}
	}
	return addrs, err
}

// connect opens TCP to the first address that answers and, except over
// SMTPS where the banner comes inside TLS, reads the greeting.
func (r *run) connect(addrs []string) error {
	port := strconv.Itoa(r.t.cfg.Port)
	var conn net.Conn
	var err error
	for _, a := range addrs {
		conn, err = r.t.dialer().DialContext(r.ctx, "tcp", net.JoinHostPort(a, port))
		if err == nil {
			r.remote = net.JoinHostPort(a, port)
			break
		}
		if r.ctx.Err() != nil {
			break
		}
	}
	if err != nil {
		return &ioError{Op: "dial", Err: err}
	}
	r.tcpUp = true
	r.sess = newSession(conn, r.sc)
	r.sess.stage = providers.StageConnect
	// The one wall-clock bound: every read and write ends at ctx's deadline
	// however slowly the server drips its bytes, and cancelling ctx ends
	// them at once.
	if dl, ok := r.ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	r.unwatch = context.AfterFunc(r.ctx, func() { _ = conn.SetDeadline(longAgo) })
	return nil
}

// greeting reads the banner: go-mail's NewClient on the wire. A server
// that stays silent past greetingLook gets a quick look at the other mode
// (see looksLikeTLS), so that STARTTLS against an implicit-TLS port is
// found in seconds, not at the deadline; a slow banner on a plain port is
// still waited for.
func (r *run) greeting() error {
	if !r.isTLS && !r.bannerStarted() && r.looksLikeTLS() {
		return &providers.Error{Diagnosis: diag(providers.CodeSMTPNoGreeting, "",
			map[string]string{"implicit_tls": "true"}), Err: &ioError{Op: "greeting", Err: errSpeaksTLS}}
	}
	c, err := gomail.NewClient(newWire(r.sess, false), r.serverName())
	if err != nil {
		err = r.replyErr(err, cmdGreeting, "")
		var ioe *ioError
		if errors.As(err, &ioe) {
			ioe.Op = "greeting"
		}
		return err
	}
	r.c = c
	return nil
}

// serverName is the host as go-mail's client and its mechanisms know it.
func (r *run) serverName() string { return strings.Trim(strings.TrimSuffix(r.t.cfg.Host, "."), "[]") }

// secure establishes TLS: at once for SMTPS (the greeting follows, inside
// TLS), or by EHLO + STARTTLS after the greeting otherwise.
//
// STARTTLS is sent on go-mail's connection but not by Client.StartTLS:
// that puts textproto straight on the TLS connection (no bound on replies,
// nothing recorded) and runs the second EHLO in the same call. Here the
// handshake is its own step, and a new go-mail client goes on the wire over
// TLS for the rest of the session.
func (r *run) secure() error {
	cfg := r.tlsConfig()
	starttls := r.t.cfg.Security != providers.SecuritySMTPS
	if starttls {
		if err := r.c.Hello(r.helloName()); err != nil {
			return r.replyErr(err, cmdEHLO, "")
		}
		if _, ok := extensions(r.sess.last)["STARTTLS"]; !ok {
			return &providers.Error{Diagnosis: diag(providers.CodeTLSStartTLSUnsupported, r.sess.last.text(), nil)}
		}
		if err := textCmd(r.c.Text, 220, "STARTTLS"); err != nil {
			return r.replyErr(err, cmdSTARTTLS, "")
		}
	}
	tc, err := r.sess.startTLS(cfg)
	if err != nil {
		return err
	}
	if err := tc.HandshakeContext(r.ctx); err != nil {
		return &ioError{Op: "handshake", Err: err}
	}
	r.isTLS = true
	if starttls {
		c, err := gomail.NewClient(newWire(r.sess, true), r.serverName())
		if err != nil {
			return r.replyErr(err, cmdGreeting, "")
		}
		r.c = c
	}
	return nil
}

func (r *run) helloName() string {
	if r.t.cfg.HelloName != "" {
		return r.t.cfg.HelloName
	}
	if a, ok := r.sess.raw.LocalAddr().(*net.TCPAddr); ok {
		if a.IP.To4() != nil {
			return "[" + a.IP.String() + "]"
		}
		return "[IPv6:" + a.IP.String() + "]"
	}
	return "localhost"
}

// ehlo is the EHLO whose extensions count: after TLS, or the only one.
// go-mail's Hello would fall back to HELO; the wire refuses to send it, so
// the refused EHLO is the diagnosis.
func (r *run) ehlo() error {
	if err := r.c.Hello(r.helloName()); err != nil {
		return r.replyErr(err, cmdEHLO, "")
	}
	r.ext = extensions(r.sess.last)
	return nil
}

// send runs MAIL, RCPT, DATA and QUIT, one stage each and without
// pipelining, so that a refusal is pinned to the command that caused it.
//
// MAIL goes on go-mail's connection but not through Client.Mail, which adds
// BODY=8BITMIME whenever it is offered; the message is 7-bit (quoted-
// printable), and only a non-ASCII address needs SMTPUTF8.
func (r *run) send(msg providers.Message, m composed) error {
	s := r.sess
	c := r.c
	utf8 := ""
	if _, ok := r.ext["SMTPUTF8"]; ok && !(isASCII(msg.From) && isASCII(msg.To)) {
		utf8 = " SMTPUTF8"
	}
	err := r.stage(providers.StageMail, func() error {
		return r.replyErr(textCmd(c.Text, 250, "MAIL FROM:<%s>%s", msg.From, utf8), cmdMAIL, "")
	})
	if err != nil {
		return err
	}
	err = r.stage(providers.StageRcpt, func() error {
		return r.replyErr(c.Rcpt("<"+msg.To+">"), cmdRCPT, "")
	})
	if err != nil {
		return err
	}
	err = r.stage(providers.StageData, func() error {
		data, err := m.data, m.err
		if err != nil {
			return &providers.Error{Diagnosis: *invalid(FieldAddress, "address", map[string]string{"address": msg.From}), Err: err}
		}
		wc, err := c.Data()
		if err != nil {
			return r.replyErr(err, cmdDATA, "")
		}
		s.log = append(s.log, fmt.Sprintf("C: [message, %d bytes]", stuffedLen(data)-3), "C: .")
		s.data = true
		_, err = wc.Write(data)
		if err == nil {
			err = wc.Close() // the final dot, and the reply to the message
		}
		s.data = false
		return r.replyErr(err, cmdMessage, "")
	})
	if err != nil {
		return err
	}
	r.quit()
	return nil
}

// quit says goodbye. The message is already accepted, so the test passes
// whatever happens here; the stage is OK only when the server answers 221,
// and the wait is short.
func (r *run) quit() {
	s := r.sess
	_ = r.stage(providers.StageQuit, func() error {
		if dl, ok := r.ctx.Deadline(); r.ctx.Err() == nil && (!ok || time.Until(dl) > quitGrace) {
			_ = s.raw.SetDeadline(time.Now().Add(quitGrace))
		}
		return r.replyErr(r.c.Quit(), cmdQUIT, "")
	})
}
