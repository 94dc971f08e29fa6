package handoff

import (
	"strings"

	"github.com/jobmail/jobmail/tui/i18n"
	"github.com/jobmail/jobmail/wizard/setupfile"
)

// Words is w speaking with the setup's platform name, mail domain and
// outgoing IP addresses, which the report's texts name.
func Words(w *i18n.Localizer, s *setupfile.Setup) *i18n.Localizer {
	ips := setupfile.DefaultOutgoingIPs
	if len(s.Platform.OutgoingIPs) > 0 {
		ips = s.Platform.OutgoingIPs
	}
	return w.WithDefaults(map[string]string{"platform": s.PlatformName(), "mail_domain": s.Platform.MailDomain,
		"ips": strings.Join(ips, ", ")})
}
