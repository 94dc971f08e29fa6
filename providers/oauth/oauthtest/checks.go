package oauthtest

import "github.com/jobmail/jobmail/providers"

// FirstFailed is the first check that is neither OK nor a warning: the one
// the wizard blocks on. Only the providers' tests ask for it by itself;
// the wizard walks the checks in its own step.
func FirstFailed(checks []providers.Check) (providers.Check, bool) {
	for _, c := range checks {
		if !c.OK && !c.Warning {
			return c, true
		}
	}
	return providers.Check{}, false
}
