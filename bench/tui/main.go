//go:build linux

// Command tui measures how fast the wizard shows its first full frame:
// the time from exec to the moment the last line of the first screen (the
// help line) has been written to the terminal, in a pseudo-terminal of
// 80×24, over many runs, reporting the median — alternating with
// bench/tui/bare, a bubbletea program with nothing else (the floor;
// target: jobmail ≤ 1.2× bare). Both are built as the release builds
// (CGO_ENABLED=0, -trimpath, -s -w).
//
//	go run ./bench/tui -n 25            # builds ./cmd/jobmail first
//	go run ./bench/tui -bin ./jobmail   # an existing binary
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

func main() {
	bin := flag.String("bin", "", "jobmail binary (default: build ./cmd/jobmail)")
	tags := flag.String("tags", "", "build tags of the jobmail build (bench/tui/run.sh passes the release build's)")
	n := flag.Int("n", 25, "runs")
	marker := flag.String("marker", "ctrl+c", "text of the first frame's last line")
	timeout := flag.Duration("timeout", 10*time.Second, "give up on one run after this")
	flag.Parse()
	if err := run(*bin, *tags, *n, *marker, *timeout); err != nil {
		fmt.Fprintln(os.Stderr, "bench/tui:", err)
		os.Exit(1)
	}
}

func run(bin, tags string, n int, marker string, timeout time.Duration) error {
	tmp, err := os.MkdirTemp("", "jobmail-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	build := func(out, pkg string) error {
		c := exec.Command("go", "build", "-trimpath", "-tags", tags, "-ldflags", "-s -w", "-o", out, pkg)
		c.Env = append(os.Environ(), "CGO_ENABLED=0")
		if b, err := c.CombinedOutput(); err != nil {
			return fmt.Errorf("build %s: %v\n%s", pkg, err, b)
		}
		return nil
	}
	if bin == "" {
		bin = filepath.Join(tmp, "jobmail")
		if err := build(bin, "./cmd/jobmail"); err != nil {
			return err
		}
	}
	bare := filepath.Join(tmp, "bare")
	if err := build(bare, "./bench/tui/bare"); err != nil {
		return err
	}
	var ds, bs []time.Duration
	for i := range n {
		d, err := once(bin, tmp, []byte(marker), timeout)
		if err != nil {
			return fmt.Errorf("run %d: %w", i+1, err)
		}
		ds = append(ds, d)
		b, err := once(bare, tmp, []byte(marker), timeout)
		if err != nil {
			return fmt.Errorf("bare run %d: %w", i+1, err)
		}
		bs = append(bs, b)
	}
	slices.Sort(ds)
	slices.Sort(bs)
	ms := func(d time.Duration) string { return strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 1, 64) }
	fmt.Printf("first full frame, %d runs each, alternating (80x24 pty):\n", n)
	fmt.Printf("  jobmail median %s ms, min %s ms, p90 %s ms, max %s ms\n", ms(ds[n/2]), ms(ds[0]), ms(ds[n*9/10]), ms(ds[n-1]))
	fmt.Printf("  bare    median %s ms, min %s ms, p90 %s ms, max %s ms\n", ms(bs[n/2]), ms(bs[0]), ms(bs[n*9/10]), ms(bs[n-1]))
	fmt.Printf("  ratio jobmail/bare %.3f median (target <= 1.2), %.3f min (less noisy on a busy machine)\n",
		float64(ds[n/2])/float64(bs[n/2]), float64(ds[0])/float64(bs[0]))
	return nil
}

// once starts bin on a fresh pty in an empty directory (no setup file to
// resume) and returns the time until marker appears in its output.
func once(bin, dir string, marker []byte, timeout time.Duration) (time.Duration, error) {
	master, slave, err := openPTY()
	if err != nil {
		return 0, err
	}
	defer master.Close()
	work, err := os.MkdirTemp(dir, "run-")
	if err != nil {
		return 0, err
	}
	cmd := exec.Command(bin)
	cmd.Dir = work
	cmd.Env = append(os.Environ(), "HOME="+work, "TERM=xterm-256color")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		slave.Close()
		return 0, err
	}
	slave.Close()
	defer func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
	}()
	_ = master.SetReadDeadline(time.Now().Add(timeout))
	var seen bytes.Buffer
	buf := make([]byte, 64<<10)
	for {
		k, err := master.Read(buf)
		seen.Write(buf[:k])
		if bytes.Contains(seen.Bytes(), marker) {
			return time.Since(start), nil
		}
		if err != nil {
			return 0, fmt.Errorf("no %q after %s (%w); output: %q", marker, time.Since(start), err, seen.String())
		}
	}
}

// openPTY opens a pseudo-terminal pair of 80×24.
func openPTY() (master, slave *os.File, err error) {
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		return nil, nil, err
	}
	fd := int(m.Fd())
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		m.Close()
		return nil, nil, fmt.Errorf("unlockpt: %w", err)
	}
	num, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		m.Close()
		return nil, nil, fmt.Errorf("ptsname: %w", err)
	}
	if err := unix.IoctlSetWinsize(fd, unix.TIOCSWINSZ, &unix.Winsize{Row: 24, Col: 80}); err != nil {
		m.Close()
		return nil, nil, fmt.Errorf("set size: %w", err)
	}
	s, err := os.OpenFile("/dev/pts/"+strconv.Itoa(num), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		m.Close()
		return nil, nil, errors.Join(errors.New("open pts"), err)
	}
	return m, s, nil
}
