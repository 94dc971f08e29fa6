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
	urlRe        = lazyRe(`https?://[^\s<>"'\]]+`)
	ipv4Re       = lazyRe(`\b(?:[0-9]{1,3}\.){3}[0-9]{1,3}\b`)
	listRe       = lazyRe(`(?i)(?:blocked using|black ?list at|listed (?:in|on|at)|listing in)\s+([A-Za-z0-9][A-Za-z0-9.-]*[A-Za-z0-9])`)
	waitRe       = lazyRe(`(?i)(?:try again|retry|wait)\D{0,20}?([0-9]{1,5})\s*(second|sec|minute|min|hour)s?\b`)
	daily        = lazyRe(`(?i)\bdaily\b|24-hour|24 hours|per day|submissionquotaexceeded`)
	limitRe      = lazyRe(`(?i)(?:limit|maximum|max(?:imum)? size)\D{0,24}?([0-9]{4,})\s*(bytes?)?`)
	sizeUnitRe   = lazyRe(`(?i)\b([0-9]{1,4})\s?(MB|MiB|KB|KiB)\b`)
	microsoftRe  = lazyRe(`(?i)outlook\.com|outlook\.office365|exchangelabs|storedrv|outboundspamexception|aka\.ms/`)
	tracking     = lazyRe(`\s+(?:\[[^\]]*\]|[A-Za-z0-9.-]+ - gsmtp)\s*$`)
)

// flatten is the reply's text without its codes, lines joined: Gmail and
// Microsoft wrap one sentence over several lines.
func flatten(text string) string {
	var parts []string
	for _, l := range strings.Split(text, "\n") {
		if s := strings.TrimSpace(linePrefixRe.ReplaceAllString(l, "")); s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(strings.Fields(strings.Join(parts, " ")), " ")
}

// quoteAt is the sentence of flat around byte offset at (the words that
// decided), without the provider's tracking tail; the whole first
// sentence when at is negative.
func quoteAt(flat string, at int) string {
	if flat == "" {
		return ""
	}
	if at < 0 || at > len(flat) {
		at = 0
	}
	start := 0
	for _, sep := range []string{". ", "; ", "! "} {
		if i := strings.LastIndex(flat[:at], sep); i >= 0 && i+len(sep) > start {
			start = i + len(sep)
		}
	}
	end := len(flat)
	for _, sep := range []string{". ", "; ", "! "} {
		if i := strings.Index(flat[at:], sep); i >= 0 && at+i+1 < end {
			end = at + i + 1
		}
	}
	q := strings.TrimRight(strings.TrimSpace(tracking.ReplaceAllString(flat[start:end], "")), ".")
	if len(q) > 200 {
		q = strings.TrimSpace(q[:200]) + "…"
	}
	return q
}

// replyArgs are the arguments a reply gives its code's words.
func replyArgs(code providers.Code, cause, flat string, at int) map[string]string {
	args := map[string]string{}
	if q := quoteAt(flat, at); q != "" {
		args["quote"] = q
	}
	if u := urlRe.FindString(flat); u != "" {
		args["link"] = strings.TrimRight(u, ".,;:)>")
	}
	if cause != "" {
		args["cause"] = cause
	}
	switch code {
	case providers.CodeSMTPIPBlocked:
		if ip := ipv4Re.FindString(flat); ip != "" {
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
