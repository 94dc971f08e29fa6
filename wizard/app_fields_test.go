package wizard

import (
	"errors"
	"testing"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/wizard/setupfile"
)

// firstQuestions answers the forwarding step and the channel, then
// returns the next question keys up to (not including) the first of state
// stop, answering each with answers[key] (or its default).
func untilState(t *testing.T, s *Session, answers map[string]string, stop State) []string {
	t.Helper()
	var keys []string
	for i := 0; i < 50; i++ {
		st := next(s)
		if st.Question == nil || st.State == stop {
			return keys
		}
		q := st.Question
		keys = append(keys, q.Key)
		v, ok := answers[q.Key]
		if !ok {
			v = q.Value
		}
		if err := s.Answer(q.Key, v); err != nil {
			t.Fatalf("answer %s=%q: %v", q.Key, v, err)
		}
	}
	t.Fatal("no settle")
	return nil
}

var base = map[string]string{"company.address": "jobs@acme.de", "platform.account": "acme",
	"company.sender_name": "company", "company.forwarding": "done"}

func with(m map[string]string, kv ...string) map[string]string {
	out := map[string]string{}
	for k, v := range base {
		out[k] = v
	}
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

// TestNoAppIsSaidAtTheChannelStep: with no app configured anywhere, the
// channel step asks where the app comes from before any prerequisite, and
// the id typed is validated for the provider; a configured app (env,
// platform block, channel block) asks nothing.
func TestNoAppIsSaidAtTheChannelStep(t *testing.T) {
	tests := []struct {
		name    string
		channel string
		answers map[string]string
		getenv  map[string]string
		want    []string // channel-step keys after company.channel
	}{
		{"microsoft own", "microsoft", map[string]string{"company.microsoft.app": "own",
			"company.microsoft.client_id": "4b0db8c2-9f26-4417-8bde-3f0e3656f8e0", "company.microsoft.tenant": "acme.onmicrosoft.com"},
			nil, []string{"company.microsoft.app", "company.microsoft.tenant", "company.microsoft.client_id"}},
		{"microsoft platform", "microsoft", map[string]string{"company.microsoft.app": "platform",
			"platform.microsoft.client_id": "4b0db8c2-9f26-4417-8bde-3f0e3656f8e0"},
			nil, []string{"company.microsoft.app", "platform.microsoft.client_id"}},
		{"google own", "google", map[string]string{"company.google.app": "own",
			"company.google.client_id": "123-abc.apps.googleusercontent.com"},
			nil, []string{"company.google.app", "company.google.client_id"}},
		{"google from env", "google", nil, map[string]string{"JOBMAIL_GOOGLE_CLIENT_ID": "1-x.apps.googleusercontent.com"}, nil},
		{"microsoft from env", "microsoft", nil, map[string]string{"JOBMAIL_MICROSOFT_CLIENT_ID": "4b0db8c2-9f26-4417-8bde-3f0e3656f8e0"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewSession(nil, true)
			s.Getenv = func(k string) string { return tt.getenv[k] }
			keys := untilState(t, s, with(tt.answers, "company.channel", tt.channel), StatePrerequisites)
			var after []string
			for i, k := range keys {
				if k == "company.channel" {
					after = keys[i+1:]
				}
			}
			if len(after) != len(tt.want) {
				t.Fatalf("channel step asked %v, want %v", after, tt.want)
			}
			for i := range after {
				if after[i] != tt.want[i] {
					t.Fatalf("channel step asked %v, want %v", after, tt.want)
				}
			}
			if a := AppOf(s.Setup, s.Mailbox(), s.Getenv); a.ClientID == "" {
				t.Fatalf("no app after the channel step: %+v", a)
			}
			if tt.channel == "google" && s.Mailbox().Microsoft != nil {
				t.Fatal("google branch touched microsoft settings")
			}
		})
	}
}

func TestAppClientIDValidated(t *testing.T) {
	tests := []struct {
		ch     providers.Channel
		v      string
		reason string
	}{
		{providers.ChannelMicrosoft, "4b0db8c2-9f26-4417-8bde-3f0e3656f8e0", ""},
		{providers.ChannelMicrosoft, "my-app", setupfile.ReasonClientIDNotGUID},
		{providers.ChannelMicrosoft, "1234567890-x.apps.googleusercontent.com", setupfile.ReasonClientIDNotGUID},
		{providers.ChannelGoogle, "1234567890-x.apps.googleusercontent.com", ""},
		{providers.ChannelGoogle, "4b0db8c2-9f26-4417-8bde-3f0e3656f8e0", setupfile.ReasonClientIDNotGoogle},
		{providers.ChannelGoogle, ".apps.googleusercontent.com", setupfile.ReasonClientIDNotGoogle},
		{providers.ChannelGoogle, "", setupfile.ReasonRequired},
	}
	for _, tt := range tests {
		err := ValidateAppClientID(tt.ch)(tt.v)
		var fe *setupfile.FieldError
		switch {
		case tt.reason == "" && err != nil:
			t.Errorf("%s %q: %v", tt.ch, tt.v, err)
		case tt.reason != "" && (!errors.As(err, &fe) || fe.Reason != tt.reason):
			t.Errorf("%s %q: %v, want %s", tt.ch, tt.v, err, tt.reason)
		}
	}
}

// TestAppPrecedence: channel block > environment > platform block > build.
func TestAppPrecedence(t *testing.T) {
	defer func(v string) { BuildMicrosoftClientID = v }(BuildMicrosoftClientID)
	BuildMicrosoftClientID = "build"
	s := &setupfile.Setup{}
	m := &setupfile.Mailbox{Channel: "microsoft"}
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }
	check := func(want string, src AppSource) {
		t.Helper()
		if a := AppOf(s, m, getenv); a.ClientID != want || a.Source != src {
			t.Fatalf("app %+v, want %s from %s", a, want, src)
		}
	}
	check("build", AppFromBuild)
	s.Platform.Microsoft = &setupfile.PlatformApp{ClientID: "platform"}
	check("platform", AppFromPlatform)
	env["JOBMAIL_MICROSOFT_CLIENT_ID"] = "env"
	check("env", AppFromEnv)
	m.Microsoft = &setupfile.Microsoft{ClientID: "channel"}
	check("channel", AppFromChannel)
}

