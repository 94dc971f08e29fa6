package wizard

import (
	"cmp"
	"strconv"
	"strings"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/providers/discover"
	"github.com/jobmail/jobmail/wizard/setupfile"
)

// Where the SMTP questions' defaults come from, in this order: the server
// discovery found and tested (Session.Suggested), the built-in provider
// table (no network needed: it still fills in when DNS and probing fail),
// the well-known host of the provider detected from MX. The question
// carries the source (Args "prefill", "prefill_name") so that every driver
// says where a value it did not get from the person comes from.
const (
	PrefillProbe     = "probe"     // discovery connected to it
	PrefillWellKnown = "wellknown" // jobmail's table of known providers
	PrefillProvider  = "provider"  // the provider's usual host (MX)
)

// prefill is the server the SMTP questions offer before the person says
// otherwise.
type prefill struct {
	Host     string
	Port     int
	Security string
	Username string
	Source   string // Prefill*; "" when nothing is known
	Name     string // the provider's name (table)
}

func (s *Session) prefill() prefill {
	if sg := s.Suggested; sg.Host != "" {
		return prefill{Host: sg.Host, Port: sg.Port, Security: sg.Security, Username: sg.Username, Source: PrefillProbe}
	}
	if k, ok := discover.LookupKnown(s.Mailbox().Address, s.MX); ok {
		return prefill{Host: k.Host, Port: k.Port, Security: string(k.Security), Username: k.Username,
			Source: PrefillWellKnown, Name: k.Provider}
	}
	if h := providerSMTPHost[s.Provider]; h != "" {
		return prefill{Host: h, Source: PrefillProvider}
	}
	return prefill{}
}

// prefillArgs are the question arguments that say where v, the value
// shown, comes from: nothing when the person gave it or it is no prefill.
func (p prefill) args(shown, prefilled string) map[string]string {
	if p.Source == "" || shown == "" || shown != prefilled {
		return nil
	}
	return map[string]string{"prefill": p.Source, "prefill_name": p.Name}
}

// Transport options: port and encryption as one choice. "other" asks
// encryption and port one by one (any port, the unverified modes).
const TransportOther = "other"

// TransportOptions are the common pairs, best first.
var TransportOptions = []string{"starttls-587", "smtps-465", "starttls-25", "starttls-2525"}

// TransportValue is the choice for a security and port ("starttls-587").
func TransportValue(sec string, port int) string {
	return sec + "-" + strconv.Itoa(port)
}

// ParseTransport splits a transport value into its security and port.
func ParseTransport(v string) (providers.Security, int, error) {
	i := strings.LastIndex(v, "-")
	if i <= 0 {
		return "", 0, &setupfile.FieldError{Reason: setupfile.ReasonSecurityInvalid, Args: map[string]string{"value": v}}
	}
	sec, port := v[:i], v[i+1:]
	if err := setupfile.ValidateSecurity(sec); err != nil {
		return "", 0, err
	}
	if err := setupfile.ValidatePort(port); err != nil {
		return "", 0, err
	}
	n, _ := strconv.Atoi(port) // validated
	return providers.Security(sec), n, nil
}

// transportField asks port and encryption as one choice (interactive
// runs; a setup file has the two keys, replayed one by one with their own
// errors). Choosing "other" asks smtp.security and smtp.port next.
func (s *Session) transportField(c func() setupfile.SMTP, w func() *setupfile.SMTP) field {
	pair := func(sec string, port int) string {
		sec = cmp.Or(sec, string(setupfile.DefaultSecurity))
		if port == 0 {
			port = setupfile.DefaultPort(providers.Security(sec))
		}
		return TransportValue(sec, port)
	}
	def := func(s *Session) string {
		p := s.prefill()
		if p.Security == "" && p.Port == 0 {
			return TransportOptions[0]
		}
		return pair(p.Security, p.Port)
	}
	inherit := func(m *setupfile.Mailbox) string {
		if v := derefOr(m.SMTP); v.Security != "" || v.Port != 0 {
			return pair(v.Security, v.Port)
		}
		return ""
	}
	return field{name: FieldSMTPTransport, state: StatePrerequisites, kind: KindSelect, optional: true, keepsRest: true,
		covers: []string{"smtp.security", "smtp.port"},
		when:   func(s *Session) bool { return s.Interactive },
		options: func(s *Session) []string {
			opts := append([]string{}, TransportOptions...)
			cur := def(s)
			if v := s.inheritedDefault(field{inherit: inherit}); v != "" {
				cur = v
			}
			if v := c(); v.Security != "" || v.Port != 0 {
				cur = pair(v.Security, v.Port)
			}
			if !containsString(opts, cur) {
				opts = append([]string{cur}, opts...) // the server's own pair, one keystroke away
			}
			return append(opts, TransportOther)
		},
		def:     def,
		inherit: inherit,
		source: func(s *Session, shown string) map[string]string {
			p := s.prefill()
			if p.Security == "" && p.Port == 0 {
				return nil
			}
			return p.args(shown, pair(p.Security, p.Port))
		},
		get: func(s *Session) (string, bool) {
			if s.transportOther {
				return TransportOther, true
			}
			if v := c(); v.Security != "" && v.Port != 0 {
				return pair(v.Security, v.Port), true
			}
			return "", false
		},
		set: func(s *Session, v string) error {
			if v == TransportOther {
				s.transportOther = true
				return nil
			}
			sec, port, err := ParseTransport(v)
			if err != nil {
				return err
			}
			s.transportOther = false
			b := w()
			if err := setWith(&b.Security, string(sec), nil); err != nil {
				return err
			}
			return setInt(&b.Port, strconv.Itoa(port), setupfile.ValidatePort)
		}}
}

// asksSeparately: encryption and port are their own questions in a
// replay, and interactively once "other" was chosen.
func (s *Session) asksSeparately() bool { return !s.Interactive || s.transportOther }

func containsString(vs []string, v string) bool {
	for _, x := range vs {
		if x == v {
			return true
		}
	}
	return false
}

// secondLevel are the labels under a country code that companies do not
// own (acme.co.uk: the company is acme, not co).
var secondLevel = map[string]bool{"co": true, "com": true, "org": true, "net": true, "gov": true, "ac": true, "edu": true, "or": true, "ne": true}

// SuggestAccount guesses the platform account from an address: the
// company's name in its domain (jobs@acme.de → acme, jobs@mail.acme.co.uk
// → acme). "" when nothing valid comes out; the person confirms it.
func SuggestAccount(address string) string {
	at := strings.LastIndex(address, "@")
	if at < 0 {
		return ""
	}
	labels := strings.Split(strings.ToLower(strings.TrimSuffix(address[at+1:], ".")), ".")
	if len(labels) < 2 {
		return ""
	}
	labels = labels[:len(labels)-1] // the top-level domain
	if n := len(labels); n >= 2 && secondLevel[labels[n-1]] {
		labels = labels[:n-1]
	}
	v := labels[len(labels)-1]
	if setupfile.ValidateAccount(v) != nil {
		return ""
	}
	return v
}
