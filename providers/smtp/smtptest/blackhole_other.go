//go:build !linux

package smtptest

import "testing"

// Blackhole needs Linux's accept-queue behaviour; elsewhere the test skips.
func Blackhole(tb testing.TB) string {
	tb.Helper()
	tb.Skip("smtptest: Blackhole needs linux")
	return ""
}
