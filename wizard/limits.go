package wizard

import (
	"net/netip"
	"strings"

	"github.com/jobmail/jobmail/providers"
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
func (s *Session) Limits() []Warning {
	m := s.connection()
	return limits(s.prefix(), m.ChannelID(), m.SMTP)
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
func LimitsOf(m EffectiveMailbox) []Warning { return limits(m.Key, m.Channel, m.SMTP) }

// ProofOf is Proof for a mailbox of a loaded setup.
func ProofOf(m EffectiveMailbox) Proof { return proofOf(m.Channel, LimitsOf(m)) }

func proofOf(ch providers.Channel, ws []Warning) Proof {
	switch {
	case ch != providers.ChannelSMTP && ch != providers.ChannelGoogle && ch != providers.ChannelMicrosoft:
		return ProofNothingSent
	case len(ws) > 0:
		return ProofThisMachine
	}
	return ProofSent
}

// limits is the one rule behind Limits, LimitsOf and Proof: only the smtp
// channel names a server of the customer's.
func limits(prefix string, ch providers.Channel, c *SMTP) []Warning {
	if ch != providers.ChannelSMTP || c == nil {
		return nil
	}
	var ws []Warning
	if kind := LocalHostKind(c.Host); kind != "" {
		key := prefix + ".smtp.host"
		ws = append(ws, Warning{Key: key, Diagnosis: providers.Diagnosis{Code: providers.CodeConfigLocalServer,
			Actor: providers.ActorMailAdmin, Field: key, Args: map[string]string{"host": c.Host, "kind": kind}}})
	}
	if c.CAFile != "" {
		key := prefix + ".smtp.ca_file"
		ws = append(ws, Warning{Key: key, Diagnosis: providers.Diagnosis{Code: providers.CodeConfigPrivateCA,
			Actor: providers.ActorMailAdmin, Field: key, Args: map[string]string{"host": c.Host, "path": c.CAFile}}})
	}
	return ws
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
