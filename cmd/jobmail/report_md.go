package main

import (
	"github.com/jobmail/jobmail/tui/handoff"
	"github.com/jobmail/jobmail/tui/i18n"
	"github.com/jobmail/jobmail/wizard"
	"github.com/jobmail/jobmail/wizard/setupfile"
)

// The Markdown of the hand-off report lives in tui/handoff, so that the
// wizard's diagnosis view writes the very same report as `jobmail report`.

// DefaultReportName is the report's file name beside the setup file.
const DefaultReportName = handoff.DefaultName

func renderReport(w *i18n.Localizer, rep *wizard.Report, file string) []byte {
	return handoff.Render(w, rep, file)
}

// reportWords speaks with the setup's platform name and outgoing IPs.
func reportWords(w *i18n.Localizer, s *setupfile.Setup) *i18n.Localizer { return handoff.Words(w, s) }
