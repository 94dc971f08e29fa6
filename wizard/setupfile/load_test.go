package setupfile

import (
	"errors"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// loadErr loads path and returns its first *FieldError (failing when the
// file loads).
func loadErr(t *testing.T, path string, opts LoadOptions) (*SetupError, *FieldError) {
	t.Helper()
	l, err := Load(path, opts)
	if err == nil {
		t.Fatalf("%s loaded (%+v), want an error", path, l.Setup)
	}
	var se *SetupError
	if !errors.As(err, &se) || len(se.Errors) == 0 {
		t.Fatalf("%s: error %v (%T) is not a *SetupError", path, err, err)
	}
	var fe *FieldError
	if !errors.As(err, &fe) || fe != se.Errors[0] {
		t.Fatalf("%s: errors.As does not yield the first FieldError", path)
	}
	if fe.File != path {
		t.Errorf("%s: File = %q", path, fe.File)
	}
	return se, fe
}

func TestLoadExamples(t *testing.T) {
	files, err := filepath.Glob("testdata/examples/*.yaml")
	if err != nil || len(files) < 8 {
		t.Fatalf("examples: %v %v", files, err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			l, err := LoadFile(f)
			if err != nil {
				t.Fatalf("LoadFile: %v", err)
			}
			if l.Setup.Version != 1 || l.Setup.Company.Address == "" || l.Lines["company.address"] == 0 {
				t.Fatalf("loaded %+v lines %v", l.Setup, l.Lines)
			}
		})
	}
}

// brokenCases: every committed broken setup file with the key, line and
// reason its first error must name (detail when the reason has several).
var brokenCases = []struct {
	file, key string
	line      int
	reason    string
	detail    string
}{
	{"syntax-unclosed-quote.yaml", "", 5, ReasonYAMLSyntax, ""},
	{"syntax-bad-indent.yaml", "", 3, ReasonYAMLSyntax, ""},
	{"syntax-tab-indent.yaml", "", 3, ReasonTabIndent, ""},
	{"syntax-unclosed-flow.yaml", "", 1, ReasonYAMLSyntax, ""},
	{"binary.yaml", "", 4, ReasonFileBinary, ""},
	{"latin1.yaml", "", 6, ReasonFileNotUTF8, ""},
	{"empty.yaml", "", 0, ReasonFileEmpty, ""},
	{"comments-only.yaml", "", 0, ReasonFileEmpty, ""},
	{"multiple-documents.yaml", "", 6, ReasonMultipleDocs, ""},
	{"alias-bomb.yaml", "", 2, ReasonAliasForbidden, ""},
	{"alias-merge-key.yaml", "", 7, ReasonAliasForbidden, ""},
	{"type-port-quoted.yaml", "company.smtp.port", 9, ReasonWrongType, ""},
	{"type-port-abc.yaml", "company.smtp.port", 9, ReasonWrongType, ""},
	{"type-port-float.yaml", "company.smtp.port", 9, ReasonWrongType, ""},
	{"type-company-list.yaml", "company", 5, ReasonWrongType, ""},
	{"type-entities-map.yaml", "entities", 7, ReasonWrongType, ""},
	{"type-prerequisite-string.yaml", "company.prerequisites.ip_allowlist", 7, ReasonWrongType, ""},
	{"type-account-number.yaml", "platform.account", 3, ReasonWrongType, ""},
	{"type-top-level-list.yaml", "", 1, ReasonWrongType, ""},
	{"type-outgoing-ips-scalar.yaml", "platform.outgoing_ips", 4, ReasonWrongType, ""},
	{"type-smtp-scalar.yaml", "company.smtp", 7, ReasonWrongType, ""},
	{"unknown-key-top.yaml", "compnay", 4, ReasonUnknownKey, ""},
	{"unknown-key-nested.yaml", "company.smtp.hostname", 8, ReasonUnknownKey, ""},
	{"unknown-key-entity.yaml", "entities[1].smpt", 11, ReasonUnknownKey, ""},
	{"duplicate-key.yaml", "company.smtp.port", 10, ReasonDuplicateKey, ""},
	{"address-missing-at.yaml", "company.address", 5, ReasonAddressInvalid, "missing_at"},
	{"address-double-at.yaml", "company.address", 5, ReasonAddressInvalid, "multiple_at"},
	{"address-space.yaml", "company.address", 5, ReasonAddressInvalid, "space"},
	{"address-display-name.yaml", "company.address", 5, ReasonAddressInvalid, "angle_bracket"},
	{"address-bad-punycode.yaml", "company.address", 5, ReasonAddressInvalid, "domain_idna"},
	{"address-entity.yaml", "entities[0].address", 8, ReasonAddressInvalid, "domain_no_dot"},
	{"crlf-sender-name.yaml", "company.sender_name", 6, ReasonCRLF, ""},
	{"crlf-entity-name.yaml", "entities[0].name", 7, ReasonCRLF, ""},
	{"crlf-block-scalar-host.yaml", "company.smtp.host", 8, ReasonCRLF, ""},
	{"port-zero.yaml", "company.smtp.port", 9, ReasonPortRange, ""},
	{"port-70000.yaml", "company.smtp.port", 9, ReasonPortRange, ""},
	{"port-huge.yaml", "company.smtp.port", 9, ReasonPortRange, ""},
	{"channel-unknown.yaml", "company.channel", 6, ReasonChannelInvalid, ""},
	{"security-unknown.yaml", "company.smtp.security", 9, ReasonSecurityInvalid, ""},
	{"smtp-without-host.yaml", "company.smtp.host", 7, ReasonRequired, ""},
	{"smtp-without-block.yaml", "company.smtp.host", 4, ReasonRequired, ""},
	{"host-with-scheme.yaml", "company.smtp.host", 8, ReasonHostInvalid, "scheme"},
	{"host-with-port.yaml", "company.smtp.host", 8, ReasonHostInvalid, "port"},
	{"password-plaintext.yaml", "company.smtp.password", 9, ReasonNotSecretRef, "plaintext"},
	{"password-bad-env.yaml", "company.smtp.password", 9, ReasonNotSecretRef, "env_name"},
	{"version-2.yaml", "version", 1, ReasonVersionUnsupported, ""},
	{"version-missing.yaml", "version", 0, ReasonRequired, ""},
	{"account-uppercase.yaml", "platform.account", 3, ReasonAccountInvalid, "uppercase"},
	{"ca-file-missing.yaml", "company.smtp.ca_file", 9, ReasonCAFileUnreadable, "not_found"},
	{"ca-file-not-pem.yaml", "company.smtp.ca_file", 9, ReasonCAFileNoCert, ""},
	{"ca-file-directory.yaml", "company.smtp.ca_file", 9, ReasonCAFileUnreadable, "is_directory"},
	{"ca-file-empty-string.yaml", "company.smtp.ca_file", 9, ReasonRequired, ""},
	{"secret-file-missing.yaml", "company.smtp.password", 9, ReasonSecretFileMissing, "not_found"},
	{"entity-duplicate-name.yaml", "entities[1].name", 9, ReasonDuplicateEntity, ""},
	{"entity-smtp-no-host.yaml", "entities[0].smtp.host", 10, ReasonRequired, ""},
	{"entity-inherits-with-channel.yaml", "entities[0].channel", 8, ReasonEntityInherits, ""},
	{"entity-name-missing.yaml", "entities[0].name", 7, ReasonRequired, ""},
	{"null-company.yaml", "company.address", 4, ReasonRequired, ""},
	{"url-plain-http.yaml", "company.google.token_url", 8, ReasonURLInvalid, "scheme"},
}

