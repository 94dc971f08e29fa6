package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/jobmail/jobmail/providers/discover/dnstest"
	"github.com/jobmail/jobmail/providers/probe/probetest"
	"github.com/jobmail/jobmail/secrets/secretstest"
)

// TestDoctor runs `jobmail doctor` against a real DNS server and real SMTP
// servers on loopback: the SRV record names a STARTTLS submission server,
// which the verdict must recommend with its port and security.
func TestDoctor(t *testing.T) {
	pki, err := probetest.NewPKI()
	if err != nil {
		t.Fatal(err)
	}
	cert, err := pki.Issue("mail.acme.test")
	if err != nil {
		t.Fatal(err)
	}
	port, stop, err := probetest.StartSMTP("127.0.0.1", probetest.StartTLS, cert)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pki.CAPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	dns := dnstest.Start(t, []string{
		"acme.test. 60 IN MX 10 mail.acme.test.",
		"mail.acme.test. 60 IN A 127.0.0.1",
		"_submission._tcp.acme.test. 60 IN SRV 0 0 " + strconv.Itoa(port) + " mail.acme.test.",
	}, nil)

	cases := []struct {
		name string
		args []string
		exit int
		host string
	}{
		{"recommends the SRV server", []string{"doctor", "jobs@acme.test", "--dns", dns.Addr, "--ca-file", ca, "--timeout", "4s", "--json"}, ExitOK, "mail.acme.test"},
		{"without the CA the certificate is not trusted", []string{"doctor", "jobs@acme.test", "--dns", dns.Addr, "--timeout", "4s", "--json"}, ExitPrereq, ""},
		{"a domain with nothing", []string{"doctor", "jobs@nothing.test", "--dns", dns.Addr, "--timeout", "2s", "--json"}, ExitPrereq, ""},
		{"not an address", []string{"doctor", "not-an-address", "--json"}, ExitUsage, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := &mainRig{env: map[string]string{}, store: secretstest.NewMemStore(nil)}
			got := Main(context.Background(), tc.args, r.factory())
			if got != tc.exit {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", got, tc.exit, r.stdout.String(), r.stderr.String())
			}
			if tc.exit == ExitUsage {
				return
			}
			var j struct {
				Ready       bool `json:"ready"`
				Recommended *struct {
					Host     string `json:"host"`
					Port     int    `json:"port"`
					Security string `json:"security"`
				} `json:"recommended"`
				ExitCode int `json:"exit_code"`
			}
			if err := json.Unmarshal(r.stdout.Bytes(), &j); err != nil {
				t.Fatalf("stdout is not one JSON object: %v\n%s", err, r.stdout.String())
			}
			if j.ExitCode != tc.exit || j.Ready != (tc.exit == ExitOK) {
				t.Fatalf("json %+v disagrees with exit %d", j, tc.exit)
			}
			if tc.host != "" {
				if j.Recommended == nil || j.Recommended.Host != tc.host || j.Recommended.Port != port || j.Recommended.Security != "starttls" {
					t.Fatalf("recommended %+v, want %s:%d starttls", j.Recommended, tc.host, port)
				}
			}
		})
	}
	// Without --json the report is the command's output: stdout, not stderr.
	t.Run("report on stdout", func(t *testing.T) {
		r := &mainRig{env: map[string]string{}, store: secretstest.NewMemStore(nil)}
		got := Main(context.Background(), []string{"doctor", "jobs@acme.test", "--dns", dns.Addr, "--ca-file", ca, "--timeout", "4s"}, r.factory())
		if got != ExitOK {
			t.Fatalf("exit %d\nstderr: %s", got, r.stderr.String())
		}
		if out := r.stdout.String(); !strings.Contains(out, "mail.acme.test:"+strconv.Itoa(port)) || !strings.Contains(out, "starttls") {
			t.Errorf("stdout lacks the report:\n%s", out)
		}
		if r.stderr.Len() != 0 {
			t.Errorf("stderr is for talk, the report went there:\n%s", r.stderr.String())
		}
	})
}
