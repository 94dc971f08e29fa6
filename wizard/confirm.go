package wizard

import "strings"

// ConfirmationBlocks reports whether a person's "no" to the prerequisite
// question field ("prerequisites.<id>") stops the run — the live test
// would be pointless — rather than being a warning the test confirms or
// refutes. Drivers mark the answer by it (✗ or !), as the checklist
// marks the check, so that a "no" is never shown with ✓.
func ConfirmationBlocks(field string) bool {
	_, fatal := confirmationCode(strings.TrimPrefix(field, "prerequisites."))
	return fatal
}
