package i18n

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/wizard"
	"github.com/jobmail/jobmail/wizard/setupfile"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestDetect(t *testing.T) {
	tests := []struct {
		name string
		flag string
		env  map[string]string
		want Lang
	}{
		{"nothing set", "", nil, English},
		{"flag wins over env", "it", map[string]string{"LANG": "de_DE.UTF-8"}, Italian},
		{"flag with region", "de-CH", nil, German},
		{"flag upper case", "DE", nil, German},
		{"unsupported flag falls through to env", "fr", map[string]string{"LANG": "it_IT.UTF-8"}, Italian},
		{"LANG with encoding", "", map[string]string{"LANG": "de_DE.UTF-8"}, German},
		{"LANG with modifier", "", map[string]string{"LANG": "de_DE@euro"}, German},
		{"LANG bare", "", map[string]string{"LANG": "it_IT"}, Italian},
		{"LC_MESSAGES over LANG", "", map[string]string{"LC_MESSAGES": "it_IT.UTF-8", "LANG": "de_DE.UTF-8"}, Italian},
		{"LC_ALL over everything", "", map[string]string{"LC_ALL": "de_AT.UTF-8", "LC_MESSAGES": "it_IT", "LANG": "en_US"}, German},
		{"LC_ALL=C means English even with LANG=de", "", map[string]string{"LC_ALL": "C", "LANG": "de_DE.UTF-8"}, English},
		{"POSIX", "", map[string]string{"LANG": "POSIX"}, English},
		{"C.UTF-8", "", map[string]string{"LANG": "C.UTF-8"}, English},
		{"unknown locale", "", map[string]string{"LANG": "fr_FR.UTF-8"}, English},
		{"empty LC_ALL is unset", "", map[string]string{"LC_ALL": "", "LANG": "it_CH.UTF-8"}, Italian},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Detect(tt.flag, env(tt.env)); got != tt.want {
				t.Errorf("Detect(%q, %v) = %q, want %q", tt.flag, tt.env, got, tt.want)
			}
		})
	}
	if got := Detect("", nil); got != English {
		t.Errorf("Detect with nil getenv = %q", got)
	}
}

func TestParseLang(t *testing.T) {
	for in, want := range map[string]bool{"en": true, "de": true, "it": true, "it_IT.UTF-8": true, "fr": false, "": false, "C": false, "deutsch": false} {
		if _, ok := ParseLang(in); ok != want {
			t.Errorf("ParseLang(%q) ok = %v, want %v", in, ok, want)
		}
	}
	if New("xx").Lang() != English {
		t.Error("New with an unknown language must speak English")
	}
}

func TestDuration(t *testing.T) {
	tests := []struct {
		d          time.Duration
		en, de, it string
	}{
		{0, "0 ms", "0 ms", "0 ms"},
		{-time.Second, "0 ms", "0 ms", "0 ms"},
		{300 * time.Microsecond, "<1 ms", "<1 ms", "<1 ms"},
		{12 * time.Millisecond, "12 ms", "12 ms", "12 ms"},
		{12*time.Millisecond + 600*time.Microsecond, "13 ms", "13 ms", "13 ms"},
		{999 * time.Millisecond, "999 ms", "999 ms", "999 ms"},
		{999600 * time.Microsecond, "1.0 s", "1,0 s", "1,0 s"},
		{1234 * time.Millisecond, "1.2 s", "1,2 s", "1,2 s"},
		{30 * time.Second, "30.0 s", "30,0 s", "30,0 s"},
		{59960 * time.Millisecond, "1 min 00 s", "1 min 00 s", "1 min 00 s"},
		{125 * time.Second, "2 min 05 s", "2 min 05 s", "2 min 05 s"},
		{time.Hour + 2*time.Minute, "1 h 02 min", "1 h 02 min", "1 h 02 min"},
	}
	for _, tt := range tests {
		for l, want := range map[Lang]string{English: tt.en, German: tt.de, Italian: tt.it} {
			t.Run(string(l)+"/"+tt.d.String(), func(t *testing.T) {
				if got := New(l).Duration(tt.d); got != want {
					t.Errorf("Duration(%v) = %q, want %q", tt.d, got, want)
				}
			})
		}
	}
}

