package setupfile

import (
	"cmp"
	"strconv"
	"strings"

	"github.com/jobmail/jobmail/providers"
)

// block is a channel's settings block as the setup file knows it: its
// defaults, how an entity inherits it from the company, and what a live
// test of it exercises. It lives with the model because a new channel
// brings a block of its own to Mailbox anyway; the rest of a channel's
// behaviour is wizard's channel table and providers.SpecOf.
type block interface {
	// effective fills e's block from m with the defaults applied.
	effective(m *Mailbox, e *EffectiveMailbox)
	// inherit puts into out the block of own with parent's filled in
	// where own leaves it out (credentials never inherited).
	inherit(own, parent *Mailbox, out *Mailbox)
	// connection lists what a test of e exercises besides the address
	// (EffectiveMailbox.ConnectionKey); false: nothing to connect to.
	connection(e EffectiveMailbox) ([]string, bool)
	// check applies the block's cross-field rules to the mailbox at key
	// as written (m) and as tested (e), when e's channel is this one.
	check(c *checker, key string, m *Mailbox, e EffectiveMailbox)
}

// blocks is the one table of settings blocks, by channel.
var blocks = map[providers.Channel]block{
	providers.ChannelPlatform:  platformBlock{},
	providers.ChannelGoogle:    googleBlock{},
	providers.ChannelMicrosoft: microsoftBlock{},
	providers.ChannelSMTP:      smtpBlock{},
}

// blockOf is ch's block; an unknown or empty channel is the platform's own
// service (the setup file's default), which has none.
func blockOf(ch providers.Channel) block {
	if b, ok := blocks[ch]; ok {
		return b
	}
	return platformBlock{}
}

// platformBlock: the platform's own mail service has nothing to set.
type platformBlock struct{}

func (platformBlock) effective(*Mailbox, *EffectiveMailbox) {}

func (platformBlock) inherit(_, _ *Mailbox, _ *Mailbox) {}

func (platformBlock) connection(EffectiveMailbox) ([]string, bool) { return nil, false }

func (platformBlock) check(*checker, string, *Mailbox, EffectiveMailbox) {}

// smtpBlock: the company's own SMTP server.
type smtpBlock struct{}

func (smtpBlock) effective(m *Mailbox, e *EffectiveMailbox) {
	c := DefaultSMTP(m.SMTP, m.Address)
	e.SMTP = &c
}

func (smtpBlock) inherit(own, parent *Mailbox, out *Mailbox) {
	c := inheritSMTP(derefOr(own.SMTP), parent.SMTP)
	out.SMTP = &c
}

func (smtpBlock) connection(e EffectiveMailbox) ([]string, bool) {
	c := e.SMTP
	if c == nil {
		return nil, false
	}
	return []string{strings.ToLower(c.Host), strconv.Itoa(c.Port), c.Security, c.Username, c.Password, c.CAFile}, true
}

func (smtpBlock) check(c *checker, key string, m *Mailbox, e EffectiveMailbox) {
	c.smtpRules(key, m, e)
}

// googleBlock: Google Workspace's direct integration.
type googleBlock struct{}

func (googleBlock) effective(m *Mailbox, e *EffectiveMailbox) {
	g := derefOr(m.Google)
	g.RefreshToken = cmp.Or(g.RefreshToken, DefaultSecretRef)
	g.SMTPHost = asciiHost(g.SMTPHost)
	e.Google = &g
}

func (googleBlock) inherit(own, parent *Mailbox, out *Mailbox) {
	g, p := derefOr(own.Google), derefOr(parent.Google)
	out.Google = &Google{
		ClientID:     cmp.Or(g.ClientID, p.ClientID),
		RefreshToken: g.RefreshToken,
		AuthURL:      cmp.Or(g.AuthURL, p.AuthURL),
		TokenURL:     cmp.Or(g.TokenURL, p.TokenURL),
		SMTPHost:     cmp.Or(g.SMTPHost, p.SMTPHost),
		SMTPPort:     cmp.Or(g.SMTPPort, p.SMTPPort),
		CAFile:       cmp.Or(g.CAFile, p.CAFile),
	}
}

func (googleBlock) connection(e EffectiveMailbox) ([]string, bool) {
	g := e.Google
	if g == nil {
		return nil, false
	}
	return []string{g.ClientID, g.RefreshToken, g.AuthURL, g.TokenURL, strings.ToLower(g.SMTPHost), strconv.Itoa(g.SMTPPort), g.CAFile}, true
}

func (googleBlock) check(*checker, string, *Mailbox, EffectiveMailbox) {}

// microsoftBlock: Microsoft 365's direct integration.
type microsoftBlock struct{}

func (microsoftBlock) effective(m *Mailbox, e *EffectiveMailbox) {
	ms := derefOr(m.Microsoft)
	ms.RefreshToken = cmp.Or(ms.RefreshToken, DefaultSecretRef)
	ms.SMTPHost = asciiHost(ms.SMTPHost)
	e.Microsoft = &ms
}

func (microsoftBlock) inherit(own, parent *Mailbox, out *Mailbox) {
	ms, p := derefOr(own.Microsoft), derefOr(parent.Microsoft)
	out.Microsoft = &Microsoft{
		Tenant:       cmp.Or(ms.Tenant, p.Tenant),
		ClientID:     cmp.Or(ms.ClientID, p.ClientID),
		RefreshToken: ms.RefreshToken,
		AuthorityURL: cmp.Or(ms.AuthorityURL, p.AuthorityURL),
		SMTPHost:     cmp.Or(ms.SMTPHost, p.SMTPHost),
		SMTPPort:     cmp.Or(ms.SMTPPort, p.SMTPPort),
		CAFile:       cmp.Or(ms.CAFile, p.CAFile),
	}
}

func (microsoftBlock) connection(e EffectiveMailbox) ([]string, bool) {
	m := e.Microsoft
	if m == nil {
		return nil, false
	}
	return []string{strings.ToLower(m.Tenant), m.ClientID, m.RefreshToken, m.AuthorityURL, strings.ToLower(m.SMTPHost), strconv.Itoa(m.SMTPPort), m.CAFile}, true
}

func (microsoftBlock) check(*checker, string, *Mailbox, EffectiveMailbox) {}
