package setupfile

import (
	"errors"
	"maps"
	"sync"
)

// Rule names a validator of the values the setup file and the wizard's
// questions share, so that a verdict can be remembered: a loaded setup
// keeps which values passed under which rule (Setup.Valid), and a replay
// answering the machine's questions with the file's values finds the
// loader's verdict instead of judging them again, however many mailboxes
// inherit them. A CA file is read and parsed once per loaded setup.
type Rule string

// The rules (rulesFor has the validator of each).
const (
	RuleAddress    Rule = "address"
	RuleAccount    Rule = "account"
	RuleSenderName Rule = "sender_name"
	RuleForwarding Rule = "forwarding"
	RuleChannel    Rule = "channel"
	RuleHost       Rule = "host"
	RuleSecurity   Rule = "security"
	RulePort       Rule = "port" // the decimal text of the port
	RuleUsername   Rule = "username"
	RuleSecretRef  Rule = "secret_ref" // the reference's form; RuleSecretFile its file
	RuleSecretFile Rule = "secret_file"
	RuleCAFile     Rule = "ca_file"
	RuleClientID   Rule = "client_id"
	RuleTenant     Rule = "tenant"
	RuleURL        Rule = "url"
)

// rulesFor is the validator of each rule; the file rules read through
// opts (relative to the setup file's directory once loaded).
func rulesFor(opts LoadOptions) map[Rule]func(string) error {
	return map[Rule]func(string) error{
		RuleAddress: ValidateAddress, RuleAccount: ValidateAccount,
		RuleSenderName: ValidateSenderName, RuleForwarding: ValidateForwarding, RuleChannel: ValidateChannel,
		RuleHost: ValidateHost, RuleSecurity: ValidateSecurity, RulePort: ValidatePort, RuleUsername: ValidateUsername,
		RuleSecretRef:  ValidateSecretRef,
		RuleSecretFile: func(p string) error { return ValidateSecretFile(p, opts.CheckReadable) },
		RuleCAFile:     func(p string) error { return ValidateCAFile(p, opts.ReadFile) },
		RuleClientID:   ValidateClientID, RuleTenant: ValidateTenant, RuleURL: ValidateURL,
	}
}

// inMemory are the rules of a setup built in memory (no file, no
// verdicts kept): a ca_file that passed is remembered while the file stays
// the same (validCAFiles), as an interactive run answers it per mailbox.
var inMemory = sync.OnceValue(func() map[Rule]func(string) error {
	r := rulesFor(LoadOptions{ReadFile: ReadFileLimited, CheckReadable: CheckReadable})
	r[RuleCAFile] = func(p string) error {
		_, err := validCAFiles.Get(p, func() (struct{}, error) { return struct{}{}, ValidateCAFile(p, ReadFileLimited) })
		return err
	}
	return r
})

// verdicts are the values judged for one setup, with the verdict.
type verdicts struct {
	rules   map[Rule]func(string) error
	observe func(Rule, string) // LoadOptions.OnValidate
	mu      sync.Mutex
	seen    map[verdict]*judgement
}

type verdict struct {
	rule  Rule
	value string
}

// judgement is one value's verdict, or its judging under way: the
// mailboxes of a replay run at once, and one that meets a value another
// is judging waits for that verdict instead of judging it too.
type judgement struct {
	done chan struct{} // closed once err is set
	err  error
}

// settled reports whether the verdict is in (then err may be read).
func (j *judgement) settled() bool {
	select {
	case <-j.done:
		return true
	default:
		return false
	}
}

func newVerdicts(opts LoadOptions) *verdicts {
	return &verdicts{rules: rulesFor(opts), observe: opts.OnValidate, seen: map[verdict]*judgement{}}
}

// judge is the verdict on value under rule; check (nil: the rule's
// validator) runs only for a value not judged before, or being judged. A
// remembered failure is returned as it was when again is false (the
// loader: a broken CA file named by 300 entities is read once) and judged
// anew when true (an answer: the file may have been fixed since). Each
// caller gets its own copy of a *FieldError.
func (v *verdicts) judge(rule Rule, value string, check func() error, again bool) error {
	k := verdict{rule, value}
	v.mu.Lock()
	j, ok := v.seen[k]
	if !ok || (again && j.settled() && j.err != nil) {
		j = &judgement{done: make(chan struct{})}
		v.seen[k] = j
		v.mu.Unlock()
		if v.observe != nil {
			v.observe(rule, value)
		}
		if check == nil {
			j.err = v.rules[rule](value)
		} else {
			j.err = check()
		}
		close(j.done)
	} else {
		v.mu.Unlock()
		<-j.done
	}
	var fe *FieldError
	if errors.As(j.err, &fe) {
		cp := *fe
		cp.Args = maps.Clone(fe.Args)
		return &cp
	}
	return j.err
}

// Valid judges v under rule, as the loader does. On a loaded setup a
// value that passed before (in the loader, or as an earlier answer) is not
// judged again; a setup built in memory judges every time.
func (s *Setup) Valid(rule Rule, v string) error {
	if s.verdicts == nil {
		return inMemory()[rule](v)
	}
	return s.verdicts.judge(rule, v, nil, true)
}
