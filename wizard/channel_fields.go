package wizard

import (
	"cmp"
	"strconv"
	"strings"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/wizard/setupfile"
)

// Well-known submission hosts for the detected provider; prefill only.
var providerSMTPHost = map[string]string{
	"google":    "smtp.gmail.com",
	"microsoft": "smtp.office365.com",
}

func (s *Session) smtpFields() []field {
	m := s.Mailbox()
	// Reading is pure: c is the block as it stands (or a zero one), and
	// only a setter allocates the mailbox's block (w).
	c := func() setupfile.SMTP { return derefOr(m.SMTP) }
	w := func() *setupfile.SMTP {
		if m.SMTP == nil {
			m.SMTP = &setupfile.SMTP{}
		}
		return m.SMTP
	}
	// Interactively the common ports are the transport choice; who chose
	// "another" types the port. A replay's port is an open choice.
	portKind, portOptions := KindSelect, constOptions("587", "465", "25", "2525")
	if s.Interactive {
		portKind, portOptions = KindInput, nil
	}
	fs := []field{
		{name: FieldSMTPHost, state: StatePrerequisites, kind: KindInput, keepsRest: true,
			// another server: its port, encryption and certificate may differ
			dependents: []string{"smtp.transport", "smtp.security", "smtp.port", "smtp.ca_file"},
			def:        func(s *Session) string { return s.prefill().Host },
			source:     func(s *Session, shown string) map[string]string { p := s.prefill(); return p.args(shown, p.Host) },
			inherit:    func(m *setupfile.Mailbox) string { return derefOr(m.SMTP).Host },
			get:        func(*Session) (string, bool) { return c().Host, c().Host != "" },
			set: func(_ *Session, v string) error {
				return setVia(func() *string { return &w().Host }, v, s.validSMTPHost)
			}},
		s.directField(field{name: "smtp.direct"}),
		s.transportField(c, w),
		{name: FieldSMTPSecurity, state: StatePrerequisites, kind: KindSelect, optional: true, keepsRest: true,
			when:    (*Session).asksSeparately,
			options: func(*Session) []string { return securityOptions() },
			def:     func(s *Session) string { return cmp.Or(s.prefill().Security, string(setupfile.DefaultSecurity)) },
			inherit: func(m *setupfile.Mailbox) string { return derefOr(m.SMTP).Security },
			get:     func(*Session) (string, bool) { return c().Security, c().Security != "" },
			set: func(_ *Session, v string) error {
				return setVia(func() *string { return &w().Security }, v, s.valid(setupfile.RuleSecurity))
			}},
		{name: FieldSMTPPort, state: StatePrerequisites, kind: portKind, optional: true, keepsRest: true,
			options: portOptions, open: portOptions != nil,
			when: (*Session).asksSeparately,
			def: func(s *Session) string {
				if p := s.prefill(); p.Port != 0 && (c().Security == "" || c().Security == p.Security) {
					return strconv.Itoa(p.Port)
				}
				return strconv.Itoa(setupfile.DefaultPort(providers.Security(c().Security)))
			},
			inherit: func(m *setupfile.Mailbox) string {
				if p := derefOr(m.SMTP).Port; p != 0 {
					return strconv.Itoa(p)
				}
				return ""
			},
			get: func(*Session) (string, bool) { return strconv.Itoa(c().Port), c().Port != 0 },
			set: func(_ *Session, v string) error {
				return setIntVia(func() *int { return &w().Port }, v, s.valid(setupfile.RulePort))
			}},
		{name: "smtp.username", state: StatePrerequisites, kind: KindInput, optional: true, keepsRest: true,
			dependents: []string{"smtp.password"}, // another account, another password
			def:        func(s *Session) string { return cmp.Or(s.prefill().Username, m.Address) },
			source:     func(s *Session, shown string) map[string]string { p := s.prefill(); return p.args(shown, p.Username) },
			get:        func(*Session) (string, bool) { return c().Username, c().Username != "" },
			set: func(_ *Session, v string) error {
				return setVia(func() *string { return &w().Username }, v, s.valid(setupfile.RuleUsername))
			}},
		{name: "smtp.password", state: StatePrerequisites, kind: KindPassword, keepsRest: true,
			optional: !s.Interactive, def: s.secretDefault,
			get: func(s *Session) (string, bool) {
				if s.Interactive {
					return "", !s.Password.Empty()
				}
				return c().Password, c().Password != ""
			},
			set: s.setPassword(func() *string { return &w().Password })},
		{name: "smtp.ca_file", state: StatePrerequisites, kind: KindInput, optional: true, keepsRest: true,
			when:    func(*Session) bool { return providers.Security(c().Security).Verifies() },
			inherit: func(m *setupfile.Mailbox) string { return derefOr(m.SMTP).CAFile },
			get:     func(*Session) (string, bool) { return c().CAFile, c().CAFile != "" },
			set: func(_ *Session, v string) error {
				return setVia(func() *string { return &w().CAFile }, v, validateOptional(s.valid(setupfile.RuleCAFile)))
			}},
	}
	for _, id := range smtpConfirmations(s.Provider, c().Host) {
		fs = append(fs, s.confirmField(id))
	}
	return fs
}

