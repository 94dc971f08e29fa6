package i18n

import (
	"strconv"
	"strings"
)

// quick is a template of the shapes the catalogues use, compiled without
// text/template: text, {{.x}}, {{$.x}}, {{.}} inside a with, {{or a b…}},
// {{if a}}, {{if eq a b}}, {{with .x}}, {{else}}, {{else if …}}, {{end}}.
// A message's template is parsed once per process at most, and parsing
// and executing it with text/template (reflection) was most of what
// printing a message cost. compileQuick declines anything else (trim
// markers, comments, pipes, variables, other functions, a field of a
// string, a parse error), and execute hands such a template to
// text/template: quick renders what text/template with missingkey=zero
// renders for map[string]string data, or nothing at all
// (TestQuickSameAsTextTemplate holds it to that for every message).
type quick []qnode

// qnode is text (no operands, no branch), a print of the first truthy of
// operands (the last when none is: one operand is a plain print, more are
// `or`), or a branch (if or with) when then is non-nil.
type qnode struct {
	text     string
	operands []qoperand
	branch   *qbranch
}

type qbranch struct {
	with      bool       // with: then runs with dot set to the condition's value
	cond      []qoperand // one: its truth; two: eq
	then, els quick
}

// qoperand is a map lookup (key, from the data whatever dot is, as $.x
// is, or from dot when dot is the data, as .x is), dot when dot is a
// with's string (isDot), or a string literal (isLit, in key).
type qoperand struct {
	key          string
	isDot, isLit bool
}

func (o qoperand) value(data map[string]string, dot string) string {
	switch {
	case o.isLit:
		return o.key
	case o.isDot:
		return dot
	}
	return data[o.key]
}

// execute renders q into b; dot is the value of the innermost with.
func (q quick) execute(b *strings.Builder, data map[string]string, dot string) {
	for _, n := range q {
		switch {
		case n.branch != nil:
			br := n.branch
			v := br.cond[0].value(data, dot)
			ok := v != ""
			if len(br.cond) == 2 {
				ok = v == br.cond[1].value(data, dot)
			}
			switch {
			case ok && br.with:
				br.then.execute(b, data, v)
			case ok:
				br.then.execute(b, data, dot)
			default:
				br.els.execute(b, data, dot)
			}
		case n.operands != nil:
			v := ""
			for _, o := range n.operands {
				if v = o.value(data, dot); v != "" {
					break
				}
			}
			b.WriteString(v)
		default:
			b.WriteString(n.text)
		}
	}
}

// qframe is an open if or with while compiling; chained frames came from
// an {{else if}} and close with their parent's {{end}}.
type qframe struct {
	br       *qbranch
	inElse   bool
	chained  bool
	dotIsStr bool // outside the branch: dot is a with's string, not the data
}

// compileQuick compiles src, or reports false for anything it does not
// render exactly as text/template does.
func compileQuick(src string) (quick, bool) {
	var stack []*qframe
	var top quick
	emit := func(n qnode) {
		if len(stack) == 0 {
			top = append(top, n)
			return
		}
		f := stack[len(stack)-1]
		if f.inElse {
			f.br.els = append(f.br.els, n)
		} else {
			f.br.then = append(f.br.then, n)
		}
	}
	dotIsStr := func() bool { // is dot, where the next node goes, a string?
		if len(stack) == 0 {
			return false
		}
		f := stack[len(stack)-1]
		return f.dotIsStr || (f.br.with && !f.inElse)
	}
	for src != "" {
		i := strings.Index(src, "{{")
		if i < 0 {
			emit(qnode{text: src})
			break
		}
		if i > 0 {
			emit(qnode{text: src[:i]})
		}
		words, rest, ok := actionWords(src[i+2:])
		if !ok {
			return nil, false
		}
		src = rest
		switch words[0] {
		case "if", "with":
			with := words[0] == "with"
			cond, ok := condition(words[1:], dotIsStr(), with)
			if !ok {
				return nil, false
			}
			br := &qbranch{with: with, cond: cond}
			emit(qnode{branch: br})
			stack = append(stack, &qframe{br: br, dotIsStr: dotIsStr()})
		case "else":
			if len(stack) == 0 || stack[len(stack)-1].inElse {
				return nil, false
			}
			f := stack[len(stack)-1]
			f.inElse = true
			if len(words) == 1 {
				break
			}
			if words[1] != "if" || f.br.with {
				return nil, false // else with (Go 1.23), a with's else if (a parse error)
			}
			cond, ok := condition(words[2:], f.dotIsStr, false)
			if !ok {
				return nil, false
			}
			br := &qbranch{cond: cond}
			emit(qnode{branch: br})
			stack = append(stack, &qframe{br: br, chained: true, dotIsStr: f.dotIsStr})
		case "end":
			if len(words) != 1 || len(stack) == 0 {
				return nil, false
			}
			for stack[len(stack)-1].chained {
				stack = stack[:len(stack)-1]
			}
			stack = stack[:len(stack)-1]
		case "or":
			ops, ok := operands(words[1:], dotIsStr())
			if !ok || len(ops) < 2 {
				return nil, false
			}
			emit(qnode{operands: ops})
		default:
			ops, ok := operands(words, dotIsStr())
			if !ok || len(ops) != 1 || ops[0].isLit {
				return nil, false
			}
			emit(qnode{operands: ops})
		}
	}
	return top, len(stack) == 0
}

