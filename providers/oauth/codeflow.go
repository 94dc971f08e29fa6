package oauth

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/jobmail/jobmail/providers"
)

// Errors a pasted redirect can have; the driver shows them with
// EventPasteInvalid and the flow asks again.
var (
	ErrPasteEmpty  = errors.New("nothing was pasted")
	ErrPasteNoCode = errors.New("the pasted address holds no authorization code")
)

// callback is one redirect that reached the loopback listener; the flow
// answers on reply so the browser page can say how sign-in ended.
type callback struct {
	query url.Values
	reply chan error
}

type pasted struct {
	text string
	err  error
}

// codeFlow runs authorization code + PKCE (S256). The listener on
// 127.0.0.1:0 runs in both modes; in paste mode the driver is also asked
// for the redirected URL, and whichever arrives first wins.
func (f *Flow) codeFlow(ctx context.Context, mode Mode, address string, opener Opener, p Prompter) (Grant, error) {
	if p == nil && (mode == ModePaste || opener == nil) {
		return Grant{}, errors.New("oauth flow: a prompter is needed to show the sign-in address")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return Grant{}, fmt.Errorf("oauth flow: listen for the redirect on 127.0.0.1: %w", err)
	}
	path := f.RedirectPath
	if path == "" {
		path = "/"
	}
	redirectURI := fmt.Sprintf("http://127.0.0.1:%d%s", ln.Addr().(*net.TCPAddr).Port, path)
	state := rand.Text()
	verifier := oauth2.GenerateVerifier()
	cfg := f.config(redirectURI)
	authURL := cfg.AuthCodeURL(state, f.authOptions(address, verifier)...)

	callbacks := make(chan callback)
	done := make(chan struct{})
	srv := &http.Server{Handler: callbackHandler(path, callbacks, done), ReadHeaderTimeout: 10 * time.Second}
	served := make(chan struct{})
	go func() { defer close(served); _ = srv.Serve(ln) }()
	defer func() {
		close(done)
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if srv.Shutdown(sctx) != nil {
			_ = srv.Close()
		}
		<-served
	}()

	readCtx, stopReading := context.WithCancel(ctx)
	defer stopReading()
	pastes := make(chan pasted, 1)
	read := func() {
		go func() {
			s, err := p.ReadRedirect(readCtx)
			pastes <- pasted{text: s, err: err}
		}()
	}
	openErrs := make(chan error, 1)
	if mode == ModePaste {
		notify(p, Event{Kind: EventAwaitPaste, URL: authURL, RedirectURI: redirectURI})
		read()
	} else {
		notify(p, Event{Kind: EventAuthURL, URL: authURL, RedirectURI: redirectURI})
		if opener != nil {
			go func() { openErrs <- opener.Open(authURL) }()
		}
	}

	finish := func(q url.Values) (Grant, error) {
		return f.complete(ctx, cfg, q, state, verifier, address, p)
	}
	for {
		select {
		case <-ctx.Done():
			return Grant{}, f.fail(ctx.Err(), address)
		case err := <-openErrs:
			if err != nil {
				notify(p, Event{Kind: EventBrowserFailed, URL: authURL, Err: err})
			}
		case cb := <-callbacks:
			g, err := finish(cb.query)
			cb.reply <- err
			return g, err
		case in := <-pastes:
			if in.err != nil {
				if ctx.Err() != nil {
					continue // the ctx.Done case reports it
				}
				return Grant{}, f.fail(fmt.Errorf("read the pasted address: %w", in.err), address)
			}
			q, err := parseRedirect(in.text)
			if err != nil {
				notify(p, Event{Kind: EventPasteInvalid, Err: err})
				read()
				continue
			}
			return finish(q)
		}
	}
}

func (f *Flow) authOptions(address, verifier string) []oauth2.AuthCodeOption {
	opts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(verifier)}
	if address != "" {
		opts = append(opts, oauth2.SetAuthURLParam("login_hint", address))
	}
	keys := make([]string, 0, len(f.AuthParams))
	for k := range f.AuthParams {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		opts = append(opts, oauth2.SetAuthURLParam(k, f.AuthParams[k]))
	}
	return opts
}

// complete checks the redirect (state first: a redirect from another
// sign-in attempt must not be trusted, not even its error), exchanges the
// code with the PKCE verifier and checks the account.
func (f *Flow) complete(ctx context.Context, cfg *oauth2.Config, q url.Values, state, verifier, address string, p Prompter) (Grant, error) {
	if q.Get("state") != state {
		e := providers.Fail(providers.CodeOAuthExpired, providers.ActorUser, "",
			errors.New("the redirect belongs to another sign-in attempt (state mismatch)"))
		e.Args = map[string]string{"reason": "state_mismatch"}
		return Grant{}, e
	}
	if code := q.Get("error"); code != "" {
		e := f.classify(code, q.Get("error_description"), address, nil)
		if e.Code == providers.CodeOAuthUnreachable {
			markUnavailable(e, hostOf(f.AuthURL), StageSignIn)
		}
		return Grant{}, e
	}
	code := q.Get("code")
	if code == "" {
		return Grant{}, f.fail(errors.New("the redirect holds neither a code nor an error"), address)
	}
	tok, err := cfg.Exchange(f.httpCtx(ctx), code, oauth2.VerifierOption(verifier))
	if err != nil {
		return Grant{}, f.fail(atStage(StageToken, fmt.Errorf("exchange the authorization code: %w", err)), address, code, verifier)
	}
	return f.grant(ctx, tok, address, p)
}

// parseRedirect accepts the whole redirected URL, or just its query.
func parseRedirect(text string) (url.Values, error) {
	s := strings.TrimSpace(text)
	if s == "" {
		return nil, ErrPasteEmpty
	}
	if i := strings.IndexByte(s, '#'); i >= 0 {
		s = s[:i]
	}
	if i := strings.IndexByte(s, '?'); i >= 0 {
		s = s[i+1:]
	}
	q, err := url.ParseQuery(s)
	if err != nil || (q.Get("code") == "" && q.Get("error") == "") {
		return nil, ErrPasteNoCode
	}
	return q, nil
}

func callbackHandler(path string, callbacks chan<- callback, done <-chan struct{}) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != path {
			http.NotFound(w, r)
			return
		}
		q := r.URL.Query()
		if q.Get("code") == "" && q.Get("error") == "" {
			http.Error(w, "not an authorization response", http.StatusBadRequest)
			return
		}
		cb := callback{query: q, reply: make(chan error, 1)}
		select {
		case callbacks <- cb:
		case <-done:
			writePage(w, pageDone, "")
			return
		case <-r.Context().Done():
			return
		}
		select {
		case err := <-cb.reply:
			if err != nil {
				writePage(w, pageFailed, string(codeOf(err)))
				return
			}
			writePage(w, pageOK, "")
		case <-r.Context().Done():
		}
	})
}

func codeOf(err error) providers.Code {
	var pe *providers.Error
	if errors.As(err, &pe) {
		return pe.Code
	}
	return providers.CodeUnknown
}
