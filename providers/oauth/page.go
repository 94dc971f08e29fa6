package oauth

import (
	"html"
	"io"
	"net/http"
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

// The page is three fixed texts and one value, the diagnosis code, escaped
// here. html/template is not used for it: importing it costs every start
// of the program ~0.1 ms of package initialisation (issue 15), and the
// release build leaves go-mail's template helpers out (-tags gomailnotpl),
// so this page was the last importer.
const (
	pageHead = `<!doctype html>
<html><head><meta charset="utf-8"><title>jobmail</title>
<style>body{font-family:system-ui,sans-serif;max-width:34em;margin:4em auto;line-height:1.5}
p.ok{color:#166534}p.fail{color:#991b1b}code{background:#eee;padding:0 .3em}</style></head>
<body><h1>jobmail</h1>
`
	pageOKBody = `<p class="ok">Signed in. You can close this tab and return to the terminal.</p>
<p class="ok">Angemeldet. Sie können diesen Tab schließen und zum Terminal zurückkehren.</p>
<p class="ok">Accesso eseguito. Puoi chiudere questa scheda e tornare al terminale.</p>
`
	pageFailedBody = `<p class="fail">Sign-in failed. The terminal explains why.</p>
<p class="fail">Anmeldung fehlgeschlagen. Das Terminal erklärt den Grund.</p>
<p class="fail">Accesso non riuscito. Il terminale spiega il motivo.</p>
`
	pageDoneBody = `<p>This sign-in has already finished. / Diese Anmeldung ist bereits abgeschlossen. / Questo accesso è già concluso.</p>
`
	pageTail = `</body></html>
`
)

// renderPage writes the page of kind; code is shown on a failed sign-in.
func renderPage(w io.Writer, kind pageKind, code string) error {
	body := pageDoneBody
	switch kind {
	case pageOK:
		body = pageOKBody
	case pageFailed:
		body = pageFailedBody
		if code != "" {
			body += "<p><code>" + html.EscapeString(code) + "</code></p>\n"
		}
	}
	_, err := io.WriteString(w, pageHead+body+pageTail)
	return err
}

func writePage(w http.ResponseWriter, kind pageKind, code string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Connection", "close")
	status := http.StatusOK
	if kind == pageFailed {
		status = http.StatusBadRequest
	}
	w.WriteHeader(status)
	_ = renderPage(w, kind, code)
}
