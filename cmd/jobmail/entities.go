package main

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/providers/stack"
	"github.com/jobmail/jobmail/wizard"
	"github.com/jobmail/jobmail/wizard/setupfile"
)

// replayAll tests every mailbox of the setup: the company's and each
// entity's, with inheritance applied. Identical connections are tested
// once and share the result; distinct ones run concurrently, at most
// opts.Parallel at a time. Outcomes come back in setup order.
func replayAll(ctx context.Context, opts *Options, env *wizard.Env, setup *setupfile.Setup, warnings []setupfile.Warning) []outcome {
	ems := setup.Effective()
	outs := make([]outcome, len(ems))
	keys := connectionKeys(ems)
	first := map[string]int{} // connection key → index of the mailbox that runs it
	var runs []int
	for i, em := range ems {
		outs[i] = outcome{Entity: em.Name, Key: em.Key}
		if keys == nil {
			runs = append(runs, i)
		} else if _, seen := first[keys[i]]; !seen {
			first[keys[i]] = i
			runs = append(runs, i)
		}
	}
	// Stage lines are for one connection; many would interleave, so
	// several connections get the summary table instead.
	obs := opts.stageObserver()
	if len(runs) > 1 {
		obs = nil
	}
	defer replayGC(len(runs))()
	parallel := opts.Parallel
	if parallel < 1 {
		parallel = 1
	}
	// --timeout bounds the whole run: every connection's test gets what
	// remains of it (Env.Timeout caps each one too, at the same value).
	// A test that could not start before it ran out says so; ctx itself
	// only ends on a signal (exit 130).
	runCtx := ctx
	if opts.Timeout > 0 {
		var cancel context.CancelFunc
		runCtx, cancel = context.WithTimeout(ctx, opts.Timeout)
		defer cancel()
	}
	// A few workers, not a goroutine per connection: a test grows its
	// goroutine's stack (TLS handshakes run deep), and a new goroutine per
	// mailbox paid that growth every time (runtime.newstack/copystack were
	// ~4% of a 300-entity replay's CPU). Connections start in setup order.
	// One worker is this goroutine: a single test (the common `jobmail
	// test`) or --parallel 1 pays no goroutine, channel or thread wake-up.
	if parallel == 1 || len(runs) == 1 {
		for _, i := range runs {
			replayOne(ctx, runCtx, opts, env, setup, ems[i], obs, &outs[i])
		}
	} else {
		jobs := make(chan int)
		var wg sync.WaitGroup
		for range min(parallel, len(runs)) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				stack.Reserve() // a live test goes deep: DNS, the dial, the TLS key exchange
				for i := range jobs {
					replayOne(ctx, runCtx, opts, env, setup, ems[i], obs, &outs[i])
				}
			}()
		}
		for _, i := range runs {
			jobs <- i
		}
		close(jobs)
		wg.Wait()
	}
	for i, k := range keys { // none for one mailbox
		if j := first[k]; j != i {
			name, key := outs[i].Entity, outs[i].Key
			outs[i] = outs[j]
			outs[i].Entity, outs[i].Key, outs[i].SharedWith = name, key, outs[j].Entity
		}
	}
	if outs[0].Session != nil {
		outs[0].Session.Warnings = uniqueWarnings(append(append([]setupfile.Warning{}, warnings...), outs[0].Session.Warnings...))
	}
	return outs
}

// connectionKeys are the mailboxes' ConnectionKeys, each computed once;
// nil for a setup of one mailbox, which has no connection to share (its
// key, an IDNA-canonical address formatted with %q, was ~0.05 ms of cold
// code on the way to a single test's first byte).
func connectionKeys(ems []setupfile.EffectiveMailbox) []string {
	if len(ems) < 2 {
		return nil
	}
	keys := make([]string, len(ems))
	for i, em := range ems {
		keys[i] = em.ConnectionKey()
	}
	return keys
}

// replayOne tests one connection into out. runCtx is the run's time limit
// (--timeout), ctx the program's (a signal ends it).
func replayOne(ctx, runCtx context.Context, opts *Options, env *wizard.Env, setup *setupfile.Setup,
	em setupfile.EffectiveMailbox, obs providers.Observer, out *outcome) {
	if runCtx.Err() != nil { // the limit ran out while earlier tests ran
		if ctx.Err() != nil {
			out.Err, out.ExitCode = ctx.Err(), ExitInterrupted
			return
		}
		notStarted(out, em, opts.Timeout)
		return
	}
	if dl, ok := runCtx.Deadline(); ok && time.Until(dl) < minTestStart && ctx.Err() == nil {
		notStarted(out, em, opts.Timeout)
		return
	}
	s, st, err := wizard.ReplayMailbox(runCtx, env, setup, em, opts.Config, obs)
	if err != nil && errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil && expired(runCtx) {
		if s == nil || s.Result == nil || s.Result.Diagnosis == nil {
			// The limit ran out before the test itself began
			// (while a secret was being read, say).
			notStarted(out, em, opts.Timeout)
			return
		}
		// The test ran into the limit: its own diagnosis says so.
		st, err = wizard.Step{State: wizard.StateTest, Blocked: s.Result.Diagnosis}, nil
	}
	out.Session, out.Step, out.Err = s, st, err
	out.ExitCode = outcomeExit(ctx, *out)
}

// expired reports whether ctx's own deadline has passed (an error may carry
// DeadlineExceeded from a shorter bound of its own, e.g. the keyring's).
func expired(ctx context.Context) bool {
	dl, ok := ctx.Deadline()
	return ctx.Err() != nil || (ok && !time.Now().Before(dl))
}

// minTestStart is the least of the run's time that a test is started
// with: less cannot reach even a server next door, and a test that dies
// at once of the deadline would read as the server's silence.
const minTestStart = 100 * time.Millisecond

// notStarted is the outcome of a connection whose test the run's time
// limit ended before it could start.
func notStarted(out *outcome, em setupfile.EffectiveMailbox, limit time.Duration) {
	args := map[string]string{"timeout": limit.String(), "address": em.Address}
	if em.SMTP != nil {
		args["host"] = em.SMTP.Host
	}
	out.Address, out.Channel = em.Address, em.Channel
	out.Step = wizard.Step{State: wizard.StateTest, Blocked: &providers.Diagnosis{Code: providers.CodeRunTimeLimit,
		Actor: providers.ActorUser, Args: args}}
	out.ExitCode = ExitTestFailed
}

// uniqueWarnings drops repeats: the loader and the prerequisite checks may
// both find the same thing (e.g. config.insecure on the same key).
func uniqueWarnings(ws []setupfile.Warning) []setupfile.Warning {
	seen := map[string]bool{}
	out := ws[:0]
	for _, w := range ws {
		k := string(w.Diagnosis.Code) + "\x00" + w.Key
		if w.Key == "" {
			k = string(w.Diagnosis.Code) + "\x00" + w.Diagnosis.Field
		}
		if !seen[k] {
			seen[k] = true
			out = append(out, w)
		}
	}
	return out
}

// exitRank orders exit codes from best to worst, so that a run over many
// entities exits with its worst result.
var exitRank = map[int]int{ExitOK: 0, ExitTestFailed: 1, ExitPrereq: 2, ExitSecrets: 3, ExitUsage: 4, ExitUnexpected: 5, ExitInterrupted: 6}

func worstExit(outs []outcome) int {
	worst := ExitOK
	for _, o := range outs {
		if exitRank[o.ExitCode] > exitRank[worst] {
			worst = o.ExitCode
		}
	}
	return worst
}
