package secrets

import "testing"

func TestAccount(t *testing.T) {
	cases := []struct{ channel, login, want string }{
		{"smtp", "jobs@acme.de", "smtp:jobs@acme.de"},
		{"smtp", " Jobs@ACME.de ", "smtp:jobs@acme.de"},
		{"google", "HR@Acme.de", "google:hr@acme.de"},
		{"microsoft", "jobs@acme.de\n", "microsoft:jobs@acme.de"},
	}
	for _, tc := range cases {
		t.Run(tc.channel+"/"+tc.login, func(t *testing.T) {
			if got := Account(tc.channel, tc.login); got != tc.want {
				t.Fatalf("Account(%q, %q) = %q, want %q", tc.channel, tc.login, got, tc.want)
			}
		})
	}
}
