// Package probe checks SMTP submission servers without credentials: it
// connects, reads the banner, says EHLO, upgrades with STARTTLS or speaks
// implicit TLS, inspects the certificate (trusted? right host name? still
// valid?), records the capabilities (AUTH mechanisms, SIZE, PIPELINING,
// CHUNKING, SMTPUTF8) and says QUIT. It never authenticates and never sends
// mail, so it is safe to run against any host before a password exists.
//
// Many targets are probed concurrently and the whole run is bounded by one
// timeout (not by the sum), because `jobmail doctor` and the wizard must
// answer in seconds even when half the candidates never reply. Results are
// reported as they finish.
//
// Like every provider package it returns codes and data, never sentences:
// a failed probe carries a providers.Diagnosis.
package probe

import (
	"context"
	"crypto/x509"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/jobmail/jobmail/providers"
)

// DefaultTimeout bounds one whole probe run, like Thunderbird's 10 s probe.
const DefaultTimeout = 10 * time.Second

// StageGreeting is the wait for the server's banner, as in the live test.
const StageGreeting = providers.StageGreeting

// CodeInvalidTarget marks a target that cannot be probed (empty host, port
// out of range, unknown security mode).
const CodeInvalidTarget providers.Code = "probe.invalid_target"

// Target is one candidate: a host, a port and how TLS is reached there.
// Security is providers.SecurityStartTLS (plaintext greeting, then
// STARTTLS) or providers.SecuritySMTPS (TLS from the first byte).
type Target struct {
	Host     string             `json:"host"`
	Port     int                `json:"port"`
	Security providers.Security `json:"security"`
}

// Addr is host:port.
func (t Target) Addr() string { return net.JoinHostPort(t.Host, strconv.Itoa(t.Port)) }

func (t Target) String() string { return t.Addr() + "/" + string(t.Security) }

// Validate reports why a target cannot be probed.
func (t Target) Validate() error {
	switch {
	case strings.TrimSpace(t.Host) == "":
		return fmt.Errorf("target: empty host")
	case t.Port < 1 || t.Port > 65535:
		return fmt.Errorf("target %s: port %d out of range", t.Host, t.Port)
	case t.Security != providers.SecurityStartTLS && t.Security != providers.SecuritySMTPS:
		return fmt.Errorf("target %s: security %q is not starttls or smtps", t.Addr(), t.Security)
	}
	return nil
}

// Capabilities are the EHLO extensions that matter for sending. After a
// TLS upgrade they are the ones the server announced over TLS (servers often
// offer AUTH only then).
type Capabilities struct {
	Extensions []string `json:"extensions,omitempty"` // keywords as advertised, upper case
	Auth       []string `json:"auth,omitempty"`       // SASL mechanisms
	Size       int64    `json:"size,omitempty"`       // 0: not announced or no limit given
	StartTLS   bool     `json:"starttls,omitempty"`
	Pipelining bool     `json:"pipelining,omitempty"`
	Chunking   bool     `json:"chunking,omitempty"`
	SMTPUTF8   bool     `json:"smtputf8,omitempty"`
}

// Certificate is what the probe learnt about the server's leaf certificate.
// Each property is checked on its own, so a self-signed certificate for the
// wrong name reports both problems.
type Certificate struct {
	Subject    string    `json:"subject"`
	Issuer     string    `json:"issuer"`
	DNSNames   []string  `json:"dns_names,omitempty"`
	NotBefore  time.Time `json:"not_before"`
	NotAfter   time.Time `json:"not_after"`
	Trusted    bool      `json:"trusted"`     // chains to a trust anchor
	HostnameOK bool      `json:"hostname_ok"` // valid for the probed host
	Expired    bool      `json:"expired"`     // expired or not yet valid
}

// Valid reports whether a verifying client would accept the certificate.
func (c *Certificate) Valid() bool { return c != nil && c.Trusted && c.HostnameOK && !c.Expired }

