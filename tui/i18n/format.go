package i18n

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Duration formats d for people: "12 ms" below a second, one decimal
// below a minute ("1.2 s" in English, "1,2 s" in German and Italian, which
// write a decimal comma), then minutes and seconds ("2 min 05 s") and
// hours and minutes ("1 h 02 min"). Unit symbols are the SI/ISO ones,
// the same in all three languages. Negative durations count as zero.
func (l *Localizer) Duration(d time.Duration) string {
	if d <= 0 {
		return "0 ms"
	}
	if d < time.Millisecond {
		return "<1 ms"
	}
	if ms := d.Round(time.Millisecond); ms < time.Second {
		return fmt.Sprintf("%d ms", ms.Milliseconds())
	}
	if tenths := d.Round(100 * time.Millisecond); tenths < time.Minute {
		s := fmt.Sprintf("%.1f s", tenths.Seconds())
		if l.lang != English {
			s = strings.Replace(s, ".", ",", 1)
		}
		return s
	}
	if s := d.Round(time.Second); s < time.Hour {
		return fmt.Sprintf("%d min %02d s", int(s.Minutes()), int(s.Seconds())%60)
	}
	m := d.Round(time.Minute)
	return fmt.Sprintf("%d h %02d min", int(m.Hours()), int(m.Minutes())%60)
}

// Date formats t (in its own location) with the date order people expect:
// "2 Jan 2026 15:04" in English (day first, unambiguous for readers on
// both sides of the Atlantic), "02.01.2026 15:04" in German (DIN 5008),
// "02/01/2026 15:04" in Italian.
func (l *Localizer) Date(t time.Time) string {
	switch l.lang {
	case German:
		return t.Format("02.01.2006 15:04")
	case Italian:
		return t.Format("02/01/2006 15:04")
	}
	return t.Format("2 Jan 2006 15:04")
}

// dateArgs are arguments that carry a date (certificate validity) as
// RFC 3339 or YYYY-MM-DD; messages show them in the language's order.
var dateArgs = []string{"not_after", "not_before"}

// DateOnly formats the day of t: "2 Jan 2026", "02.01.2026", "02/01/2026".
func (l *Localizer) DateOnly(t time.Time) string {
	switch l.lang {
	case German:
		return t.Format("02.01.2006")
	case Italian:
		return t.Format("02/01/2006")
	}
	return t.Format("2 Jan 2006")
}

// localDates rewrites the date arguments of data for l's language; a
// value that is not a date stays as it is.
func (l *Localizer) localDates(data map[string]string) {
	for _, k := range dateArgs {
		v := data[k]
		if !dateShaped(v) {
			continue // most messages carry no date: no parse, no parse error to allocate
		}
		if t, err := time.Parse(time.RFC3339, v); err == nil {
			data[k] = l.DateOnly(t.UTC())
		} else if t, err := time.Parse(time.DateOnly, v); err == nil {
			data[k] = l.DateOnly(t)
		}
	}
}

// dateShaped reports whether v can be a date of either layout: it starts
// YYYY-MM-DD. Anything else would fail both parses anyway.
func dateShaped(v string) bool {
	if len(v) < len("2006-01-02") || v[4] != '-' || v[7] != '-' {
		return false
	}
	for _, i := range []int{0, 1, 2, 3, 5, 6, 8, 9} {
		if v[i] < '0' || v[i] > '9' {
			return false
		}
	}
	return true
}

// Escape makes a value from outside (argv, files, DNS, servers) safe to
// print on a terminal: control characters other than newline and tab
// (ESC, BEL, CR, C1 controls, DEL), bidirectional overrides and invalid
// UTF-8 become visible Go escapes (\x1b, \u202e, \xff). Text without them
// is returned as it is, so escaping twice changes nothing.
func Escape(s string) string {
	clean := true
	for _, r := range s {
		if needsEscape(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case needsEscape(r):
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

func needsEscape(r rune) bool {
	switch {
	case r == '\n' || r == '\t':
		return false
	case r == utf8.RuneError:
		return true
	case unicode.IsControl(r):
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c:
		return true
	}
	return false
}