func (s *Session) googleFields() []field {
	m := s.Mailbox()
	g := func() setupfile.Google { return derefOr(m.Google) }
	w := func() *setupfile.Google {
		if m.Google == nil {
			m.Google = &setupfile.Google{}
		}
		return m.Google
	}
	return append(s.appFields(providers.ChannelGoogle, field{name: "google.app"}, field{name: "platform.google.client_id"}),
		s.clientIDField(providers.ChannelGoogle, field{name: "google.client_id"}, func(m *setupfile.Mailbox) string { return derefOr(m.Google).ClientID },
			func() string { return g().ClientID }, func() *string { return &w().ClientID }),
		field{name: "google.refresh_token", state: StatePrerequisites, kind: KindInput, optional: true,
			when: func(s *Session) bool { return !s.Interactive }, def: constDefault(setupfile.DefaultSecretRef),
			get: func(*Session) (string, bool) { return g().RefreshToken, g().RefreshToken != "" },
			set: func(_ *Session, v string) error {
				return setVia(func() *string { return &w().RefreshToken }, v, s.valid(setupfile.RuleSecretRef))
			}},
		s.confirmField("not_shared_mailbox"),
		s.confirmField("admin_rights_or_consent"),
	)
}

func (s *Session) microsoftFields() []field {
	m := s.Mailbox()
	ms := func() setupfile.Microsoft { return derefOr(m.Microsoft) }
	w := func() *setupfile.Microsoft {
		if m.Microsoft == nil {
			m.Microsoft = &setupfile.Microsoft{}
		}
		return m.Microsoft
	}
	tenantState := StatePrerequisites
	if s.appChoiceOf(providers.ChannelMicrosoft) == AppChoiceOwn {
		tenantState = StateChannel // the own app's directory, asked with its id
	}
	return append(s.appFields(providers.ChannelMicrosoft, field{name: "microsoft.app"}, field{name: "platform.microsoft.client_id"}),
		field{name: "microsoft.tenant", state: tenantState, kind: KindInput, optional: true,
			def:     func(*Session) string { return "organizations" },
			inherit: func(m *setupfile.Mailbox) string { return derefOr(m.Microsoft).Tenant },
			get:     func(*Session) (string, bool) { return ms().Tenant, ms().Tenant != "" },
			set: func(_ *Session, v string) error {
				return setVia(func() *string { return &w().Tenant }, v, s.valid(setupfile.RuleTenant))
			}},
		s.clientIDField(providers.ChannelMicrosoft, field{name: "microsoft.client_id"}, func(m *setupfile.Mailbox) string { return derefOr(m.Microsoft).ClientID },
			func() string { return ms().ClientID }, func() *string { return &w().ClientID }),
		field{name: "microsoft.refresh_token", state: StatePrerequisites, kind: KindInput, optional: true,
			when: func(s *Session) bool { return !s.Interactive }, def: constDefault(setupfile.DefaultSecretRef),
			get: func(*Session) (string, bool) { return ms().RefreshToken, ms().RefreshToken != "" },
			set: func(_ *Session, v string) error {
				return setVia(func() *string { return &w().RefreshToken }, v, s.valid(setupfile.RuleSecretRef))
			}},
		s.confirmField("licensed_mailbox"),
		s.confirmField("not_shared_mailbox"),
		s.confirmField("admin_rights_or_consent"),
	)
}

// smtpConfirmations are the prerequisites only a person can confirm, by
// provider (KNOWLEDGE.md, "Prerequisites by channel").
func smtpConfirmations(provider, host string) []string {
	ids := []string{"not_shared_mailbox"}
	if provider == "microsoft" || strings.EqualFold(host, "smtp.office365.com") {
		ids = append(ids, "smtp_auth_enabled", "security_defaults_allow_basic_auth", "licensed_mailbox")
	}
	if provider != "google" && provider != "microsoft" {
		ids = append(ids, "ip_allowlist")
	}
	return append(ids, "external_apps_allowed")
}

