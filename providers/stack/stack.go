// Package stack lets a goroutine that will run deep take the stack it
// needs while it is still shallow.
//
// A goroutine starts with 8 KiB of stack and the runtime doubles it when a
// call needs more, by copying it: every frame on it is looked up in the
// binary's tables to adjust its pointers. The deeper the goroutine is when
// that happens, the more frames are looked up, and in a 16 MB binary the
// tables of cold functions are pages not yet touched (page faults). A
// live test's main goroutine grew for the last time ~25 frames deep in
// the test's prerequisites (~0.1 ms, seen with uprobes), and the
// opening's goroutine grew four times, in DNS, the dial and the TLS key
// exchange (issue 15). Growing once at the start copies a frame or two;
// the frame reserved is never written, so no memory is touched for it.
package stack

// Size is the stack a goroutine has after Reserve: no path of a live test
// goes deeper (a uprobe on runtime.morestack sees no growth after Reserve
// in the main goroutine, the opening's or a replay worker's).
const Size = 64 << 10

// Reserve grows the calling goroutine's stack to Size, or leaves it when
// it is that large already: its frame needs it (the runtime doubles a
// stack until the frame fits with its guard), and the frame is never
// written.
//
//go:noinline
func Reserve() {
	if never {
		// Never run: the frame is only what the runtime checks on the
		// way in. A little under Size, as the caller's frames and the
		// guard take the rest.
		var pad [Size - 4<<10]byte
		sink = pad[int(sink)%len(pad)]
	}
}

var sink byte

// never is false; a variable, so the compiler keeps the frame above.
var never = false
