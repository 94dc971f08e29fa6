package setupfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"unicode/utf8"
)

// reasonOf returns the Reason and Args["detail"] of a validator's error.
func reasonOf(t *testing.T, err error) (string, string) {
	t.Helper()
	if err == nil {
		return "", ""
	}
	var fe *FieldError
	if !errors.As(err, &fe) {
		t.Fatalf("error %v (%T) is not a *FieldError", err, err)
	}
	return fe.Reason, fe.Args["detail"]
}

type validatorCase struct {
	in     string
	reason string // "" = valid
	detail string // checked when set
}

func runValidator(t *testing.T, name string, f func(string) error, cases []validatorCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(name+"/"+c.in, func(t *testing.T) {
			reason, detail := reasonOf(t, f(c.in))
			if reason != c.reason {
				t.Fatalf("%s(%q): reason %q, want %q", name, c.in, reason, c.reason)
			}
			if c.detail != "" && detail != c.detail {
				t.Fatalf("%s(%q): detail %q, want %q", name, c.in, detail, c.detail)
			}
		})
	}
}

func TestValidateAddress(t *testing.T) {
	runValidator(t, "ValidateAddress", ValidateAddress, []validatorCase{
		{"jobs@acme.de", "", ""},
		{"Jobs.Team+hr@Acme.DE", "", ""},
		{"jobs@bücher.de", "", ""},
		{"jobs@xn--bcher-kva.de", "", ""},
		{"jobs@mail.example.test.", "", ""},
		{"o'brien@acme.ie", "", ""},
		{"", ReasonRequired, ""},
		{"jobs.acme.de", ReasonAddressInvalid, "missing_at"},
		{"jobs@@x", ReasonAddressInvalid, "multiple_at"},
		{"a@b@acme.de", ReasonAddressInvalid, "multiple_at"},
		{"jobs @acme.de", ReasonAddressInvalid, "space"},
		{"jobs@acme.de ", ReasonAddressInvalid, "space"},
		{"Acme <jobs@acme.de>", ReasonAddressInvalid, "angle_bracket"},
		{"jobs@acme.de\r\nBcc: x@evil.test", ReasonCRLF, ""},
		{"jobs@acme.de\n", ReasonCRLF, ""},
		{"jobs\x00@acme.de", ReasonControlChar, ""},
		{"jobs\t@acme.de", ReasonControlChar, ""},
		{"@acme.de", ReasonAddressInvalid, "local_empty"},
		{".jobs@acme.de", ReasonAddressInvalid, "local_dots"},
		{"jo..bs@acme.de", ReasonAddressInvalid, "local_dots"},
		{"jobs.@acme.de", ReasonAddressInvalid, "local_dots"},
		{`"jobs"@acme.de`, ReasonAddressInvalid, "local_invalid"},
		{"jöbs@acme.de", ReasonAddressInvalid, "local_non_ascii"},
		{strings.Repeat("a", 65) + "@acme.de", ReasonAddressInvalid, "local_too_long"},
		{"jobs@", ReasonAddressInvalid, "domain_empty"},
		{"jobs@acme", ReasonAddressInvalid, "domain_no_dot"},
		{"jobs@acme..de", ReasonAddressInvalid, "domain_label_empty"},
		{"jobs@xn--zz.de", ReasonAddressInvalid, "domain_idna"},
		{"jobs@a_b.de", ReasonAddressInvalid, "domain_idna"},
		{"jobs@-acme.de", ReasonAddressInvalid, "domain_idna"},
		{"jobs@" + strings.Repeat("a", 64) + ".de", ReasonAddressInvalid, "domain_label_too_long"},
		{"jobs@192.0.2.1", ReasonAddressInvalid, "domain_numeric_tld"},
		{"jobs@[192.0.2.1]", ReasonAddressInvalid, "domain_idna"},
		{"jobs@" + strings.Repeat("abcdefghi.", 25) + "de", ReasonTooLong, ""},
		{"jobs@acme.de\xff", ReasonAddressInvalid, "encoding"},
	})
}

