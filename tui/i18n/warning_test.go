package i18n

import (
	"testing"

	"github.com/jobmail/jobmail/providers"
)

// TestWarningIsDiagnosisTitleAndRemedy: a warning line's two texts are the
// diagnosis's own, with the same argument rules (reason, remote), in every
// language, for a known and an unknown code.
func TestWarningIsDiagnosisTitleAndRemedy(t *testing.T) {
	for _, d := range []providers.Diagnosis{
		{Code: providers.CodeConfigLocalServer, Args: map[string]string{"host": "localhost"}},
		{Code: providers.CodeConfigPrivateCA},
		{Code: providers.CodeConfigUnsupportedHost, Args: map[string]string{"host": "mail.example", "reason": "web_only"}},
		{Code: providers.CodeNetRefused, Args: map[string]string{"address": "203.0.113.5:587"}},
		{Code: "no.such.code"},
	} {
		for _, l := range []Lang{English, German, Italian} {
			t.Run(string(d.Code)+"/"+string(l), func(t *testing.T) {
				loc := New(l)
				want := loc.Diagnosis(d)
				title, remedy := loc.Warning(d)
				if title != want.Title || remedy != want.Remedy {
					t.Errorf("Warning = %q, %q; Diagnosis says %q, %q", title, remedy, want.Title, want.Remedy)
				}
				if title == "" || remedy == "" {
					t.Errorf("empty text: %q, %q", title, remedy)
				}
			})
		}
	}
}
