package hostile_test

import (
	"bufio"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jobmail/jobmail/e2e/e2eenv"
	"github.com/jobmail/jobmail/providers/discover/dnstest"
	"github.com/jobmail/jobmail/providers/smtp/smtptest"
)

// The leak user is a mailpeer mailbox whose password is the marker
// (e2e/mailpeer-users.txt; .ci/run hands it to mailpeer).
const (
	leakUser   = "leak@example.test"
	leakMarker = "Leak-Marker-Q7x9Z-do-not-print"
)

// markerForms are the marker as it could travel: verbatim, hex, and
// base64 (standard, URL, unpadded) at each of the three alignments it can
// have inside a larger encoded blob such as AUTH PLAIN's
// "\x00user\x00password": the inner part of each encoding depends on the
// marker's bytes only.
func markerForms() []string {
	forms := []string{leakMarker, hex.EncodeToString([]byte(leakMarker))}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding} {
		for lead := 0; lead < 3; lead++ {
			s := enc.EncodeToString([]byte(strings.Repeat("\x00", lead) + leakMarker))
			// skip the group holding the lead bytes and the last group
			from := 0
			if lead > 0 {
				from = 4
			}
			forms = append(forms, s[from:len(s)-4])
		}
	}
	return forms
}

// echoPlain is a careless server: it decodes AUTH PLAIN and puts the
// password it got into its refusal, the worst a server can do.
func echoPlain(c net.Conn) {
	w := func(s string) { _, _ = fmt.Fprintf(c, "%s\r\n", s) }
	w("220 careless.test ESMTP")
	br := bufio.NewReader(c)
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		up := strings.ToUpper(line)
		switch {
		case strings.HasPrefix(up, "EHLO"):
			w("250-careless.test\r\n250 AUTH PLAIN")
		case strings.HasPrefix(up, "AUTH PLAIN "):
			raw, _ := base64.StdEncoding.DecodeString(line[len("AUTH PLAIN "):])
			parts := strings.Split(string(raw), "\x00")
			w("535-5.7.8 you sent " + line)
			w("535 5.7.8 user " + parts[len(parts)-2] + " password " + parts[len(parts)-1] + " is wrong")
		case strings.HasPrefix(up, "QUIT"):
			w("221 bye")
			return
		default:
			w("250 ok")
		}
	}
}