func TestCanonicalAndSameAddress(t *testing.T) {
	c, err := CanonicalAddress("Jobs@Bücher.DE")
	if err != nil || c != "Jobs@xn--bcher-kva.de" {
		t.Fatalf("CanonicalAddress = %q, %v", c, err)
	}
	for _, tc := range []struct {
		a, b string
		same bool
	}{
		{"jobs@bücher.de", "JOBS@xn--bcher-kva.de", true},
		{"jobs@acme.de", "jobs@acme.de.", true},
		{"jobs@acme.de", "careers@acme.de", false},
		{"jobs", "JOBS", true}, // invalid addresses compare as text
		{"Jobs@ACME.de", "jobs@acme.de", true},
		{"jobs@xn--bcher-kva.de", "JOBS@XN--BCHER-KVA.DE", true},
		{"jobs@xn--zz.de", "JOBS@XN--ZZ.DE", true}, // invalid punycode
		{" jobs@acme.de", "jobs@acme.de", true},
		{"jobs@acme..de", "JOBS@acme..de", true},
		{"jobs@ac_me.de", "jobs@AC_ME.de", true},
		{"e01@example.test", "b001@example.test", false},
	} {
		if got := SameAddress(tc.a, tc.b); got != tc.same {
			t.Errorf("SameAddress(%q, %q) = %v", tc.a, tc.b, got)
		}
		// the ASCII shortcut answers as the canonical forms do
		if got, want := SameAddress(tc.a, tc.b), sameCanonical(tc.a, tc.b); got != want {
			t.Errorf("SameAddress(%q, %q) = %v, by the canonical forms %v", tc.a, tc.b, got, want)
		}
	}
}

func TestValidateHost(t *testing.T) {
	runValidator(t, "ValidateHost", ValidateHost, []validatorCase{
		{"smtp.acme.de", "", ""},
		{"SMTP.Acme.DE.", "", ""},
		{"localhost", "", ""},
		{"mail.bücher.de", "", ""},
		{"127.0.0.1", "", ""},
		{"::1", "", ""},
		{"[2001:db8::1]", "", ""},
		{"", ReasonRequired, ""},
		{"smtps://smtp.acme.de", ReasonHostInvalid, "scheme"},
		{"smtp.acme.de/", ReasonHostInvalid, "path"},
		{"smtp.acme.de:587", ReasonHostInvalid, "port"},
		{"[2001:db8::1]:25", ReasonHostInvalid, "port"},
		{"[192.0.2.1]", ReasonHostInvalid, "ip_literal"},
		{"2001:db8::zz", ReasonHostInvalid, "ip_literal"},
		{"jobs@smtp.acme.de", ReasonHostInvalid, "userinfo"},
		{"smtp acme.de", ReasonHostInvalid, "space"},
		{"smtp_acme.de", ReasonHostInvalid, "idna"},
		{"1.2.3.999", ReasonHostInvalid, "numeric_tld"},
		{"smtp..acme.de", ReasonHostInvalid, "label_empty"},
		{strings.Repeat("a.", 127) + "de", ReasonHostInvalid, "too_long"},
		{"smtp.acme.de\r\nQUIT", ReasonCRLF, ""},
	})
}

func TestValidateMailDomain(t *testing.T) {
	runValidator(t, "ValidateMailDomain", ValidateMailDomain, []validatorCase{
		{"m-personio.de", "", ""},
		{"mail.bücher.de", "", ""},
		{"localhost", ReasonDomainInvalid, "no_dot"},
		{"192.0.2.1", ReasonDomainInvalid, "ip_not_allowed"},
		{"https://m-personio.de", ReasonDomainInvalid, "scheme"},
	})
}

