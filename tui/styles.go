package tui

import (
	"strings"
	"sync"

	"charm.land/huh/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// styles are the few looks the wizard uses. Colors are the terminal's
// own 16 ANSI colors, so they follow the user's theme (light or dark);
// the program downsamples them away when NO_COLOR is set or the terminal
// cannot show them, and every state is also told by a symbol (✓ ✗ ●), never
// by color alone.
type styles struct {
	title, stepDone, stepNow, stepTodo lipgloss.Style
	rule, faint, bold, ok, bad, warn   lipgloss.Style
	inbound, key, help, label          lipgloss.Style
}

func newStyles() styles {
	return styles{
		title:    lipgloss.NewStyle().Bold(true),
		stepDone: lipgloss.NewStyle().Foreground(lipgloss.Green),
		stepNow:  lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Cyan),
		stepTodo: lipgloss.NewStyle().Foreground(lipgloss.BrightBlack),
		rule:     lipgloss.NewStyle().Foreground(lipgloss.BrightBlack),
		faint:    lipgloss.NewStyle().Foreground(lipgloss.BrightBlack),
		bold:     lipgloss.NewStyle().Bold(true),
		ok:       lipgloss.NewStyle().Foreground(lipgloss.Green),
		bad:      lipgloss.NewStyle().Foreground(lipgloss.Red),
		warn:     lipgloss.NewStyle().Foreground(lipgloss.Yellow),
		inbound: lipgloss.NewStyle().Bold(true).
			Border(lipgloss.RoundedBorder()).
			BorderForeground(lipgloss.Cyan).
			Padding(0, 1),
		key:   lipgloss.NewStyle().Bold(true),
		help:  lipgloss.NewStyle().Foreground(lipgloss.BrightBlack),
		label: lipgloss.NewStyle().Foreground(lipgloss.BrightBlack),
	}
}

// formTheme is huh's base-16 theme: ANSI colors like ours. huh asks the
// theme for its styles on every draw of every field, and building them
// anew each time was ~4 % of the first frame's CPU: they are built once
// per background (huh only reads them).
func formTheme() huh.Theme {
	return huh.ThemeFunc(func(isDark bool) *huh.Styles {
		if isDark {
			return darkFormStyles()
		}
		return lightFormStyles()
	})
}

var (
	darkFormStyles  = sync.OnceValue(func() *huh.Styles { return huh.ThemeBase16(true) })
	lightFormStyles = sync.OnceValue(func() *huh.Styles { return huh.ThemeBase16(false) })
)

// Marks used in lists: pending, passed, failed, warning, running.
const (
	markOK      = "✓"
	markBad     = "✗"
	markWarn    = "!"
	markPending = "·"
)

// wrap breaks s at spaces so that no line is wider than width. Unlike
// ansi.Wordwrap it never breaks at a hyphen: addresses such as
// acme-jobs@m-personio.de must stay whole to be copied. A word longer
// than a line (a URL, a path, a list without spaces) is broken after a
// separator that fits (breakAt), and cut hard only when there is none.
func wrap(s string, width int) string {
	if width <= 0 {
		return s
	}
	var out []string
	for _, para := range strings.Split(s, "\n") {
		line, lw := "", 0
		for _, word := range strings.Split(para, " ") {
			ww := ansi.StringWidth(word)
			switch {
			case lw == 0:
				line, lw = word, ww
			case lw+1+ww <= width:
				line, lw = line+" "+word, lw+1+ww
			default:
				out = append(out, line)
				line, lw = word, ww
			}
			for lw > width {
				head := ansi.Truncate(line, breakAt(ansi.Strip(line), width), "")
				out = append(out, head)
				line = ansi.TruncateLeft(line, ansi.StringWidth(head), "")
				lw = ansi.StringWidth(line)
			}
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

// breakAt is how many cells of a too-long plain word go on this line: up
// to and including the last "/", ",", ";", "&", "?" or "=" within width
// (the parts of a URL or a list), else the last "@" or "." (the parts of
// a name), else width — and a separator in the first half of the line
// does not count (a break that early wastes the line).
func breakAt(plain string, width int) int {
	cells, strong, weak := 0, 0, 0
	for _, r := range plain {
		rw := ansi.StringWidth(string(r))
		if cells+rw > width {
			break
		}
		cells += rw
		switch {
		case strings.ContainsRune("/,;&?=", r):
			strong = cells
		case r == '@' || r == '.':
			weak = cells
		}
	}
	for _, at := range []int{strong, weak} {
		if at*2 >= width {
			return at
		}
	}
	return width
}

// hangingMark is a marked line ("✓ text") whose continuation lines are
// aligned with the text, wrapped to w.
func hangingMark(mark, text string, w int) string {
	pad := strings.Repeat(" ", ansi.StringWidth(mark)+1)
	return mark + " " + indent(wrap(text, w-len(pad)), pad)[len(pad):]
}

// indent prefixes every line of s.
func indent(s, prefix string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = prefix + l
		}
	}
	return strings.Join(lines, "\n")
}

// fit puts context above form within h lines. The form always shows in
// full; context that does not fit is shown as a window starting at line
// off (the person scrolls it with pgup/pgdn), with a last line saying
// there is more (more below; moreAbove once the window is at the end).
// It returns the body and how far the window can scroll.
func fit(context, form string, h, off int, more, moreAbove string) (string, int) {
	var ctx []string
	if context != "" {
		ctx = strings.Split(context, "\n")
	}
	f := strings.Split(form, "\n")
	if len(f) >= h {
		return strings.Join(f[:max(h, 0)], "\n"), 0
	}
	room := h - len(f)
	if len(ctx) <= room {
		return strings.Join(append(ctx, f...), "\n"), 0
	}
	win := max(room-1, 0)
	maxOff := len(ctx) - win
	off = min(max(off, 0), maxOff)
	if off == maxOff {
		more = moreAbove
	}
	shown := append(append([]string{}, ctx[off:off+win]...), more)
	return strings.Join(append(shown, f...), "\n"), maxOff
}

// truncateLines cuts every line of s to width cells.
func truncateLines(s string, width int) string {
	if width <= 0 {
		return s
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if ansi.StringWidth(l) > width {
			lines[i] = ansi.Truncate(l, width, "…")
		}
	}
	return strings.Join(lines, "\n")
}
