package smtp_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/providers/smtp"
	"github.com/jobmail/jobmail/providers/smtp/smtptest"
	"github.com/jobmail/jobmail/secrets"
	"github.com/jobmail/jobmail/tui/i18n"
)

// corpusReply is one real reply of testdata/replies/corpus.yaml.
type corpusReply struct {
	ID            string            `yaml:"id"`
	Provider      string            `yaml:"provider"`
	Source        string            `yaml:"source"`
	Stage         string            `yaml:"stage"`
	Mech          string            `yaml:"mech"`
	EHLO          string            `yaml:"ehlo"`
	Host          string            `yaml:"host"`
	NoCredentials bool              `yaml:"no_credentials"`
	Reply         string            `yaml:"reply"`
	Note          string            `yaml:"note"`
	Code          providers.Code    `yaml:"code"`
	Actor         providers.Actor   `yaml:"actor"`
	Args          map[string]string `yaml:"args"`
	Names         []string          `yaml:"names"`
	Doubt         string            `yaml:"doubt"`
}

type corpus struct {
	Profiles map[string]string `yaml:"ehlo_profiles"`
	Replies  []corpusReply     `yaml:"replies"`
}

func loadCorpus(t *testing.T) corpus {
	t.Helper()
	data, err := os.ReadFile("testdata/replies/corpus.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var c corpus
	if err := yaml.Unmarshal(data, &c); err != nil {
		t.Fatalf("corpus.yaml: %v", err)
	}
	return c
}

// keyActions is what each code's remedy must name, per language: the
// action for that cause, the same command or setting in every language.
var keyActions = map[providers.Code]map[i18n.Lang][]string{
	providers.CodeAuthSMTPAuthDisabled: {i18n.English: {"Set-CASMailbox", "-SmtpClientAuthenticationDisabled $false"},
		i18n.German: {"Set-CASMailbox", "-SmtpClientAuthenticationDisabled $false"}, i18n.Italian: {"Set-CASMailbox", "-SmtpClientAuthenticationDisabled $false"}},
	providers.CodeAuthBasicAuthBlocked: {i18n.English: {"security defaults", "Microsoft Entra ID"},
		i18n.German: {"Standard-Sicherheitseinstellungen", "Microsoft Entra ID"}, i18n.Italian: {"impostazioni predefinite per la sicurezza", "Microsoft Entra ID"}},
	providers.CodeAuthRejected:      {i18n.English: {"Check the password"}, i18n.German: {"Prüfen Sie das Passwort"}, i18n.Italian: {"Controlli la password"}},
	providers.CodeAuthTokenRejected: {i18n.English: {"Sign in again"}, i18n.German: {"Melden Sie sich erneut"}, i18n.Italian: {"Acceda di nuovo"}},
	providers.CodeAuthAppPassword:   {i18n.English: {"app password"}, i18n.German: {"App-Passwort"}, i18n.Italian: {"password per le app"}},
	providers.CodeAuthWebLogin:      {i18n.English: {"in a browser"}, i18n.German: {"im Browser"}, i18n.Italian: {"nel browser"}},
	providers.CodeAuthRateLimited: {i18n.English: {"check the password first"}, i18n.German: {"prüfen Sie zuerst das Passwort"},
		i18n.Italian: {"controlli prima la password"}},
	providers.CodeAuthNotOffered: {i18n.English: {"587", "smtp.office365.com"}, i18n.German: {"587", "smtp.office365.com"},
		i18n.Italian: {"587", "smtp.office365.com"}},
	providers.CodeSendQuotaExceeded: {i18n.English: {"raise the limit"}, i18n.German: {"das Limit erhöhen"}, i18n.Italian: {"aumentare il limite"}},
	providers.CodeSendAccountRestricted: {i18n.English: {"release", "not compromised"}, i18n.German: {"frei", "nicht kompromittiert"},
		i18n.Italian: {"sblocc", "non sia compromesso"}},
	providers.CodeSendMessageTooLarge: {i18n.English: {"raises the limit"}, i18n.German: {"erhöht das Limit"}, i18n.Italian: {"aumenta il limite"}},
	providers.CodeSMTPIPBlocked: {i18n.English: {"3.121.59.239", "18.158.122.164"}, i18n.German: {"3.121.59.239", "18.158.122.164"},
		i18n.Italian: {"3.121.59.239", "18.158.122.164"}},
	providers.CodeSendSenderRejected: {i18n.English: {"send as"}, i18n.German: {"Senden als"}, i18n.Italian: {"Invia come"}},
	providers.CodeSendRelayDenied: {i18n.English: {"Enter an account and password"}, i18n.German: {"Geben Sie Account und Passwort ein"},
		i18n.Italian: {"Inserisca account e password"}},
	providers.CodeSendRecipientRejected: {i18n.English: {"Check the custom e-mail address"}, i18n.German: {"Prüfen Sie die individuelle E-Mail-Adresse"},
		i18n.Italian: {"Controlli che l'indirizzo e-mail personalizzato"}},
	providers.CodeSMTPTemporary: {i18n.English: {"Wait a few minutes"}, i18n.German: {"Warten Sie einige Minuten"}, i18n.Italian: {"Attenda qualche minuto"}},
	providers.CodeTLSProtocol:   {i18n.English: {"TLS 1.2"}, i18n.German: {"TLS 1.2"}, i18n.Italian: {"TLS 1.2"}},
	providers.CodeSMTPRejected: {i18n.English: {"3.121.59.239"}, i18n.German: {"3.121.59.239"},
		i18n.Italian: {"3.121.59.239"}},
	providers.CodeOAuthConditional: {i18n.English: {"Microsoft Entra ID"}, i18n.German: {"Microsoft Entra ID"}, i18n.Italian: {"Microsoft Entra ID"}},
}

// messageRejected is the key action of send.message_rejected per cause.
var messageRejected = map[string]map[i18n.Lang][]string{
	"forwarding": {i18n.English: {"external forwarding"}, i18n.German: {"externe Weiterleitung"}, i18n.Italian: {"inoltro esterno"}},
	"spam":       {i18n.English: {"DKIM"}, i18n.German: {"DKIM"}, i18n.Italian: {"DKIM"}},
	"": {i18n.English: {"Forward the server's reply to your IT department"}, i18n.German: {"Leiten Sie die Antwort des Servers an Ihre IT-Abteilung weiter"},
		i18n.Italian: {"Inoltri la risposta del server al Suo dipartimento IT"}},
}

// waitWords is how a wait in hours reads in each language.
var waitWords = map[i18n.Lang]string{i18n.English: "up to %s hours", i18n.German: "bis zu %s Stunden", i18n.Italian: "fino a %s ore"}

// linksShown are the codes whose remedy shows the page the reply links to
// (a policy refusal's explanation, a blocklist's removal form, a limit).
var linksShown = map[providers.Code]bool{
	providers.CodeSendMessageRejected: true, providers.CodeSMTPIPBlocked: true, providers.CodeSendQuotaExceeded: true,
	providers.CodeSendAccountRestricted: true, providers.CodeSendMessageTooLarge: true,
}

var corpusStages = map[string]providers.StageName{
	"greeting": providers.StageGreeting, "ehlo": providers.StageEHLO, "auth": providers.StageAuth,
	"mail": providers.StageMail, "rcpt": providers.StageRcpt, "data": providers.StageData,
}

// corpusServer plays the reply at its stage behind an otherwise willing
// server, and points a config at it.
func corpusServer(t *testing.T, c corpus, e corpusReply) smtp.Config {
	t.Helper()
	ehlo := c.Profiles["default"]
	switch {
	case e.EHLO != "":
		ehlo = c.Profiles[e.EHLO]
		if ehlo == "" {
			t.Fatalf("%s: no EHLO profile %q", e.ID, e.EHLO)
		}
	case e.Mech != "":
		ehlo = "250-mail.test\n250-AUTH " + e.Mech + "\n250 8BITMIME"
	}
	greeting := "220 mail.test ESMTP"
	var rules []smtptest.Rule
	switch e.Stage {
	case "greeting":
		greeting = e.Reply
	case "ehlo":
		rules = append(rules, smtptest.Rule{Prefix: "EHLO", Reply: e.Reply})
	case "auth":
		rules = append(rules, smtptest.Rule{Prefix: "AUTH", Reply: e.Reply})
	case "mail":
		rules = append(rules, smtptest.Rule{Prefix: "MAIL", Reply: e.Reply})
	case "rcpt":
		rules = append(rules, smtptest.Rule{Prefix: "RCPT", Reply: e.Reply})
	case "data":
		rules = append(rules, smtptest.Rule{Prefix: ".", Reply: e.Reply})
	default:
		t.Fatalf("%s: unknown stage %q", e.ID, e.Stage)
	}
	b64 := base64.StdEncoding.EncodeToString
	rules = append(rules, smtptest.Rule{Prefix: "EHLO", Reply: ehlo},
		// A LOGIN that succeeds, for the stages after AUTH.
		smtptest.Rule{Prefix: "AUTH LOGIN", Reply: "334 VXNlcm5hbWU6"},
		smtptest.Rule{Prefix: b64([]byte(testUser)), Reply: "334 UGFzc3dvcmQ6"},
		smtptest.Rule{Prefix: b64([]byte(testPassword)), Reply: "235 2.7.0 Authentication successful"})
	raw := smtptest.NewRaw(t, smtptest.Scripted(greeting, rules...))
	cfg := cfgFor(raw.Host, raw.Port, providers.SecurityNone, nil)
	cfg.AllowInsecure = true
	if e.Host != "" {
		cfg.Host = e.Host
		cfg.Resolver = smtptest.NewResolver(t, map[string]string{e.Host: "127.0.0.1"})
	}
	switch {
	case e.NoCredentials:
		cfg.Password = secrets.Secret{}
	case e.Mech == "XOAUTH2":
		cfg = oauth(cfg, testToken)
	}
	return cfg
}

// TestCorpusReplies drives every real reply of the corpus through a real
// SMTP exchange and checks the diagnosis: code and actor, the reply kept
// verbatim, the failed stage, the arguments its words give, and that the
// remedy in en, de and it names the action for that cause and quotes the
// server.
func TestCorpusReplies(t *testing.T) {
	t.Parallel()
	c := loadCorpus(t)
	if len(c.Replies) < 40 {
		t.Fatalf("corpus has %d replies, want at least 40", len(c.Replies))
	}
	ids := map[string]bool{}
	for _, e := range c.Replies {
		if ids[e.ID] {
			t.Errorf("duplicate id %s", e.ID)
		}
		ids[e.ID] = true
		if !strings.HasPrefix(e.Source, "https://") || e.Provider == "" || e.Reply == "" || e.Code == "" || e.Actor == "" {
			t.Errorf("%s: source, provider, reply, code and actor are required", e.ID)
		}
		t.Run(e.ID, func(t *testing.T) {
			t.Parallel()
			checkCorpusReply(t, c, e)
		})
	}
}

func checkCorpusReply(t *testing.T, c corpus, e corpusReply) {
	cfg := corpusServer(t, c, e)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	res := smtp.New(cfg).Test(ctx, testMessage(), nil)
	d := res.Diagnosis
	if d == nil {
		t.Fatalf("test passed, want %s\n%s", e.Code, strings.Join(res.Transcript, "\n"))
	}
	if d.Code != e.Code || d.Actor != e.Actor {
		t.Fatalf("diagnosis %s (%s), want %s (%s); reply %q\n%s", d.Code, d.Actor, e.Code, e.Actor, d.Reply,
			strings.Join(res.Transcript, "\n"))
	}
	if d.Reply != e.Reply {
		t.Errorf("reply not verbatim:\n got %q\nwant %q", d.Reply, e.Reply)
	}
	if last := res.Stages[len(res.Stages)-1]; last.OK || last.Name != corpusStages[e.Stage] {
		t.Errorf("failed stage %+v, want %s", last, e.Stage)
	}
	if e.Stage == "auth" && e.Mech != "" && d.Args["mechanism"] != e.Mech {
		t.Errorf("mechanism %q, want %q", d.Args["mechanism"], e.Mech)
	}
	for k, v := range e.Args {
		if d.Args[k] != v {
			t.Errorf("arg %s = %q, want %q (args %v)", k, d.Args[k], v, d.Args)
		}
	}
	quote := d.Args["quote"]
	if quote == "" || !strings.Contains(strings.Join(strings.Fields(e.Reply), " "), strings.Fields(quote)[0]) {
		t.Errorf("quote %q is not from the reply", quote)
	}
	for _, lang := range i18n.Langs {
		text := i18n.New(lang).Diagnosis(*d)
		want := keyActions[d.Code][lang]
		if d.Code == providers.CodeSendMessageRejected {
			want = messageRejected[d.Args["cause"]][lang]
			if d.Args["cause"] != "forwarding" && strings.Contains(text.Remedy, "Microsoft") {
				t.Errorf("%s: a refusal not about forwarding names Microsoft: %q", lang, text.Remedy)
			}
		}
		if want == nil {
			t.Fatalf("no key action for %s in %s", d.Code, lang)
		}
		want = append(slices.Clone(want), e.Names...)
		if h := d.Args["wait_hours"]; h != "" {
			want = append(want, fmt.Sprintf(waitWords[lang], h))
		}
		if l := d.Args["link"]; l != "" && linksShown[d.Code] {
			want = append(want, l) // a refusal that links its explanation shows it
		}
		if quote != "" {
			want = append(want, quote)
		}
		for _, w := range want {
			if !strings.Contains(text.Remedy, w) {
				t.Errorf("%s remedy lacks %q:\n%s", lang, w, text.Remedy)
			}
		}
		if text.Title == "" || text.Explain == "" || text.Actor == "" || strings.HasPrefix(text.Remedy, "diag.") {
			t.Errorf("%s: incomplete words %+v", lang, text)
		}
	}
}

// TestCorpusCoverage: the corpus covers the providers and stages the issue
// names, and reports per provider how many replies it holds and which
// ones are classified without confidence.
func TestCorpusCoverage(t *testing.T) {
	c := loadCorpus(t)
	byGroup := map[string]int{}
	stages := map[string]int{}
	var doubts []string
	groups := []struct{ name, match string }{
		{"Microsoft 365 / Exchange Online", "microsoft 365"}, {"Exchange Server", "exchange server"},
		{"Gmail / Google Workspace", "gmail|google"}, {"IONOS", "ionos"}, {"Strato", "strato"},
		{"T-Online", "t-online"}, {"GMX / WEB.DE", "gmx|web.de"}, {"Aruba", "aruba"},
		{"Postfix", "postfix"}, {"Exim", "exim"},
	}
	for _, e := range c.Replies {
		stages[e.Stage]++
		p := strings.ToLower(e.Provider)
		found := false
		for _, g := range groups {
			for _, m := range strings.Split(g.match, "|") {
				if strings.HasPrefix(p, m) && !found {
					byGroup[g.name]++
					found = true
				}
			}
		}
		if !found {
			t.Errorf("%s: provider %q is in no group", e.ID, e.Provider)
		}
		if e.Doubt != "" {
			doubts = append(doubts, e.ID+" ("+string(e.Code)+"): "+e.Doubt)
		}
	}
	for _, g := range groups {
		if byGroup[g.name] == 0 {
			t.Errorf("no reply from %s", g.name)
		}
		t.Logf("%-32s %d", g.name, byGroup[g.name])
	}
	for s := range corpusStages {
		if stages[s] == 0 {
			t.Errorf("no reply at stage %s", s)
		}
	}
	sort.Strings(doubts)
	t.Logf("%d replies, %d not classified with confidence:\n%s", len(c.Replies), len(doubts), strings.Join(doubts, "\n"))
}