func TestValidateAccount(t *testing.T) {
	runValidator(t, "ValidateAccount", ValidateAccount, []validatorCase{
		{"acme", "", ""},
		{"acme-group-2", "", ""},
		{"", ReasonRequired, ""},
		{"Acme", ReasonAccountInvalid, "uppercase"},
		{"-acme", ReasonAccountInvalid, "hyphen"},
		{"acme-", ReasonAccountInvalid, "hyphen"},
		{"acme_de", ReasonAccountInvalid, "character"},
		{"acmé", ReasonAccountInvalid, "character"},
		{strings.Repeat("a", 60), ReasonAccountInvalid, "too_long"},
		{"acme\n", ReasonCRLF, ""},
	})
}

func TestValidatePort(t *testing.T) {
	runValidator(t, "ValidatePort", ValidatePort, []validatorCase{
		{"587", "", ""}, {"1", "", ""}, {"65535", "", ""},
		{"", ReasonRequired, ""},
		{"0", ReasonPortRange, ""},
		{"70000", ReasonPortRange, ""},
		{"99999999999999999999", ReasonPortRange, ""},
		{"abc", ReasonPortInvalid, ""},
		{"-1", ReasonPortInvalid, ""},
		{"+587", ReasonPortInvalid, ""},
		{" 587", ReasonPortInvalid, ""},
		{"58 7", ReasonPortInvalid, ""},
	})
}

func TestValidateChoices(t *testing.T) {
	runValidator(t, "ValidateSecurity", ValidateSecurity, []validatorCase{
		{"starttls", "", ""}, {"smtps", "", ""}, {"starttls-noverify", "", ""}, {"none", "", ""},
		{"STARTTLS", ReasonSecurityInvalid, ""}, {"tls", ReasonSecurityInvalid, ""}, {"", ReasonRequired, ""},
	})
	runValidator(t, "ValidateChannel", ValidateChannel, []validatorCase{
		{"platform", "", ""}, {"google", "", ""}, {"microsoft", "", ""}, {"smtp", "", ""},
		{"sendgrid", ReasonChannelInvalid, ""}, {"smtp\r\n", ReasonCRLF, ""},
	})
	runValidator(t, "ValidateSenderName", ValidateSenderName, []validatorCase{
		{"company", "", ""}, {"employee", "", ""},
		{"Acme GmbH", ReasonSenderNameInvalid, ""}, {"company\r\nBcc: x@evil.test", ReasonCRLF, ""},
	})
	runValidator(t, "ValidateForwarding", ValidateForwarding, []validatorCase{
		{"done", "", ""}, {"later", "", ""}, {"yes", ReasonForwardingInvalid, ""},
	})
}

func TestValidateSecretRef(t *testing.T) {
	runValidator(t, "ValidateSecretRef", ValidateSecretRef, []validatorCase{
		{"keyring", "", ""}, {"stdin", "", ""}, {"env:SMTP_PASSWORD", "", ""}, {"file:/run/secrets/pw", "", ""},
		{"", ReasonRequired, ""},
		{"hunter2", ReasonNotSecretRef, "plaintext"},
		{"env:", ReasonNotSecretRef, "env_name"},
		{"env:1ABC", ReasonNotSecretRef, "env_name"},
		{"file:", ReasonNotSecretRef, "file_path"},
		{"Keyring", ReasonNotSecretRef, "plaintext"},
		{"pw\r\nx", ReasonCRLF, ""},
	})
	// The value never reaches the error, whatever it looks like.
	const marker = "S3cret-Marker-Value"
	err := ValidateSecretRef(marker)
	var fe *FieldError
	if !errors.As(err, &fe) {
		t.Fatalf("no FieldError: %v", err)
	}
	fe.Key, fe.File, fe.Line = "company.smtp.password", "jobmail.yaml", 9
	if strings.Contains(fe.Error(), marker) || strings.Contains(strings.Join(mapValues(fe.Args), " "), marker) {
		t.Fatalf("secret leaked into error: %q %v", fe.Error(), fe.Args)
	}
}

