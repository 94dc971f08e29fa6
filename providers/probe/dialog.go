package probe

import (
	"context"
	"crypto/tls"
	"net"
	"net/textproto"
	"strconv"
	"strings"
	"time"

	"github.com/jobmail/jobmail/providers"
)

// maxReply caps how much of a server reply a result keeps: enough for any
// real banner, not enough for a hostile server to bloat a report.
const maxReply = 512

// dialog is one probe's conversation with a server.
type dialog struct {
	p    *Prober
	t    Target
	ctx  context.Context
	res  *Result
	conn net.Conn
	tp   *textproto.Conn

	onGreeting func() // optional; see runner
}

// step times fn and records it; a failing fn sets the diagnosis unless an
// earlier (more telling) one exists.
func (d *dialog) step(name providers.StageName, fn func() error) bool {
	start := time.Now()
	err := fn()
	d.res.Steps = append(d.res.Steps, Step{Name: name, OK: err == nil, DurationMS: time.Since(start).Milliseconds()})
	if err != nil && d.res.Diagnosis == nil {
		d.res.Diagnosis = classify(d.ctx, name, err, d.t)
	}
	return err == nil
}

func (d *dialog) run() {
	if !d.step(providers.StageConnect, d.connect) {
		return
	}
	defer d.conn.Close()
	// One deadline for the whole conversation, and cancellation (a sibling
	// answered for us, or the run ended) cuts any read short at once.
	if dl, ok := d.ctx.Deadline(); ok {
		_ = d.conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(d.ctx, func() { _ = d.conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	if d.t.Security == providers.SecuritySMTPS {
		if !d.step(providers.StageTLS, d.handshake) {
			return
		}
	}
	d.tp = textproto.NewConn(d.conn)
	if !d.step(StageGreeting, d.greeting) {
		return
	}
	var caps *Capabilities
	if !d.step(providers.StageEHLO, func() (err error) { caps, err = d.ehlo(); return err }) {
		return
	}
	d.res.Caps = caps
	if d.t.Security == providers.SecurityStartTLS {
		if !caps.StartTLS {
			if d.res.Diagnosis == nil {
				d.res.Diagnosis = &providers.Diagnosis{Code: providers.CodeTLSStartTLSUnsupported,
					Actor: providers.ActorMailAdmin, Args: map[string]string{"host": d.t.Host, "port": strconv.Itoa(d.t.Port)}}
			}
			d.quit()
			return
		}
		if !d.step(providers.StageTLS, d.startTLS) {
			return
		}
		// Servers announce a different list over TLS (AUTH above all).
		if !d.step(providers.StageEHLO, func() (err error) { caps, err = d.ehlo(); return err }) {
			return
		}
		d.res.Caps = caps
	}
	d.quit()
}

func (d *dialog) connect() error {
	c, err := d.p.dialer().DialContext(d.ctx, "tcp", d.t.Addr())
	if err != nil {
		return err
	}
	d.conn = c
	d.res.Connected = true
	return nil
}

// handshake upgrades d.conn to TLS. Verification is done afterwards by
// checkCertificate, property by property, instead of failing the handshake:
// a probe sends no credentials, so it can afford to look at a bad
// certificate and say exactly what is wrong with it.
func (d *dialog) handshake() error {
	cfg := &tls.Config{InsecureSkipVerify: true} // #nosec G402 -- verified by checkCertificate, no secrets are sent
	if net.ParseIP(d.t.Host) == nil {
		cfg.ServerName = d.t.Host
	}
	tc := tls.Client(d.conn, cfg)
	if err := tc.HandshakeContext(d.ctx); err != nil {
		return err
	}
	d.conn = tc
	cs := tc.ConnectionState()
	d.res.TLS = &TLSInfo{Version: tls.VersionName(cs.Version), CipherSuite: tls.CipherSuiteName(cs.CipherSuite)}
	if len(cs.PeerCertificates) > 0 {
		cert := d.p.checkCertificate(d.t.Host, cs.PeerCertificates)
		d.res.TLS.Certificate = cert
		if diag := certDiagnosis(d.t, cert); diag != nil && d.res.Diagnosis == nil {
			d.res.Diagnosis = diag
		}
	}
	return nil
}

func (d *dialog) greeting() error {
	_, msg, err := d.tp.ReadResponse(220)
	if msg != "" {
		d.res.Banner = clip(msg)
	}
	if err == nil && d.onGreeting != nil {
		d.onGreeting()
	}
	return err
}

func (d *dialog) ehlo() (*Capabilities, error) {
	id, err := d.tp.Cmd("EHLO %s", d.p.helloName())
	if err != nil {
		return nil, err
	}
	d.tp.StartResponse(id)
	defer d.tp.EndResponse(id)
	_, msg, err := d.tp.ReadResponse(250)
	if err != nil {
		return nil, err
	}
	return parseEHLO(msg), nil
}

func (d *dialog) startTLS() error {
	id, err := d.tp.Cmd("STARTTLS")
	if err != nil {
		return err
	}
	d.tp.StartResponse(id)
	_, _, err = d.tp.ReadResponse(220)
	d.tp.EndResponse(id)
	if err != nil {
		return err
	}
	if err := d.handshake(); err != nil {
		return err
	}
	d.tp = textproto.NewConn(d.conn)
	return nil
}

// quit ends politely; a server that hangs up instead is no failure.
func (d *dialog) quit() {
	start := time.Now()
	id, err := d.tp.Cmd("QUIT")
	if err == nil {
		d.tp.StartResponse(id)
		_, _, err = d.tp.ReadResponse(221)
		d.tp.EndResponse(id)
	}
	d.res.Steps = append(d.res.Steps, Step{Name: providers.StageQuit, OK: err == nil, DurationMS: time.Since(start).Milliseconds()})
}

// parseEHLO reads an EHLO reply: the first line is the server's name, each
// further line one extension keyword with its parameters.
func parseEHLO(msg string) *Capabilities {
	c := &Capabilities{}
	lines := strings.Split(msg, "\n")
	for _, line := range lines[1:] {
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		kw := strings.ToUpper(fields[0])
		if strings.HasPrefix(kw, "AUTH=") { // pre-RFC 4954 servers: AUTH=LOGIN PLAIN
			fields = append([]string{"AUTH", kw[len("AUTH="):]}, fields[1:]...)
			kw = "AUTH"
		}
		c.Extensions = appendUnique(c.Extensions, kw)
		switch kw {
		case "AUTH":
			for _, m := range fields[1:] {
				c.Auth = appendUnique(c.Auth, strings.ToUpper(m))
			}
		case "SIZE":
			if len(fields) > 1 {
				if n, err := strconv.ParseInt(fields[1], 10, 64); err == nil && n > 0 {
					c.Size = n
				}
			}
		case "STARTTLS":
			c.StartTLS = true
		case "PIPELINING":
			c.Pipelining = true
		case "CHUNKING":
			c.Chunking = true
		case "SMTPUTF8":
			c.SMTPUTF8 = true
		}
	}
	return c
}

func appendUnique(list []string, s string) []string {
	for _, v := range list {
		if v == s {
			return list
		}
	}
	return append(list, s)
}

func clip(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > maxReply {
		return s[:maxReply]
	}
	return s
}
