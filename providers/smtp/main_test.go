package smtp_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/providers/smtp"
	"github.com/jobmail/jobmail/providers/smtp/smtptest"
	"github.com/jobmail/jobmail/secrets"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const (
	testUser     = "jobs@example.test"
	testPassword = "S3cret-Pässwort!x"
	testToken    = "ya29.valid-token-for-jobs"
	testVerify   = "jm-7f3a9c21"
)

func testMessage() providers.Message {
	return providers.Message{
		From: testUser, SenderName: "Acme GmbH", To: testUser, Token: testVerify,
		Subject: "jobmail test " + testVerify,
		Body: "This is a test.\n.a line starting with a dot\n.\nÜmlaute: äöü ß\n" +
			strings.Repeat("a long line ", 20) + "\n",
	}
}

func newPKI(t testing.TB) *smtptest.PKI {
	t.Helper()
	p, err := smtptest.NewPKI("jobmail test CA")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func serverTLS(t testing.TB, p *smtptest.PKI, l smtptest.Leaf) *tls.Config {
	t.Helper()
	c, err := p.ServerTLS(l)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// users and tokens every in-process server knows.
func accounts(o smtptest.Options) smtptest.Options {
	o.Users = map[string]string{testUser: testPassword}
	o.Tokens = map[string]string{testToken: testUser}
	return o
}

// cfgFor points a config at an in-process server with the test CA only
// (never the system pool: it would cost 10–15 ms per test).
func cfgFor(host string, port int, sec providers.Security, pool *x509.CertPool) smtp.Config {
	if pool == nil {
		pool = x509.NewCertPool()
	}
	return smtp.Config{Host: host, Port: port, Security: sec, Username: testUser,
		Password: secrets.New(testPassword), RootCAs: pool}
}

func run(t testing.TB, cfg smtp.Config, timeout time.Duration) (providers.Result, []providers.StageEvent) {
	t.Helper()
	return runWay(t, direct, cfg, timeout)
}

// The two ways a test comes by its connection: it opens it itself, or it
// takes over an opening started before it (smtp.Open, as replay does).
// The tables that prove a behaviour run it both ways.
const (
	direct = "direct"
	ahead  = "ahead"
)

var ways = []string{direct, ahead}

func runWay(t testing.TB, way string, cfg smtp.Config, timeout time.Duration) (providers.Result, []providers.StageEvent) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var events []providers.StageEvent
	res := testWay(ctx, way, cfg, testMessage(), func(e providers.StageEvent) { events = append(events, e) })
	return res, events
}

// testWay runs cfg's test of msg the given way. The opening is given no
// secret, as the wizard gives it none: the test brings its own.
func testWay(ctx context.Context, way string, cfg smtp.Config, msg providers.Message, obs providers.Observer) providers.Result {
	if way == ahead {
		open := cfg
		open.Password, open.OAuthToken = secrets.Secret{}, secrets.Secret{}
		cfg.Ahead = smtp.Open(ctx, open, msg.From, time.Minute)
	}
	return smtp.New(cfg).Test(ctx, msg, obs)
}

func stageNames(res providers.Result) []providers.StageName {
	var names []providers.StageName
	for _, s := range res.Stages {
		names = append(names, s.Name)
	}
	return names
}