func mapValues(m map[string]string) []string {
	var out []string
	for k, v := range m {
		out = append(out, k, v)
	}
	return out
}

func TestValidateOthers(t *testing.T) {
	runValidator(t, "ValidateUsername", ValidateUsername, []validatorCase{
		{"jobs@acme.de", "", ""}, {"ACME\\jobs", "", ""}, {"", ReasonRequired, ""},
		{" jobs", ReasonUsernameInvalid, "space"}, {"jobs\n", ReasonCRLF, ""},
		{strings.Repeat("u", 321), ReasonTooLong, ""},
	})
	runValidator(t, "ValidateClientID", ValidateClientID, []validatorCase{
		{"00000000-0000-0000-0000-000000000000", "", ""}, {"1234-abc.apps.googleusercontent.com", "", ""},
		{"abc def", ReasonClientIDInvalid, ""}, {"id/../x", ReasonClientIDInvalid, ""},
	})
	runValidator(t, "ValidateTenant", ValidateTenant, []validatorCase{
		{"common", "", ""}, {"organizations", "", ""}, {"acme.onmicrosoft.com", "", ""},
		{"72f988bf-86f1-41af-91ab-2d7cd011db47", "", ""},
		{"acme", ReasonTenantInvalid, ""}, {"https://login.microsoftonline.com/acme", ReasonTenantInvalid, ""},
	})
	runValidator(t, "ValidateEntityName", ValidateEntityName, []validatorCase{
		{"Acme Italia S.r.l.", "", ""}, {"Acme Österreich GmbH", "", ""},
		{"", ReasonRequired, ""}, {"   ", ReasonRequired, ""},
		{"Acme\r\nBcc: x", ReasonCRLF, ""}, {"Acme\u2028Ltd", ReasonControlChar, ""}, {"Acme\x1b[31m", ReasonControlChar, ""},
		{strings.Repeat("ä", 200), "", ""}, {strings.Repeat("ä", 201), ReasonTooLong, ""},
	})
	runValidator(t, "ValidateCIDR", ValidateCIDR, []validatorCase{
		{"3.121.59.239/32", "", ""}, {"2001:db8::/32", "", ""}, {"3.121.59.239", "", ""},
		{"3.121.59.239/33", ReasonCIDRInvalid, ""}, {"acme", ReasonCIDRInvalid, ""},
	})
	runValidator(t, "ValidateURL", ValidateURL, []validatorCase{
		{"https://login.microsoftonline.com", "", ""}, {"http://127.0.0.1:8080/token", "", ""},
		{"http://localhost:9/x", "", ""},
		{"http://oauth.example.com/token", ReasonURLInvalid, "scheme"},
		{"ftp://x.example.com", ReasonURLInvalid, "scheme"},
		{"https://user:pw@x.example.com", ReasonURLInvalid, "userinfo"},
		{"not a url", ReasonURLInvalid, "syntax"},
		{"https://bad_host.example.com/", ReasonURLInvalid, "host"},
	})
	runValidator(t, "ValidatePrerequisiteID", ValidatePrerequisiteID, []validatorCase{
		{"smtp_auth_enabled", "", ""}, {"Smtp", ReasonPrerequisiteInvalid, ""}, {"a-b", ReasonPrerequisiteInvalid, ""},
	})
}

