package providers

import (
	"strconv"
	"strings"

	"github.com/jobmail/jobmail/secrets"
)

// SecretsDiagnosis is the diagnosis of a secret that its source could not
// give (secrets.UnavailableOf): one code per source, the reason and the
// reference in Args. Every error→diagnosis mapper asks it first, so
// "secrets unavailable" is the same code and exit code (5) everywhere.
func SecretsDiagnosis(err error) (Diagnosis, bool) {
	u, ok := secrets.UnavailableOf(err)
	if !ok {
		return Diagnosis{}, false
	}
	code := CodeSecretsUnavailable
	switch u.Source {
	case "env":
		code = CodeSecretsEnv
	case "stdin":
		code = CodeSecretsStdin
	case "file":
		code = CodeSecretsFile
	}
	args := map[string]string{"ref": u.Ref, "why": u.Why}
	switch u.Source {
	case "env":
		args["name"] = u.Arg
	case "file":
		args["path"], args["path_sh"] = u.Arg, shellQuote(u.Arg)
		if u.Mode != 0 {
			args["mode"] = "0" + strconv.FormatUint(uint64(u.Mode.Perm()), 8)
		}
	}
	return Diagnosis{Code: code, Actor: ActorUser, Args: args}, true
}

// shellQuote quotes p for a POSIX shell when it needs it, so that a
// remedy such as chmod 600 PATH can be pasted as it is.
func shellQuote(p string) string {
	if p != "" && strings.Trim(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+=:,@%") == "" {
		return p
	}
	return "'" + strings.ReplaceAll(p, "'", `'\''`) + "'"
}