func TestLoadBroken(t *testing.T) {
	files, _ := filepath.Glob("testdata/broken/*")
	if len(files) != len(brokenCases) {
		t.Errorf("%d files in testdata/broken, %d cases: every file needs its case", len(files), len(brokenCases))
	}
	for _, c := range brokenCases {
		t.Run(c.file, func(t *testing.T) {
			path := filepath.Join("testdata/broken", c.file)
			_, fe := loadErr(t, path, LoadOptions{})
			if fe.Key != c.key || fe.Line != c.line || fe.Reason != c.reason {
				t.Fatalf("got key %q line %d reason %q (args %v), want %q %d %q", fe.Key, fe.Line, fe.Reason, fe.Args, c.key, c.line, c.reason)
			}
			if c.detail != "" && fe.Args["detail"] != c.detail {
				t.Fatalf("detail %q, want %q", fe.Args["detail"], c.detail)
			}
			if i, ok := entityIndex(fe.Key); ok && fe.Args["index"] == "" {
				t.Fatalf("entity error without index arg (entity %d): %v", i, fe.Args)
			}
			if msg := fe.Error(); (fe.Line > 0 && !strings.Contains(msg, path)) || strings.Contains(msg, "goroutine") {
				t.Fatalf("message %q", msg)
			}
		})
	}
}

func TestLoadBrokenNamesEntities(t *testing.T) {
	_, fe := loadErr(t, "testdata/broken/unknown-key-entity.yaml", LoadOptions{})
	if fe.Args["entity"] != "Acme France" || fe.Args["index"] != "1" || fe.Args["suggestion"] != "smtp" {
		t.Fatalf("args %v", fe.Args)
	}
}

