package smtp

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/textproto"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jobmail/jobmail/providers"
)

// diagnosis is the tester's own, context-aware classification: a cancelled
// ctx explains any I/O failure, and every diagnosis names host and port.
func (r *run) diagnosis(err error) *providers.Error {
	var pe *providers.Error
	var d providers.Diagnosis
	cause := err
	switch {
	case errors.As(err, &pe):
		d, cause = pe.Diagnosis, pe.Err // built by the tester: the cause is its own
	case errors.Is(r.ctx.Err(), context.Canceled) && !isReply(err):
		d = diag(providers.CodeCanceled, "", nil)
	default:
		d = classifyErr(err, r.t.cfg.now())
	}
	d = r.refine(d)
	args := map[string]string{}
	for k, v := range d.Args {
		args[k] = v
	}
	if d.Code != CodeInvalidValue && d.Code != providers.CodeConfigUnsupportedHost {
		args["host"] = r.t.cfg.Host
		args["port"] = strconv.Itoa(r.t.cfg.Port)
		if r.remote != "" {
			args["remote"] = r.remote
		}
	}
	d.Args = args
	return &providers.Error{Diagnosis: d, Err: cause}
}

func isReply(err error) bool {
	var re *ReplyError
	var pe *ProtocolError
	return errors.As(err, &re) || errors.As(err, &pe)
}

func classifyErr(err error, now time.Time) providers.Diagnosis {
	var (
		pe   *providers.Error
		re   *ReplyError
		pre  *ProtocolError
		ioe  *ioError
		dnse *net.DNSError
		tpe  *textproto.Error
	)
	switch {
	case errors.As(err, &pe):
		return pe.Diagnosis
	case errors.Is(err, context.Canceled):
		return diag(providers.CodeCanceled, "", nil)
	case errors.As(err, &re):
		return replyDiagnosis(re)
	case errors.As(err, &pre):
		return diag(providers.CodeSMTPProtocol, pre.Line, map[string]string{"reason": pre.Reason})
	case errors.As(err, &ioe):
		return ioDiagnosis(ioe, now)
	case errors.As(err, &dnse):
		if dnse.IsTimeout {
			return diag(providers.CodeNetTimeout, "", map[string]string{"reason": "dns"})
		}
		return diag(providers.CodeDNSNoSuchHost, "", map[string]string{"host": dnse.Name})
	case errors.As(err, &tpe):
		lines := strings.Split(fmt.Sprintf("%03d %s", tpe.Code, tpe.Msg), "\n")
		return diagnoseReply("", strings.Join(lines, "\n"))
	}
	if d, ok := tlsDiagnosis(err, now); ok {
		return d
	}
	if code, ok := netCode(err); ok {
		return diag(code, "", nil)
	}
	return diag(providers.CodeUnknown, "", nil)
}

func replyDiagnosis(re *ReplyError) providers.Diagnosis {
	reply := strings.Join(re.Lines, "\n")
	var args map[string]string
	if re.Challenge != "" {
		// The OAuth server's JSON status says why (401 invalid token, 400
		// wrong scope); it belongs with the final refusal.
		reply += "\n" + re.Challenge
		var status struct {
			Status string `json:"status"`
			Scope  string `json:"scope"`
		}
		if json.Unmarshal([]byte(re.Challenge), &status) == nil && status.Status != "" {
			args = map[string]string{"status": status.Status}
		}
	}
	if re.Mechanism != "" {
		if args == nil {
			args = map[string]string{}
		}
		args["mechanism"] = re.Mechanism
	}
	j := judgeReply(re.Command, re.Mechanism, re.Code, re.Lines)
	for k, v := range j.args {
		if args == nil {
			args = map[string]string{}
		}
		if _, set := args[k]; !set {
			args[k] = v
		}
	}
	return diag(j.code, reply, args)
}

func ioDiagnosis(e *ioError, now time.Time) providers.Diagnosis {
	timeout := providers.IsTimeout(e.Err)
	switch e.Op {
	case "dial":
		if code, ok := netCode(e.Err); ok {
			return diag(code, "", nil)
		}
		return diag(providers.CodeNetTimeout, "", map[string]string{"reason": "unreachable"})
	case "greeting":
		// TCP is up but no banner came: typically STARTTLS or plain SMTP
		// against an implicit-TLS port, where the server waits for a
		// ClientHello. A drip-fed banner that never ends counts the same.
		if timeout {
			return diag(providers.CodeSMTPNoGreeting, e.Partial, nil)
		}
	case "handshake":
		if d, ok := tlsDiagnosis(e.Err, now); ok {
			return d
		}
		if timeout {
			return diag(providers.CodeNetTimeout, "", nil)
		}
		// A server hanging up mid-handshake refused our TLS offer.
		return diag(providers.CodeTLSProtocol, "", map[string]string{"reason": "closed"})
	}
	if timeout {
		return diag(providers.CodeNetTimeout, e.Partial, nil)
	}
	if code, ok := netCode(e.Err); ok {
		return diag(code, e.Partial, nil)
	}
	return diag(providers.CodeSMTPDisconnected, e.Partial, nil)
}

// netCode classifies transport errors that are not TLS.
func netCode(err error) (providers.Code, bool) {
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return providers.CodeNetRefused, true
	case providers.IsTimeout(err), errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return providers.CodeNetTimeout, true
	case providers.IsDisconnect(err):
		return providers.CodeSMTPDisconnected, true
	}
	return "", false
}

