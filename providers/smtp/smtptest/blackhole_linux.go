package smtptest

import (
	"net"
	"os"
	"syscall"
	"testing"
)

// Blackhole returns the address of a listener whose SYNs go unanswered:
// it listens with a backlog of zero and one connection already fills the
// queue, so the kernel drops further SYNs and a dial hangs like one to a
// firewalled port. The test's Cleanup closes it.
func Blackhole(tb testing.TB) string {
	tb.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		tb.Fatalf("smtptest: socket: %v", err)
	}
	f := os.NewFile(uintptr(fd), "blackhole")
	tb.Cleanup(func() { _ = f.Close() })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		tb.Fatalf("smtptest: bind: %v", err)
	}
	if err := syscall.Listen(fd, 0); err != nil {
		tb.Fatalf("smtptest: listen: %v", err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		tb.Fatalf("smtptest: getsockname: %v", err)
	}
	addr := (&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: sa.(*syscall.SockaddrInet4).Port}).String()
	filler, err := net.Dial("tcp", addr)
	if err != nil {
		tb.Fatalf("smtptest: fill backlog: %v", err)
	}
	tb.Cleanup(func() { _ = filler.Close() })
	return addr
}