func TestDate(t *testing.T) {
	at := time.Date(2026, time.January, 2, 15, 4, 5, 0, time.FixedZone("CET", 3600))
	for l, want := range map[Lang]string{English: "2 Jan 2026 15:04", German: "02.01.2026 15:04", Italian: "02/01/2026 15:04"} {
		t.Run(string(l), func(t *testing.T) {
			if got := New(l).Date(at); got != want {
				t.Errorf("Date = %q, want %q", got, want)
			}
		})
	}
}

// One Localizer serves the TUI's goroutines and the stage observer at once.
func TestConcurrentUse(t *testing.T) {
	w := New(Italian)
	done := make(chan string)
	for i := 0; i < 8; i++ {
		go func() {
			d := w.Diagnosis(providers.Diagnosis{Code: providers.CodeConfigUnsupportedHost,
				Args: map[string]string{"host": "smtp-relay.gmail.com", "reason": "google_relay"}})
			done <- d.Explain + w.N("tui.checks.passed", i, nil) + w.Duration(time.Duration(i)*time.Second)
		}()
	}
	for i := 0; i < 8; i++ {
		if s := <-done; s == "" || strings.Contains(s, "google_relay") {
			t.Errorf("concurrent render: %q", s)
		}
	}
}

func TestDateArguments(t *testing.T) {
	d := providers.Diagnosis{Code: providers.CodeTLSExpiredCert, Args: map[string]string{"host": "mail.acme.de", "not_after": "2025-03-31T23:59:59Z"}}
	for l, want := range map[Lang]string{English: "31 Mar 2025", German: "31.03.2025", Italian: "31/03/2025"} {
		if got := New(l).Diagnosis(d).Explain; !strings.Contains(got, want) {
			t.Errorf("%s: %q lacks %q", l, got, want)
		}
	}
	d.Args["not_after"] = "2025-03-31"
	if got := New(German).Diagnosis(d).Explain; !strings.Contains(got, "31.03.2025") {
		t.Errorf("date-only value: %q", got)
	}
	d.Args["not_after"] = "1999-12-31T23:30:00+01:00"
	if got := New(German).Diagnosis(d).Explain; !strings.Contains(got, "31.12.1999") {
		t.Errorf("offset date: %q", got)
	}
	for _, v := range []string{"soon", "2025-3-31", "31.03.2025", "2025-03-3x"} {
		d.Args["not_after"] = v
		if got := New(German).Diagnosis(d).Explain; !strings.Contains(got, v) {
			t.Errorf("a value that is not a date must stay: %q lacks %q", got, v)
		}
	}
}

func TestMissingKeyNeverPanics(t *testing.T) {
	for _, l := range Langs {
		w := New(l)
		if got := w.T("no.such.key"); got != "no.such.key" {
			t.Errorf("%s: T(missing) = %q", l, got)
		}
		if got := w.N("no.such.key", 3, nil); got != "no.such.key" {
			t.Errorf("%s: N(missing) = %q", l, got)
		}
		if w.Has("no.such.key") || !w.Has("diag.unknown.title") {
			t.Errorf("%s: Has is wrong", l)
		}
		if d := w.Diagnosis(providers.Diagnosis{Code: "no.such.code"}); d.Title != w.T("diag.unknown.title") {
			t.Errorf("%s: unknown code renders %q", l, d.Title)
		}
		if w.Field(nil) != "" || w.Missing(nil) != "" {
			t.Errorf("%s: nil errors must render empty", l)
		}
	}
}

// badText finds template debris and the gaps a missing argument leaves.
var badText = regexp.MustCompile(`<no value>|{{|}}|  |\( |\(\)| [.,;]| :\s|\.\.`)

// debris is what must not appear even when the caller gives no arguments.
var debris = regexp.MustCompile(`<no value>|{{|}}`)

