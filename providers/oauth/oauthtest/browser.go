package oauthtest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Browser plays the person's browser: as an oauth.Opener it follows the
// authorization URL through the server's redirect to the loopback listener
// and keeps the page it ends on. Open blocks until that page arrives.
type Browser struct {
	Client *http.Client // default: a client with a 30 s timeout

	wg     sync.WaitGroup
	mu     sync.Mutex
	opened []string
	pages  []Page
}

// Page is where a navigation ended.
type Page struct {
	URL    string
	Status int
	Body   string
}

func (b *Browser) client() *http.Client {
	if b.Client != nil {
		return b.Client
	}
	return &http.Client{Timeout: 30 * time.Second}
}

// Open implements oauth.Opener.
func (b *Browser) Open(u string) error {
	b.wg.Add(1)
	defer b.wg.Done()
	b.mu.Lock()
	b.opened = append(b.opened, u)
	b.mu.Unlock()
	_, err := b.Visit(context.Background(), u)
	return err
}

// Visit loads u following redirects and records the final page.
func (b *Browser) Visit(ctx context.Context, u string) (Page, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return Page{}, err
	}
	resp, err := b.client().Do(req)
	if err != nil {
		return Page{}, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	p := Page{URL: resp.Request.URL.String(), Status: resp.StatusCode, Body: string(body)}
	b.mu.Lock()
	b.pages = append(b.pages, p)
	b.mu.Unlock()
	return p, nil
}

// Redirected loads u but stops at the server's redirect and returns its
// target, the address a person on a machine without the listener copies
// from the address bar (paste mode).
func (b *Browser) Redirected(ctx context.Context, u string) (string, error) {
	c := *b.client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", err
	}
	resp, err := c.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		return "", fmt.Errorf("authorize answered %d, not a redirect", resp.StatusCode)
	}
	return resp.Header.Get("Location"), nil
}

// EnterDeviceCode submits userCode at the verification page with action
// "approve", "deny" or "expire".
func (b *Browser) EnterDeviceCode(ctx context.Context, verificationURI, userCode, action string) error {
	form := url.Values{"user_code": {userCode}, "action": {action}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, verificationURI, strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := b.client().Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("verification page answered %d", resp.StatusCode)
	}
	return nil
}

// Wait blocks until every Open has got its final page: the flow returns
// as soon as it has answered the redirect, before the page is read.
func (b *Browser) Wait() { b.wg.Wait() }

// Opened returns the URLs passed to Open.
func (b *Browser) Opened() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.opened...)
}

// Pages returns the pages visited, in order, after Wait.
func (b *Browser) Pages() []Page {
	b.Wait()
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]Page(nil), b.pages...)
}
