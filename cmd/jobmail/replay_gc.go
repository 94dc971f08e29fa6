package main

import (
	"os"
	"runtime/debug"
)

// replayGCPercent is the collector's target while a replay tests several
// connections. Each mailbox's session allocates ~0.7 MB that is garbage
// once its test ends, and the default (100) ran a cycle every three
// mailboxes: a 100-entity replay took 37 cycles (a bare Go client: 2).
// At 400 it takes 5 and 300 entities use ~1/3 less CPU; the peak RSS of a
// 300-entity replay stays ~34 MB (bench/entities).
const replayGCPercent = 400

// replayGC raises the collector's target for a replay of n connections
// and returns the function that restores it. A GOGC the user set is left
// alone, and so is a single connection (the default suits it).
func replayGC(n int) (restore func()) {
	if n < 2 {
		return func() {}
	}
	if _, set := os.LookupEnv("GOGC"); set {
		return func() {}
	}
	old := debug.SetGCPercent(replayGCPercent)
	return func() { debug.SetGCPercent(old) }
}
