package oauth

import "time"

// HealthReason says why a refresh token will likely stop working; the
// values are part of the export (the platform warns ahead with them).
type HealthReason string

const (
	// ReasonGoogleTesting: a Google app in "Testing" publishing status gets
	// refresh tokens that expire 7 days after issue.
	ReasonGoogleTesting HealthReason = "google_testing_app"
	// ReasonGoogleUnused: Google revokes refresh tokens unused for six months.
	ReasonGoogleUnused HealthReason = "google_unused"
	// ReasonMicrosoftUnused: Microsoft refresh tokens expire 90 days after
	// their last use (each use hands out a new one).
	ReasonMicrosoftUnused HealthReason = "microsoft_unused"
)

// Token lifetimes behind the reasons.
const (
	GoogleTestingLifetime   = 7 * 24 * time.Hour
	GoogleUnusedLifetime    = 183 * 24 * time.Hour
	MicrosoftUnusedLifetime = 90 * 24 * time.Hour
)

// Health is what is known about a refresh token's remaining life.
// IssuedAt is when it was issued or, for inactivity rules, last used.
type Health struct {
	IssuedAt        time.Time    `json:"issued_at"`
	LikelyExpiresAt time.Time    `json:"likely_expires_at,omitzero"`
	Reason          HealthReason `json:"reason,omitempty"`
}

// HealthAfter is a token issued (or last used) at issued that likely
// expires after d for reason.
func HealthAfter(issued time.Time, d time.Duration, reason HealthReason) Health {
	return Health{IssuedAt: issued, LikelyExpiresAt: issued.Add(d), Reason: reason}
}

// ExpiresWithin reports whether the token likely expires before now+d
// (false when no expiry is known).
func (h Health) ExpiresWithin(now time.Time, d time.Duration) bool {
	return !h.LikelyExpiresAt.IsZero() && h.LikelyExpiresAt.Before(now.Add(d))
}
