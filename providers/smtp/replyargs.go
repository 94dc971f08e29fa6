package smtp

import (
	"strconv"
	"strings"

	"github.com/jobmail/jobmail/providers"
)

// The reply is kept verbatim in Diagnosis.Reply; these helpers pick from
// it what the remedy names: the sentence that matters (quote), the page a
// provider links to (link), how long to wait, the size limit, the listed
// address and the blocklist.

var (
	linePrefixRe = lazyRe(`^[0-9]{3}[ -]?(?:[245]\.[0-9]{1,3}\.[0-9]{1,3})?\s*`)
	urlRe        = lazyRe(`https?://[^\s<>"']+`)
	ipv4Re       = lazyRe(`\b(?:[0-9]{1,3}\.){3}[0-9]{1,3}\b`)
	listRe       = lazyRe(`(?i)(?:blocked using|black ?list at|listed (?:in|on|at)|listing in)\s+([A-Za-z0-9][A-Za-z0-9.-]*[A-Za-z0-9])`)
	waitRe       = lazyRe(`(?i)(?:try again|retry|wait)\D{0,20}?([0-9]{1,5})\s*(second|sec|minute|min|hour)s?\b`)
	daily        = lazyRe(`(?i)\bdaily\b|24-hour|24 hours|per day|submissionquotaexceeded`)
	limitRe      = lazyRe(`(?i)(?:limit|maximum|max(?:imum)? size)\D{0,24}?([0-9]{4,})\s*(bytes?)?`)
	sizeUnitRe   = lazyRe(`(?i)\b([0-9]{1,4})\s?(MB|MiB|KB|KiB)\b`)
	microsoftRe  = lazyRe(`(?i)outlook\.com|outlook\.office365|exchangelabs|storedrv|outboundspamexception|aka\.ms/`)
	tracking     = lazyRe(`\s+(?:\[[^\]]*\]|[A-Za-z0-9.-]+ - gsmtp)\s*$`)
)

// flatten is the reply's text without its codes, one line of text per
// reply line: Gmail and Microsoft wrap one sentence over several lines, so
// the words are matched on the lines joined by spaces (the same offsets).
func flatten(text string) string {
	var parts []string
	for _, l := range strings.Split(text, "\n") {
		if s := strings.Join(strings.Fields(linePrefixRe.ReplaceAllString(l, "")), " "); s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, "\n")
}

// sentenceEnds end a sentence; "> " ends Gmail's <https://…> sign-in link.
var sentenceEnds = []string{". ", "; ", "! ", "> "}

// sentences splits flat into sentences (a line that ends with a full stop
// ends one too), as [start, end) offsets.
func sentences(flat string) [][2]int {
	var out [][2]int
	start := 0
	for i := 0; i < len(flat); i++ {
		cut := -1
		switch {
		case flat[i] == '\n' && i > 0 && strings.IndexByte(".!?;", flat[i-1]) >= 0:
			cut = i
		case flat[i] == '\n':
		default:
			for _, sep := range sentenceEnds {
				if strings.HasPrefix(flat[i:], sep) {
					cut = i + 1
					break
				}
			}
		}
		if cut >= 0 {
			out = append(out, [2]int{start, cut})
			start = cut
		}
	}
	return append(out, [2]int{start, len(flat)})
}

// cleanQuote is a sentence as the remedy quotes it: on one line, without
// the provider's tracking tail and the closing punctuation.
func cleanQuote(s string) string {
	q := strings.TrimSpace(tracking.ReplaceAllString(strings.ReplaceAll(s, "\n", " "), ""))
	q = strings.TrimRight(q, ".;>,: ")
	if len(q) > 200 {
		q = strings.TrimSpace(q[:200]) + "…"
	}
	return q
}

// quoteAt is the sentence of flat around byte offset at (the words that
// decided); without deciding words (at < 0), the sentences that are not
// just a link.
func quoteAt(flat string, at int) string {
	var parts []string
	for _, sn := range sentences(flat) {
		text := flat[sn[0]:sn[1]]
		switch {
		case at >= 0 && at >= sn[0] && at < sn[1]:
			return cleanQuote(text)
		case at < 0 && !strings.Contains(text, "://"):
			if q := cleanQuote(text); q != "" {
				parts = append(parts, q)
			}
		}
	}
	return cleanQuote(strings.Join(parts, ". "))
}

