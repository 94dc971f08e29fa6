package secrets

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

const plain = "hunter2-Secret-Value"

type holder struct {
	User     string  `json:"user" yaml:"user" xml:"user"`
	Password Secret  `json:"password" yaml:"password" xml:"password"`
	Token    *Secret `json:"token,omitempty" yaml:"token,omitempty" xml:"token,omitempty"`
}

func TestSecretNeverPrints(t *testing.T) {
	s := New(plain)
	h := holder{User: "jobs@acme.de", Password: s, Token: &s}
	tests := []struct {
		name string
		out  func() (string, error)
	}{
		{"%v", func() (string, error) { return fmt.Sprintf("%v", s), nil }},
		{"%+v", func() (string, error) { return fmt.Sprintf("%+v", s), nil }},
		{"%#v", func() (string, error) { return fmt.Sprintf("%#v", s), nil }},
		{"%s", func() (string, error) { return fmt.Sprintf("%s", s), nil }},
		{"%q", func() (string, error) { return fmt.Sprintf("%q", s), nil }},
		{"%x", func() (string, error) { return fmt.Sprintf("%x", s), nil }},
		{"%d", func() (string, error) { return fmt.Sprintf("%d", s), nil }},
		{"%v pointer", func() (string, error) { return fmt.Sprintf("%v", &s), nil }},
		{"%+v struct", func() (string, error) { return fmt.Sprintf("%+v", h), nil }},
		{"%#v struct", func() (string, error) { return fmt.Sprintf("%#v", h), nil }},
		{"%v slice", func() (string, error) { return fmt.Sprintf("%v", []Secret{s, s}), nil }},
		{"%v map", func() (string, error) { return fmt.Sprintf("%v", map[string]Secret{"k": s}), nil }},
		{"Sprint", func() (string, error) { return fmt.Sprint(s, h), nil }},
		{"wrapped error", func() (string, error) {
			return fmt.Errorf("login %v: %w", s, errors.New("x")).Error(), nil
		}},
		{"json struct", func() (string, error) { b, err := json.Marshal(h); return string(b), err }},
		{"json value", func() (string, error) { b, err := json.Marshal(s); return string(b), err }},
		{"json map", func() (string, error) { b, err := json.Marshal(map[string]any{"p": s}); return string(b), err }},
		{"yaml struct", func() (string, error) { b, err := yaml.Marshal(h); return string(b), err }},
		{"yaml value", func() (string, error) { b, err := yaml.Marshal(s); return string(b), err }},
		{"xml struct", func() (string, error) { b, err := xml.Marshal(h); return string(b), err }},
		{"slog text", func() (string, error) { return logWith(false, s, h), nil }},
		{"slog json", func() (string, error) { return logWith(true, s, h), nil }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.out()
			if err != nil {
				t.Fatalf("marshal: %v", err)
			}
			if strings.Contains(got, plain) || strings.Contains(got, "hunter2") {
				t.Fatalf("output leaks the secret: %s", got)
			}
			if !strings.Contains(got, Redacted) {
				t.Fatalf("output does not say %s: %s", Redacted, got)
			}
		})
	}
}

func logWith(asJSON bool, s Secret, h holder) string {
	var buf bytes.Buffer
	var hd slog.Handler = slog.NewTextHandler(&buf, nil)
	if asJSON {
		hd = slog.NewJSONHandler(&buf, nil)
	}
	l := slog.New(hd)
	l.Info("login", "password", s, "holder", h, slog.Any("ptr", &s), slog.Group("g", "p", s))
	return buf.String()
}

func TestSecretReveal(t *testing.T) {
	tests := []struct {
		in    string
		empty bool
	}{{"", true}, {"x", false}, {plain, false}}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q", tt.in), func(t *testing.T) {
			s := New(tt.in)
			if s.Reveal() != tt.in || s.Empty() != tt.empty {
				t.Fatalf("Reveal/Empty = %q/%v", s.Reveal(), s.Empty())
			}
		})
	}
	var zero Secret
	if !zero.Empty() {
		t.Fatal("zero Secret is not empty")
	}
}

func TestParseRef(t *testing.T) {
	tests := []struct {
		in      string
		want    Ref
		wantErr bool
	}{
		{"keyring", Ref{Kind: RefKeyring}, false},
		{"stdin", Ref{Kind: RefStdin}, false},
		{"env:SMTP_PASSWORD", Ref{Kind: RefEnv, Arg: "SMTP_PASSWORD"}, false},
		{"env:_x1", Ref{Kind: RefEnv, Arg: "_x1"}, false},
		{"file:/run/secrets/smtp", Ref{Kind: RefFile, Arg: "/run/secrets/smtp"}, false},
		{"file:relative/pw.txt", Ref{Kind: RefFile, Arg: "relative/pw.txt"}, false},
		{"file:C:\\secrets\\pw", Ref{Kind: RefFile, Arg: "C:\\secrets\\pw"}, false},
		{"", Ref{}, true},
		{"Keyring", Ref{}, true},
		{"env:", Ref{}, true},
		{"env:1ABC", Ref{}, true},
		{"env:A-B", Ref{}, true},
		{"env:A B", Ref{}, true},
		{"file:", Ref{}, true},
		{"jobs-Secret-123", Ref{}, true},
		{"env:jobs-Secret-123", Ref{}, true},
		{"p@ss:word!", Ref{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseRef(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ParseRef(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			}
			if err != nil {
				if len(tt.in) > len("file:") && strings.Contains(err.Error(), tt.in) {
					t.Fatalf("error repeats the input (maybe a pasted password): %v", err)
				}
				if strings.Contains(err.Error(), "Secret-123") {
					t.Fatalf("error repeats a pasted password: %v", err)
				}
				return
			}
			if got != tt.want {
				t.Fatalf("ParseRef(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
			if got.String() != tt.in {
				t.Fatalf("String() = %q, want %q (round trip)", got.String(), tt.in)
			}
		})
	}
}