// TLSInfo describes the negotiated TLS session.
type TLSInfo struct {
	Version     string       `json:"version"`
	CipherSuite string       `json:"cipher_suite"`
	Certificate *Certificate `json:"certificate,omitempty"`
}

// Step is one timed part of a probe.
type Step struct {
	Name       providers.StageName `json:"name"`
	OK         bool                `json:"ok"`
	DurationMS int64               `json:"duration_ms"`
}

// Result is the outcome of probing one target. OK means a client could
// submit mail here with a verified TLS connection (credentials aside).
// Diagnosis says why not; Inferred marks a result deduced from a sibling
// probe of the same host and port (see Run) instead of waited for.
type Result struct {
	Target     Target               `json:"target"`
	OK         bool                 `json:"ok"`
	Connected  bool                 `json:"connected"`
	Banner     string               `json:"banner,omitempty"`
	TLS        *TLSInfo             `json:"tls,omitempty"`
	Caps       *Capabilities        `json:"capabilities,omitempty"`
	Steps      []Step               `json:"steps"`
	Diagnosis  *providers.Diagnosis `json:"diagnosis,omitempty"`
	Inferred   bool                 `json:"inferred,omitempty"`
	Duration   time.Duration        `json:"-"`
	DurationMS int64                `json:"duration_ms"`
}

// Code is the diagnosis code, or "" when the probe succeeded.
func (r Result) Code() providers.Code {
	if r.Diagnosis == nil {
		return ""
	}
	return r.Diagnosis.Code
}

// Dialer opens TCP connections; *net.Dialer is one.
type Dialer interface {
	DialContext(ctx context.Context, network, addr string) (net.Conn, error)
}

// Prober probes targets. The zero value is ready to use: system dialer,
// system trust anchors, real clock, DefaultTimeout.
type Prober struct {
	Dialer    Dialer           // nil: a net.Dialer
	RootCAs   *x509.CertPool   // trust anchors; nil: the system's (loaded only when a certificate is checked)
	Now       func() time.Time // clock for certificate validity; nil: time.Now
	Timeout   time.Duration    // bound of one run (and of Probe without a ctx deadline); 0: DefaultTimeout
	HelloName string           // EHLO argument; "": "localhost"
}

func (p *Prober) timeout() time.Duration {
	if p.Timeout > 0 {
		return p.Timeout
	}
	return DefaultTimeout
}

func (p *Prober) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

func (p *Prober) dialer() Dialer {
	if p.Dialer != nil {
		return p.Dialer
	}
	return &net.Dialer{}
}

func (p *Prober) helloName() string {
	if p.HelloName != "" {
		return p.HelloName
	}
	return "localhost"
}

// Probe runs the whole dialogue against one target. ctx bounds it; without
// a deadline, p.Timeout does. It never returns an error: every failure is a
// Diagnosis in the Result.
func (p *Prober) Probe(ctx context.Context, t Target) Result {
	return p.probe(ctx, t, nil)
}

// probe is Probe with a hook called once the server has greeted.
func (p *Prober) probe(ctx context.Context, t Target, onGreeting func()) (res Result) {
	start := time.Now()
	res.Target = t
	defer func() {
		res.Duration = time.Since(start)
		res.DurationMS = res.Duration.Milliseconds()
		res.OK = res.Diagnosis == nil && res.TLS != nil && res.TLS.Certificate.Valid()
	}()
	if err := t.Validate(); err != nil {
		res.Diagnosis = &providers.Diagnosis{Code: CodeInvalidTarget, Actor: providers.ActorUser,
			Args: map[string]string{"host": t.Host, "port": strconv.Itoa(t.Port), "security": string(t.Security)}}
		return res
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, p.timeout())
		defer cancel()
	}
	d := &dialog{p: p, t: t, ctx: ctx, res: &res, onGreeting: onGreeting}
	d.run()
	return res
}