// TestNoSecretLeaksFromAnyCommand runs every command on passing and
// failing paths — wrong password, untrusted certificate, timeout, clear
// text refused, careless servers that echo the credentials back,
// keyring unavailable, invalid setup file, interrupt and a crash dump —
// with the marker password given through env:, file: and stdin, then
// greps stdout, stderr and every file written (HOME, TMPDIR and the XDG
// directories point into the work directory) for the marker in any form.
func TestNoSecretLeaksFromAnyCommand(t *testing.T) {
	mp := e2eenv.Require(t)
	work := t.TempDir()
	home := filepath.Join(work, "home")
	for _, d := range []string{"tmp", ".config", ".cache"} {
		if err := os.MkdirAll(filepath.Join(home, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	pwFile := writeFile(t, filepath.Join(t.TempDir(), "pw"), leakMarker+"\n", 0o600) // outside work: it holds the secret
	ca := mp.Get("MAILPEER_CA_FILE", "")
	sub, smtps, plain := mp.Get("MAILPEER_SUBMISSION_PORT", "12587"), mp.Get("MAILPEER_SMTPS_PORT", "12465"), mp.Get("MAILPEER_SMTP_PORT", "12525")

	setup := func(name, user, host, port, sec, ref, caFile string) string {
		caLine := ""
		if caFile != "" {
			caLine = "\n    ca_file: " + caFile
		}
		return writeFile(t, filepath.Join(work, name+".yaml"), fmt.Sprintf(
			"version: 1\nplatform:\n  account: acme\ncompany:\n  address: %s\n  channel: smtp\n  smtp:\n"+
				"    host: %s\n    port: %s\n    security: %s\n    password: %s%s\n", user, host, port, sec, ref, caLine), 0o600)
	}
	raw := func(h func(net.Conn)) string { return fmt.Sprint(smtptest.NewRaw(t, h).Port) }
	cfg := map[string]string{
		"env":       setup("env", leakUser, "localhost", sub, "starttls", "env:JOBMAIL_LEAK_PW", ca),
		"file":      setup("file", leakUser, "localhost", sub, "starttls", "file:"+pwFile, ca),
		"stdin":     setup("stdin", leakUser, "localhost", sub, "starttls", "stdin", ca),
		"keyring":   setup("keyring", leakUser, "localhost", sub, "starttls", "keyring", ca),
		"wronguser": setup("wronguser", "jobs@example.test", "localhost", sub, "starttls", "env:JOBMAIL_LEAK_PW", ca),
		"untrusted": setup("untrusted", leakUser, "localhost", sub, "starttls", "file:"+pwFile, ""),
		"timeout":   setup("timeout", leakUser, "localhost", smtps, "starttls", "stdin", ca),
		"clear":     setup("clear", leakUser, "localhost", plain, "none", "env:JOBMAIL_LEAK_PW", ""),
		"echoplain": setup("echoplain", leakUser, "127.0.0.1", raw(echoPlain), "none", "env:JOBMAIL_LEAK_PW", ""),
		"echoline": setup("echoline", leakUser, "127.0.0.1", raw(smtptest.Scripted("220 careless.test ESMTP",
			smtptest.Rule{Prefix: "EHLO", Reply: "250-careless.test\n250 AUTH PLAIN"},
			smtptest.Rule{Prefix: "AUTH", Reply: "535 5.7.8 refused:", Echo: true})), "none", "file:"+pwFile, ""),
		"echologin": setup("echologin", leakUser, "127.0.0.1", raw(smtptest.Scripted("220 careless.test ESMTP",
			smtptest.Rule{Prefix: "EHLO", Reply: "250-careless.test\n250 AUTH LOGIN"},
			smtptest.Rule{Prefix: "AUTH", Reply: "334 VXNlcm5hbWU6"},
			smtptest.Rule{Prefix: "bGVha0", Reply: "334 UGFzc3dvcmQ6"},
			smtptest.Rule{Prefix: "", Reply: "535 5.7.8 refused:", Echo: true})), "none", "stdin", ""),
		"silent":  setup("silent", leakUser, "127.0.0.1", raw(smtptest.Silent), "starttls", "env:JOBMAIL_LEAK_PW", ""),
		"invalid": setup("invalid", leakUser, "localhost", "70000", "starttls", "env:JOBMAIL_LEAK_PW", ca),
	}
	// for `jobmail doctor --dns`: every name outside the zone is NXDOMAIN,
	// so nothing outside 127.0.0.1 is ever dialled
	dnsAddr := dnstest.Start(t, []string{
		"acme.test. 300 IN MX 10 localhost.",
		"_submission._tcp.acme.test. 300 IN SRV 0 1 " + sub + " localhost.",
		"_submissions._tcp.acme.test. 300 IN SRV 0 1 " + smtps + " localhost.",
		"localhost. 300 IN A 127.0.0.1"}, nil).Addr

	type row struct {
		name  string
		args  []string
		exit  int // -1: any non-zero; -2: not checked
		sig   os.Signal
		crash bool
	}
	var rows []row
	n := 0
	out := func() string { n++; return filepath.Join(work, fmt.Sprintf("out-%02d", n)) }
	for _, c := range []struct {
		cfg  string
		exit int
	}{
		{"env", 0}, {"file", 0}, {"stdin", 0}, {"keyring", 5}, {"wronguser", 4}, {"untrusted", 4}, {"timeout", 4},
		{"clear", 3}, {"echoplain", 4}, {"echoline", 4}, {"echologin", 4}, {"invalid", 2},
	} {
		p := cfg[c.cfg]
		extra := []string{}
		if strings.HasPrefix(c.cfg, "echo") {
			extra = []string{"--allow-insecure"}
		}
		if c.cfg == "timeout" {
			extra = []string{"--timeout", "1s"}
		}
		rows = append(rows,
			row{c.cfg + ": --config", append([]string{"--config", p, "--export", out() + ".json"}, extra...), c.exit, nil, false},
			row{c.cfg + ": --config --json", append([]string{"--config", p, "--json", "--export", out() + ".json"}, extra...), c.exit, nil, false},
			row{c.cfg + ": test --json", append([]string{"test", "--config", p, "--json"}, extra...), c.exit, nil, false},
			row{c.cfg + ": test --lang de", append([]string{"test", "--config", p, "--lang", "de"}, extra...), c.exit, nil, false},
			row{c.cfg + ": report --test", append([]string{"report", "--test", "--config", p, "--output", out() + ".md"}, extra...), -2, nil, false},
			row{c.cfg + ": report --json", []string{"report", "--config", p, "--json", "--output", out() + ".md"}, -2, nil, false},
			row{c.cfg + ": export", []string{"export", "--config", p, "--output", out() + ".json"}, -2, nil, false},
		)
	}
	rows = append(rows,
		row{"password-stdin --save-secret, keyring unavailable", []string{"--config", cfg["keyring"], "--password-stdin", "--save-secret", "--json"}, 5, nil, false},
		row{"password-stdin into the env setup", []string{"--config", cfg["env"], "--password-stdin", "--export", out() + ".json"}, -2, nil, false},
		row{"SIGINT mid-test", []string{"--config", cfg["silent"], "--export", out() + ".json"}, 130, os.Interrupt, false},
		row{"SIGTERM mid-test --json", []string{"--config", cfg["silent"], "--json", "--export", out() + ".json"}, 130, syscall.SIGTERM, false},
		row{"SIGQUIT crash dump mid-test", []string{"--config", cfg["silent"], "--export", out() + ".json"}, 2, syscall.SIGQUIT, true},
		row{"SIGQUIT crash dump, password from stdin", []string{"test", "--config", cfg["timeout"], "--timeout", "30s"}, 2, syscall.SIGQUIT, true},
		row{"doctor passing", []string{"doctor", "leak@acme.test", "--dns", dnsAddr, "--ca-file", ca, "--timeout", "5s", "--json"}, 0, nil, false},
		row{"doctor failing (no trust anchor)", []string{"doctor", "leak@acme.test", "--dns", dnsAddr, "--timeout", "5s"}, 3, nil, false},
		row{"doctor failing (no such domain)", []string{"doctor", "leak@nothing.test", "--dns", dnsAddr, "--timeout", "5s", "--json"}, -1, nil, false},
		row{"doctor bad address", []string{"doctor", "leak@@acme.test"}, 2, nil, false},
		row{"version", []string{"version"}, 0, nil, false},
		row{"version --json", []string{"version", "--json"}, 0, nil, false},
		row{"completion bash", []string{"completion", "bash"}, 0, nil, false},
		row{"no arguments, no terminal", nil, 2, nil, false},
		row{"unknown flag", []string{"--frobnicate"}, 2, nil, false},
	)
	for _, lang := range []string{"en", "de", "it"} {
		rows = append(rows,
			row{"--help " + lang, []string{"--help", "--lang", lang}, 0, nil, false},
			row{"test --help " + lang, []string{"test", "--help", "--lang", lang}, 0, nil, false},
			row{"doctor --help " + lang, []string{"doctor", "--help", "--lang", lang}, 0, nil, false},
			row{"report --help " + lang, []string{"report", "--help", "--lang", lang}, 0, nil, false},
			row{"export --help " + lang, []string{"export", "--help", "--lang", lang}, 0, nil, false},
		)
	}

	var outputs []string
	for _, r := range rows {
		o := run(t, home, inv{args: r.args, dir: work, stdin: leakMarker + "\n", env: []string{"JOBMAIL_LEAK_PW=" + leakMarker, "GOTRACEBACK=all"},
			signal: r.sig, delay: 800 * time.Millisecond, crash: r.crash, limit: 30 * time.Second})
		switch {
		case r.exit == -1 && o.code == 0, r.exit >= 0 && o.code != r.exit:
			t.Errorf("%s: exit %d, want %d\nstderr: %s", r.name, o.code, r.exit, o.stderr)
		}
		if r.crash && !strings.Contains(o.stderr, "goroutine ") {
			t.Errorf("%s: no crash dump on stderr, so the check proves nothing:\n%s", r.name, o.stderr)
		}
		if strings.HasPrefix(r.name, "echo") && (strings.HasSuffix(r.name, "--config --json") || strings.HasSuffix(r.name, "test --json")) && !strings.Contains(o.stdout, "[redacted]") {
			t.Errorf("%s: the careless server's echo was not seen redacted, so the check proves nothing:\n%s", r.name, o.stdout)
		}
		outputs = append(outputs, r.name+" stdout\x00"+o.stdout, r.name+" stderr\x00"+o.stderr)
	}
	files := 0
	_ = filepath.Walk(work, func(p string, fi os.FileInfo, err error) error {
		if err == nil && fi.Mode().IsRegular() {
			b, _ := os.ReadFile(p)
			outputs = append(outputs, p+"\x00"+string(b))
			files++
		}
		return nil
	})
	t.Logf("%d invocations, %d files written, %d outputs grepped for %d forms of the marker", len(rows), files, len(outputs), len(markerForms()))
	if files < 20 {
		t.Errorf("only %d files in the work directory: exports and reports were not written", files)
	}
	for _, o := range outputs {
		label, text, _ := strings.Cut(o, "\x00")
		for _, f := range markerForms() {
			if i := strings.Index(text, f); i >= 0 {
				t.Errorf("%s holds the secret (form %q) at %d: …%s…", label, f, i, text[max(0, i-80):min(len(text), i+len(f)+40)])
			}
		}
	}
}

// TestMarkerFormsCatchEncodings proves the grep can fail: each way the
// password travels to a server, embedded in other text, is caught.
func TestMarkerFormsCatchEncodings(t *testing.T) {
	b64 := base64.StdEncoding.EncodeToString
	for name, s := range map[string]string{
		"verbatim":         "password " + leakMarker + " is wrong",
		"AUTH PLAIN":       "AUTH PLAIN " + b64([]byte("\x00"+leakUser+"\x00"+leakMarker)),
		"AUTH PLAIN authz": b64([]byte(leakUser + "\x00" + leakUser + "\x00" + leakMarker)),
		"AUTH LOGIN":       "C: " + b64([]byte(leakMarker)),
		"url-safe":         base64.URLEncoding.EncodeToString([]byte("ab" + leakMarker + "cd")),
		"unpadded":         base64.RawStdEncoding.EncodeToString([]byte("a" + leakMarker)),
		"hex":              "0x" + hex.EncodeToString([]byte(leakMarker)),
	} {
		caught := false
		for _, f := range markerForms() {
			caught = caught || strings.Contains(s, f)
		}
		if !caught {
			t.Errorf("%s: %q not caught", name, s)
		}
	}
}
