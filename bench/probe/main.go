// Command probe measures the concurrent prober: 3 hosts × 4 ports, each
// probed in both security modes, where some candidates never answer
// (listeners that accept and stay silent). The whole run must take about
// one probe timeout, not the sum a sequential prober would need. It prints
// the wall times and the ratios; it is a measurement, not a pass/fail gate.
//
//	go run ./bench/probe [-timeout 2s] [-runs 5] [-sequential=true]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/providers/probe"
	"github.com/jobmail/jobmail/providers/probe/probetest"
)

func main() {
	timeout := flag.Duration("timeout", 2*time.Second, "probe timeout: the bound of one whole run")
	runs := flag.Int("runs", 5, "concurrent runs to measure")
	sequential := flag.Bool("sequential", true, "also measure a sequential prober (takes about #silent × timeout)")
	flag.Parse()
	if err := run(*timeout, *runs, *sequential); err != nil {
		fmt.Fprintln(os.Stderr, "bench/probe:", err)
		os.Exit(1)
	}
}

func run(timeout time.Duration, runs int, sequential bool) error {
	hosts := []string{"127.0.0.1", "127.0.0.2", "127.0.0.3"} // Linux routes all of 127/8 to loopback
	pki, err := probetest.NewPKI()
	if err != nil {
		return err
	}
	cert, err := pki.Issue(hosts...)
	if err != nil {
		return err
	}
	var targets []probe.Target
	var stops []func()
	defer func() {
		for _, stop := range stops {
			stop()
		}
	}()
	for _, h := range hosts {
		sub, stop, err := probetest.StartSMTP(h, probetest.StartTLS, cert)
		if err != nil {
			return fmt.Errorf("host %s (needs 127/8 on loopback): %w", h, err)
		}
		stops = append(stops, stop)
		implicit, stop, err := probetest.StartSMTP(h, probetest.SMTPS, cert)
		if err != nil {
			return err
		}
		stops = append(stops, stop)
		silent, stop, err := probetest.StartRaw(h, "")
		if err != nil {
			return err
		}
		stops = append(stops, stop)
		closed, err := probetest.ClosedPort(h)
		if err != nil {
			return err
		}
		for _, port := range []int{sub, implicit, silent, closed} {
			for _, sec := range []providers.Security{providers.SecurityStartTLS, providers.SecuritySMTPS} {
				targets = append(targets, probe.Target{Host: h, Port: port, Security: sec})
			}
		}
	}
	p := &probe.Prober{Timeout: timeout, RootCAs: pki.Pool}

	// Warm up once (first TLS handshakes, page faults) outside the numbers.
	p.All(context.Background(), targets[:2])

	var walls []time.Duration
	var codes map[string]int
	for range runs {
		start := time.Now()
		res := p.All(context.Background(), targets)
		walls = append(walls, time.Since(start))
		codes = map[string]int{}
		for _, r := range res {
			c := string(r.Code())
			if c == "" {
				c = "ok"
			}
			if r.Inferred {
				c += " (inferred)"
			}
			codes[c]++
		}
	}
	slices.Sort(walls)
	median, worst := walls[len(walls)/2], walls[len(walls)-1]
	fmt.Printf("probe: %d hosts × 4 ports × 2 security modes = %d probes, probe timeout %v, %d runs\n", len(hosts), len(targets), timeout, runs)
	fmt.Printf("  outcomes per run: %s\n", summary(codes))
	fmt.Printf("  concurrent wall: median %v, worst %v\n", median.Round(time.Millisecond), worst.Round(time.Millisecond))
	fmt.Printf("  ratio wall/timeout: median %.3f, worst %.3f (target <= 1.2, aim 1.1)\n", ratio(median, timeout), ratio(worst, timeout))
	if sequential {
		start := time.Now()
		for _, t := range targets {
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			p.Probe(ctx, t) // what a one-at-a-time prober with the same per-probe timeout does
			cancel()
		}
		seq := time.Since(start)
		fmt.Printf("  sequential sum: %v; ratio sequential/concurrent (median) %.1f×\n", seq.Round(time.Millisecond), ratio(seq, median))
	}
	return nil
}

func ratio(a, b time.Duration) float64 { return float64(a) / float64(b) }

func summary(codes map[string]int) string {
	keys := make([]string, 0, len(codes))
	for k := range codes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s=%d", k, codes[k]))
	}
	return strings.Join(parts, ", ")
}
