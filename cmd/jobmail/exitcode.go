package main

import (
	"context"
	"errors"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/secrets"
	"github.com/jobmail/jobmail/secrets/safefile"
	"github.com/jobmail/jobmail/wizard"
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

// exitCodeOf maps an error to its exit code.
func exitCodeOf(err error) int {
	var ee *exitError
	var fe *wizard.FieldError
	var me *wizard.MissingError
	var pe *providers.Error
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &ee):
		return ee.code
	case errors.Is(err, context.Canceled):
		return ExitInterrupted
	case errors.Is(err, secrets.ErrUnavailable), errors.Is(err, secrets.ErrNotFound), errors.Is(err, secrets.ErrTooLarge):
		return ExitSecrets
	case isSecretsUnavailable(err):
		return ExitSecrets
	case errors.Is(err, safefile.ErrSymlink), errors.Is(err, safefile.ErrNotRegular), errors.Is(err, safefile.ErrProtected):
		return ExitUsage // an output path jobmail refuses to write: the user picks another
	case errors.As(err, &fe):
		if fe.Code != "" && isPrereqCode(fe.Code) {
			return ExitPrereq
		}
		return ExitUsage
	case errors.As(err, &me):
		return ExitUsage
	case errors.As(err, &pe):
		return exitCodeForDiagnosis(pe.Code, false)
	}
	return ExitUnexpected
}

// exitCodeForDiagnosis: a blocked prerequisite is 3, a failed test is 4,
// whatever the code; secrets are 5 wherever they fail. So every code a
// server's reply or a sign-in gives (smtp.ip_blocked, send.quota_exceeded,
// send.account_restricted, send.message_too_large, auth.rate_limited,
// auth.not_offered, oauth.unreachable…) is 4 after a live test; the test
// of this file holds the table for every code of providers.AllCodes.
func exitCodeForDiagnosis(code providers.Code, prereq bool) int {
	switch {
	case code == providers.CodeSecretsUnavailable || code == providers.CodeSecretsTooLarge,
		code == providers.CodeSecretsEnv || code == providers.CodeSecretsStdin || code == providers.CodeSecretsFile:
		return ExitSecrets
	case code == providers.CodeCanceled:
		return ExitInterrupted
	case prereq || isPrereqCode(code):
		return ExitPrereq
	}
	return ExitTestFailed
}

func isSecretsUnavailable(err error) bool {
	_, ok := providers.SecretsDiagnosis(err)
	return ok
}

func isPrereqCode(c providers.Code) bool {
	switch c {
	case providers.CodeConfigUnsupportedHost, providers.CodeConfigInsecure, providers.CodeConfigSharedMailbox:
		return true
	}
	return false
}
