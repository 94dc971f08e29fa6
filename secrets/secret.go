// Package secrets keeps passwords and tokens out of everything the program
// writes. A Secret redacts itself in every format; Store is the OS keyring
// (or a fake in tests); Resolve turns a setup-file reference (keyring,
// env:NAME, file:PATH, stdin) into a Secret without ever storing the value.
package secrets

import (
	"fmt"
	"log/slog"
)

// Redacted is what a Secret prints as, everywhere.
const Redacted = "[redacted]"

// Secret holds a password or token. Its String, GoString, Format, JSON,
// text and slog forms are all Redacted; only Reveal gives the value, and
// only code that hands it to a server or the keyring may call it.
type Secret struct{ v string }

// New wraps a value.
func New(v string) Secret { return Secret{v: v} }

// Reveal returns the value. Do not print it.
func (s Secret) Reveal() string { return s.v }

// Empty reports whether there is no value.
func (s Secret) Empty() bool { return s.v == "" }

func (s Secret) String() string               { return Redacted }
func (s Secret) GoString() string             { return Redacted }
func (s Secret) Format(f fmt.State, _ rune)   { _, _ = f.Write([]byte(Redacted)) }
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + Redacted + `"`), nil }
func (s Secret) MarshalText() ([]byte, error) { return []byte(Redacted), nil }
func (s Secret) MarshalYAML() (any, error)    { return Redacted, nil }
func (s Secret) LogValue() slog.Value         { return slog.StringValue(Redacted) }
