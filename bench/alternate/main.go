// Command alternate runs several commands in turn, N rounds, and prints
// each one's median wall time, CPU time (user+sys) and peak RSS, and the ratios of
// the first to every other. Commands run directly (no shell), with
// stdout and stderr discarded; a failing run stops the benchmark and
// shows that run's output. Used by bench/run.sh, never a pass/fail gate.
//
//	alternate -n 25 jobmail bin/jobmail test --config x ::: swaks swaks … ::: floor bin/floor …
//
// Each group, separated by ":::", is a label followed by the command.
// Each ratio line also gives the spread of the rounds' own ratios (run
// i of the first command over run i of the other, neighbours in time):
// their median and the middle half of them (25th to 75th percentile), so
// a ratio is read with how much it moves on this machine.
// -tsv FILE also writes "label<TAB>median wall ms<TAB>median cpu ms" lines
// for scripts that compute their own ratios (bench/entities).
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"time"
)

type cmdSpec struct {
	label string
	argv  []string
	wall  []time.Duration
	cpu   []time.Duration
	rss   []time.Duration // peak RSS in KiB, kept as a Duration to share median
}

func main() {
	n := flag.Int("n", 25, "rounds")
	title := flag.String("title", "", "heading line")
	tsv := flag.String("tsv", "", "also write label, median wall ms and median cpu ms to this file")
	flag.Parse()
	specs, err := parse(flag.Args())
	if err == nil {
		err = bench(specs, *n)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench/alternate:", err)
		os.Exit(1)
	}
	if *tsv != "" {
		var b strings.Builder
		for _, s := range specs {
			fmt.Fprintf(&b, "%s\t%.3f\t%.3f\n", s.label, ms(median(s.wall)), ms(median(s.cpu)))
		}
		err = os.WriteFile(*tsv, []byte(b.String()), 0o600)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench/alternate:", err)
		os.Exit(1)
	}
	if *title != "" {
		fmt.Printf("%s (whole process, %d runs each, alternating)\n", *title, *n)
	}
	for _, s := range specs {
		fmt.Printf("  %-10s median %6.2f ms wall  %6.2f ms cpu  %6.1f MB peak RSS\n", s.label, ms(median(s.wall)), ms(median(s.cpu)), float64(median(s.rss))/1024)
	}
	for _, s := range specs[1:] {
		q := quartiles(paired(specs[0].wall, s.wall))
		fmt.Printf("  ratio %s/%s  wall %.3f  cpu %.3f  (rounds: wall median %.3f, middle half %.3f-%.3f)\n", specs[0].label, s.label,
			ms(median(specs[0].wall))/ms(median(s.wall)), ms(median(specs[0].cpu))/ms(median(s.cpu)), q[1], q[0], q[2])
	}
}

func parse(args []string) ([]*cmdSpec, error) {
	var specs []*cmdSpec
	cur := []string{}
	flush := func() error {
		if len(cur) < 2 {
			return fmt.Errorf("each group needs a label and a command, got %q", cur)
		}
		specs = append(specs, &cmdSpec{label: cur[0], argv: cur[1:]})
		cur = []string{}
		return nil
	}
	for _, a := range args {
		if a == ":::" {
			if err := flush(); err != nil {
				return nil, err
			}
			continue
		}
		cur = append(cur, a)
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return specs, nil
}

func bench(specs []*cmdSpec, n int) error {
	for range n {
		for _, s := range specs {
			var out bytes.Buffer
			c := exec.Command(s.argv[0], s.argv[1:]...)
			c.Stdout, c.Stderr = &out, &out
			t0 := time.Now()
			err := c.Run()
			wall := time.Since(t0)
			if err != nil {
				return fmt.Errorf("%s: %v\n%s", strings.Join(s.argv, " "), err, out.String())
			}
			s.wall = append(s.wall, wall)
			s.cpu = append(s.cpu, c.ProcessState.UserTime()+c.ProcessState.SystemTime())
			s.rss = append(s.rss, time.Duration(peakRSSKiB(c.ProcessState)))
		}
	}
	return nil
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// paired is each round's ratio a[i]/b[i].
func paired(a, b []time.Duration) []float64 {
	r := make([]float64, 0, len(a))
	for i := range min(len(a), len(b)) {
		r = append(r, float64(a[i])/float64(b[i]))
	}
	return r
}

// quartiles are the 25th, 50th and 75th percentiles of v (nearest rank).
func quartiles(v []float64) [3]float64 {
	if len(v) == 0 {
		return [3]float64{}
	}
	s := slices.Clone(v)
	slices.Sort(s)
	at := func(p int) float64 { return s[min(len(s)-1, (len(s)-1)*p/100)] }
	return [3]float64{at(25), at(50), at(75)}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
