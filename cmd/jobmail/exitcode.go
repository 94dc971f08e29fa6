package main

import (
	"context"
	"errors"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/secrets/safefile"
	"github.com/jobmail/jobmail/wizard"
	"github.com/jobmail/jobmail/wizard/setupfile"
)

// The exit-code table of DESIGN.md, in one place. Scripts depend on it.
const (
	ExitOK          = 0   // done
	ExitUnexpected  = 1   // unexpected error
	ExitUsage       = 2   // usage or invalid setup file
	ExitPrereq      = 3   // a prerequisite is not met (e.g. unsupported host)
	ExitTestFailed  = 4   // the live test failed
	ExitSecrets     = 5   // secrets unavailable
	ExitInterrupted = 130 // interrupted (SIGINT/SIGTERM)
)

// exitError carries an exit code up to Main with the error that caused it.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return "exit"
	}
	return e.err.Error()
}
func (e *exitError) Unwrap() error { return e.err }

func withExit(code int, err error) error { return &exitError{code: code, err: err} }

// exitCodeOf maps an error to its exit code: by the machine's diagnosis
// of it (wizard.DiagnosisOf, the mapping the TUI and --json use), except
// what only cmd knows (an exit code given, an output path refused).
func exitCodeOf(err error) int {
	var ee *exitError
	var fe *setupfile.FieldError
	var me *setupfile.MissingError
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &ee):
		return ee.code
	case errors.Is(err, context.Canceled):
		return ExitInterrupted
	}
	d := wizard.DiagnosisOf(err)
	switch {
	case isSecretsCode(d.Code):
		return ExitSecrets // a secret file refused is a secret unavailable
	case errors.Is(err, safefile.ErrSymlink), errors.Is(err, safefile.ErrNotRegular), errors.Is(err, safefile.ErrProtected):
		return ExitUsage // an output path jobmail refuses to write: the user picks another
	case d.Code == providers.CodeUnknown && !errors.As(err, new(*providers.Error)):
		return ExitUnexpected // no diagnosis: not the test, not the user
	case errors.As(err, &fe), errors.As(err, &me):
		if isPrereqCode(d.Code) {
			return ExitPrereq
		}
		return ExitUsage // the setup file or the command line
	}
	return exitCodeForDiagnosis(d.Code, false)
}

// exitCodeForDiagnosis: a blocked prerequisite is 3, a failed test is 4,
// whatever the code; secrets are 5 wherever they fail. So every code a
// server's reply or a sign-in gives (smtp.ip_blocked, send.quota_exceeded,
// send.account_restricted, send.message_too_large, auth.rate_limited,
// auth.not_offered, oauth.unreachable…) is 4 after a live test; the test
// of this file holds the table for every code of providers.AllCodes.
func exitCodeForDiagnosis(code providers.Code, prereq bool) int {
	switch {
	case isSecretsCode(code):
		return ExitSecrets
	case code == providers.CodeCanceled:
		return ExitInterrupted
	case code == providers.CodeCLIUsage:
		return ExitUsage
	case prereq || isPrereqCode(code):
		return ExitPrereq
	}
	return ExitTestFailed
}

func isSecretsCode(code providers.Code) bool {
	switch code {
	case providers.CodeSecretsUnavailable, providers.CodeSecretsTooLarge,
		providers.CodeSecretsEnv, providers.CodeSecretsStdin, providers.CodeSecretsFile:
		return true
	}
	return false
}

func isPrereqCode(c providers.Code) bool {
	switch c {
	case providers.CodeConfigUnsupportedHost, providers.CodeConfigInsecure, providers.CodeConfigSharedMailbox:
		return true
	}
	return false
}
