package i18n

import (
	"fmt"
	"strings"
	"time"
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
