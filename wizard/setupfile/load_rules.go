package setupfile

import (
	"errors"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/secrets"
)

// checker applies the value validators and the cross-field rules to a
// structurally sound setup. lines may be nil (a setup built in memory):
// then a zero value counts as absent.
type checker struct {
	lines  Lines
	nulls  map[string]bool
	opts   LoadOptions
	errs   []*FieldError
	warns  []Warning
	warned map[warning]bool // each (key, code) once
	// verdicts judge each value once (a file once, however many keys
	// name it) and stay with the loaded setup (Setup.Valid).
	verdicts *verdicts
}

func newChecker(lines Lines, nulls map[string]bool, opts LoadOptions) *checker {
	if opts.ReadFile == nil {
		opts.ReadFile = ReadFileLimited
	}
	if opts.CheckReadable == nil {
		opts.CheckReadable = CheckReadable
	}
	return &checker{lines: lines, nulls: nulls, opts: opts, verdicts: newVerdicts(opts), warned: map[warning]bool{}}
}

// by is rule's validator, judging each value once.
func (c *checker) by(rule Rule) func(string) error {
	return func(v string) error {
		return c.verdicts.judge(rule, v, nil, false)
	}
}

// add records a validator's error at key; other errors become "invalid".
func (c *checker) add(key string, err error) {
	if err == nil || len(c.errs) > maxErrors {
		return
	}
	var fe *FieldError
	if !errors.As(err, &fe) {
		fe = &FieldError{Reason: "invalid", Err: err}
	}
	fe.Key = key
	fe.Line = c.lines.Line(key)
	c.errs = append(c.errs, fe)
}

// present reports whether key is written in the file, even as null.
func (c *checker) present(key string) bool {
	_, ok := c.lines[key]
	return ok
}

// given reports whether key is written with a value: null counts as
// absent, but an explicit "" is a value (and fails its validator, so that
// `ca_file: ""` is not silently taken for "no CA file").
func (c *checker) given(key string) bool { return c.present(key) && !c.nulls[key] }

// optional validates v at key when it is given.
func (c *checker) optional(key, v string, validate func(string) error) {
	if v != "" || c.given(key) {
		c.add(key, validate(v))
	}
}

// required validates v at key; an absent value is an error unless the
// file is partial.
func (c *checker) required(key, v string, validate func(string) error) {
	if v == "" && c.opts.Partial {
		return
	}
	c.add(key, validate(v))
}

func (c *checker) port(key string, n int) {
	if n != 0 || c.given(key) {
		c.add(key, c.verdicts.judge(RulePort, strconv.Itoa(n), func() error { return ValidatePortNumber(n) }, false))
	}
}

type warning struct {
	key  string
	code providers.Code
}

func (c *checker) warn(key string, code providers.Code, args map[string]string) {
	if c.warned[warning{key, code}] {
		return
	}
	c.warned[warning{key, code}] = true
	c.warns = append(c.warns, Warning{Key: key, Diagnosis: providers.Diagnosis{
		Code: code, Actor: providers.ActorUser, Field: key, Args: args}})
}

func (c *checker) setup(s *Setup) {
	switch {
	case s.Version == 0 && !c.given("version"):
		if !c.opts.Partial {
			c.add("version", reasonErr(ReasonRequired, nil))
		}
	case s.Version != SetupVersion:
		c.add("version", reasonErr(ReasonVersionUnsupported, map[string]string{
			"version": strconv.Itoa(s.Version), "supported": strconv.Itoa(SetupVersion)}))
	}
	p := &s.Platform
	c.optional("platform.name", p.Name, ValidatePlatformName)
	c.required("platform.account", p.Account, c.by(RuleAccount))
	c.optional("platform.mail_domain", p.MailDomain, ValidateMailDomain)
	for i, ip := range p.OutgoingIPs {
		c.add("platform.outgoing_ips["+strconv.Itoa(i)+"]", ValidateCIDR(ip))
	}
	if a := p.Microsoft; a != nil {
		c.optional("platform.microsoft.client_id", a.ClientID, c.by(RuleClientID))
		c.optional("platform.microsoft.tenant", a.Tenant, c.by(RuleTenant))
		c.secretRef("platform.microsoft.client_secret", a.ClientSecret)
	}
	if a := p.Google; a != nil {
		c.optional("platform.google.client_id", a.ClientID, c.by(RuleClientID))
		c.optional("platform.google.tenant", a.Tenant, func(string) error { return reasonErr(ReasonUnknownKey, nil) })
		c.secretRef("platform.google.client_secret", a.ClientSecret)
	}
	if s.Progress != nil {
		c.optional("progress.step", s.Progress.Step, validateStep)
		c.optional("progress.field", s.Progress.Field, ValidatePlatformName)
	}
	c.mailbox("company", &s.Company, nil)
	c.entities(s)
}