// TestEveryMessageRenders renders every message of every language with
// all arguments and with none: neither may leave debris.
func TestEveryMessageRenders(t *testing.T) {
	full := map[string]string{"address": "jobs@acme.de", "inbound": "acme-jobs@m-personio.de", "host": "smtp.acme.de",
		"port": "587", "alternative": "smtp.gmail.com", "reason": "google_relay", "username": "hr@acme.de",
		"token": "jm-7f3a", "path": "/etc/ssl/acme.pem", "detail": "missing_at", "value": "x", "allowed": "a, b",
		"min": "1", "max": "65535", "key": "company.smtp.port", "file": "jobmail.yaml", "line": "7",
		"suggestion": "sender_name", "first_line": "3", "expected": "integer", "got": "string", "version": "2",
		"supported": "1", "name": "Acme Italia S.r.l.", "max_bytes": "1048576", "issuer": "CN=Acme CA",
		"names": "mail.acme.de", "not_after": "2025-01-01", "offered": "CRAM-MD5", "tenant": "acme.de",
		"client_id": "abc", "admin_consent_url": "https://login.microsoftonline.com/acme.de/adminconsent?client_id=abc",
		"actual": "me@gmail.com", "expected_account": "", "count": "2", "duration": "1,2 s", "account": "smtp:jobs@acme.de",
		"ref": "env:PW", "error": "boom", "command": "jobmail report", "flag": "--frob", "arg": "frobnicate"}
	cats := loadCatalogues(t)
	for _, l := range Langs {
		w := New(l)
		for _, id := range sortedKeys(cats[l]) {
			for name, args := range map[string]map[string]string{"full": full, "none": nil} {
				got := w.T(id, args)
				if got == id {
					t.Errorf("%s %q (%s args): did not render", l, id, name)
				}
				check := badText
				if args == nil {
					check = debris // core-supplied arguments (min, max…) may leave gaps
				}
				if m := check.FindString(got); m != "" && !strings.HasPrefix(id, "testmail.body") {
					t.Errorf("%s %q (%s args): %q in %q", l, id, name, m, got)
				}
			}
		}
	}
}

func TestDiagnosisUnsupportedHost(t *testing.T) {
	u, bad := providers.CheckHost("smtp-relay.gmail.com")
	if !bad {
		t.Fatal("smtp-relay.gmail.com should be unsupported")
	}
	d := *providers.UnsupportedDiagnosis(u, "smtp.host")
	for _, l := range Langs {
		t.Run(string(l), func(t *testing.T) {
			w := New(l)
			got := w.Diagnosis(d)
			if !strings.Contains(got.Explain, "smtp-relay.gmail.com") || !strings.Contains(got.Remedy, "smtp.gmail.com") {
				t.Errorf("host or alternative missing: %+v", got)
			}
			reason := w.T("unsupported.google_relay")
			if !strings.Contains(got.Explain, reason) || strings.Contains(got.Explain, "google_relay") {
				t.Errorf("reason not rendered from unsupported.google_relay: %q", got.Explain)
			}
			if got.Actor != w.T("actor.user") || got.Actor == "" {
				t.Errorf("actor = %q", got.Actor)
			}
		})
	}
}

func TestDiagnosisTextDiffersByLanguage(t *testing.T) {
	d := providers.Diagnosis{Code: providers.CodeAuthSMTPAuthDisabled, Actor: providers.ActorMailAdmin,
		Args: map[string]string{"address": "jobs@acme.de"}}
	seen := map[string]Lang{}
	for _, l := range Langs {
		got := New(l).Diagnosis(d)
		if !strings.Contains(got.Remedy, "Set-CASMailbox -Identity jobs@acme.de -SmtpClientAuthenticationDisabled $false") {
			t.Errorf("%s: remedy lacks the command with the address: %q", l, got.Remedy)
		}
		if prev, dup := seen[got.Title]; dup {
			t.Errorf("%s and %s share the title %q", prev, l, got.Title)
		}
		seen[got.Title] = l
	}
	// Without the address the command still reads as a command.
	if got := New(German).Diagnosis(providers.Diagnosis{Code: providers.CodeAuthSMTPAuthDisabled}); !strings.Contains(got.Remedy, "-Identity <Adresse> -Smtp") {
		t.Errorf("placeholder address missing: %q", got.Remedy)
	}
	// A reason without words is dropped, never shown as a code.
	got := New(English).Diagnosis(providers.Diagnosis{Code: providers.CodeNetTimeout, Args: map[string]string{"reason": "unreachable"}})
	if !strings.Contains(got.Explain, New(English).T("reason.unreachable")) {
		t.Errorf("reason.unreachable not rendered: %q", got.Explain)
	}
}

