package setupfile

import (
	"net/netip"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// Validators of names on the network: host names (IDNA), IP addresses,
// mail domains, tenants and endpoint URLs.

// hostnameProblem converts a host name to lower-case ASCII with the UTS #46
// lookup profile and checks RFC 1035 lengths, which that profile leaves
// out. One trailing dot (the root) is allowed. detail is "" when valid.
func hostnameProblem(h string) (ascii, detail string) {
	h = strings.TrimSuffix(h, ".")
	if h == "" {
		return "", "empty"
	}
	a, err := idna.Lookup.ToASCII(h)
	if err != nil {
		return "", "idna"
	}
	a = strings.ToLower(a)
	if len(a) > maxDomainLen {
		return "", "too_long"
	}
	labels := strings.Split(a, ".")
	for _, l := range labels {
		if l == "" {
			return "", "label_empty"
		}
		if len(l) > maxLabelLen {
			return "", "label_too_long"
		}
	}
	if allDigits(labels[len(labels)-1]) {
		return "", "numeric_tld" // 1.2.3.999: neither an IP address nor a name
	}
	return a, ""
}

// ValidateHost checks a server host name: a host name (IDNA allowed) or an
// IP address, optionally in brackets for IPv6, with no scheme, no port and
// no path, so that people who paste "smtps://mail.acme.de:465/" are told
// exactly what to remove.
func ValidateHost(v string) error {
	if v == "" {
		return reasonErr(ReasonRequired, nil)
	}
	if err := checkControl(v); err != nil {
		return err
	}
	if d := hostProblem(v, true); d != "" {
		return reasonErr(ReasonHostInvalid, map[string]string{"detail": d, "value": SafeArg(v)})
	}
	return nil
}

// ValidateMailDomain checks the platform's inbound mail domain: a host
// name with at least one dot; an IP address cannot receive mail as a domain.
func ValidateMailDomain(v string) error {
	if v == "" {
		return reasonErr(ReasonRequired, nil)
	}
	if err := checkControl(v); err != nil {
		return err
	}
	d := hostProblem(v, false)
	if d == "" {
		if a, _ := hostnameProblem(v); !strings.Contains(a, ".") {
			d = "no_dot"
		}
	}
	if d != "" {
		return reasonErr(ReasonDomainInvalid, map[string]string{"detail": d, "value": SafeArg(v)})
	}
	return nil
}

// hostProblem names what is wrong with a host (or "" when nothing is);
// allowIP says whether an IP address is acceptable.
func hostProblem(v string, allowIP bool) string {
	switch {
	case !utf8.ValidString(v):
		return "encoding"
	case strings.Contains(v, "://"):
		return "scheme"
	case strings.ContainsAny(v, "/?#"):
		return "path"
	case strings.Contains(v, "@"):
		return "userinfo"
	case strings.IndexFunc(v, unicode.IsSpace) >= 0:
		return "space"
	}
	ip := strings.TrimSuffix(strings.TrimPrefix(v, "["), "]")
	if _, err := netip.ParseAddr(ip); err == nil {
		if !allowIP {
			return "ip_not_allowed"
		}
		if ip != v && !strings.Contains(ip, ":") {
			return "ip_literal" // [192.0.2.1]: brackets are for IPv6 only
		}
		return ""
	}
	if strings.HasPrefix(v, "[") {
		if i := strings.Index(v, "]:"); i > 0 {
			return "port"
		}
		return "ip_literal"
	}
	if i := strings.LastIndexByte(v, ':'); i >= 0 {
		if strings.Count(v, ":") == 1 && allDigits(v[i+1:]) && v[i+1:] != "" {
			return "port"
		}
		return "ip_literal"
	}
	_, d := hostnameProblem(v)
	return d
}

// ValidateTenant checks a Microsoft Entra tenant: common, organizations,
// consumers, a verified domain (acme.onmicrosoft.com) or a tenant id (GUID).
func ValidateTenant(v string) error {
	if v == "" {
		return reasonErr(ReasonRequired, nil)
	}
	if err := checkControl(v); err != nil {
		return err
	}
	switch v {
	case "common", "organizations", "consumers":
		return nil
	}
	if IsGUID(v) {
		return nil
	}
	if a, d := hostnameProblem(v); d == "" && strings.Contains(a, ".") && hostProblem(v, false) == "" {
		return nil
	}
	return reasonErr(ReasonTenantInvalid, map[string]string{"value": SafeArg(v)})
}

// ValidateCIDR checks one of the platform's outgoing addresses: an IP
// address or a prefix (3.121.59.239/32).
func ValidateCIDR(v string) error {
	if v == "" {
		return reasonErr(ReasonRequired, nil)
	}
	if _, err := netip.ParsePrefix(v); err == nil {
		return nil
	}
	if _, err := netip.ParseAddr(v); err == nil {
		return nil
	}
	if err := checkControl(v); err != nil {
		return err
	}
	return reasonErr(ReasonCIDRInvalid, map[string]string{"value": SafeArg(v)})
}

// ValidateURL checks an OAuth endpoint override: https, or http only to a
// loopback address (test servers), with a valid host.
func ValidateURL(v string) error {
	if v == "" {
		return reasonErr(ReasonRequired, nil)
	}
	if err := checkControl(v); err != nil {
		return err
	}
	bad := func(detail string) error {
		return reasonErr(ReasonURLInvalid, map[string]string{"detail": detail, "value": SafeArg(v)})
	}
	u, err := url.Parse(v)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return bad("syntax")
	}
	if u.User != nil {
		return bad("userinfo") // credentials in a URL would be a secret in the file
	}
	host := u.Hostname()
	if hostProblem(host, true) != "" {
		return bad("host")
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if ip, err := netip.ParseAddr(host); (err == nil && ip.IsLoopback()) || host == "localhost" {
			return nil
		}
	}
	return bad("scheme")
}

// IsGUID reports whether v is a GUID (8-4-4-4-12 hex digits).
func IsGUID(v string) bool {
	if len(v) != 36 {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) {
				return false
			}
		}
	}
	return true
}
