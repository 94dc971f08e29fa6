package runewidth

// jobmail's fork (go.mod says why): the tables upstream painted in init
// are painted on the first width lookup, and give upstream's widths.

import (
	"slices"
	"testing"
	"unicode/utf8"
)

// atInit is what the package's init left behind, read by TestMain before
// any test runs; afterLow is the state after one width lookup below 0x300.
var atInit, afterLow struct {
	limit   int32
	low     bool // any entry below 0x300 of strictWidthLUT painted
	high    bool // the entry for U+4E00 painted (the rest of the table)
	joiners bool // any bit of joinerBits set
}

func painted() (low, high, joiners bool) {
	nonzero := func(b byte) bool { return b != 0 }
	low = slices.ContainsFunc(strictWidthLUT[0][:0x300], nonzero) ||
		slices.ContainsFunc(strictWidthLUT[1][:0x300], nonzero)
	high = strictWidthLUT[0][0x4E00] != 0 || strictWidthLUT[1][0x4E00] != 0
	joiners = slices.ContainsFunc(joinerBits[:], nonzero)
	return
}

func TestMain(m *testing.M) {
	atInit.limit = strictWidthLUTLimit.Load()
	atInit.low, atInit.high, atInit.joiners = painted()
	if w := RuneWidth('a'); w != 1 {
		panic("RuneWidth('a') != 1")
	}
	afterLow.limit = strictWidthLUTLimit.Load()
	afterLow.low, afterLow.high, afterLow.joiners = painted()
	m.Run()
}

// TestInitPaintsNothing fails on upstream's init, which painted the low
// region and the joiner bitmap and set the limit to 0x300.
func TestInitPaintsNothing(t *testing.T) {
	if atInit.limit != 0 || atInit.low || atInit.high || atInit.joiners {
		t.Errorf("after init, before any width lookup: strictWidthLUTLimit %#x, low region painted %v, rest %v, joinerBits %v; want 0 and nothing painted",
			atInit.limit, atInit.low, atInit.high, atInit.joiners)
	}
}

// TestFirstLookupPaintsLowOnly: a rune below 0x300 paints what upstream's
// init did and no more; the 2 MB rest waits for a rune above, as upstream.
func TestFirstLookupPaintsLowOnly(t *testing.T) {
	if afterLow.limit != 0x300 || !afterLow.low || afterLow.high || !afterLow.joiners {
		t.Errorf("after RuneWidth('a'): strictWidthLUTLimit %#x, low region painted %v, rest %v, joinerBits %v; want 0x300, true, false, true",
			afterLow.limit, afterLow.low, afterLow.high, afterLow.joiners)
	}
}

// TestWidthsAreUpstreams: the lazy tables answer as upstream's eager ones.
func TestWidthsAreUpstreams(t *testing.T) {
	conds := []Condition{
		{EastAsianWidth: false, StrictEmojiNeutral: true},
		{EastAsianWidth: true, StrictEmojiNeutral: true},
		{EastAsianWidth: false, StrictEmojiNeutral: false},
		{EastAsianWidth: true, StrictEmojiNeutral: false},
	}
	for _, tc := range upstreamRuneWidths {
		for i := range conds {
			if got := conds[i].RuneWidth(tc.r); got != tc.w[i] {
				t.Errorf("%+v RuneWidth(%#x) = %d, upstream %d", conds[i], tc.r, got, tc.w[i])
			}
		}
	}
	for _, tc := range upstreamStringWidths {
		for i, want := range []int{tc.w, tc.ea} {
			if got := conds[i].StringWidth(tc.s); got != want {
				t.Errorf("%+v StringWidth(%q) = %d, upstream %d", conds[i], tc.s, got, want)
			}
		}
	}
	if strictWidthLUTLimit.Load() != 0x110000 {
		t.Errorf("strictWidthLUTLimit %#x after runes above 0x2FF, want 0x110000", strictWidthLUTLimit.Load())
	}
	// The bitmap is upstream's joiner table plus U+FFFD (fillJoinerBits).
	initLow()
	for r := rune(0); r < 0x10000; r++ {
		want := r == '\r' || r == utf8.RuneError || (r >= joinerBase && inTable(r, joiner))
		if got := isJoiner(r); got != want {
			t.Fatalf("isJoiner(%#U) = %v, want %v", r, got, want)
		}
	}
}

