package wizard

import (
	"fmt"

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
	loc := ""
	if e.File != "" && e.Line > 0 {
		loc = fmt.Sprintf("%s:%d: ", e.File, e.Line)
	} else if e.Line > 0 {
		loc = fmt.Sprintf("line %d: ", e.Line)
	}
	msg := fmt.Sprintf("%s%q: %s", loc, e.Key, e.Reason)
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
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
