package i18n

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"go.yaml.in/yaml/v3"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/wizard"
	"github.com/jobmail/jobmail/wizard/setupfile"
)

// THE RULES these tests enforce, so that the catalogue and the code cannot
// drift apart:
//
//  1. Complete: every key of active.en.yaml exists in active.de.yaml and
//     active.it.yaml and vice versa, with a non-empty text in every plural
//     form the English entry has.
//  2. Consistent: a key's {{.placeholders}} are the same set in every
//     language, and every template parses.
//  3. Needed: every key the code asks for exists. A key is asked for when
//     it is the literal first argument of a .T( or .N( call in a non-test
//     .go file of the module, or when it belongs to a dynamic family below
//     (ids that this package or its callers build from core values).
//  4. Used: every catalogue key is needed, i.e. it appears as a string
//     literal in a non-test .go file of the module, or it is a member of a
//     dynamic family. Dead words are deleted, not kept "just in case".
//
// Dynamic families and where their members come from:
//
//	diag.<code>.title|explain|remedy  providers.AllCodes + every constant of type Code
//	actor.<actor>                     constants of type Actor
//	stage.<stage>                     constants of type StageName (providers, probe…)
//	step.<state>                      wizard.States
//	channel.<c>, channel.<c>.hint     providers.Channels
//	security.<s>, security.<s>.hint   providers.Securities
//	port.<n>                          the wizard's port options (portOptions)
//	check.<id>.title|why[|question]   briefCheckIDs + untyped constants named Check*
//	question.<field>.title|help       the wizard's field names (name: "smtp.host")
//	option.<field>.<value>            setupfile.SenderNames, setupfile.ForwardingValues, wizard.AllowlistValues,
//	                                  wizard.AppChoices, wizard.DirectChoices
//	forwarding.<p>.title|note|stepN   ForwardingProviders
//	invalid.<reason>                  setupfile.AllReasons + every FieldError{Reason: "x"}
//	unsupported.<r> | reason.<r>      every "reason"/Reason value in providers/ and
//	                                  secrets/, plus helperReasons
//	detail.<d>                        detailValues (cross-checked against the validators)
//	type.<t>                          typeValues
//	verdict.<x>                       constants of type ReasonCode (providers/discover)
//	source.<s>                        constants of type Source (providers/discover)
//	cli.<command path>.short          every cobra Use: in cmd/ (cmd/jobmail/help.go)
//	flag.<name>                       every flag defined in cmd/ (cmd/jobmail/help.go)

// briefCheckIDs are the prerequisite ids of the design; providers and the
// wizard add theirs as Check* constants.
var briefCheckIDs = []string{
	"host_supported", "transport_secure", "username_matches", "ca_file_readable",
	"port_reachable", "tls_valid", "smtp_auth_enabled", "licensed_mailbox",
	"not_shared_mailbox", "security_defaults_allow_basic_auth", "ip_allowlist",
	"external_apps_allowed", "admin_rights_or_consent", "forwarding_configured",
}

// helperReasons are reason values that reach a diagnosis through a helper
// call or a return value, where the scanner cannot see them as "reason":
// providers/smtp/prereq.go invalid(field, reason, …) and
// providers/oauth/checks.go caFileProblem.
var helperReasons = []string{"host", "port_range", "security", "line_break", "ca_file", "unreadable", "no_certificates"}

var portOptions = []string{"587", "465", "25", "2525"}

// detailValues are the Args["detail"] codes of wizard/setupfile/validate*.go.
var detailValues = []string{
	"encoding", "angle_bracket", "space", "missing_at", "multiple_at", "local_empty",
	"local_too_long", "local_dots", "local_non_ascii", "local_invalid",
	"domain_empty", "domain_idna", "domain_too_long", "domain_label_empty",
	"domain_label_too_long", "domain_numeric_tld", "domain_no_dot",
	"scheme", "path", "userinfo", "port", "ip_literal", "ip_not_allowed",
	"empty", "idna", "too_long", "label_empty", "label_too_long", "numeric_tld", "no_dot",
	"hyphen", "uppercase", "character", "plaintext", "env_name", "file_path",
	"syntax", "host", "not_found", "permission", "is_directory", "not_regular", "too_large", "io",
}

