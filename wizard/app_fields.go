package wizard

import (
	"strings"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/wizard/setupfile"
)

// Where the direct integration's OAuth app comes from is asked at the
// channel step, before any prerequisite, and only when nothing configures
// one (AppOf: no client id in the channel block, the environment, the
// setup's platform block or this build). The two ways on: the platform's
// app, whose id the platform's support gives (stored in
// platform.<channel>.client_id), or the organisation's own app, which IT
// registers (the steps are the catalogue's app.<channel>.step<n>) and whose
// id goes into <mailbox>.<channel>.client_id. Headless runs are not asked:
// the prerequisite check names the missing app (oauth.app_not_found).

// appChoiceOf is this session's answer to <channel>.app.
func (s *Session) appChoiceOf(ch providers.Channel) string { return s.appChoice[ch] }

// needsApp reports whether the <channel>.app question belongs to the
// branch: interactive, and no app configured (or already answered here).
func (s *Session) needsApp(ch providers.Channel) bool {
	if !s.Interactive {
		return false
	}
	if s.appChoiceOf(ch) != "" {
		return true
	}
	m := s.connection()
	return m.ChannelID() == ch && AppOf(s.Setup, m, s.Getenv).Source == AppNone
}

// appFields are the questions about the app of channel ch (google or
// microsoft), first in the channel's list.
// app and platform carry only the fields' names (literal, for the
// catalogue's scan): <channel>.app and platform.<channel>.client_id.
func (s *Session) appFields(ch providers.Channel, app, platform field) []field {
	platformApp := func() **setupfile.PlatformApp {
		if ch == providers.ChannelGoogle {
			return &s.Setup.Platform.Google
		}
		return &s.Setup.Platform.Microsoft
	}
	return []field{
		{name: app.name, state: StateChannel, kind: KindSelect,
			when:    func(s *Session) bool { return s.needsApp(ch) },
			options: constOptions(AppChoices...),
			def:     constDefault(AppChoicePlatform),
			get:     func(s *Session) (string, bool) { return s.appChoiceOf(ch), s.appChoiceOf(ch) != "" },
			set: func(s *Session, v string) error {
				if err := setupfile.OneOf(v, setupfile.ReasonAppChoiceInvalid, AppChoices); err != nil {
					return err
				}
				if s.appChoice == nil {
					s.appChoice = map[providers.Channel]string{}
				}
				s.appChoice[ch] = v
				return nil
			}},
		{name: platform.name, absolute: true, state: StateChannel, kind: KindInput,
			when: func(s *Session) bool { return s.appChoiceOf(ch) == AppChoicePlatform },
			get: func(*Session) (string, bool) {
				a := derefOr(*platformApp())
				return a.ClientID, a.ClientID != ""
			},
			set: func(_ *Session, v string) error {
				if err := ValidateAppClientID(ch)(v); err != nil {
					return err
				}
				p := platformApp()
				if *p == nil {
					*p = &setupfile.PlatformApp{}
				}
				(*p).ClientID = v
				return nil
			}},
	}
}

// clientIDField is <channel>.client_id: for the organisation's own app a
// required question of the channel step, validated for the provider;
// otherwise an optional override among the prerequisites.
func (s *Session) clientIDField(ch providers.Channel, named field, inherit func(m *setupfile.Mailbox) string, get func() string, dst func() *string) field {
	f := field{name: named.name, state: StatePrerequisites, kind: KindInput, optional: true,
		inherit: inherit,
		get:     func(*Session) (string, bool) { return get(), get() != "" },
		set: func(_ *Session, v string) error {
			return setVia(dst, v, validateOptional(s.valid(setupfile.RuleClientID)))
		}}
	if s.appChoiceOf(ch) == AppChoiceOwn {
		f.state, f.optional, f.inherit = StateChannel, false, nil
		f.set = func(_ *Session, v string) error { return setVia(dst, v, ValidateAppClientID(ch)) }
	}
	return f
}

// The direct integration in one keystroke: an SMTP host that is Google's
// or Microsoft 365's submission server, with a password, is asked once
// whether to switch to the direct integration (the default). Google no
// longer accepts new SMTP connections with a password; Microsoft keeps
// basic authentication for SMTP AUTH only through December 2026.
const (
	DirectSwitch = "switch"
	DirectKeep   = "keep"
)

// DirectChoices are the options of smtp.direct.
var DirectChoices = []string{DirectSwitch, DirectKeep}

// directFor is the channel whose direct integration replaces SMTP to host.
func directFor(host string) providers.Channel {
	switch strings.ToLower(strings.TrimSuffix(strings.TrimSpace(host), ".")) {
	case "smtp.gmail.com", "smtp.googlemail.com":
		return providers.ChannelGoogle
	case "smtp.office365.com", "smtp-mail.outlook.com":
		return providers.ChannelMicrosoft
	}
	return ""
}

// directField is smtp.direct, asked right after the host. named carries
// the literal name for the catalogue's scan.
func (s *Session) directField(named field) field {
	m := s.Mailbox()
	host := func() string { return derefOr(m.SMTP).Host }
	return field{name: named.name, state: StatePrerequisites, kind: KindSelect,
		when:    func(s *Session) bool { return s.Interactive && directFor(host()) != "" },
		options: constOptions(DirectChoices...), def: constDefault(DirectSwitch),
		get: func(s *Session) (string, bool) {
			v := s.direct[s.prefix()]
			return v, v != ""
		},
		set: func(s *Session, v string) error {
			if err := setupfile.OneOf(v, setupfile.ReasonDirectChoiceInvalid, DirectChoices); err != nil {
				return err
			}
			if s.direct == nil {
				s.direct = map[string]string{}
			}
			if v == DirectKeep {
				s.direct[s.prefix()] = v
				return nil
			}
			// The SMTP answers stay as the prefill should the person come
			// back; the commit drops the channel left.
			m.Channel = string(directFor(host()))
			return nil
		}}
}
