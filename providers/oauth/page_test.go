package oauth

import (
	"strings"
	"testing"
)

func TestRenderPage(t *testing.T) {
	for _, tc := range []struct {
		name      string
		kind      pageKind
		code      string
		want, not []string
	}{
		{"signed in", pageOK, "", []string{"Signed in.", "Angemeldet.", "Accesso eseguito."}, []string{"<code>", "failed"}},
		{"failed with code", pageFailed, "oauth.consent_denied", []string{"Sign-in failed.", "Anmeldung fehlgeschlagen.", "<p><code>oauth.consent_denied</code></p>"}, []string{"Signed in."}},
		{"failed without code", pageFailed, "", []string{"Accesso non riuscito."}, []string{"<code>"}},
		{"code is escaped", pageFailed, `<script>"x"&`, []string{"<code>&lt;script&gt;&#34;x&#34;&amp;</code>"}, []string{"<script>"}},
		{"done", pageDone, "ignored", []string{"already finished"}, []string{"ignored", "Signed in."}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b strings.Builder
			if err := renderPage(&b, tc.kind, tc.code); err != nil {
				t.Fatal(err)
			}
			page := b.String()
			if !strings.HasPrefix(page, "<!doctype html>") || !strings.HasSuffix(page, "</body></html>\n") {
				t.Errorf("not a whole page:\n%s", page)
			}
			for _, w := range tc.want {
				if !strings.Contains(page, w) {
					t.Errorf("page lacks %q:\n%s", w, page)
				}
			}
			for _, n := range tc.not {
				if strings.Contains(page, n) {
					t.Errorf("page has %q:\n%s", n, page)
				}
			}
		})
	}
}
