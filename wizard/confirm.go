package wizard

import "strings"

// Denied reports whether q is a prerequisite a person answered "no" (a
// yes/no, or "no, not yet" to the IP allowlist) and whether that "no"
// stops the run — the live test would be pointless — rather than being a
// warning the test confirms or refutes. Drivers mark the answer by it
// (✗ or !), as the checklist marks the check, so that a "no" is never
// shown with ✓.
func Denied(q Question) (denied, blocks bool) {
	id, ok := strings.CutPrefix(q.Field, "prerequisites.")
	if !ok {
		return false, false
	}
	if yes, err := ParseConfirm(q.Value); err != nil || yes {
		return false, false
	}
	_, fatal := confirmationCode(id)
	return true, fatal
}
