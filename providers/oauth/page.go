package oauth

import (
	"html/template"
	"net/http"
	"sync"
)

// The page the browser shows after the redirect. It is the one place the
// core writes words for people: the browser is not the terminal and cannot
// reach the message catalogue, so the page carries a short static text in
// the program's three languages and sends the person back to the terminal,
// where the catalogue explains the code.
type pageKind int

const (
	pageOK pageKind = iota
	pageFailed
	pageDone
)

// pageTmpl is parsed on first use: a run that signs in with no browser
// never needs it (parsing at init cost every start ~0.1 ms).
var pageTmpl = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("page").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>jobmail</title>
<style>body{font-family:system-ui,sans-serif;max-width:34em;margin:4em auto;line-height:1.5}
p.ok{color:#166534}p.fail{color:#991b1b}code{background:#eee;padding:0 .3em}</style></head>
<body><h1>jobmail</h1>
{{if eq .Kind 0}}<p class="ok">Signed in. You can close this tab and return to the terminal.</p>
<p class="ok">Angemeldet. Sie können diesen Tab schließen und zum Terminal zurückkehren.</p>
<p class="ok">Accesso eseguito. Puoi chiudere questa scheda e tornare al terminale.</p>
{{else if eq .Kind 1}}<p class="fail">Sign-in failed. The terminal explains why.</p>
<p class="fail">Anmeldung fehlgeschlagen. Das Terminal erklärt den Grund.</p>
<p class="fail">Accesso non riuscito. Il terminale spiega il motivo.</p>
{{if .Code}}<p><code>{{.Code}}</code></p>{{end}}
{{else}}<p>This sign-in has already finished. / Diese Anmeldung ist bereits abgeschlossen. / Questo accesso è già concluso.</p>
{{end}}</body></html>
`))
})

func writePage(w http.ResponseWriter, kind pageKind, code string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Connection", "close")
	status := http.StatusOK
	if kind == pageFailed {
		status = http.StatusBadRequest
	}
	w.WriteHeader(status)
	_ = pageTmpl().Execute(w, struct {
		Kind pageKind
		Code string
	}{kind, code})
}
