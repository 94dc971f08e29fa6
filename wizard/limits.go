package wizard

import (
	"cmp"
	"net/netip"
	"strings"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/wizard/setupfile"
)

// Proof is what a finished session may claim, so that every driver's end
// (the TUI, the accessible mode, replay's words and --json) says the same
// and never more than was shown.
type Proof string

const (
	// ProofSent: a test message went out on the path the platform uses;
	// its verification code means something.
	ProofSent Proof = "sent"
	// ProofThisMachine: the test passed from this machine, but the
	// platform's servers cannot reach or cannot trust the server as
	// tested (the warnings say why).
	ProofThisMachine Proof = "this_machine_only"
	// ProofNothingSent: the platform's own mail service; nothing was
	// sent, so no verification code is claimed.
	ProofNothingSent Proof = "nothing_sent"
)

// Proof says what this session proved. Only meaningful once Next is Done.
func (s *Session) Proof() Proof { return proofOf(s.connection().ChannelID(), s.Limits()) }

// Limits are the warnings about what a passing test does not prove for
// the platform (config.local_server, config.private_ca).
func (s *Session) Limits() []setupfile.Warning {
	m := s.connection()
	return limits(s.prefix(), m.ChannelID(), servedBy(m.SMTP, m.Google, m.Microsoft))
}

// SendsAs is the address mail goes out as on the platform's own mail
// service (<account>-jobs@<mail domain>); "" on other channels.
func (s *Session) SendsAs() string {
	if s.Proof() != ProofNothingSent {
		return ""
	}
	return s.Setup.InboundAddress()
}

// LimitsOf are a mailbox's limits, for the export and the report.
func LimitsOf(m setupfile.EffectiveMailbox) []setupfile.Warning {
	return limits(m.Key, m.Channel, servedBy(m.SMTP, m.Google, m.Microsoft))
}

func proofOf(ch providers.Channel, ws []setupfile.Warning) Proof {
	switch {
	case !providers.SpecOf(ch).Sends:
		return ProofNothingSent
	case len(ws) > 0:
		return ProofThisMachine
	}
	return ProofSent
}

// server is the mail server a channel's live test talked to, as the
// setup names it, and the keys that name it. The direct integrations name
// one only when a block overrides smtp_host or ca_file (a test hook, as
// against a company's own relay): then the test proved that server, not
// the provider's.
type server struct {
	host, caFile   string
	hostKey, caKey string
}

// servedBy picks the blocks' servers; limits keeps the one of the channel.
func servedBy(c *setupfile.SMTP, g *setupfile.Google, ms *setupfile.Microsoft) map[providers.Channel]server {
	out := map[providers.Channel]server{}
	if c != nil {
		out[providers.ChannelSMTP] = server{c.Host, c.CAFile, ".smtp.host", ".smtp.ca_file"}
	}
	if g != nil {
		out[providers.ChannelGoogle] = server{cmp.Or(g.SMTPHost, providerSMTPHost["google"]), g.CAFile,
			".google.smtp_host", ".google.ca_file"}
	}
	if ms != nil {
		out[providers.ChannelMicrosoft] = server{cmp.Or(ms.SMTPHost, providerSMTPHost["microsoft"]), ms.CAFile,
			".microsoft.smtp_host", ".microsoft.ca_file"}
	}
	return out
}

// limits is the one rule behind Limits, LimitsOf and Proof: a server the
// platform cannot reach, or trusts only through a CA file of this machine,
// limits what a passed test proves, on every channel that names one.
func limits(prefix string, ch providers.Channel, servers map[providers.Channel]server) []setupfile.Warning {
	sv, ok := servers[ch]
	if !ok {
		return nil
	}
	var ws []setupfile.Warning
	if kind := LocalHostKind(sv.host); kind != "" {
		key := prefix + sv.hostKey
		ws = append(ws, setupfile.Warning{Key: key, Diagnosis: providers.Diagnosis{Code: providers.CodeConfigLocalServer,
			Actor: providers.ActorMailAdmin, Field: key, Args: map[string]string{"host": sv.host, "kind": kind}}})
	}
	if sv.caFile != "" {
		key := prefix + sv.caKey
		ws = append(ws, setupfile.Warning{Key: key, Diagnosis: providers.Diagnosis{Code: providers.CodeConfigPrivateCA,
			Actor: providers.ActorMailAdmin, Field: key, Args: map[string]string{"host": sv.host, "path": sv.caFile}}})
	}
	return ws
}

// isLimit tells the codes limits gives.
func isLimit(c providers.Code) bool {
	return c == providers.CodeConfigLocalServer || c == providers.CodeConfigPrivateCA
}

// Kinds of a host the platform's servers on the internet cannot reach.
const (
	HostLoopback    = "loopback"
	HostPrivate     = "private"
	HostLinkLocal   = "link_local"
	HostLocalDomain = "local_domain" // .local (mDNS), .localhost, .internal, .lan, .home.arpa
	HostSingleLabel = "single_label" // no domain: only this network's resolver knows it
)

// localSuffixes are names no public resolver answers.
var localSuffixes = []string{".local", ".localhost", ".internal", ".lan", ".home.arpa"}

// LocalHostKind says why the platform cannot reach host ("" when it can,
// as far as the name tells). It looks at the name only, never at DNS:
// the rule must give the same answer in every driver and offline.
func LocalHostKind(host string) string {
	h := strings.ToLower(strings.TrimSuffix(strings.Trim(strings.TrimSpace(host), "[]"), "."))
	if h == "" {
		return ""
	}
	if ip, err := netip.ParseAddr(h); err == nil {
		ip = ip.Unmap()
		switch {
		case ip.IsLoopback() || ip.IsUnspecified():
			return HostLoopback
		case ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast():
			return HostLinkLocal
		case ip.IsPrivate() || cgnat.Contains(ip):
			return HostPrivate
		}
		return ""
	}
	if h == "localhost" {
		return HostLoopback
	}
	for _, s := range localSuffixes {
		if strings.HasSuffix(h, s) {
			return HostLocalDomain
		}
	}
	if !strings.Contains(h, ".") {
		return HostSingleLabel
	}
	return ""
}

// cgnat is the carrier-grade NAT range (RFC 6598): private in effect.
var cgnat = netip.MustParsePrefix("100.64.0.0/10")