func (c *checker) entities(s *Setup) {
	first := map[string]int{}
	for i := range s.Entities {
		e := &s.Entities[i]
		key := EntityKey(i)
		c.required(key+".name", e.Name, ValidateEntityName)
		norm := EntityNameKey(e.Name)
		if j, dup := first[norm]; dup && norm != "" {
			firstKey := EntityKey(j)
			c.add(key+".name", reasonErr(ReasonDuplicateEntity, map[string]string{
				"name": SafeArg(e.Name), "first_key": firstKey, "first_line": strconv.Itoa(c.lines.Line(firstKey))}))
		} else if norm != "" {
			first[norm] = i
		}
		if e.Address == "" { // absent, null or "": the company's mailbox
			c.inheriting(key, &e.Mailbox)
			continue
		}
		c.mailbox(key, &e.Mailbox, &s.Company)
	}
}

// inheriting checks an entity without an address: it uses the company's
// mailbox and connection, so connection settings of its own would be
// silently ignored; they are refused instead.
func (c *checker) inheriting(key string, m *Mailbox) {
	c.optional(key+".sender_name", m.SenderName, c.by(RuleSenderName))
	own := []struct {
		name string
		set  bool
	}{
		{"forwarding", m.Forwarding != ""}, {"channel", m.Channel != ""},
		{"smtp", m.SMTP != nil}, {"google", m.Google != nil}, {"microsoft", m.Microsoft != nil},
		{"prerequisites", len(m.Prerequisites) > 0},
	}
	for _, o := range own {
		if o.set || c.present(key+"."+o.name) {
			c.add(key+"."+o.name, reasonErr(ReasonEntityInherits, nil))
		}
	}
}

func (c *checker) mailbox(key string, m, parent *Mailbox) {
	c.required(key+".address", m.Address, c.by(RuleAddress))
	c.optional(key+".sender_name", m.SenderName, c.by(RuleSenderName))
	c.optional(key+".forwarding", m.Forwarding, c.by(RuleForwarding))
	c.optional(key+".channel", m.Channel, c.by(RuleChannel))
	for _, id := range sortedStrings(m.Prerequisites) {
		c.add(key+".prerequisites."+safeKey(id), ValidatePrerequisiteID(id))
	}
	if m.SMTP != nil {
		c.smtp(key+".smtp", m.SMTP)
	}
	if m.Google != nil {
		c.google(key+".google", m.Google)
	}
	if m.Microsoft != nil {
		c.microsoft(key+".microsoft", m.Microsoft)
	}
	e := effectiveOf(key, "", m, parent)
	blockOf(e.Channel).check(c, key, m, e)
}

