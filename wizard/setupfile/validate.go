package setupfile

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/secrets"
)

// The validators below are shared by the setup-file loader and the
// interactive machine, so a value is judged the same way whichever driver
// collected it. Each returns nil or a *FieldError without Key (the caller
// knows where the value came from) whose Reason is a catalogue key and
// whose Args["detail"], when set, narrows it down for the catalogue.
// Values that may be secrets are never copied into Args.

// Limits (RFC 5321 §4.5.3.1, RFC 1035 §2.3.4) and our own for free text.
const (
	maxAddressLen    = 254
	maxLocalPartLen  = 64
	maxDomainLen     = 253
	maxLabelLen      = 63
	maxAccountLen    = 59 // "<account>-jobs" must fit the 64-octet local part
	maxEntityNameLen = 200
	maxTextLen       = 200
	maxUsernameLen   = 320
	maxClientIDLen   = 256
	maxArgLen        = 80
)

// ValidateAddress checks a mailbox address: a dot-atom ASCII local part
// (RFC 5321; quoted local parts and SMTPUTF8 local parts are refused, the
// platform cannot send as them) and a domain that is a valid, possibly
// internationalised host name with at least one dot (UTS #46 lookup rules).
func ValidateAddress(v string) error {
	_, err := CanonicalAddress(v)
	return err
}

func localPartProblem(local string) string {
	switch {
	case local == "":
		return "local_empty"
	case len(local) > maxLocalPartLen:
		return "local_too_long"
	case local[0] == '.' || local[len(local)-1] == '.' || strings.Contains(local, ".."):
		return "local_dots"
	}
	for _, r := range local {
		if r >= utf8.RuneSelf {
			return "local_non_ascii"
		}
		if !isAtext(byte(r)) && r != '.' {
			return "local_invalid"
		}
	}
	return ""
}

