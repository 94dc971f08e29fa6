package setupfile

import (
	"fmt"
	"strings"

	"github.com/jobmail/jobmail/providers"
)

// FieldError is an invalid or missing answer, tied to its setup-file key
// (e.g. "company.smtp.port") so the TUI can put the cursor back on the
// field and Replay can name the key and line. Reason is a catalogue key
// (e.g. "port_range"); Args fill its placeholders. Line is 0 when unknown.
type FieldError struct {
	Key    string
	Reason string
	Args   map[string]string
	Line   int
	File   string
	Code   providers.Code // set when the reason is also a diagnosis (e.g. config.unsupported_host)
	Err    error
}

func (e *FieldError) Error() string {
	var b strings.Builder
	switch {
	case e.File != "" && e.Line > 0:
		fmt.Fprintf(&b, "%s:%d: ", e.File, e.Line)
	case e.File != "":
		b.WriteString(e.File + ": ")
	case e.Line > 0:
		fmt.Fprintf(&b, "line %d: ", e.Line)
	}
	if e.Key != "" {
		fmt.Fprintf(&b, "%q: ", e.Key)
	}
	b.WriteString(e.Reason)
	if e.Err != nil {
		b.WriteString(": " + e.Err.Error())
	}
	return b.String()
}

func (e *FieldError) Unwrap() error { return e.Err }

// MissingError is an answer that headless mode needs and the setup file
// does not give.
type MissingError struct {
	Key  string
	File string
}

func (e *MissingError) Error() string {
	f := e.File
	if f == "" {
		f = "the setup file"
	}
	return fmt.Sprintf("missing %q in %s (needed when not running interactively)", e.Key, f)
}

// Warning is a non-fatal finding about the setup (e.g. the username differs
// from the address): a diagnosis code plus the key it is about.
type Warning struct {
	Key       string
	Diagnosis providers.Diagnosis
}