// isIPHost: a link to a bare address is no explanation page (T-Online's
// "IP=…" as a forum rendered it).
func isIPHost(u string) bool {
	host := strings.TrimPrefix(strings.TrimPrefix(u, "http://"), "https://")
	host, _, _ = strings.Cut(host, "/")
	return ipv4Re.MatchString(host) && ipv4Re.FindString(host) == host
}

// replyArgs are the arguments a reply gives its code's words.
func replyArgs(code providers.Code, cause, flat string, at int) map[string]string {
	args := map[string]string{}
	if q := quoteAt(flat, at); q != "" {
		args["quote"] = q
	}
	prose := flat // the text without its links, where an address is the client's
	for _, u := range urlRe.get().FindAllString(flat, -1) {
		u = strings.TrimRight(u, ".,;:)>")
		if strings.HasSuffix(u, "]") && !strings.Contains(u, "[") {
			u = strings.TrimRight(u, "]") // "[see https://…]"; Spamhaus's own links hold "[ip]"
		}
		if isIPHost(u) {
			continue
		}
		if args["link"] == "" {
			args["link"] = strings.TrimRight(u, ".,;:)>")
		}
		prose = strings.ReplaceAll(prose, u, "")
	}
	if cause != "" {
		args["cause"] = cause
	}
	switch code {
	case providers.CodeSMTPIPBlocked:
		if ip := ipv4Re.FindString(prose); ip != "" {
			args["ip"] = ip
		}
		switch m := listRe.FindStringSubmatch(flat); {
		case m != nil:
			args["list"] = m[1]
		case strings.Contains(strings.ToLower(flat), "spamhaus"):
			args["list"] = "Spamhaus"
		}
	case providers.CodeSendQuotaExceeded, providers.CodeAuthRateLimited:
		waitArgs(args, flat, code == providers.CodeSendQuotaExceeded)
	case providers.CodeSendMessageTooLarge:
		if l := sizeLimit(flat); l != "" {
			args["limit"] = l
		}
	case providers.CodeSendAccountRestricted:
		if microsoftRe.MatchString(flat) {
			args["provider"] = "microsoft"
		}
	}
	return args
}

// waitArgs says how long to wait where the reply says it: "try again in
// 300 seconds", or a daily limit (up to 24 hours, as Gmail and Microsoft
// document theirs).
func waitArgs(args map[string]string, flat string, quota bool) {
	if m := waitRe.FindStringSubmatch(flat); m != nil {
		n, _ := strconv.Atoi(m[1])
		switch unit := strings.ToLower(m[2]); {
		case strings.HasPrefix(unit, "hour"):
			args["wait_hours"] = strconv.Itoa(n)
		case strings.HasPrefix(unit, "min"):
			args["wait_minutes"] = strconv.Itoa(max(n, 1))
		default:
			args["wait_minutes"] = strconv.Itoa(max((n+59)/60, 1))
		}
		return
	}
	if quota && daily.MatchString(flat) {
		args["wait_hours"] = "24"
	}
}

// sizeLimit is the limit a reply names, as "N MB" (or "N KB").
func sizeLimit(flat string) string {
	if m := limitRe.FindStringSubmatch(flat); m != nil {
		if n, err := strconv.ParseInt(m[1], 10, 64); err == nil {
			return formatSize(n)
		}
	}
	if m := sizeUnitRe.FindStringSubmatch(flat); m != nil {
		return m[1] + " " + strings.ToUpper(m[2][:1]) + "B"
	}
	return ""
}

// formatSize renders bytes as whole megabytes (or kilobytes), the way
// providers state their limits.
func formatSize(n int64) string {
	switch {
	case n >= 1<<20:
		return strconv.FormatInt(n>>20, 10) + " MB"
	case n >= 1<<10:
		return strconv.FormatInt(n>>10, 10) + " KB"
	case n > 0:
		return strconv.FormatInt(n, 10) + " B"
	}
	return ""
}