// condition compiles an if's or with's pipeline: an operand, or (if only)
// eq of two operands.
func condition(words []string, dotIsStr, with bool) ([]qoperand, bool) {
	if len(words) == 3 && words[0] == "eq" && !with {
		return operands(words[1:], dotIsStr)
	}
	if len(words) != 1 {
		return nil, false
	}
	ops, ok := operands(words, dotIsStr)
	return ops, ok && !ops[0].isLit
}

func operands(words []string, dotIsStr bool) ([]qoperand, bool) {
	ops := make([]qoperand, 0, len(words))
	for _, w := range words {
		switch {
		case w == ".":
			if !dotIsStr {
				return nil, false // dot is the map: printed as text/template prints maps
			}
			ops = append(ops, qoperand{isDot: true})
		case strings.HasPrefix(w, `"`):
			s, err := strconv.Unquote(w)
			if err != nil {
				return nil, false
			}
			ops = append(ops, qoperand{key: s, isLit: true})
		case strings.HasPrefix(w, "$.") && isIdent(w[2:]):
			ops = append(ops, qoperand{key: w[2:]})
		case strings.HasPrefix(w, ".") && isIdent(w[1:]) && !dotIsStr:
			ops = append(ops, qoperand{key: w[1:]})
		default:
			return nil, false
		}
	}
	return ops, true
}

// isIdent: a field name text/template reads as one map key.
func isIdent(s string) bool {
	for i, c := range []byte(s) {
		letter := c == '_' || (c|0x20 >= 'a' && c|0x20 <= 'z')
		if !letter && (i == 0 || c < '0' || c > '9') {
			return false
		}
	}
	return s != ""
}

// actionWords splits the action that s starts with (after "{{") into
// words, a double-quoted string being one, and returns the text after
// its "}}". ok is false for an empty or unterminated action, trim
// markers, comments and any character other than spaces, quotes and the
// field syntax ($, ., letters, digits, _).
func actionWords(s string) (words []string, rest string, ok bool) {
	i := 0
	for {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n') {
			i++
		}
		if strings.HasPrefix(s[i:], "}}") {
			if len(words) == 0 {
				return nil, "", false
			}
			return words, s[i+2:], true
		}
		if i == len(s) {
			return nil, "", false
		}
		start := i
		if s[i] == '"' {
			for i++; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' {
					i++
				} else if s[i] == '\n' {
					return nil, "", false
				}
			}
			if i >= len(s) {
				return nil, "", false
			}
			i++
		} else {
			for ; i < len(s) && isWordByte(s[i]); i++ {
			}
		}
		if i == start || (i < len(s) && !isSpaceOrEnd(s[i:])) {
			return nil, "", false
		}
		words = append(words, s[start:i])
	}
}

func isWordByte(c byte) bool {
	return c == '$' || c == '.' || c == '_' || (c >= '0' && c <= '9') || (c|0x20 >= 'a' && c|0x20 <= 'z')
}

func isSpaceOrEnd(s string) bool {
	return s[0] == ' ' || s[0] == '\t' || s[0] == '\r' || s[0] == '\n' || strings.HasPrefix(s, "}}")
}