func TestField(t *testing.T) {
	tests := []struct {
		name string
		err  *setupfile.FieldError
		lang Lang
		want string
	}{
		{"port range en", &setupfile.FieldError{Key: "company.smtp.port", Reason: "port_range", Args: map[string]string{"min": "1", "max": "65535", "value": "70000"}},
			English, "company.smtp.port: Port 70000 does not exist: use a number from 1 to 65535, usually 587 or 465."},
		{"with file and line", &setupfile.FieldError{Key: "company.smtp.port", Reason: "required", File: "jobmail.yaml", Line: 12},
			German, "jobmail.yaml:12: company.smtp.port: Bitte geben Sie einen Wert ein."},
		{"line without file", &setupfile.FieldError{Key: "version", Reason: "required", Line: 1},
			Italian, "riga 1: version: Inserisca un valore."},
		{"detail translated", &setupfile.FieldError{Key: "company.address", Reason: "address_invalid", Args: map[string]string{"detail": "missing_at", "value": "jobs.acme.de"}},
			German, "company.address: Keine gültige E-Mail-Adresse („jobs.acme.de“): das @ fehlt."},
		{"types translated", &setupfile.FieldError{Key: "company.smtp.port", Reason: "wrong_type", Args: map[string]string{"expected": "integer", "got": "string"}},
			Italian, "company.smtp.port: Tipo di valore errato: previsto un numero intero, trovato un testo."},
		{"unknown key keeps the core's key arg", &setupfile.FieldError{Key: "company.smtp.hots", Reason: "unknown_key", Args: map[string]string{"key": "hots", "suggestion": "host"}},
			English, "company.smtp.hots: Unknown key. Did you mean \"host\"?"},
		{"generic reason shows the cause", &setupfile.FieldError{Key: "company.x", Reason: "invalid", Err: errString("strconv: bad")},
			English, "company.x: This value cannot be used. (strconv: bad)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := New(tt.lang).Field(tt.err); got != tt.want {
				t.Errorf("Field =\n %q\nwant\n %q", got, tt.want)
			}
		})
	}
	// A field error that is also a diagnosis tells the diagnosis.
	err := wizard.ValidateSMTPHost("aspmx.l.google.com")
	fe, ok := err.(*setupfile.FieldError)
	if !ok {
		t.Fatalf("ValidateSMTPHost = %v", err)
	}
	fe.Key = "company.smtp.host"
	got := New(Italian).Field(fe)
	if !strings.Contains(got, "aspmx.l.google.com") || !strings.Contains(got, New(Italian).T("unsupported.google_restricted")) {
		t.Errorf("unsupported host field error: %q", got)
	}
}

type errString string

func (e errString) Error() string { return string(e) }

func TestMissing(t *testing.T) {
	e := &setupfile.MissingError{Key: "company.smtp.host", File: "jobmail.yaml"}
	for l, want := range map[Lang]string{
		English: `"company.smtp.host" is missing in jobmail.yaml (needed when jobmail runs without a terminal).`,
		German:  "„company.smtp.host“ fehlt in jobmail.yaml (wird benötigt, wenn jobmail ohne Terminal läuft).",
		Italian: "Manca «company.smtp.host» in jobmail.yaml (necessario quando jobmail viene eseguito senza terminale).",
	} {
		if got := New(l).Missing(e); got != want {
			t.Errorf("%s: %q", l, got)
		}
	}
	if got := New(German).Missing(&setupfile.MissingError{Key: "platform.account"}); !strings.Contains(got, "in der Setup-Datei") {
		t.Errorf("without file: %q", got)
	}
}

