package wizard

import "slices"

// When the keyring refuses the secret at the commit, the ways on are the
// machine's, so every driver offers the same ones: try the keyring again,
// or, for the company's password (the one secret a headless run can be
// pointed at by a reference of its own), have the setup file name the
// environment or a file the admin creates. jobmail never writes the
// password into a file itself.

// SecretWay is one way on after the keyring refused the secret.
type SecretWay string

const (
	// WayKeyring tries the keyring again (after it was unlocked or
	// started).
	WayKeyring SecretWay = "retry"
	// WayEnv writes EnvPasswordRef: the headless run reads the password
	// from the environment.
	WayEnv SecretWay = "env"
	// WayFile writes FilePasswordRef: a file beside the setup file that
	// the admin creates.
	WayFile SecretWay = "file"
)

// EnvPasswordRef is the reference WayEnv writes instead of "keyring".
const EnvPasswordRef = "env:JOBMAIL_SMTP_PASSWORD"

// FilePasswordRef is the reference WayFile writes (relative to the setup
// file).
const FilePasswordRef = "file:jobmail-smtp-password"

// wayRefs are the references the ways other than the keyring write.
var wayRefs = map[SecretWay]string{WayEnv: EnvPasswordRef, WayFile: FilePasswordRef}

// SecretWays are the ways on after the keyring refused s's secret, the
// keyring first. A subsidiary's password or a refresh token has the
// keyring only: one environment variable and one file name serve the
// company's password alone.
func (s *Session) SecretWays() []SecretWay {
	if s.isCompany() && PasswordBlock(s.Mailbox()) != nil {
		return []SecretWay{WayKeyring, WayEnv, WayFile}
	}
	return []SecretWay{WayKeyring}
}

// TakeSecretWay applies w to the setup: the reference the password gets.
// It reports whether the commit tries the keyring: a way SecretWays does
// not offer changes nothing and tries the keyring.
func (s *Session) TakeSecretWay(w SecretWay) (keyring bool) {
	ref, ok := wayRefs[w]
	if !ok || !slices.Contains(s.SecretWays(), w) {
		return true
	}
	PasswordBlock(s.Mailbox()).Password = ref
	return false
}

// SecretWayTaken is the way the password's reference points: WayEnv,
// WayFile, or "" (the keyring, or a reference the file named itself).
func (s *Session) SecretWayTaken() SecretWay {
	if c := PasswordBlock(s.Mailbox()); c != nil {
		for w, ref := range wayRefs {
			if c.Password == ref {
				return w
			}
		}
	}
	return ""
}
