package wizard

import "testing"

func TestDenied(t *testing.T) {
	tests := []struct {
		field, value   string
		denied, blocks bool
	}{
		{"prerequisites.not_shared_mailbox", "false", true, true},
		{"prerequisites.not_shared_mailbox", "true", false, false},
		{"prerequisites.ip_allowlist", "false", true, false}, // a warning: the test still runs
		{"prerequisites.ip_allowlist", "none", false, false}, // no allowlist: nothing to allow
		{"prerequisites.smtp_auth_enabled", "no", true, true},
		{"forwarding", "false", false, false}, // not a prerequisite
		{"prerequisites.external_apps_allowed", "", false, false},
	}
	for _, tc := range tests {
		denied, blocks := Denied(Question{Field: tc.field, Value: tc.value})
		if denied != tc.denied || blocks != tc.blocks {
			t.Errorf("Denied(%s=%q) = %v, %v; want %v, %v", tc.field, tc.value, denied, blocks, tc.denied, tc.blocks)
		}
	}
}
