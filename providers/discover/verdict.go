package discover

import (
	"cmp"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/providers/probe"
)

// Reason is one ground for the recommendation, as a code with arguments.
type Reason struct {
	Code ReasonCode        `json:"code"`
	Args map[string]string `json:"args,omitempty"`
}

// Choice is the recommended server: what the wizard prefills in step 3.
// Diagnosis is set when it is only the best of bad options (Ready false):
// what still stands in the way, e.g. a certificate a CA file would fix.
type Choice struct {
	probe.Target
	Username  string               `json:"username"`
	Sources   []Source             `json:"sources"`
	Reasons   []Reason             `json:"reasons"`
	Diagnosis *providers.Diagnosis `json:"diagnosis,omitempty"`
}

// Failure is a candidate that does not work, and why. Port is 0 for a host
// that does not resolve (all its ports fail alike).
type Failure struct {
	Host      string              `json:"host"`
	Port      int                 `json:"port,omitempty"`
	Security  providers.Security  `json:"security,omitempty"`
	Diagnosis providers.Diagnosis `json:"diagnosis"`
	Inferred  bool                `json:"inferred,omitempty"`
}

// Verdict is the conclusion: Ready when Recommended works with a verified
// TLS connection.
type Verdict struct {
	Ready       bool      `json:"ready"`
	Recommended *Choice   `json:"recommended"`
	Failed      []Failure `json:"failed"`
}

// portRank prefers submission ports: 587, then 465; 25 and 2525 are often
// blocked or unsupported.
func portRank(p int) int {
	switch p {
	case 587:
		return 0
	case 465:
		return 1
	case 25:
		return 3
	case 2525:
		return 4
	}
	return 2
}

func secRank(s providers.Security) int {
	if s == providers.SecurityStartTLS {
		return 0 // DESIGN.md: 587 STARTTLS with verification is the recommendation
	}
	return 1
}

func (c *Candidate) rank() int {
	best := len(sourceRank)
	for _, s := range c.Sources {
		best = min(best, sourceRank[s])
	}
	return best
}

func (c *Candidate) compare(o *Candidate) int {
	return cmp.Or(cmp.Compare(c.rank(), o.rank()), cmp.Compare(portRank(c.Port), portRank(o.Port)),
		cmp.Compare(secRank(c.Security), secRank(o.Security)), cmp.Compare(c.Host, o.Host))
}

// finish turns the collected facts into the verdict and the notices.
func (r *run) finish() {
	rep := r.report
	for _, c := range r.cands { // sources arrive in any order; best first
		slices.SortFunc(c.Sources, func(a, b Source) int { return cmp.Compare(sourceRank[a], sourceRank[b]) })
	}
	order := slices.SortedFunc(maps.Values(r.cands), (*Candidate).compare)
	rep.Candidates = make([]Candidate, 0, len(order))
	for _, c := range order {
		rep.Candidates = append(rep.Candidates, *c)
	}
	byTarget := map[probe.Target]probe.Result{}
	for _, res := range rep.Results {
		byTarget[res.Target] = res
	}
	noAuth := func(res probe.Result) int {
		if res.Caps != nil && len(res.Caps.Auth) > 0 {
			return 0
		}
		return 1
	}
	// Best first among those that work; else among those that got as far
	// as TLS; else among plaintext-only servers.
	var chosen *Candidate
	for _, usable := range []func(probe.Result) bool{
		func(res probe.Result) bool { return res.OK },
		func(res probe.Result) bool { return res.TLS != nil && !res.Inferred },
		func(res probe.Result) bool { return res.Code() == providers.CodeTLSStartTLSUnsupported },
	} {
		var pick []*Candidate
		for _, c := range order {
			if res, ok := byTarget[c.Target]; ok && usable(res) {
				pick = append(pick, c)
			}
		}
		slices.SortStableFunc(pick, func(a, b *Candidate) int {
			return cmp.Compare(noAuth(byTarget[a.Target]), noAuth(byTarget[b.Target]))
		})
		if len(pick) > 0 {
			chosen = pick[0]
			break
		}
	}
	if chosen != nil {
		res := byTarget[chosen.Target]
		rep.Verdict.Ready = res.OK
		rep.Verdict.Recommended = r.choice(chosen, res)
	}
	rep.Verdict.Failed = append([]Failure{}, r.hostFails...)
	for _, c := range order {
		res, ok := byTarget[c.Target]
		if !ok || res.OK || (chosen != nil && c.Target == chosen.Target) || res.Diagnosis == nil {
			continue
		}
		rep.Verdict.Failed = append(rep.Verdict.Failed, failure(res))
	}
	r.notices()
}

// failure reads a failed probe, naming a blocked port 25 as such.
func failure(res probe.Result) Failure {
	d := *res.Diagnosis
	if d.Code == providers.CodeNetTimeout && res.Target.Port == 25 && !res.Connected && d.Args["reason"] != "not_started" {
		d.Code = CodePort25Blocked
		d.Args = maps.Clone(d.Args)
		d.Field = "smtp.port"
	}
	return Failure{Host: res.Target.Host, Port: res.Target.Port, Security: res.Target.Security, Diagnosis: d, Inferred: res.Inferred}
}

func (r *run) choice(c *Candidate, res probe.Result) *Choice {
	ch := &Choice{Target: c.Target, Username: c.Username, Sources: c.Sources}
	if ch.Username == "" {
		ch.Username = r.address
	}
	if !res.OK {
		ch.Diagnosis = res.Diagnosis
	}
	add := func(code ReasonCode, args map[string]string) {
		ch.Reasons = append(ch.Reasons, Reason{Code: code, Args: args})
	}
	if w := r.report.WellKnown; w != nil && slices.Contains(c.Sources, SourceWellKnown) {
		add(ReasonKnownProvider, map[string]string{"provider": w.Name})
	}
	add(ReasonSource, map[string]string{"source": string(c.Sources[0])})
	if res.TLS != nil && res.TLS.Certificate.Valid() {
		add(ReasonTLSVerified, map[string]string{"version": res.TLS.Version})
	}
	switch {
	case res.TLS == nil:
	case c.Security == providers.SecuritySMTPS:
		add(ReasonImplicitTLS, nil)
	default:
		add(ReasonStartTLS, nil)
	}
	if c.Port == 587 || c.Port == 465 {
		add(ReasonSubmissionPort, map[string]string{"port": strconv.Itoa(c.Port)})
	}
	if res.Caps != nil && len(res.Caps.Auth) > 0 {
		add(ReasonAuthOffered, map[string]string{"mechanisms": strings.Join(res.Caps.Auth, " ")})
	} else {
		add(ReasonNoAuth, nil)
	}
	return ch
}

func (r *run) notices() {
	rep := r.report
	add := func(code providers.Code, sev Severity, args map[string]string) {
		rep.Notices = append(rep.Notices, Finding{Code: code, Severity: sev, Args: args})
	}
	switch rep.Provider.ID {
	case ProviderGoogle, ProviderMicrosoft:
		add(CodeUseIntegration, SeverityInfo, map[string]string{"channel": string(rep.Provider.Channel)})
	default:
		if rep.WellKnown == nil && len(r.opts.OutgoingIPs) > 0 {
			add(CodeIPAllowlist, SeverityWarning, map[string]string{"ips": strings.Join(r.opts.OutgoingIPs, ", ")})
		}
	}
	reached := false
	for _, res := range rep.Results {
		reached = reached || res.Connected
	}
	if !reached {
		add(CodeNoneReachable, SeverityWarning, map[string]string{"domain": rep.Domain})
	}
}
