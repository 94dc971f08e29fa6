package discover

import (
	"context"
	"strings"

	"github.com/jobmail/jobmail/providers"
)

// DefaultPlatformSPF is the SPF include of the platform's own mail service
// (Mailjet): a domain whose SPF lacks it makes the platform's mail "as" the
// company address fail SPF.
const DefaultPlatformSPF = "spf.mailjet.com"

// spfLookupLimit is RFC 7208's cap on DNS-querying terms.
const spfLookupLimit = 10

// Severity grades a finding: warnings deserve action, infos explain.
type Severity string

const (
	SeverityInfo    Severity = "info"
	SeverityWarning Severity = "warning"
)

// Finding is one fact about the domain worth telling, as a code with
// arguments for the catalogue.
type Finding struct {
	Code     providers.Code    `json:"code"`
	Severity Severity          `json:"severity"`
	Args     map[string]string `json:"args,omitempty"`
}

// checkHygiene reads the domain's SPF and DMARC records and says whether
// the platform's mail service may send as the domain. DNS failures yield
// no finding: only what the DNS actually says is reported.
func checkHygiene(ctx context.Context, r Resolver, domain, platformInclude string) []Finding {
	var out []Finding
	add := func(code providers.Code, sev Severity, args map[string]string) {
		out = append(out, Finding{Code: code, Severity: sev, Args: args})
	}
	platformOK := false
	spf, found, err := txtRecords(ctx, r, domain, "v=spf1")
	switch {
	case err != nil:
	case !found || len(spf) == 0:
		add(CodeSPFMissing, SeverityWarning, map[string]string{"domain": domain})
	case len(spf) > 1:
		add(CodeSPFMultiple, SeverityWarning, map[string]string{"domain": domain, "count": itoa(len(spf))})
	default:
		w := &spfWalker{ctx: ctx, r: r, want: strings.ToLower(platformInclude), seen: map[string]bool{}}
		all := w.walk(spf[0], 0)
		platformOK = w.found
		args := map[string]string{"domain": domain, "include": platformInclude, "record": spf[0]}
		if w.found {
			add(CodeSPFPlatformAllowed, SeverityInfo, args)
		} else {
			add(CodeSPFPlatformNotAllowed, SeverityWarning, args)
		}
		if w.lookups > spfLookupLimit {
			add(CodeSPFLookupLimit, SeverityWarning, map[string]string{"domain": domain, "lookups": itoa(w.lookups)})
		}
		switch all {
		case "-":
			sev := SeverityInfo
			if !w.found {
				sev = SeverityWarning // the platform's mail hard-fails SPF
			}
			add(CodeSPFAllFail, sev, map[string]string{"domain": domain})
		case "~":
			add(CodeSPFAllSoftfail, SeverityInfo, map[string]string{"domain": domain})
		case "+":
			add(CodeSPFAllPass, SeverityWarning, map[string]string{"domain": domain})
		default:
			add(CodeSPFAllNeutral, SeverityInfo, map[string]string{"domain": domain})
		}
	}

	dmarc, found, err := txtRecords(ctx, r, "_dmarc."+domain, "v=DMARC1")
	switch {
	case err != nil:
	case !found || len(dmarc) == 0:
		add(CodeDMARCMissing, SeverityInfo, map[string]string{"domain": domain})
	default:
		tags := dmarcTags(dmarc[0])
		p := tags["p"]
		if p != "none" && p != "quarantine" && p != "reject" {
			add(CodeDMARCInvalid, SeverityWarning, map[string]string{"domain": domain, "record": dmarc[0]})
			break
		}
		pct := tags["pct"]
		if pct == "" {
			pct = "100"
		}
		sev := SeverityInfo
		if p != "none" && !platformOK {
			sev = SeverityWarning // receivers act on the platform's failing mail
		}
		add(CodeDMARCPolicy, sev, map[string]string{"domain": domain, "policy": p, "pct": pct})
		if tags["adkim"] == "s" || tags["aspf"] == "s" {
			add(CodeDMARCStrict, SeverityWarning, map[string]string{"domain": domain,
				"adkim": orDefault(tags["adkim"], "r"), "aspf": orDefault(tags["aspf"], "r")})
		}
	}
	return out
}

// txtRecords returns the TXT records of name that start with prefix
// (case-insensitively, as a whole word). found is false for NXDOMAIN or an
// empty answer; err is any other DNS failure.
func txtRecords(ctx context.Context, r Resolver, name, prefix string) (recs []string, found bool, err error) {
	txts, err := r.LookupTXT(ctx, fqdn(name))
	if err != nil {
		if isNotFound(err) {
			return nil, false, nil
		}
		return nil, false, err
	}
	for _, t := range txts {
		t = strings.TrimSpace(t)
		if len(t) >= len(prefix) && strings.EqualFold(t[:len(prefix)], prefix) && (len(t) == len(prefix) || t[len(prefix)] == ' ' || t[len(prefix)] == ';') {
			recs = append(recs, t)
		}
	}
	return recs, len(recs) > 0, nil
}

// spfWalker follows include: and redirect= looking for the platform's
// include, counting DNS lookups like a receiver would.
type spfWalker struct {
	ctx     context.Context
	r       Resolver
	want    string
	found   bool
	lookups int
	seen    map[string]bool
}

// walk returns the qualifier of the record's "all" ("" when none).
func (w *spfWalker) walk(record string, depth int) string {
	all := ""
	redirect := ""
	for _, term := range strings.Fields(record)[1:] {
		term = strings.ToLower(term)
		if v, ok := strings.CutPrefix(term, "redirect="); ok {
			redirect = v
			continue
		}
		qual := "+"
		if strings.ContainsAny(term[:1], "+-~?") {
			qual, term = term[:1], term[1:]
		}
		mech, arg, _ := strings.Cut(term, ":")
		switch mech {
		case "all":
			all = qual
		case "include":
			w.lookups++
			if arg == w.want {
				w.found = true
				continue
			}
			if depth < 2*spfLookupLimit && !w.seen[arg] && w.lookups <= spfLookupLimit {
				w.seen[arg] = true
				if recs, ok, err := txtRecords(w.ctx, w.r, arg, "v=spf1"); err == nil && ok {
					w.walk(recs[0], depth+1)
				}
			}
		case "a", "mx", "ptr", "exists":
			w.lookups++
		}
	}
	if redirect != "" && all == "" {
		w.lookups++
		if redirect == w.want {
			w.found = true
		} else if depth < 2*spfLookupLimit && !w.seen[redirect] && w.lookups <= spfLookupLimit {
			w.seen[redirect] = true
			if recs, ok, err := txtRecords(w.ctx, w.r, redirect, "v=spf1"); err == nil && ok {
				all = w.walk(recs[0], depth+1)
			}
		}
	}
	return all
}

// dmarcTags parses "v=DMARC1; p=reject; adkim=s" into lower-case tags.
func dmarcTags(record string) map[string]string {
	tags := map[string]string{}
	for _, part := range strings.Split(record, ";") {
		k, v, ok := strings.Cut(part, "=")
		if ok {
			tags[strings.ToLower(strings.TrimSpace(k))] = strings.ToLower(strings.TrimSpace(v))
		}
	}
	return tags
}

func orDefault(v, d string) string {
	if v == "" {
		return d
	}
	return v
}
