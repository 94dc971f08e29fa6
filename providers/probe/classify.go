package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/textproto"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/providers/smtp"
	"github.com/jobmail/jobmail/secrets/safefile"
)

// classify maps what went wrong in one step to a diagnosis. The step
// matters: silence at connect means a filtered port, silence after connect
// means a server that never greets (often plaintext against implicit TLS).
func classify(ctx context.Context, stage providers.StageName, err error, t Target) *providers.Diagnosis {
	args := map[string]string{"host": t.Host, "port": strconv.Itoa(t.Port), "stage": string(stage)}
	diag := func(code providers.Code, actor providers.Actor) *providers.Diagnosis {
		return &providers.Diagnosis{Code: code, Actor: actor, Args: args}
	}
	if errors.Is(ctx.Err(), context.Canceled) {
		return diag(providers.CodeCanceled, providers.ActorUser)
	}
	var tpErr *textproto.Error
	if errors.As(err, &tpErr) {
		// The live test's classification, so that doctor and the test
		// name the same refusal alike.
		sd := smtp.DiagnoseStageReply(stage, replyText(tpErr))
		for k, v := range sd.Args { // the words the remedy quotes, its link…
			if _, set := args[k]; !set {
				args[k] = v
			}
		}
		d := diag(sd.Code, sd.Actor)
		d.Reply = clip(sd.Reply)
		return d
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		if dnsErr.IsTimeout {
			return diag(providers.CodeNetTimeout, providers.ActorMailAdmin)
		}
		return diag(providers.CodeDNSNoSuchHost, providers.ActorUser)
	}
	timeout := providers.IsTimeout(err) || errors.Is(ctx.Err(), context.DeadlineExceeded)
	switch stage {
	case providers.StageConnect:
		switch {
		case errors.Is(err, syscall.ECONNREFUSED):
			return diag(providers.CodeNetRefused, providers.ActorUser)
		case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
			args["reason"] = "unreachable"
			return diag(providers.CodeNetTimeout, providers.ActorMailAdmin)
		case timeout:
			return diag(providers.CodeNetTimeout, providers.ActorMailAdmin)
		}
		return diag(providers.CodeNetRefused, providers.ActorUser)
	case StageGreeting:
		if timeout {
			return diag(providers.CodeSMTPNoGreeting, providers.ActorUser)
		}
	case providers.StageTLS:
		var rh tls.RecordHeaderError
		switch {
		case errors.As(err, &rh):
			return diag(providers.CodeTLSNotTLS, providers.ActorUser)
		case timeout && t.Security == providers.SecuritySMTPS:
			// TCP is up and nothing comes back: the same silence as a
			// server that never greets.
			return diag(providers.CodeSMTPNoGreeting, providers.ActorUser)
		case timeout:
			return diag(providers.CodeNetTimeout, providers.ActorMailAdmin)
		case providers.IsDisconnect(err) && t.Security == providers.SecuritySMTPS:
			// A plaintext server that hangs up on a ClientHello.
			return diag(providers.CodeTLSNotTLS, providers.ActorUser)
		}
		return diag(providers.CodeTLSProtocol, providers.ActorMailAdmin)
	}
	switch {
	case timeout:
		return diag(providers.CodeNetTimeout, providers.ActorMailAdmin)
	case providers.IsDisconnect(err):
		return diag(providers.CodeSMTPDisconnected, providers.ActorMailAdmin)
	}
	return diag(providers.CodeSMTPProtocol, providers.ActorMailAdmin)
}

// replyText is the reply as the server sent it, codes on every line
// (textproto keeps the text only).
func replyText(e *textproto.Error) string {
	lines := strings.Split(e.Msg, "\n")
	for i, l := range lines {
		sep := "-"
		if i == len(lines)-1 {
			sep = " "
		}
		lines[i] = fmt.Sprintf("%03d%s%s", e.Code, sep, l)
	}
	return strings.Join(lines, "\n")
}

// checkCertificate judges the leaf certificate: trust (at a moment when it
// is valid, so that an expired certificate from a good CA reads as
// "expired" and not as "untrusted"), host name and validity period.
func (p *Prober) checkCertificate(host string, chain []*x509.Certificate) *Certificate {
	leaf := chain[0]
	now := p.now()
	c := &Certificate{
		Subject: leaf.Subject.String(), Issuer: leaf.Issuer.String(), DNSNames: leaf.DNSNames,
		NotBefore: leaf.NotBefore, NotAfter: leaf.NotAfter,
		Expired: now.After(leaf.NotAfter) || now.Before(leaf.NotBefore),
	}
	at := now
	if now.After(leaf.NotAfter) {
		at = leaf.NotAfter.Add(-time.Second)
	} else if now.Before(leaf.NotBefore) {
		at = leaf.NotBefore.Add(time.Second)
	}
	inter := x509.NewCertPool()
	for _, ic := range chain[1:] {
		inter.AddCert(ic)
	}
	_, err := leaf.Verify(x509.VerifyOptions{Roots: p.RootCAs, Intermediates: inter, CurrentTime: at})
	c.Trusted = err == nil
	c.HostnameOK = leaf.VerifyHostname(strings.TrimSuffix(host, ".")) == nil
	return c
}

// certDiagnosis names the first problem a verifying client would hit.
func certDiagnosis(t Target, c *Certificate) *providers.Diagnosis {
	args := map[string]string{"host": t.Host, "port": strconv.Itoa(t.Port)}
	switch {
	case c.Valid():
		return nil
	case !c.Trusted:
		args["issuer"] = c.Issuer
		return &providers.Diagnosis{Code: providers.CodeTLSUntrustedCert, Actor: providers.ActorMailAdmin, Field: "smtp.ca_file", Args: args}
	case !c.HostnameOK:
		args["names"] = strings.Join(c.DNSNames, ",")
		return &providers.Diagnosis{Code: providers.CodeTLSHostnameMismatch, Actor: providers.ActorUser, Field: "smtp.host", Args: args}
	default:
		args["not_after"] = c.NotAfter.UTC().Format(time.RFC3339)
		return &providers.Diagnosis{Code: providers.CodeTLSExpiredCert, Actor: providers.ActorMailAdmin, Args: args}
	}
}

// LoadRoots returns the system trust anchors plus the PEM certificates in
// caFile (a company CA). An empty caFile gives nil: the system roots.
func LoadRoots(caFile string) (*x509.CertPool, error) {
	if caFile == "" {
		return nil, nil
	}
	pem, err := safefile.Read(context.Background(), caFile, safefile.ReadOptions{Max: safefile.MaxCA})
	if err != nil {
		return nil, fmt.Errorf("read ca file: %w", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("ca file %s: no PEM certificate found", caFile)
	}
	return pool, nil
}
