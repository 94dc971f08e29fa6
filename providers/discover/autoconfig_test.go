package discover

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/providers/probe"
)

const configXML = `<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="acme.test">
    <domain>acme.test</domain>
    <incomingServer type="imap"><hostname>imap.acme.test</hostname><port>993</port><socketType>SSL</socketType></incomingServer>
    <outgoingServer type="smtp">
      <hostname>smtp.%EMAILDOMAIN%</hostname><port>587</port><socketType>STARTTLS</socketType>
      <username>%EMAILLOCALPART%</username>
    </outgoingServer>
    <outgoingServer type="smtp">
      <hostname>SMTP.ACME.TEST.</hostname><port>465</port><socketType>SSL</socketType>
      <username>%EMAILADDRESS%</username>
    </outgoingServer>
    <outgoingServer type="smtp"><hostname>broken.acme.test</hostname><port>0</port><socketType>SSL</socketType></outgoingServer>
  </emailProvider>
</clientConfig>`

const otherXML = `<clientConfig version="1.1"><emailProvider id="x">
  <outgoingServer type="smtp"><hostname>relay.acme.test</hostname><port>2525</port><socketType>plain</socketType></outgoingServer>
  <outgoingServer type="smtp"><hostname>smtp.acme.test</hostname><port>587</port><socketType>STARTTLS</socketType></outgoingServer>
</emailProvider></clientConfig>`

func TestAutoconfig(t *testing.T) {
	release := make(chan struct{})
	var gotQuery atomic.Value // written by the server goroutine
	gotQuery.Store("")
	mux := http.NewServeMux()
	mux.HandleFunc("/mail/config-v1.1.xml", func(w http.ResponseWriter, r *http.Request) {
		gotQuery.Store(r.URL.Query().Get("emailaddress"))
		_, _ = w.Write([]byte(configXML))
	})
	mux.HandleFunc("/second/config-v1.1.xml", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(otherXML)) })
	mux.HandleFunc("/garbage/config-v1.1.xml", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("<html>not xml")) })
	mux.HandleFunc("/slow/config-v1.1.xml", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	srv := httptest.NewTLSServer(mux)
	defer srv.Close()
	defer close(release)
	client := srv.Client()
	defer client.CloseIdleConnections()
	u := func(p string) string { return srv.URL + p + "?emailaddress={address}" }

	starttls, smtps := providers.SecurityStartTLS, providers.SecuritySMTPS
	tests := []struct {
		name    string
		urls    []string
		timeout time.Duration
		want    []autoconfigServer
		query   string
	}{
		{"placeholders and both outgoing servers", []string{u("/mail/config-v1.1.xml")}, 5 * time.Second, []autoconfigServer{
			{probe.Target{Host: "smtp.acme.test", Port: 587, Security: starttls}, "jobs"},
			{probe.Target{Host: "smtp.acme.test", Port: 465, Security: smtps}, "jobs@acme.test"}}, "jobs@acme.test"},
		{"merged in URL order, duplicates once", []string{u("/mail/config-v1.1.xml"), u("/second/config-v1.1.xml")}, 5 * time.Second, []autoconfigServer{
			{probe.Target{Host: "smtp.acme.test", Port: 587, Security: starttls}, "jobs"},
			{probe.Target{Host: "smtp.acme.test", Port: 465, Security: smtps}, "jobs@acme.test"},
			{probe.Target{Host: "relay.acme.test", Port: 2525, Security: starttls}, ""}}, ""},
		{"404, bad XML and a hanging server give nothing, in time", []string{u("/missing.xml"), u("/garbage/config-v1.1.xml"), u("/slow/config-v1.1.xml")}, 300 * time.Millisecond, nil, ""},
		{"unreachable host", []string{"https://127.0.0.1:1/mail/config-v1.1.xml"}, 5 * time.Second, nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			got := fetchAutoconfig(context.Background(), client, tc.urls, "acme.test", "jobs@acme.test", tc.timeout)
			if el := time.Since(start); el > tc.timeout+slack {
				t.Errorf("took %v with a %v timeout", el, tc.timeout)
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
			if q := gotQuery.Load().(string); tc.query != "" && q != tc.query {
				t.Errorf("emailaddress query = %q, want %q", q, tc.query)
			}
		})
	}
}

func TestDefaultAutoconfigURLs(t *testing.T) {
	// Mozilla's two locations, in the order clients ask them.
	want := []string{"https://autoconfig.{domain}/mail/config-v1.1.xml?emailaddress={address}",
		"https://{domain}/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress={address}"}
	if !slices.Equal(DefaultAutoconfigURLs, want) {
		t.Fatalf("got %v", DefaultAutoconfigURLs)
	}
}