// typeValues are the Args["expected"]/["got"] kinds of wizard/setupfile/load_walk.go.
var typeValues = []string{"string", "integer", "boolean", "mapping", "list", "alias", "number", "null", "date", "binary", "tagged"}

// catalogue is one language's messages by id.
type catalogue map[string]*goi18n.Message

func loadCatalogues(t *testing.T) map[Lang]catalogue {
	t.Helper()
	out := map[Lang]catalogue{}
	for _, l := range Langs {
		name := "active." + string(l) + ".yaml"
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatalf("read %s: %v", name, err)
		}
		mf, err := goi18n.ParseMessageFileBytes(data, name, map[string]goi18n.UnmarshalFunc{"yaml": yaml.Unmarshal})
		if err != nil {
			t.Fatalf("parse %s: %v", name, err)
		}
		c := catalogue{}
		for _, m := range mf.Messages {
			if _, dup := c[m.ID]; dup {
				t.Errorf("%s: %q defined twice", name, m.ID)
			}
			c[m.ID] = m
		}
		out[l] = c
	}
	return out
}

// forms lists a message's non-empty plural forms.
func forms(m *goi18n.Message) map[string]string {
	f := map[string]string{}
	for k, v := range map[string]string{"zero": m.Zero, "one": m.One, "two": m.Two, "few": m.Few, "many": m.Many, "other": m.Other} {
		if v != "" {
			f[k] = v
		}
	}
	return f
}

// family is a set of ids built at run time; required ones must exist,
// optional ones may.
type family struct {
	required map[string]bool
	optional map[string]bool
}

func dynamicFamilies(t *testing.T, src *source) family {
	f := family{required: map[string]bool{}, optional: map[string]bool{}}
	req := func(ids ...string) {
		for _, id := range ids {
			f.required[id] = true
		}
	}
	codes := []string{}
	for _, c := range providers.AllCodes {
		codes = append(codes, string(c))
	}
	codes = append(codes, src.constsOf("Code")...)
	for _, c := range codes {
		req("diag."+c+".title", "diag."+c+".explain", "diag."+c+".remedy")
	}
	for _, a := range src.constsOf("Actor") {
		req("actor." + a)
	}
	for _, st := range src.constsOf("StageName") {
		req("stage." + st)
	}
	for _, st := range wizard.States {
		req("step." + string(st))
	}
	for _, c := range providers.Channels {
		req("channel."+string(c), "channel."+string(c)+".hint")
	}
	for _, s := range providers.Securities {
		req("security."+string(s), "security."+string(s)+".hint")
	}
	for _, p := range portOptions {
		req("port." + p)
	}
	ids := slices.Clone(briefCheckIDs)
	for id := range src.checkIDs {
		ids = append(ids, id)
	}
	for _, id := range ids {
		req("check."+id+".title", "check."+id+".why")
		f.optional["check."+id+".question"] = true
	}
	for fld := range src.fieldName {
		req("question."+fld+".title", "question."+fld+".help")
	}
	for _, v := range setupfile.SenderNames {
		req("option.sender_name." + v)
	}
	for _, v := range setupfile.ForwardingValues {
		req("option.forwarding." + v)
	}
	for _, v := range wizard.AllowlistValues {
		req("option.prerequisites.ip_allowlist." + v)
	}
	for _, v := range wizard.DirectChoices {
		req("option.smtp.direct." + v)
	}
	for _, v := range wizard.AppChoices {
		req("option.google.app."+v, "option.microsoft.app."+v)
	}
	for _, ch := range []string{"google", "microsoft"} { // tui/handoff: the own app's registration steps
		req("report.oauth_app." + ch + ".step1")
		for i := 2; i < 20; i++ {
			f.optional["report.oauth_app."+ch+".step"+strconv.Itoa(i)] = true
		}
	}
	for _, p := range ForwardingProviders {
		req("forwarding."+p+".title", "forwarding."+p+".note", "forwarding."+p+".step1")
		for i := 2; i < 20; i++ {
			f.optional["forwarding."+p+".step"+strconv.Itoa(i)] = true
		}
	}
	reasons := slices.Clone(setupfile.AllReasons)
	for r := range src.fieldErrs {
		reasons = append(reasons, r)
	}
	for _, r := range reasons {
		req("invalid." + r)
	}
	for _, d := range detailValues {
		req("detail." + d)
	}
	for _, ty := range typeValues {
		req("type." + ty)
	}
	for _, v := range src.constsOf("ReasonCode") { // discover: the value is the id
		req(v)
	}
	for _, v := range src.constsOf("Source") {
		req("source." + v)
	}
	for _, use := range sortedKeys(src.uses) {
		if use == "jobmail" {
			req("cli.jobmail.short")
		} else {
			req("cli.jobmail." + use + ".short")
		}
	}
	for fl := range src.flags {
		req("flag." + fl)
	}
	// cobra's own commands and flags, which cmd/jobmail/help.go adds
	// before localizing (InitDefaultHelpCmd, InitDefaultCompletionCmd).
	for _, c := range cobraBuiltins {
		req(c)
	}
	return f
}

