package main

import (
	"testing"

	"github.com/jobmail/jobmail/providers"
)

// TestExitCodeTable: every diagnosis code has its exit code, after a live
// test (prereq false) and as a blocked prerequisite (prereq true).
func TestExitCodeTable(t *testing.T) {
	special := map[providers.Code]int{
		providers.CodeSecretsUnavailable:    ExitSecrets,
		providers.CodeSecretsTooLarge:       ExitSecrets,
		providers.CodeSecretsEnv:            ExitSecrets,
		providers.CodeSecretsStdin:          ExitSecrets,
		providers.CodeSecretsFile:           ExitSecrets,
		providers.CodeCanceled:              ExitInterrupted,
		providers.CodeCLIUsage:              ExitUsage,
		providers.CodeConfigUnsupportedHost: ExitPrereq,
		providers.CodeConfigInsecure:        ExitPrereq,
		providers.CodeConfigSharedMailbox:   ExitPrereq,
	}
	for _, c := range providers.AllCodes {
		want, ok := special[c]
		if !ok {
			want = ExitTestFailed
		}
		if got := exitCodeForDiagnosis(c, false); got != want {
			t.Errorf("%s after a test: exit %d, want %d", c, got, want)
		}
		wantPrereq := ExitPrereq
		if want == ExitSecrets || want == ExitInterrupted || want == ExitUsage {
			wantPrereq = want
		}
		if got := exitCodeForDiagnosis(c, true); got != wantPrereq {
			t.Errorf("%s as a prerequisite: exit %d, want %d", c, got, wantPrereq)
		}
		if got := exitCodeOf(&providers.Error{Diagnosis: providers.Diagnosis{Code: c}}); got != want {
			t.Errorf("exitCodeOf(%s) = %d, want %d", c, got, want)
		}
	}
	for _, c := range []providers.Code{providers.CodeSMTPIPBlocked, providers.CodeSendQuotaExceeded,
		providers.CodeSendAccountRestricted, providers.CodeSendMessageTooLarge, providers.CodeAuthRateLimited,
		providers.CodeAuthNotOffered, providers.CodeOAuthUnreachable} {
		if got := exitCodeForDiagnosis(c, false); got != ExitTestFailed {
			t.Errorf("%s: exit %d, want %d", c, got, ExitTestFailed)
		}
	}
}