// upstreamRuneWidths are go-runewidth v0.0.30's own answers (printed by a
// program built against the module, not this fork).
var upstreamRuneWidths = []struct {
	r rune
	w [4]int // EastAsianWidth false/true x StrictEmojiNeutral true/false
}{
	{-0x1, [4]int{0, 0, 0, 0}},
	{0x0, [4]int{0, 0, 0, 0}},
	{0x9, [4]int{0, 0, 0, 0}},
	{0x1f, [4]int{0, 0, 0, 0}},
	{0x20, [4]int{1, 1, 1, 1}},
	{0x61, [4]int{1, 1, 1, 1}},
	{0x7e, [4]int{1, 1, 1, 1}},
	{0x7f, [4]int{0, 0, 0, 0}},
	{0x9f, [4]int{0, 0, 0, 0}},
	{0xa0, [4]int{1, 1, 1, 1}},
	{0xa1, [4]int{1, 2, 1, 2}},
	{0xad, [4]int{0, 0, 0, 0}},
	{0xb1, [4]int{1, 2, 1, 2}},
	{0xe9, [4]int{1, 2, 1, 2}},
	{0x2ff, [4]int{1, 1, 1, 1}},
	{0x300, [4]int{0, 0, 0, 0}},
	{0x36f, [4]int{0, 0, 0, 0}},
	{0x483, [4]int{0, 0, 0, 0}},
	{0x904, [4]int{1, 1, 1, 1}},
	{0x94d, [4]int{0, 0, 0, 0}},
	{0x1100, [4]int{2, 2, 2, 2}},
	{0x115f, [4]int{2, 2, 2, 2}},
	{0x1160, [4]int{1, 1, 1, 1}},
	{0x200b, [4]int{0, 0, 0, 0}},
	{0x200d, [4]int{0, 0, 0, 0}},
	{0x2026, [4]int{1, 2, 1, 2}},
	{0x2190, [4]int{1, 2, 1, 2}},
	{0x231a, [4]int{2, 2, 2, 2}},
	{0x2e80, [4]int{2, 2, 2, 2}},
	{0x3000, [4]int{2, 2, 2, 2}},
	{0x3042, [4]int{2, 2, 2, 2}},
	{0x3099, [4]int{0, 0, 0, 0}},
	{0x4e00, [4]int{2, 2, 2, 2}},
	{0x6f22, [4]int{2, 2, 2, 2}},
	{0xac00, [4]int{2, 2, 2, 2}},
	{0xd800, [4]int{0, 0, 0, 0}},
	{0xe000, [4]int{1, 2, 1, 2}},
	{0xfe0f, [4]int{0, 0, 0, 0}},
	{0xfeff, [4]int{0, 0, 0, 0}},
	{0xff01, [4]int{2, 2, 2, 2}},
	{0xff71, [4]int{1, 1, 1, 1}},
	{0xfffd, [4]int{1, 2, 1, 2}},
	{0x1f1ef, [4]int{1, 1, 1, 1}},
	{0x1f44d, [4]int{2, 2, 2, 2}},
	{0x1f600, [4]int{2, 2, 2, 2}},
	{0x1f3fd, [4]int{2, 2, 2, 2}},
	{0x20000, [4]int{2, 2, 2, 2}},
	{0xe0001, [4]int{1, 1, 1, 1}},
	{0xe0100, [4]int{0, 0, 0, 0}},
	{0xf0000, [4]int{1, 2, 1, 2}},
	{0x10fffd, [4]int{1, 2, 1, 2}},
	{0x10ffff, [4]int{1, 1, 1, 1}},
	{0x110000, [4]int{0, 0, 0, 0}},
}

// upstreamStringWidths are v0.0.30's StringWidth with StrictEmojiNeutral
// and EastAsianWidth false (w) or true (ea).
var upstreamStringWidths = []struct {
	s     string
	w, ea int
}{
	{"", 0, 0},
	{"a", 1, 1},
	{"jobmail", 7, 7},
	{"\t", 0, 0},
	{"\r\n", 0, 0},
	{"\u65e5\u672c\u8a9e", 6, 6},
	{"\u00e9", 1, 2},
	{"e\u0301", 1, 1},
	{"\u00b1\u00b1", 2, 4},
	{"\uff71\uff72\uff73", 3, 3},
	{"\U0001f44d", 2, 2},
	{"\U0001f469\U0001f3fd", 2, 2},
	{"\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466", 2, 2},
	{"\U0001f1ef\U0001f1f5", 2, 2},
	{"\ud55c\uad6d\uc5b4", 6, 6},
	{"\u0915\u094d\u0915", 2, 2},
	{"a\u0301b", 2, 2},
	{"\xff\xfe", 2, 4},
	{"x\ufffdy", 3, 4},
}