var cobraBuiltins = []string{
	"cli.jobmail.help.short", "cli.jobmail.completion.short", "cli.jobmail.completion.bash.short",
	"cli.jobmail.completion.zsh.short", "cli.jobmail.completion.fish.short",
	"cli.jobmail.completion.powershell.short", "flag.help", "flag.no-descriptions",
}

// providerReasons are the reason codes a diagnosis may carry; each needs
// unsupported.<r> or reason.<r>.
func providerReasons(src *source) []string {
	rs := append(src.values("reason", "providers", "secrets"), src.values("Reason", "providers")...)
	rs = append(rs, helperReasons...)
	slices.Sort(rs)
	return slices.Compact(rs)
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func TestCatalogueLoads(t *testing.T) {
	for _, l := range Langs {
		if len(parseYAML(t, l)) < 100 {
			t.Errorf("%s: the catalogue has fewer than 100 messages", l)
		}
	}
}

// pluralForms are the CLDR cardinal forms each language distinguishes
// (go-i18n's rules): a plural message must give every one of them.
var pluralForms = map[Lang][]string{English: {"one", "other"}, German: {"one", "other"}, Italian: {"one", "many", "other"}}

// Rule 1.
func TestEveryKeyInEveryLanguage(t *testing.T) {
	cats := loadCatalogues(t)
	en := cats[English]
	if len(en) < 100 {
		t.Fatalf("English catalogue has only %d messages", len(en))
	}
	for _, l := range Langs {
		t.Run(string(l), func(t *testing.T) {
			for _, id := range sortedKeys(en) {
				m, ok := cats[l][id]
				if !ok {
					t.Errorf("%s: missing %q", l, id)
					continue
				}
				need := []string{"other"}
				if len(forms(en[id])) > 1 { // a plural message
					need = pluralForms[l]
				}
				for _, form := range need {
					if strings.TrimSpace(forms(m)[form]) == "" {
						t.Errorf("%s: %q has no text for plural form %q", l, id, form)
					}
				}
			}
			for _, id := range sortedKeys(cats[l]) {
				if _, ok := en[id]; !ok {
					t.Errorf("%s: %q is not in the English catalogue", l, id)
				}
			}
		})
	}
}

var placeholderRe = regexp.MustCompile(`\.([a-z][a-z0-9_]*)`)
var actionRe = regexp.MustCompile(`{{[^}]*}}`)

// placeholders are the argument names a template refers to.
func placeholders(s string) []string {
	set := map[string]bool{}
	for _, a := range actionRe.FindAllString(s, -1) {
		for _, m := range placeholderRe.FindAllStringSubmatch(a, -1) {
			set[m[1]] = true
		}
	}
	return sortedKeys(set)
}

// Rule 2. A plural form may leave out {{.count}} ("one"), so the rule is:
// every form uses only English's placeholders, and all forms together use
// all of them.
func TestPlaceholdersMatchAcrossLanguages(t *testing.T) {
	cats := loadCatalogues(t)
	union := func(m *goi18n.Message) map[string]bool {
		u := map[string]bool{}
		for _, text := range forms(m) {
			for _, p := range placeholders(text) {
				u[p] = true
			}
		}
		return u
	}
	for _, id := range sortedKeys(cats[English]) {
		want := union(cats[English][id])
		for _, l := range Langs {
			m, ok := cats[l][id]
			if !ok {
				continue // reported by TestEveryKeyInEveryLanguage
			}
			if got := union(m); strings.Join(sortedKeys(got), ",") != strings.Join(sortedKeys(want), ",") {
				t.Errorf("%s %q: placeholders {%s}, English has {%s}", l, id, strings.Join(sortedKeys(got), ","), strings.Join(sortedKeys(want), ","))
			}
			for form, text := range forms(m) {
				for _, p := range placeholders(text) {
					if !want[p] {
						t.Errorf("%s %q (%s): {{.%s}} is not in the English text", l, id, form, p)
					}
				}
				if strings.Count(text, "{{") != strings.Count(text, "}}") {
					t.Errorf("%s %q: unbalanced {{ }}", l, id)
				}
			}
		}
	}
}

// Rule 3.
func TestEveryNeededKeyExists(t *testing.T) {
	cats := loadCatalogues(t)
	src := scanSource(t)
	fam := dynamicFamilies(t, src)
	for _, id := range sortedKeys(src.tKeys) {
		if _, ok := cats[English][id]; !ok {
			t.Errorf("%q is asked for at %s but not in the catalogue", id, strings.Join(src.tKeys[id], ", "))
		}
	}
	for _, id := range sortedKeys(fam.required) {
		if _, ok := cats[English][id]; !ok {
			t.Errorf("%q (dynamic family) is not in the catalogue", id)
		}
	}
	for _, r := range providerReasons(src) {
		_, u := cats[English]["unsupported."+r]
		_, g := cats[English]["reason."+r]
		if !u && !g {
			t.Errorf("reason %q (providers) has neither reason.%s nor unsupported.%s", r, r, r)
		}
	}
}

// Rule 4.
func TestNoUnusedKeys(t *testing.T) {
	cats := loadCatalogues(t)
	src := scanSource(t)
	fam := dynamicFamilies(t, src)
	for _, r := range providerReasons(src) {
		fam.optional["reason."+r] = true
		fam.optional["unsupported."+r] = true
	}
	for _, id := range sortedKeys(cats[English]) {
		if !src.literals[id] && !fam.required[id] && !fam.optional[id] {
			t.Errorf("%q is not used: no code names it and it is in no dynamic family", id)
		}
	}
}

// German and Italian must be translations, not English left in place.
// Identical texts are allowed only for names and technical labels.
func TestTranslationsAreNotEnglish(t *testing.T) {
	cats := loadCatalogues(t)
	same := map[string]bool{ // the same word in all three languages
		"security.smtps": true, "port.465": true, "question.smtp.port.title": true,
		"stage.ehlo": true, "question.smtp.username.title": true, "question.smtp.password.title": true,
		"tui.no":        true,                                               // Italian "No"
		"cli.result.ok": true, "cli.col.code": true, "cli.col.server": true, // "Code", "Server"
		"report.account": true, // "Account" is the platform form's own word in German and Italian
	}
	english := regexp.MustCompile(`(?i)\b(the|your|you|and|with|is|are|to|of|for|this|please|must|not|cannot|will)\b`)
	quoted := regexp.MustCompile(`"[^"]*"|„[^“]*“|«[^»]*»|{{[^}]*}}|\S*\$\S*|-\w+`)
	for _, l := range []Lang{German, Italian} {
		for _, id := range sortedKeys(cats[English]) {
			m, ok := cats[l][id]
			if !ok {
				continue
			}
			text, en := forms(m)["other"], forms(cats[English][id])["other"]
			if text == en && !same[id] {
				t.Errorf("%s %q is the English text %q", l, id, en)
			}
			// Server replies, commands and labels in quotes stay verbatim.
			words := english.FindAllString(quoted.ReplaceAllString(text, " "), -1)
			if len(words) >= 2 {
				t.Errorf("%s %q looks English (%v): %q", l, id, words, text)
			}
		}
	}
}

func ExampleLocalizer_Diagnosis() {
	l := New(German)
	t := l.Diagnosis(providers.Diagnosis{Code: providers.CodeNetTimeout, Actor: providers.ActorMailAdmin,
		Args: map[string]string{"host": "smtp.acme.de", "port": "25"}})
	fmt.Println(t.Title)
	fmt.Println(t.Actor)
	// Output:
	// Keine Antwort vom Server
	// Ihre IT-Abteilung (E-Mail-Administration)
}