// smtpRules are the smtp block's cross-field rules, on the mailbox as
// tested (e: inheritance and defaults applied): a host is required
// (possibly the company's), a login other than the address and a
// security without verification or encryption are warned about.
func (c *checker) smtpRules(key string, m *Mailbox, e EffectiveMailbox) {
	if e.SMTP == nil {
		return
	}
	if e.SMTP.Host == "" && !c.opts.Partial {
		c.add(key+".smtp.host", reasonErr(ReasonRequired, map[string]string{"channel": string(e.Channel)}))
	}
	if m.Address != "" && c.by(RuleAddress)(m.Address) == nil && !SameAddress(e.SMTP.Username, m.Address) {
		c.warn(key+".smtp.username", providers.CodeConfigUsernameMismatch,
			map[string]string{"username": SafeArg(e.SMTP.Username), "address": SafeArg(m.Address)})
	}
	secKey := key + ".smtp.security"
	if m.SMTP == nil || m.SMTP.Security == "" {
		secKey = "company.smtp.security" // inherited: the warning belongs where it is set
	}
	switch providers.Security(e.SMTP.Security) {
	case providers.SecurityStartTLSNoVerify:
		c.warn(secKey, providers.CodeConfigNoVerify, map[string]string{"host": SafeArg(e.SMTP.Host)})
	case providers.SecurityNone:
		c.warn(secKey, providers.CodeConfigInsecure, map[string]string{"host": SafeArg(e.SMTP.Host)})
	}
}

func (c *checker) smtp(key string, s *SMTP) {
	c.optional(key+".host", s.Host, c.by(RuleHost))
	c.port(key+".port", s.Port)
	c.optional(key+".security", s.Security, c.by(RuleSecurity))
	c.optional(key+".username", s.Username, c.by(RuleUsername))
	c.secretRef(key+".password", s.Password)
	c.caFile(key+".ca_file", s.CAFile)
}

func (c *checker) google(key string, g *Google) {
	c.optional(key+".client_id", g.ClientID, c.by(RuleClientID))
	c.secretRef(key+".client_secret", g.ClientSecret)
	c.secretRef(key+".refresh_token", g.RefreshToken)
	c.optional(key+".auth_url", g.AuthURL, c.by(RuleURL))
	c.optional(key+".token_url", g.TokenURL, c.by(RuleURL))
	c.optional(key+".smtp_host", g.SMTPHost, c.by(RuleHost))
	c.port(key+".smtp_port", g.SMTPPort)
	c.caFile(key+".ca_file", g.CAFile)
}

func (c *checker) microsoft(key string, m *Microsoft) {
	c.optional(key+".tenant", m.Tenant, c.by(RuleTenant))
	c.optional(key+".client_id", m.ClientID, c.by(RuleClientID))
	c.secretRef(key+".refresh_token", m.RefreshToken)
	c.optional(key+".authority_url", m.AuthorityURL, c.by(RuleURL))
	c.optional(key+".smtp_host", m.SMTPHost, c.by(RuleHost))
	c.port(key+".smtp_port", m.SMTPPort)
	c.caFile(key+".ca_file", m.CAFile)
}

// secretRef checks a reference and, for file:, that the file can be
// opened; the secret itself is not read.
func (c *checker) secretRef(key, v string) {
	if v == "" && !c.given(key) {
		return // absent: keyring
	}
	if err := c.by(RuleSecretRef)(v); err != nil {
		c.add(key, err)
		return
	}
	if ref, _ := secrets.ParseRef(v); ref.Kind == secrets.RefFile {
		c.add(key, c.by(RuleSecretFile)(ref.Arg))
	}
}

func (c *checker) caFile(key, v string) {
	if v == "" && !c.given(key) {
		return
	}
	c.add(key, c.by(RuleCAFile)(v))
}

// validateStep checks progress.step: a state name (lower-case word).
func validateStep(v string) error {
	if v == "" {
		return reasonErr(ReasonRequired, nil)
	}
	for i := 0; i < len(v); i++ {
		if ch := v[i]; !(ch >= 'a' && ch <= 'z' || ch == '_') || i >= 32 {
			return reasonErr(ReasonStepInvalid, map[string]string{"value": SafeArg(v)})
		}
	}
	return nil
}

func sortedStrings(m map[string]bool) []string { return slices.Sorted(maps.Keys(m)) }

// EntityNameKey is how entity names are compared for uniqueness: case and
// runs of spaces do not make two entities different.
func EntityNameKey(name string) string {
	return strings.ToLower(strings.Join(strings.Fields(name), " "))
}
