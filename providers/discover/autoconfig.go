package discover

import (
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/providers/probe"
)

// DefaultAutoconfigURLs are Mozilla's autoconfig locations for a domain
// ({domain} and {address} are filled in, the address query-escaped).
var DefaultAutoconfigURLs = []string{
	"https://autoconfig.{domain}/mail/config-v1.1.xml?emailaddress={address}",
	"https://{domain}/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress={address}",
}

// DefaultAutoconfigTimeout keeps a domain without autoconfig (most of
// them: the name does not resolve or the web server hangs) from eating the
// probe budget.
const DefaultAutoconfigTimeout = 3 * time.Second

// maxAutoconfigBytes caps a config file; real ones are a few KiB.
const maxAutoconfigBytes = 1 << 20

// autoconfigServer is an outgoing server an autoconfig file names.
type autoconfigServer struct {
	Target   probe.Target
	Username string
}

// clientConfig is the part of config-v1.1.xml that matters here.
type clientConfig struct {
	Providers []struct {
		Outgoing []struct {
			Type       string `xml:"type,attr"`
			Hostname   string `xml:"hostname"`
			Port       int    `xml:"port"`
			SocketType string `xml:"socketType"`
			Username   string `xml:"username"`
		} `xml:"outgoingServer"`
	} `xml:"emailProvider"`
}

// fetchAutoconfig asks every URL at once and merges the answers in URL
// order. Failures (no such host, 404, bad XML) just mean no answer there.
func fetchAutoconfig(ctx context.Context, client *http.Client, urls []string, domain, address string, timeout time.Duration) []autoconfigServer {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	answers := make([][]autoconfigServer, len(urls))
	var wg sync.WaitGroup
	for i, tmpl := range urls {
		u := strings.NewReplacer("{domain}", domain, "{address}", url.QueryEscape(address)).Replace(tmpl)
		wg.Add(1)
		go func() {
			defer wg.Done()
			answers[i], _ = getAutoconfig(ctx, client, u, domain, address)
		}()
	}
	wg.Wait()
	var out []autoconfigServer
	seen := map[probe.Target]bool{}
	for _, a := range answers {
		for _, s := range a {
			if !seen[s.Target] {
				seen[s.Target] = true
				out = append(out, s)
			}
		}
	}
	return out
}

func getAutoconfig(ctx context.Context, client *http.Client, u, domain, address string) ([]autoconfigServer, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("autoconfig %s: %w", u, err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("autoconfig: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("autoconfig %s: status %d", u, resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAutoconfigBytes))
	if err != nil {
		return nil, fmt.Errorf("autoconfig %s: %w", u, err)
	}
	return parseAutoconfig(body, domain, address)
}

// parseAutoconfig reads the outgoing SMTP servers of a config file,
// placeholders (%EMAILADDRESS% …) filled in.
func parseAutoconfig(body []byte, domain, address string) ([]autoconfigServer, error) {
	var cfg clientConfig
	if err := xml.Unmarshal(body, &cfg); err != nil {
		return nil, fmt.Errorf("autoconfig: %w", err)
	}
	local := address
	if i := strings.LastIndex(address, "@"); i >= 0 {
		local = address[:i]
	}
	fill := strings.NewReplacer("%EMAILADDRESS%", address, "%EMAILLOCALPART%", local, "%EMAILDOMAIN%", domain).Replace
	var out []autoconfigServer
	for _, p := range cfg.Providers {
		for _, o := range p.Outgoing {
			if !strings.EqualFold(o.Type, "smtp") {
				continue
			}
			sec := providers.SecurityStartTLS // STARTTLS, or "plain": the probe sees what is offered
			if strings.EqualFold(strings.TrimSpace(o.SocketType), "SSL") {
				sec = providers.SecuritySMTPS
			}
			t := probe.Target{Host: normalizeHost(fill(o.Hostname)), Port: o.Port, Security: sec}
			if t.Validate() != nil {
				continue
			}
			out = append(out, autoconfigServer{Target: t, Username: strings.TrimSpace(fill(o.Username))})
		}
	}
	return out, nil
}