// confirmField is a yes/no prerequisite stored under prerequisites.<id>.
// Headless runs may leave it out (the live test is the proof); an explicit
// "false" is kept and fails the check that reads it.
func (s *Session) confirmField(id string) field {
	m := s.Mailbox()
	kind, options := KindConfirm, (func(*Session) []string)(nil)
	if id == "ip_allowlist" { // "our server has no allowlist" is an answer too
		kind, options = KindSelect, constOptions(AllowlistValues...)
	}
	return field{name: prerequisitePrefix + id, state: StatePrerequisites, kind: kind, optional: true, confirms: true, keepsRest: true,
		options: options, def: constDefault("true"),
		get: func(*Session) (string, bool) {
			v, ok := m.Prerequisites[id]
			return strconv.FormatBool(v), ok
		},
		set: func(_ *Session, v string) error {
			if v == AllowlistNone {
				v = "true" // nothing to allow: the prerequisite holds
			}
			b, err := ParseConfirm(v)
			if err != nil {
				return err
			}
			if m.Prerequisites == nil {
				m.Prerequisites = map[string]bool{}
			}
			m.Prerequisites[id] = b
			return nil
		}}
}

// setPassword stores the typed secret (interactive) in the session and the
// reference "keyring" in the setup, or validates a reference (headless).
func (s *Session) setPassword(ref func() *string) func(*Session, string) error {
	return func(s *Session, v string) error {
		if s.Interactive {
			if strings.ContainsAny(v, "\r\n") {
				return &setupfile.FieldError{Reason: "crlf"}
			}
			s.Password = secretOf(v)
			*ref() = setupfile.DefaultSecretRef
			return nil
		}
		if err := s.Setup.Valid(setupfile.RuleSecretRef, v); err != nil {
			return err
		}
		return setWith(ref(), v, nil)
	}
}

func (s *Session) secretDefault(*Session) string {
	if s.Interactive {
		return ""
	}
	return setupfile.DefaultSecretRef
}

// AllowlistNone answers the IP-allowlist question "our server has no
// allowlist"; stored as true (nothing stands in the way).
const AllowlistNone = "none"

// AllowlistValues are the answers to the IP-allowlist question: allowed,
// no allowlist at all, not (yet) allowed.
var AllowlistValues = []string{"true", AllowlistNone, "false"}

// ParseConfirm reads a yes/no answer.
func ParseConfirm(v string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "true", "yes", "y", "ja", "sì", "si", "1":
		return true, nil
	case "false", "no", "n", "nein", "0":
		return false, nil
	}
	return false, &setupfile.FieldError{Reason: "confirm_invalid"}
}

// ValidateSMTPHost is ValidateHost plus the unsupported-host list: the
// reason is given at the field, before any connection.
func ValidateSMTPHost(v string) error {
	if err := setupfile.ValidateHost(v); err != nil {
		return err
	}
	return unsupportedHost(v)
}

// validSMTPHost is ValidateSMTPHost with the setup's verdicts: a host the
// loader judged is not judged again (the list is looked up every time).
func (s *Session) validSMTPHost(v string) error {
	if err := s.Setup.Valid(setupfile.RuleHost, v); err != nil {
		return err
	}
	return unsupportedHost(v)
}

// unsupportedHost refuses a host of the unsupported-host list.
func unsupportedHost(v string) error {
	if u, bad := providers.CheckHost(v); bad {
		d := providers.UnsupportedDiagnosis(u, "")
		return &setupfile.FieldError{Reason: "unsupported_host", Code: d.Code, Args: d.Args}
	}
	return nil
}

func validateOptional(f func(string) error) func(string) error {
	return func(v string) error {
		if v == "" {
			return nil
		}
		return f(v)
	}
}

func securityOptions() []string {
	out := make([]string, len(providers.Securities))
	for i, c := range providers.Securities {
		out[i] = string(c)
	}
	return out
}

// setVia is setWith for a value whose block is allocated on first write:
// dst is called only once v is valid, so a refused answer leaves the
// model as it was.
func setVia(dst func() *string, v string, validate func(string) error) error {
	if validate != nil {
		if err := validate(v); err != nil {
			return err
		}
	}
	return setWith(dst(), v, nil)
}

func setIntVia(dst func() *int, v string, validate func(string) error) error {
	if err := validate(v); err != nil {
		return err
	}
	return setInt(dst(), v, func(string) error { return nil })
}
