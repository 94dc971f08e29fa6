package oauthtest

import "sync"

// Issued records the access tokens a Server issues, so that a test can
// check none of them leaked. Its Hook is an Options.OnIssue; the server
// calls it from its handler goroutines, hence the lock.
type Issued struct {
	mu     sync.Mutex
	tokens []string
}

// Hook returns an OnIssue that records each token and then, when then is
// not nil, passes it on (e.g. to make it valid at a mail server).
func (i *Issued) Hook(then func(access, account string)) func(access, account string) {
	return func(access, account string) {
		i.mu.Lock()
		i.tokens = append(i.tokens, access)
		i.mu.Unlock()
		if then != nil {
			then(access, account)
		}
	}
}

// Tokens returns a copy of the tokens issued so far, oldest first.
func (i *Issued) Tokens() []string {
	i.mu.Lock()
	defer i.mu.Unlock()
	return append([]string(nil), i.tokens...)
}