// isAtext is RFC 5322's atext.
func isAtext(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-/=?^_`{|}~", c) >= 0
}

// CanonicalAddress is the address with its domain in lower-case ASCII
// (punycode), for comparing addresses: jobs@Bücher.de and
// jobs@xn--bcher-kva.de are the same mailbox. The local part keeps its
// case. It returns the validation error for an invalid address.
func CanonicalAddress(v string) (string, error) {
	if v == "" {
		return "", reasonErr(ReasonRequired, nil)
	}
	if err := checkControl(v); err != nil {
		return "", err
	}
	bad := func(detail string) (string, error) {
		return "", reasonErr(ReasonAddressInvalid, map[string]string{"detail": detail, "value": SafeArg(v)})
	}
	if !utf8.ValidString(v) {
		return bad("encoding")
	}
	if strings.ContainsAny(v, "<>") {
		return bad("angle_bracket")
	}
	if strings.IndexFunc(v, unicode.IsSpace) >= 0 {
		return bad("space")
	}
	switch strings.Count(v, "@") {
	case 0:
		return bad("missing_at")
	case 1:
	default:
		return bad("multiple_at")
	}
	local, domain, _ := strings.Cut(v, "@")
	if d := localPartProblem(local); d != "" {
		return bad(d)
	}
	ascii, d := hostnameProblem(domain)
	if d == "" && !strings.Contains(ascii, ".") {
		d = "no_dot"
	}
	if d != "" {
		return bad("domain_" + d)
	}
	if len(local)+1+len(ascii) > maxAddressLen {
		return "", reasonErr(ReasonTooLong, map[string]string{"max": strconv.Itoa(maxAddressLen)})
	}
	return local + "@" + ascii, nil
}

// SameAddress reports whether a and b name the same mailbox, ignoring the
// case of the local part (every provider jobmail talks to does so) and
// the spelling of the domain (Unicode or punycode). Invalid addresses
// compare by their text.
func SameAddress(a, b string) bool {
	if plainASCII(a) && plainASCII(b) {
		// The canonical form of such text differs from it in case only
		// (valid or not, case is ignored): no IDNA mapping for the
		// loader's username check of every mailbox.
		return strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
	}
	return sameCanonical(a, b)
}

// plainASCII: ASCII without a trailing dot (which the canonical form
// drops).
func plainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return !strings.HasSuffix(s, ".")
}

// sameCanonical is SameAddress through the canonical forms.
func sameCanonical(a, b string) bool {
	ca, errA := CanonicalAddress(a)
	cb, errB := CanonicalAddress(b)
	if errA != nil || errB != nil {
		return strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
	}
	return strings.EqualFold(ca, cb)
}

// ValidateAccount checks the platform account: the name in the inbound
// address <account>-jobs@<mail domain>, lower-case letters, digits and
// inner hyphens.
func ValidateAccount(v string) error {
	if v == "" {
		return reasonErr(ReasonRequired, nil)
	}
	if err := checkControl(v); err != nil {
		return err
	}
	bad := func(detail string) error {
		return reasonErr(ReasonAccountInvalid, map[string]string{"detail": detail, "value": SafeArg(v)})
	}
	if len(v) > maxAccountLen {
		return bad("too_long")
	}
	if v[0] == '-' || v[len(v)-1] == '-' {
		return bad("hyphen")
	}
	for _, r := range v {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-':
		case r >= 'A' && r <= 'Z':
			return bad("uppercase")
		default:
			return bad("character")
		}
	}
	return nil
}

// ValidatePort checks a port typed as text (the interactive driver's
// input): decimal digits only, then ValidatePortNumber.
func ValidatePort(v string) error {
	if v == "" {
		return reasonErr(ReasonRequired, nil)
	}
	if !allDigits(v) {
		return reasonErr(ReasonPortInvalid, map[string]string{"value": SafeArg(v)})
	}
	if len(v) > 5 {
		return reasonErr(ReasonPortRange, map[string]string{"min": "1", "max": "65535", "value": SafeArg(v)})
	}
	n, _ := strconv.Atoi(v) // at most five digits
	return ValidatePortNumber(n)
}

// ValidatePortNumber checks a TCP port number: 1 to 65535.
func ValidatePortNumber(n int) error {
	if n < 1 || n > 65535 {
		return reasonErr(ReasonPortRange, map[string]string{"min": "1", "max": "65535", "value": strconv.Itoa(n)})
	}
	return nil
}

// ValidateSecurity checks an SMTP security mode (providers.Securities).
func ValidateSecurity(v string) error {
	return OneOf(v, ReasonSecurityInvalid, securityValues())
}

// ValidateChannel checks a channel name (providers.Channels).
func ValidateChannel(v string) error {
	return OneOf(v, ReasonChannelInvalid, channelValues())
}

// SenderNames are the values of sender_name: the company's name or the
// employee's who writes the message.
var SenderNames = []string{"company", "employee"}

// ForwardingValues are the values of forwarding: set up already, or later.
var ForwardingValues = []string{"done", "later"}

// ValidateSenderName checks sender_name.
func ValidateSenderName(v string) error { return OneOf(v, ReasonSenderNameInvalid, SenderNames) }

// ValidateForwarding checks forwarding.
func ValidateForwarding(v string) error { return OneOf(v, ReasonForwardingInvalid, ForwardingValues) }

// OneOf checks that v is one of allowed; reason names the mistake when it
// is not (the wizard's own menus judge their answers with it too).
func OneOf(v, reason string, allowed []string) error {
	if v == "" {
		return reasonErr(ReasonRequired, nil)
	}
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	if err := checkControl(v); err != nil {
		return err
	}
	return reasonErr(reason, map[string]string{"value": SafeArg(v), "allowed": strings.Join(allowed, ", ")})
}

func securityValues() []string {
	out := make([]string, len(providers.Securities))
	for i, s := range providers.Securities {
		out[i] = string(s)
	}
	return out
}

func channelValues() []string {
	out := make([]string, len(providers.Channels))
	for i, c := range providers.Channels {
		out[i] = string(c)
	}
	return out
}

// ValidateSecretRef checks a secret reference (keyring, env:NAME,
// file:PATH, stdin). Anything else, above all a password pasted into the
// setup file, is refused without the value ever reaching the error.
func ValidateSecretRef(v string) error {
	if v == "" {
		return reasonErr(ReasonRequired, nil)
	}
	if err := checkControl(v); err != nil {
		return err
	}
	if _, err := secrets.ParseRef(v); err != nil {
		detail := "plaintext"
		switch {
		case strings.HasPrefix(v, "env:"):
			detail = "env_name"
		case strings.HasPrefix(v, "file:"):
			detail = "file_path"
		}
		// err is ParseRef's fixed text, which never repeats the value.
		return &FieldError{Reason: ReasonNotSecretRef, Args: map[string]string{"detail": detail}, Err: err}
	}
	return nil
}

// ValidateUsername checks an SMTP login name. It is usually the address
// but may be a plain login, so only what breaks the protocol is refused.
func ValidateUsername(v string) error {
	if v == "" {
		return reasonErr(ReasonRequired, nil)
	}
	if err := checkControl(v); err != nil {
		return err
	}
	if !utf8.ValidString(v) || strings.TrimSpace(v) != v {
		return reasonErr(ReasonUsernameInvalid, map[string]string{"detail": "space"})
	}
	if len(v) > maxUsernameLen {
		return reasonErr(ReasonTooLong, map[string]string{"max": strconv.Itoa(maxUsernameLen)})
	}
	return nil
}

// ValidateClientID checks an OAuth client id: a Microsoft application id
// (a GUID) or a Google client id (digits-…apps.googleusercontent.com).
// Both are public identifiers, not secrets.
func ValidateClientID(v string) error {
	if v == "" {
		return reasonErr(ReasonRequired, nil)
	}
	if err := checkControl(v); err != nil {
		return err
	}
	if len(v) > maxClientIDLen {
		return reasonErr(ReasonTooLong, map[string]string{"max": strconv.Itoa(maxClientIDLen)})
	}
	for _, r := range v {
		if !(r < utf8.RuneSelf && (isAlnum(byte(r)) || r == '-' || r == '.' || r == '_')) {
			return reasonErr(ReasonClientIDInvalid, map[string]string{"value": SafeArg(v)})
		}
	}
	return nil
}

// ValidateEntityName checks a subsidiary's name: free text on one line.
func ValidateEntityName(v string) error {
	return validateText(v, maxEntityNameLen)
}

// ValidatePlatformName checks the platform's display name.
func ValidatePlatformName(v string) error { return validateText(v, maxTextLen) }

func validateText(v string, max int) error {
	if strings.TrimSpace(v) == "" {
		return reasonErr(ReasonRequired, nil)
	}
	if err := checkControl(v); err != nil {
		return err
	}
	if !utf8.ValidString(v) {
		return reasonErr(ReasonTextInvalid, map[string]string{"detail": "encoding"})
	}
	if utf8.RuneCountInString(v) > max {
		return reasonErr(ReasonTooLong, map[string]string{"max": strconv.Itoa(max)})
	}
	return nil
}

// ValidatePrerequisiteID checks the name of a confirmed prerequisite
// (prerequisites.<id>): lower-case snake case.
func ValidatePrerequisiteID(v string) error {
	if v == "" {
		return reasonErr(ReasonRequired, nil)
	}
	ok := len(v) <= 64 && v[0] >= 'a' && v[0] <= 'z'
	for i := 0; ok && i < len(v); i++ {
		c := v[i]
		ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'
	}
	if !ok {
		return reasonErr(ReasonPrerequisiteInvalid, map[string]string{"value": SafeArg(v)})
	}
	return nil
}

// checkControl refuses line breaks (header and command injection) and any
// other control character in a value. The value is not echoed: it is
// unprintable by definition.
func checkControl(v string) error {
	if strings.ContainsAny(v, "\r\n") {
		return reasonErr(ReasonCRLF, nil)
	}
	for _, r := range v {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\u2028' || r == '\u2029' {
			return reasonErr(ReasonControlChar, nil)
		}
	}
	return nil
}

func reasonErr(reason string, args map[string]string) *FieldError {
	return &FieldError{Reason: reason, Args: args}
}

// SafeArg makes a value fit to be shown: control and invisible characters
// escaped, at most maxArgLen runes.
func SafeArg(v string) string {
	q := strconv.QuoteToGraphic(v)
	q = q[1 : len(q)-1]
	if utf8.RuneCountInString(q) > maxArgLen {
		r := []rune(q)
		q = string(r[:maxArgLen]) + "…"
	}
	return q
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func isAlnum(c byte) bool {
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}
