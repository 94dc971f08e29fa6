package wizard

import (
	"context"
	"errors"
	"net"
	"testing"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/providers/smtp/smtptest"
	"github.com/jobmail/jobmail/wizard/setupfile"
)

// noNetwork stands for a machine without DNS or a route out: every name
// fails to resolve and every connection is refused, except the one server
// the test maps in (the provider's real submission host, played locally).
type noNetwork struct {
	host string // the provider's host the live test may reach
	addr string // where it really listens
}

var errNoNetwork = errors.New("network unavailable")

func (n noNetwork) LookupHost(_ context.Context, host string) ([]string, error) {
	if host == n.host {
		return []string{"127.0.0.1"}, nil
	}
	return nil, &net.DNSError{Err: errNoNetwork.Error(), Name: host, IsNotFound: true}
}

func (n noNetwork) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	if addr == "127.0.0.1:587" {
		var d net.Dialer
		return d.DialContext(ctx, network, n.addr)
	}
	return nil, &net.OpError{Op: "dial", Net: network, Err: errNoNetwork}
}

// TestKnownProviderTwoTypedValues: an address of a provider in the
// built-in table, with no DNS (no provider detected, no discovery), reaches
// a passed live test over STARTTLS with certificate verification when the
// person types only the address and the password and presses Enter on
// everything else. Every prefill says where it comes from.
func TestKnownProviderTwoTypedValues(t *testing.T) {
	const address, password = "jobs@mailbox.org", "pw-typed-once"
	pki, err := smtptest.NewPKI("table test CA")
	if err != nil {
		t.Fatal(err)
	}
	tlsCfg, err := pki.ServerTLS(smtptest.Leaf{Names: []string{"smtp.mailbox.org"}})
	if err != nil {
		t.Fatal(err)
	}
	srv := smtptest.NewServer(t, smtptest.Options{TLS: tlsCfg, Users: map[string]string{address: password}, RequireAuth: true})
	net := noNetwork{host: "smtp.mailbox.org", addr: srv.Addr}
	env := &Env{Resolver: net, Dialer: net, RootCAs: pki.Pool}

	s := NewSession(nil, true) // s.Provider "": the MX lookup failed
	typed := map[string]string{"company.address": address, "company.smtp.password": password}
	var typedCount, screens int
	for range 100 {
		st := s.Next()
		if st.Done {
			break
		}
		if st.Blocked != nil {
			t.Fatalf("blocked: %+v", *st.Blocked)
		}
		if st.Action != nil {
			if err := env.Run(context.Background(), s, *st.Action, nil); err != nil {
				t.Fatalf("action %s: %v", st.Action.Kind, err)
			}
			continue
		}
		q := st.Question
		screens++
		v, ok := typed[q.Key]
		if ok {
			typedCount++
		} else {
			v = "" // Enter on the default
		}
		switch q.Field {
		case "smtp.host", "smtp.transport":
			if q.Args["prefill"] != PrefillWellKnown || q.Args["prefill_name"] != "mailbox.org" {
				t.Errorf("%s = %q does not say it comes from the table: %v", q.Key, q.Value, q.Args)
			}
		}
		if err := s.Answer(q.Key, v); err != nil {
			t.Fatalf("answer %s=%q (offered %q): %v", q.Key, v, q.Value, err)
		}
	}
	if s.Result == nil || !s.Result.OK() {
		t.Fatalf("the live test did not pass: %+v", s.Result)
	}
	c := s.Mailbox().SMTP
	if s.Mailbox().Channel != "smtp" || c.Host != "smtp.mailbox.org" || c.Port != 587 || c.Security != string(providers.SecurityStartTLS) ||
		c.Username != address || s.Setup.Platform.Account != "mailbox" {
		t.Fatalf("setup %+v smtp %+v account %q", s.Mailbox(), c, s.Setup.Platform.Account)
	}
	if typedCount != 2 {
		t.Errorf("typed %d values, want 2", typedCount)
	}
	if got := srv.Messages(); len(got) != 1 || !got[0].TLS || got[0].User != address {
		t.Errorf("server got %+v", got)
	}
	t.Logf("questions: %d, typed values: %d", screens, typedCount)
}

func TestSuggestAccount(t *testing.T) {
	for in, want := range map[string]string{
		"jobs@acme.de": "acme", "jobs@mail.acme.de": "acme", "jobs@acme.co.uk": "acme", "jobs@acme-group.com": "acme-group",
		"jobs@localhost": "", "no-at": "", "jobs@ACME.IT": "acme",
	} {
		if got := SuggestAccount(in); got != want {
			t.Errorf("SuggestAccount(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestAllowlistNone: "our server has no allowlist" is an answer that
// holds the prerequisite; a replay whose file says nothing records nothing.
func TestAllowlistNone(t *testing.T) {
	s := NewSession(&setupfile.Setup{Platform: setupfile.Platform{Account: "acme"}, Company: setupfile.Mailbox{Address: "jobs@acme.de", Channel: "smtp"}}, true)
	s.Provider = "other"
	var q *Question
	for _, x := range s.questions() {
		if x.Field == "prerequisites.ip_allowlist" {
			q = &x
		}
	}
	if q == nil || q.Kind != KindSelect || len(q.Options) != 3 || q.Options[1] != AllowlistNone {
		t.Fatalf("allowlist question %+v", q)
	}
	if err := s.Answer(q.Key, AllowlistNone); err != nil {
		t.Fatal(err)
	}
	if v, ok := s.Mailbox().Prerequisites["ip_allowlist"]; !ok || !v {
		t.Fatalf("prerequisites %v", s.Mailbox().Prerequisites)
	}
	for _, c := range s.confirmationChecks() {
		if !c.OK {
			t.Errorf("check %+v fails after 'no allowlist'", c)
		}
	}
	setup := &setupfile.Setup{Version: 1, Platform: setupfile.Platform{Account: "acme"}, Company: setupfile.Mailbox{Address: "jobs@acme.de", Channel: "smtp",
		SMTP: &setupfile.SMTP{Host: "smtp.acme.de", Password: "env:PW"}}}
	_, _, _ = replayFile(context.Background(), &Env{Resolver: noNetwork{}, Dialer: noNetwork{}}, setup, "jobmail.yaml", nil)
	if _, ok := setup.Company.Prerequisites["ip_allowlist"]; ok {
		t.Errorf("a replay recorded an unconfirmed prerequisite: %v", setup.Company.Prerequisites)
	}
}