// tlsDiagnosis recognizes handshake and certificate failures.
func tlsDiagnosis(err error, now time.Time) (providers.Diagnosis, bool) {
	var (
		rh  tls.RecordHeaderError
		he  x509.HostnameError
		ci  x509.CertificateInvalidError
		ua  x509.UnknownAuthorityError
		sr  x509.SystemRootsError
		cve *tls.CertificateVerificationError
	)
	switch {
	case errors.As(err, &rh):
		// "first record does not look like a TLS handshake": a plaintext
		// server answered, typically its banner on a STARTTLS port.
		return diag(providers.CodeTLSNotTLS, printable(rh.RecordHeader[:]), nil), true
	case errors.As(err, &he):
		args := map[string]string{"host": he.Host}
		if he.Certificate != nil {
			args["names"] = certNames(he.Certificate)
		}
		return diag(providers.CodeTLSHostnameMismatch, "", args), true
	case errors.As(err, &ci) && ci.Reason == x509.Expired:
		args := map[string]string{}
		if c := ci.Cert; c != nil {
			args["not_after"] = c.NotAfter.UTC().Format(time.DateOnly)
			args["not_before"] = c.NotBefore.UTC().Format(time.DateOnly)
			args["subject"] = c.Subject.CommonName
			args["reason"] = "expired"
			if now.Before(c.NotBefore) {
				args["reason"] = "not_yet_valid"
			}
		}
		return diag(providers.CodeTLSExpiredCert, "", args), true
	case errors.As(err, &ua):
		args := map[string]string{}
		if c := ua.Cert; c != nil {
			args["issuer"] = c.Issuer.String()
			args["self_signed"] = strconv.FormatBool(c.Issuer.String() == c.Subject.String())
		}
		return diag(providers.CodeTLSUntrustedCert, "", args), true
	case errors.As(err, &sr), errors.As(err, &ci), errors.As(err, &cve):
		return diag(providers.CodeTLSUntrustedCert, "", nil), true
	case strings.Contains(err.Error(), "tls: "):
		// Alerts and version or cipher mismatches: crypto/tls exposes no
		// type for a received alert, only its "remote error: tls: …" text.
		return diag(providers.CodeTLSProtocol, "", map[string]string{"error": tlsReason(err)}), true
	}
	return providers.Diagnosis{}, false
}

func tlsReason(err error) string {
	s := err.Error()
	if i := strings.LastIndex(s, "tls: "); i >= 0 {
		return s[i:]
	}
	return s
}

func certNames(c *x509.Certificate) string {
	names := append([]string(nil), c.DNSNames...)
	for _, ip := range c.IPAddresses {
		names = append(names, ip.String())
	}
	if len(names) == 0 && c.Subject.CommonName != "" {
		names = append(names, c.Subject.CommonName)
	}
	return strings.Join(names, ", ")
}

// printable shows the bytes a plaintext server sent where TLS was due.
func printable(b []byte) string {
	var sb strings.Builder
	for _, c := range b {
		if c >= 0x20 && c < 0x7f {
			sb.WriteByte(c)
		} else {
			fmt.Fprintf(&sb, `\x%02x`, c)
		}
	}
	return sb.String()
}

// refine adds what the session knows to a diagnosis from the reply alone:
// whether the server offered AUTH at all, its SIZE limit, whether it is
// Microsoft's.
func (r *run) refine(d providers.Diagnosis) providers.Diagnosis {
	_, authOffered := r.ext["AUTH"]
	noCredentials := r.t.cfg.Password.Empty() && r.t.cfg.OAuthToken.Empty()
	recode := func(c providers.Code) {
		n := diag(c, d.Reply, d.Args)
		d.Code, d.Actor, d.Field = n.Code, n.Actor, n.Field
	}
	switch {
	case d.Code == providers.CodeAuthSMTPAuthDisabled && d.Args["mechanisms"] != "":
		// PLAIN and LOGIN refused on Microsoft 365 means SMTP AUTH is off,
		// unless the words say the password was wrong.
		if w, _, ok := byWords(cmdAUTH, strings.ToLower(strings.ReplaceAll(flatten(d.Reply), "\n", " "))); ok && w.code == providers.CodeAuthRejected {
			recode(providers.CodeAuthRejected)
		}
	case d.Code == providers.CodeAuthMechanism && d.Args != nil && d.Args["offered"] == "" && !authOffered:
		recode(providers.CodeAuthNotOffered) // no AUTH at all, not a mechanism we lack
	case d.Code == providers.CodeAuthNotOffered && authOffered && noCredentials:
		recode(providers.CodeSendRelayDenied) // the server signs in; we were given nothing to sign in with
	case d.Code == providers.CodeSendMessageTooLarge && d.Args["limit"] == "":
		if n, err := strconv.ParseInt(strings.TrimSpace(r.ext["SIZE"]), 10, 64); err == nil && n > 0 {
			d.Args = withArg(d.Args, "limit", formatSize(n))
		}
	case d.Code == providers.CodeSendAccountRestricted && d.Args["provider"] == "" &&
		atMicrosoft(r.t.cfg.Host):
		d.Args = withArg(d.Args, "provider", "microsoft")
	}
	return d
}

func withArg(args map[string]string, k, v string) map[string]string {
	out := map[string]string{k: v}
	for kk, vv := range args {
		if kk != k {
			out[kk] = vv
		}
	}
	return out
}