func TestValidateCAFile(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.pem")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.pem")
	if err := os.WriteFile(big, make([]byte, MaxReferencedFile+1), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path, reason, detail string
	}{
		{"testdata/certs/ca.pem", "", ""},
		{"testdata/certs/password.txt", ReasonCAFileNoCert, ""},
		{empty, ReasonCAFileNoCert, ""},
		{filepath.Join(dir, "missing.pem"), ReasonCAFileUnreadable, "not_found"},
		{dir, ReasonCAFileUnreadable, "is_directory"},
		{big, ReasonCAFileUnreadable, "too_large"},
		{"", ReasonRequired, ""},
	} {
		t.Run(filepath.Base(c.path), func(t *testing.T) {
			reason, detail := reasonOf(t, ValidateCAFile(c.path, ReadFileLimited))
			if reason != c.reason || detail != c.detail {
				t.Fatalf("ValidateCAFile(%q) = %q/%q, want %q/%q", c.path, reason, detail, c.reason, c.detail)
			}
		})
	}
	// A permission problem as the OS reports it (root reads anything, so
	// the reader is injected here; the loader test covers the real case).
	denied := func(p string) ([]byte, error) { return nil, &fs.PathError{Op: "open", Path: p, Err: syscall.EACCES} }
	if reason, detail := reasonOf(t, ValidateCAFile("/etc/ca.pem", denied)); reason != ReasonCAFileUnreadable || detail != "permission" {
		t.Fatalf("permission: %q/%q", reason, detail)
	}
}

func TestValidateSecretFileDoesNotRead(t *testing.T) {
	dir := t.TempDir()
	// A FIFO with no writer: opening it would block, reading it would
	// hang; the check must do neither.
	fifo := filepath.Join(dir, "pw.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	if err := ValidateSecretFile(fifo, CheckReadable); err != nil {
		t.Fatalf("fifo: %v", err)
	}
	// A CA file is read, so a FIFO is refused before it is opened.
	if reason, detail := reasonOf(t, ValidateCAFile(fifo, ReadFileLimited)); reason != ReasonCAFileUnreadable || detail != "not_regular" {
		t.Fatalf("fifo as ca_file: %q/%q", reason, detail)
	}
	if reason, detail := reasonOf(t, ValidateSecretFile(dir, CheckReadable)); reason != ReasonSecretFileMissing || detail != "is_directory" {
		t.Fatalf("directory: %q/%q", reason, detail)
	}
	if reason, detail := reasonOf(t, ValidateSecretFile(filepath.Join(dir, "nope"), CheckReadable)); reason != ReasonSecretFileMissing || detail != "not_found" {
		t.Fatalf("missing: %q/%q", reason, detail)
	}
}

func TestSafeArg(t *testing.T) {
	got := SafeArg("a\x1b[2Jb\r\n" + strings.Repeat("x", 200))
	if strings.ContainsAny(got, "\x1b\r\n") || utf8.RuneCountInString(got) > maxArgLen+1 {
		t.Fatalf("SafeArg = %q", got)
	}
}

// FuzzValidateAddress: never panics; an accepted address has no control
// character, space or angle bracket, and its canonical form is accepted
// and stable.
func FuzzValidateAddress(f *testing.F) {
	for _, s := range []string{"jobs@acme.de", "jobs@bücher.de", "jobs@xn--bcher-kva.de", "jobs@@x", "a@b", "\r\n@x.de", "x@[::1]", "ö@ß.de", "a@xn--.de"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, o := range []string{strings.ToUpper(s), s + ".", "x" + s} {
			if SameAddress(s, o) != sameCanonical(s, o) {
				t.Fatalf("SameAddress(%q, %q) disagrees with the canonical forms", s, o)
			}
		}
		err := ValidateAddress(s)
		if err != nil {
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Reason == "" {
				t.Fatalf("not a FieldError with a reason: %v", err)
			}
			return
		}
		if strings.ContainsAny(s, "\r\n\x00 <>") || !utf8.ValidString(s) {
			t.Fatalf("accepted %q", s)
		}
		c, err := CanonicalAddress(s)
		if err != nil {
			t.Fatalf("canonical of accepted %q: %v", s, err)
		}
		if c2, err := CanonicalAddress(c); err != nil || c2 != c {
			t.Fatalf("canonical not stable: %q -> %q -> %q (%v)", s, c, c2, err)
		}
		if !SameAddress(s, c) {
			t.Fatalf("SameAddress(%q, %q) = false", s, c)
		}

	})
}