func TestLoadNeverEchoesPlaintextPassword(t *testing.T) {
	se, _ := loadErr(t, "testdata/broken/password-plaintext.yaml", LoadOptions{})
	for _, fe := range se.Errors {
		if strings.Contains(fe.Error(), "Hunter2") || strings.Contains(strings.Join(mapValues(fe.Args), " "), "Hunter2") {
			t.Fatalf("plaintext password in error: %v %v", fe, fe.Args)
		}
	}
	if strings.Contains(se.Error(), "Hunter2") {
		t.Fatal("plaintext password in SetupError")
	}
}

func TestLoadReportsAllErrorsInFileOrder(t *testing.T) {
	data := []byte("version: 1\nplatform:\n  account: Acme\ncompany:\n  address: jobs@@acme.de\n  channel: smtp\n  smtp:\n    host: smtp.acme.de:25\n    port: 0\n")
	_, err := Parse("multi.yaml", data, LoadOptions{})
	var se *SetupError
	if !errors.As(err, &se) {
		t.Fatalf("err %v", err)
	}
	var got []string
	for _, fe := range se.Errors {
		got = append(got, fe.Key)
	}
	want := []string{"platform.account", "company.address", "company.smtp.host", "company.smtp.port"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("keys %v, want %v", got, want)
	}
}

func TestLoadWarnings(t *testing.T) {
	data := []byte("version: 1\nplatform:\n  account: acme\ncompany:\n  address: jobs@acme.de\n  channel: smtp\n  smtp:\n    host: smtp.acme.de\n    username: relay@acme.de\n    security: none\n")
	l, err := Parse("w.yaml", data, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	codes := map[string]string{}
	for _, w := range l.Warnings {
		codes[string(w.Diagnosis.Code)] = w.Key
	}
	if codes["config.username_mismatch"] != "company.smtp.username" || codes["config.insecure"] != "company.smtp.security" {
		t.Fatalf("warnings %+v", l.Warnings)
	}
	if l.Lines.Line("company.smtp.username") != 9 {
		t.Fatalf("line of username %d", l.Lines.Line("company.smtp.username"))
	}
	// Same mailbox spelt differently: no warning.
	data = []byte("version: 1\nplatform:\n  account: acme\ncompany:\n  address: jobs@bücher.de\n  channel: smtp\n  smtp:\n    host: smtp.acme.de\n    username: JOBS@xn--bcher-kva.de\n")
	if l, err = Parse("w.yaml", data, LoadOptions{}); err != nil || len(l.Warnings) != 0 {
		t.Fatalf("warnings %+v err %v", l, err)
	}
}

func TestLoadPartial(t *testing.T) {
	data := []byte("version: 1\nplatform: {}\ncompany:\n  channel: smtp\n  smtp:\n    port: 465\nprogress:\n  step: channel\n")
	if _, err := Parse("p.yaml", data, LoadOptions{}); err == nil {
		t.Fatal("strict load accepted a partial file")
	}
	l, err := Parse("p.yaml", data, LoadOptions{Partial: true})
	if err != nil {
		t.Fatalf("partial: %v", err)
	}
	if l.Setup.Progress.Step != "channel" || l.Setup.Company.SMTP.Port != 465 {
		t.Fatalf("%+v", l.Setup)
	}
	// Values that are present are still checked.
	bad := []byte("version: 1\ncompany:\n  channel: smtp\n  smtp:\n    port: 0\n")
	if _, err := Parse("p.yaml", bad, LoadOptions{Partial: true}); err == nil {
		t.Fatal("partial load accepted port 0")
	}
}

func TestLinesNearestAncestor(t *testing.T) {
	l := Lines{"company": 4, "company.smtp": 7, "entities[1]": 12}
	for key, want := range map[string]int{
		"company.smtp.host": 7, "company.address": 4, "entities[1].smtp.host": 12, "entities[0].name": 0, "version": 0,
	} {
		if got := l.Line(key); got != want {
			t.Errorf("Line(%q) = %d, want %d", key, got, want)
		}
	}
}

func TestLoadTooManyErrors(t *testing.T) {
	var b strings.Builder
	b.WriteString("version: 1\n")
	for i := 0; i < 500; i++ {
		b.WriteString("unknown_" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + "_" + strconv.Itoa(i) + ": 1\n")
	}
	_, err := Parse("many.yaml", []byte(b.String()), LoadOptions{})
	var se *SetupError
	if !errors.As(err, &se) || len(se.Errors) != maxErrors+1 || se.Errors[maxErrors].Reason != ReasonTooManyErrors {
		t.Fatalf("got %d errors", len(se.Errors))
	}
}
