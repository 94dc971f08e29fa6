package stack

import (
	"testing"
	"unsafe"
)

// down recurses n frames of ~0.5 KiB each.
func down(n int) byte {
	var pad [512]byte
	pad[n%len(pad)] = byte(n)
	if n == 0 {
		return pad[1]
	}
	return down(n-1) + pad[(n*3)%len(pad)]
}

// TestReserveGivesTheStack: after Reserve, a goroutine runs three
// quarters of Size deep without the runtime copying its stack again;
// without it, the stack is copied on the way. A copy moves every local,
// so the address of one in the goroutine's top frame tells.
func TestReserveGivesTheStack(t *testing.T) {
	for _, reserve := range []bool{true, false} {
		moved := make(chan bool)
		go func() {
			if reserve {
				Reserve()
			}
			var top byte
			before := uintptr(unsafe.Pointer(&top))
			down(Size * 3 / 4 / 600)
			moved <- uintptr(unsafe.Pointer(&top)) != before
		}()
		if got := <-moved; got != !reserve {
			t.Errorf("Reserve called %v: stack copied = %v, want %v", reserve, got, !reserve)
		}
	}
}
