package i18n

import (
	"strings"
	"testing"

	"github.com/jobmail/jobmail/providers"
)

// TestUnreachableWords: oauth.unreachable names the identity provider's
// host and the stage, blames nobody's typing, and a temporary answer says
// to try again later; in every language.
func TestUnreachableWords(t *testing.T) {
	tests := []struct {
		lang Lang
		args map[string]string
		want []string
	}{
		{English, map[string]string{"cause": "refused", "host": "login.microsoftonline.com", "stage": "refresh"},
			[]string{"login.microsoftonline.com", "connection was refused", "while renewing the stored sign-in", "IT department"}},
		{English, map[string]string{"cause": "tls", "host": "oauth2.googleapis.com", "stage": "token"},
			[]string{"oauth2.googleapis.com", "secure connection failed", "after the sign-in in the browser"}},
		{English, map[string]string{"cause": "temporarily_unavailable", "host": "login.microsoftonline.com", "stage": "sign-in", "retry": "later"},
			[]string{"temporarily unavailable", "during the sign-in", "Try again in a few minutes"}},
		{German, map[string]string{"cause": "dns", "host": "login.example", "stage": "refresh"},
			[]string{"login.example", "Name wurde nicht gefunden", "gespeicherte Anmeldung erneuert"}},
		{Italian, map[string]string{"cause": "timeout", "host": "login.example", "stage": "sign-in"},
			[]string{"login.example", "nessuna risposta in tempo", "durante l'accesso"}},
	}
	for _, tt := range tests {
		d := New(tt.lang).Diagnosis(providers.Diagnosis{Code: providers.CodeOAuthUnreachable, Actor: providers.ActorMailAdmin, Args: tt.args})
		all := d.Title + "\n" + d.Explain + "\n" + d.Remedy
		for _, w := range tt.want {
			if !strings.Contains(all, w) {
				t.Errorf("%s %v: %q missing in\n%s", tt.lang, tt.args, w, all)
			}
		}
		if strings.Contains(all, "spelling") || strings.Contains(all, "smtp.") {
			t.Errorf("blames the user's typing: %s", all)
		}
	}
}