func TestPlural(t *testing.T) {
	cats := loadCatalogues(t)
	var plural []string
	for _, id := range sortedKeys(cats[English]) {
		if len(forms(cats[English][id])) > 1 {
			plural = append(plural, id)
		}
	}
	if len(plural) == 0 {
		t.Fatal("the catalogue has no plural message")
	}
	for _, l := range Langs {
		w := New(l)
		for _, id := range plural {
			one, two, million := w.N(id, 1, nil), w.N(id, 2, nil), w.N(id, 1000000, nil)
			if one == two {
				t.Errorf("%s %q: one and two render alike: %q", l, id, one)
			}
			if !strings.Contains(two, "2") || !strings.Contains(million, "1000000") {
				t.Errorf("%s %q: count missing: %q / %q", l, id, two, million)
			}
			for _, s := range []string{one, two, million} {
				if debris.MatchString(s) || s == id {
					t.Errorf("%s %q: %q", l, id, s)
				}
			}
		}
	}
	if got := New(German).N("tui.checks.passed", 1, nil); got != "Die Voraussetzung ist erfüllt." {
		t.Errorf("German one = %q", got)
	}
	if got := New(Italian).N("tui.checks.passed", 14, nil); got != "Tutti i 14 requisiti sono soddisfatti." {
		t.Errorf("Italian other = %q", got)
	}
}

// TestValidatorDetailsHaveWords feeds the wizard's validators bad input
// and checks that every detail code they emit is in detailValues (so the
// catalogue test covers it) and is rendered as words, not as the code.
func TestValidatorDetailsHaveWords(t *testing.T) {
	bad := map[string]func(string) error{
		"address": setupfile.ValidateAddress, "host": setupfile.ValidateHost, "domain": setupfile.ValidateMailDomain,
		"account": setupfile.ValidateAccount, "secret": setupfile.ValidateSecretRef, "username": setupfile.ValidateUsername,
		"url": setupfile.ValidateURL, "text": setupfile.ValidatePlatformName,
	}
	inputs := []string{
		"jobs acme.de", "jobs.acme.de", "a@b@acme.de", "<jobs@acme.de>", "@acme.de", ".jobs@acme.de",
		"jöbs@acme.de", "jo(bs@acme.de", "jobs@", "jobs@acme", "jobs@acme..de", "jobs@1.2.3.999",
		"jobs@" + strings.Repeat("a", 64) + ".de", strings.Repeat("a", 65) + "@acme.de", "jobs@xn--.de",
		"smtps://mail.acme.de", "mail.acme.de/x", "user@mail.acme.de", "mail.acme.de:587", "[192.0.2.1]",
		"192.0.2.1", "[::1]:25", "mail acme", "a..b", strings.Repeat("x", 64) + ".de", "1.2.3.999", "localhost",
		"-acme", "Acme", "ac_me", strings.Repeat("a", 60), "hunter2", "env:1BAD", "file:", " jobs",
		"ftp://login.example.com", "https://u:p@login.example.com", "http://example.com", "https://%zz", "\xff",
	}
	seen := map[string]bool{}
	for name, v := range bad {
		for _, in := range inputs {
			err := v(in)
			fe, ok := err.(*setupfile.FieldError)
			if !ok || fe.Args["detail"] == "" {
				continue
			}
			d := fe.Args["detail"]
			seen[d] = true
			if !slices.Contains(detailValues, d) {
				t.Errorf("%s(%q): detail %q is not in detailValues", name, in, d)
			}
			fe.Key = "k"
			for _, l := range Langs {
				if got := New(l).Field(fe); strings.Contains(got, ": "+d+".") || strings.Contains(got, d+")") {
					t.Errorf("%s: %s(%q) shows the code %q: %q", l, name, in, d, got)
				}
			}
		}
	}
	if len(seen) < 20 {
		t.Errorf("only %d detail codes exercised: %v", len(seen), sortedKeys(seen))
	}
}
