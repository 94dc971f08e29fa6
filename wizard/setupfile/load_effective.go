package setupfile

import (
	"cmp"
	"fmt"
	"maps"
	"net/netip"
	"strings"

	"github.com/jobmail/jobmail/providers"
)

// EffectiveMailbox is one mailbox the platform sends as, with every
// default and every inherited setting filled in: what the live test uses
// and the export describes. Only the settings block of Channel is set.
type EffectiveMailbox struct {
	Key           string // setup-file key prefix: "company" or "entities[2]"
	Name          string // "company" for the company, else the entity's name
	Address       string
	SenderName    string // company | employee
	Forwarding    string // done | later | "" (not answered)
	Channel       providers.Channel
	SMTP          *SMTP
	Google        *Google
	Microsoft     *Microsoft
	Prerequisites map[string]bool
	// Inherited is set for an entity without an address of its own: it is
	// the company's mailbox and connection under the entity's name.
	Inherited bool
}

// CompanyName is the Name of the company's EffectiveMailbox.
const CompanyName = "company"

// Effective is the setup's mailboxes, the company's first, each with the
// defaults (defaults.go) and the inheritance rule applied.
//
// Inheritance of an entity that has its own address (Inherit):
// sender_name and channel come from the company when not given. For the
// connection, an entity that names no host of its own, or the company's
// host, uses the company's server (security, port, ca_file, each
// overridable; a changed security brings its own default port); one that
// names another host inherits nothing of the company's server. OAuth
// client settings (client_id, tenant, endpoints, smtp_host/smtp_port/
// ca_file) are inherited field by field. Credentials
// are never inherited: username defaults to the entity's own address,
// password and refresh_token to the keyring (an entry per login), because
// a login belongs to one mailbox.
func (s *Setup) Effective() []EffectiveMailbox {
	company := effectiveOf("company", CompanyName, &s.Company, nil)
	out := []EffectiveMailbox{company}
	for i := range s.Entities {
		e := &s.Entities[i]
		key := EntityKey(i)
		if e.Address == "" {
			m := effectiveOf(key, e.Name, &s.Company, nil)
			m.Inherited = true
			if e.SenderName != "" {
				m.SenderName = e.SenderName
			}
			out = append(out, m)
			continue
		}
		out = append(out, effectiveOf(key, e.Name, &e.Mailbox, &s.Company))
	}
	return out
}

func effectiveOf(key, name string, m, parent *Mailbox) EffectiveMailbox {
	if parent != nil {
		inh := Inherit(m, parent)
		m = &inh
	}
	e := EffectiveMailbox{
		Key: key, Name: name, Address: m.Address, Forwarding: m.Forwarding,
		SenderName:    cmp.Or(m.SenderName, DefaultSenderName),
		Channel:       cmp.Or(providers.Channel(m.Channel), DefaultChannel),
		Prerequisites: maps.Clone(m.Prerequisites),
	}
	blockOf(e.Channel).effective(m, &e)
	return e
}

// Inherit is the inheritance rule (see Setup.Effective) and the
// only place it is written: own's settings with the parent's filled in
// where own leaves them out, before any default. Setup.Effective applies
// it to entities read from a file; an entity session (NewEntitySession)
// takes its questions' defaults from it and tests with its result.
// Credentials are never inherited.
func Inherit(own, parent *Mailbox) Mailbox {
	m := Mailbox{Address: own.Address, Forwarding: own.Forwarding,
		SenderName:    cmp.Or(own.SenderName, parent.SenderName),
		Channel:       cmp.Or(own.Channel, parent.Channel),
		Prerequisites: maps.Clone(own.Prerequisites),
	}
	blockOf(m.ChannelID()).inherit(own, parent, &m)
	return m
}

// inheritSMTP: an entity that names no host, or the company's host, uses
// the company's server; a setting equal to the company's counts as
// inherited, so accepting the wizard's prefills keeps the server whole.
// Security and port go together: a changed security brings its own
// default port.
func inheritSMTP(own SMTP, parent *SMTP) SMTP {
	if parent == nil || (own.Host != "" && !strings.EqualFold(asciiHost(own.Host), asciiHost(parent.Host))) {
		return own
	}
	c := own
	c.Host = cmp.Or(own.Host, parent.Host)
	if own.Security == "" || own.Security == parent.Security {
		c.Security = parent.Security
		c.Port = cmp.Or(own.Port, parent.Port)
	}
	c.CAFile = cmp.Or(own.CAFile, parent.CAFile)
	return c
}

// derefOr is *p, or the zero value for nil.
func derefOr[T any](p *T) T {
	var v T
	if p != nil {
		v = *p
	}
	return v
}

// ConnectionKey identifies what a live test of this mailbox exercises:
// the channel, its settings and credentials reference, and the address
// the test message is sent as (send-as rights are per address). Mailboxes
// with equal keys need one test between them; an entity without an
// address of its own always shares the company's key.
func (e EffectiveMailbox) ConnectionKey() string {
	addr := strings.ToLower(e.Address)
	if c, err := CanonicalAddress(e.Address); err == nil {
		addr = strings.ToLower(c)
	}
	parts, ok := blockOf(e.Channel).connection(e)
	if !ok {
		return string(providers.ChannelPlatform) // nothing to connect to
	}
	parts = append(parts, addr)
	return fmt.Sprintf("%s%q", e.Channel, parts)
}

// asciiHost is a host name as the resolver and TLS need it: punycode,
// lower case (mail.bücher.de → mail.xn--bcher-kva.de). IP addresses and
// invalid names are returned unchanged; validation reports the latter.
func asciiHost(h string) string {
	if h == "" || alreadyASCII(h) {
		return h
	}
	return mappedHost(h)
}

// mappedHost is asciiHost through the IDNA mapping.
func mappedHost(h string) string {
	if hostProblem(h, true) != "" {
		return h
	}
	if _, err := netip.ParseAddr(strings.Trim(h, "[]")); err == nil {
		return h
	}
	if a, d := hostnameProblem(h); d == "" {
		return a
	}
	return h
}

// alreadyASCII reports whether asciiHost would return h as it is whatever
// its validity: lower-case letters, digits, dots and hyphens, no trailing
// dot. A valid such name is its own punycode (and an IP address stays as
// written), an invalid one is returned unchanged; either way the IDNA
// mapping, run for every mailbox of a replay, can be skipped.
func alreadyASCII(h string) bool {
	for i := 0; i < len(h); i++ {
		if c := h[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
			return false
		}
	}
	return h[len(h)-1] != '.'
}
