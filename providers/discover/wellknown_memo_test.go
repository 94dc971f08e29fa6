package discover

import "testing"

// The remembered answer is the scan's, on first and later calls.
func TestMayMatchMemoAgreesWithTheScan(t *testing.T) {
	hosts := []string{"gmail.com", "GMAIL.com.", "example.test", "aspmx.l.google.com", "mail.protection.outlook.com",
		"contoso-com.mail.protection.outlook.com", "", "x", "nobody.invalid"}
	for round := range 2 {
		for _, h := range hosts {
			want := false
			if n := normalizeHost(h); n != "" {
				want = scanMayMatch(n)
			}
			if got := mayMatch(h); got != want {
				t.Errorf("round %d: mayMatch(%q) = %v, scan says %v", round, h, got, want)
			}
		}
	}
}
