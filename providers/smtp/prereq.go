package smtp

import (
	"context"
	"crypto/x509"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/providers/filememo"
	"github.com/jobmail/jobmail/providers/pemcerts"
	"github.com/jobmail/jobmail/secrets/safefile"
)

// Check IDs of the automatic prerequisites.
const (
	CheckHostSupported  = "host_supported"
	CheckTransport      = "transport_secure"
	CheckUsername       = "username_matches"
	CheckCAFileReadable = "ca_file_readable"
)

// Prerequisites runs the checks that need no connection: the host is not
// one the platform cannot use, credentials never travel in clear by
// accident, the username is the company address, and the CA file can be
// used. A finding has OK false; with Warning true it is reported but not
// fatal, otherwise Test refuses to connect.
func Prerequisites(cfg Config, address string) []providers.Check {
	checks := []providers.Check{hostCheck(cfg), transportCheck(cfg), usernameCheck(cfg, address)}
	if cfg.CAFile != "" {
		checks = append(checks, caFileCheck(cfg.CAFile))
	}
	return checks
}

func hostCheck(cfg Config) providers.Check {
	c := providers.Check{ID: CheckHostSupported, Automatic: true, OK: true}
	switch {
	case strings.TrimSpace(cfg.Host) == "" || hasBreak(cfg.Host) || strings.ContainsAny(cfg.Host, " \t/"):
		c.OK = false
		c.Diagnosis = invalid(FieldHost, "host", nil)
	case cfg.Port < 1 || cfg.Port > 65535:
		c.OK = false
		c.Diagnosis = invalid(FieldPort, "port_range", map[string]string{"port": strconv.Itoa(cfg.Port)})
	default:
		if u, bad := providers.CheckHost(cfg.Host); bad {
			c.OK = false
			c.Diagnosis = providers.UnsupportedDiagnosis(u, FieldHost)
		}
	}
	return c
}

func transportCheck(cfg Config) providers.Check {
	c := providers.Check{ID: CheckTransport, Automatic: true, OK: true}
	switch {
	case !slices.Contains(providers.Securities, cfg.Security):
		c.OK = false
		c.Diagnosis = invalid(FieldSecurity, "security", map[string]string{"security": string(cfg.Security)})
	case cfg.Security == providers.SecurityNone && cfg.hasCredentials():
		d := &providers.Diagnosis{Code: providers.CodeConfigInsecure, Actor: providers.ActorUser, Field: FieldSecurity,
			Args: map[string]string{"host": cfg.Host, "port": strconv.Itoa(cfg.Port)}}
		c.Diagnosis = d
		c.OK = false
		c.Warning = cfg.AllowInsecure // chosen on purpose: allowed, but never silently
	case cfg.Security == providers.SecurityStartTLSNoVerify:
		c.OK, c.Warning = false, true
		c.Diagnosis = &providers.Diagnosis{Code: providers.CodeConfigNoVerify, Actor: providers.ActorUser, Field: FieldSecurity,
			Args: map[string]string{"host": cfg.Host}}
	}
	return c
}

func usernameCheck(cfg Config, address string) providers.Check {
	c := providers.Check{ID: CheckUsername, Automatic: true, OK: true}
	if hasBreak(cfg.Username) {
		c.OK = false
		c.Diagnosis = invalid(FieldUsername, "line_break", nil)
		return c
	}
	if cfg.Username != "" && address != "" && !strings.EqualFold(strings.TrimSpace(cfg.Username), strings.TrimSpace(address)) {
		c.OK = false
		c.Warning = true // the account may hold send-as rights for the address
		c.Diagnosis = &providers.Diagnosis{Code: providers.CodeConfigUsernameMismatch, Actor: providers.ActorUser,
			Field: FieldUsername, Args: map[string]string{"username": cfg.Username, "address": address}}
	}
	return c
}

func caFileCheck(path string) providers.Check {
	c := providers.Check{ID: CheckCAFileReadable, Automatic: true, OK: true}
	if _, err := readCAFile(path); err != nil {
		c.OK = false
		c.Diagnosis = invalid(FieldCAFile, "ca_file", map[string]string{"path": path, "error": err.Error()})
	}
	return c
}

// readCAFile returns the certificates of a PEM file, or an error when it
// cannot be read or holds none: a CA file that adds nothing would turn into
// a confusing tls.untrusted_cert later. The prerequisite check and every
// Tester of a run ask for the same file: it is parsed once while it stays
// the same file (filememo), and callers only add the certificates to pools.
func readCAFile(path string) ([]*x509.Certificate, error) {
	certs, err := caFiles.Get(path, func() ([]*x509.Certificate, error) { return parseCAFile(path) })
	return slices.Clone(certs), err
}

var caFiles filememo.Memo[[]*x509.Certificate]

func parseCAFile(path string) ([]*x509.Certificate, error) {
	data, err := safefile.Read(context.Background(), path, safefile.ReadOptions{Max: safefile.MaxCA})
	if err != nil {
		return nil, fmt.Errorf("read ca file: %w", err)
	}
	p := pemcerts.Parse(data) // parsed once with the setup file's validation of it
	if p.Err != nil {
		return nil, fmt.Errorf("parse ca file %s: %w", path, p.Err)
	}
	if len(p.Certs) == 0 {
		return nil, fmt.Errorf("ca file %s holds no PEM certificate", path)
	}
	return p.Certs, nil
}

// fatal returns the first check that forbids connecting.
func fatal(checks []providers.Check) *providers.Diagnosis {
	for _, c := range checks {
		if !c.OK && !c.Warning {
			return c.Diagnosis
		}
	}
	return nil
}

func invalid(field, reason string, args map[string]string) *providers.Diagnosis {
	if args == nil {
		args = map[string]string{}
	}
	args["reason"] = reason
	return &providers.Diagnosis{Code: CodeInvalidValue, Actor: providers.ActorUser, Field: field, Args: args}
}

func hasBreak(s string) bool { return strings.ContainsAny(s, "\r\n\x00") }
