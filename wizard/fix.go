package wizard

// Fixing one field keeps the rest: "Change X" from a diagnosis asks X
// again, then only the questions that depend on X, and only when X's
// answer changed. The password typed in this session stays in memory for
// the re-test; a CA file and prerequisites already confirmed are asked
// again only when the change affects them (a new server may need another
// CA; a host that turns out to be Microsoft 365 adds confirmations, which
// are new questions and so asked anyway).
//
// A field declares what depends on it (field.dependents) and that a fix
// keeps the rest (field.keepsRest); a field that declares nothing (the
// address, the channel: a new branch) asks everything after it again, as
// BackTo does.

// fixing is the field being changed from a diagnosis, with its value
// before, so that Answer can tell whether the change affects others.
type fixing struct {
	key    string
	before string
}

// Fix asks the question key (or the one that covers it: smtp.port is
// asked as smtp.transport) again, keeping every other answer. It reports
// false when no question of the current branch has that key.
func (s *Session) Fix(key string) bool {
	qs := s.questions()
	key = s.coveringKey(qs, key)
	f, ok := s.question(key)
	if !ok {
		return false
	}
	if !f.keepsRest {
		return s.BackTo(key)
	}
	before, _ := f.get(s)
	delete(s.answered, key)
	s.fixing = &fixing{key: key, before: before}
	s.invalidate()
	return true
}

// fixed runs after the fixed field was answered: when its value changed,
// the fields depending on it (and theirs) are asked again.
func (s *Session) fixed(f field) {
	fx := s.fixing
	if fx == nil || fx.key != s.keyOf(f) {
		return
	}
	s.fixing = nil
	after, _ := f.get(s)
	if after == fx.before && f.kind != KindPassword {
		return
	}
	byName := map[string]field{}
	for _, g := range s.fields() {
		byName[g.name] = g
	}
	seen := map[string]bool{}
	var reask func(names []string)
	reask = func(names []string) {
		for _, n := range names {
			g, ok := byName[n]
			if !ok || seen[n] {
				continue
			}
			seen[n] = true
			delete(s.answered, s.keyOf(g))
			reask(g.dependents)
		}
	}
	reask(f.dependents)
}
