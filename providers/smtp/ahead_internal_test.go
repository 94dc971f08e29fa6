package smtp

import (
	"crypto/x509"
	"reflect"
	"testing"
)

// TestOpeningCoversConfig classifies every Config field: the opening
// depends on it (opening), it matters only from AUTH on, or the machine
// gives both configs the same (one Env). A field added to Config fails
// here until it is classified.
func TestOpeningCoversConfig(t *testing.T) {
	change := map[string]func(*Config){
		"Host":          func(c *Config) { c.Host = "other.test" },
		"Port":          func(c *Config) { c.Port = 2525 },
		"Security":      func(c *Config) { c.Security = "smtps" },
		"CAFile":        func(c *Config) { c.CAFile = "/other/ca.pem" },
		"RootCAs":       func(c *Config) { c.RootCAs = x509.NewCertPool() },
		"AllowInsecure": func(c *Config) { c.AllowInsecure = true },
		"HelloName":     func(c *Config) { c.HelloName = "client.test" },
	}
	fromAuthOn := map[string]bool{"Username": true, "Password": true, "OAuthToken": true, "Ahead": true}
	sameEnv := map[string]bool{"Dialer": true, "Resolver": true, "Now": true, "SessionCache": true}
	for f := range reflect.TypeFor[Config]().Fields() {
		if change[f.Name] == nil && !fromAuthOn[f.Name] && !sameEnv[f.Name] {
			t.Errorf("Config.%s is not classified for the opening", f.Name)
		}
	}
	base := Config{Host: "mail.test", Port: 587, Security: "starttls"}
	for name, mutate := range change {
		c := base
		mutate(&c)
		if openingOf(c) == openingOf(base) {
			t.Errorf("a changed %s leaves the opening the same", name)
		}
	}
}