// TestDirectIntegrationOneKeystroke: smtp.office365.com or smtp.gmail.com
// as an SMTP host asks, right after the host, whether to switch; the
// default (one Enter) moves the mailbox to the direct integration, whose
// questions follow; keep stays on SMTP. Other hosts are not asked.
func TestDirectIntegrationOneKeystroke(t *testing.T) {
	tests := []struct {
		host, answer string
		want         providers.Channel
		next         string // the question after smtp.direct
	}{
		{"smtp.office365.com", "", providers.ChannelMicrosoft, "company.microsoft.app"},
		{"smtp.gmail.com", "", providers.ChannelGoogle, "company.google.app"},
		{"SMTP.Office365.com", DirectKeep, providers.ChannelSMTP, "company.smtp.transport"},
		{"smtp.acme.de", "", providers.ChannelSMTP, "company.smtp.transport"},
	}
	for _, tt := range tests {
		t.Run(tt.host+"/"+tt.answer, func(t *testing.T) {
			s := NewSession(nil, true)
			untilState(t, s, with(nil, "company.channel", "smtp"), StatePrerequisites)
			if err := s.Answer("company.smtp.host", tt.host); err != nil {
				t.Fatal(err)
			}
			q := s.Next().Question
			if directFor(tt.host) != "" {
				if q == nil || q.Key != "company.smtp.direct" || q.Value != DirectSwitch || q.Args["direct"] != string(tt.want) && tt.answer == "" {
					t.Fatalf("after %s: %+v", tt.host, q)
				}
				v := tt.answer
				if v == "" {
					v = q.Value // Enter takes the default
				}
				if err := s.Answer(q.Key, v); err != nil {
					t.Fatal(err)
				}
				q = s.Next().Question
			}
			if s.Mailbox().ChannelID() != tt.want || q == nil || q.Key != tt.next {
				t.Fatalf("channel %s, next %+v; want %s, %s", s.Mailbox().Channel, q, tt.want, tt.next)
			}
		})
	}
}

// TestClientIDNeverOffersAnAppThatDoesNotExist: a client id that only the
// mailbox's own block names (the setup file's, as an IT department or a
// test rig writes it) is not "optional, leave empty to use the platform's
// app" when no other app is configured — emptying it would leave none.
// With a fallback (environment, platform block) it stays optional.
func TestClientIDNeverOffersAnAppThatDoesNotExist(t *testing.T) {
	const gid, mid = "1-own.apps.googleusercontent.com", "4b0db8c2-9f26-4417-8bde-3f0e3656f8e0"
	tests := []struct {
		name, channel string
		getenv        map[string]string
		platform      bool
		want          string
	}{
		{"google, only its block", "google", nil, false, "no"},
		{"microsoft, only its block", "microsoft", nil, false, "no"},
		{"google, env too", "google", map[string]string{"JOBMAIL_GOOGLE_CLIENT_ID": "2-env.apps.googleusercontent.com"}, false, "yes"},
		{"microsoft, platform block too", "microsoft", nil, true, "yes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewSession(nil, true)
			s.Getenv = func(k string) string { return tt.getenv[k] }
			key := "company." + tt.channel + ".client_id"
			if tt.channel == "google" {
				s.Mailbox().Google = &setupfile.Google{ClientID: gid}
			} else {
				s.Mailbox().Microsoft = &setupfile.Microsoft{ClientID: mid}
				if tt.platform {
					s.Setup.Platform.Microsoft = &setupfile.PlatformApp{ClientID: mid}
				}
			}
			untilState(t, s, with(nil, "company.channel", tt.channel), StatePrerequisites)
			for range 10 {
				st := next(s)
				if st.Question == nil {
					break
				}
				if st.Question.Key == key {
					if got := st.Question.Args["platform_app"]; got != tt.want {
						t.Fatalf("%s: platform_app %q, want %q", key, got, tt.want)
					}
					return
				}
				if err := s.Answer(st.Question.Key, st.Question.Value); err != nil {
					t.Fatal(err)
				}
			}
			t.Fatalf("%s was not asked", key)
		})
	}
}
