package smtp

// table is a small lookup table kept as a slice literal: the compiler lays
// it out in the binary, where a map literal is built by the package's init
// on every start of the program, a live test or not (issue 15). The
// tables are a few dozen rows at most and read on diagnoses, so a linear
// search costs nothing that matters.
type table[K comparable, V any] []row[K, V]

type row[K comparable, V any] struct {
	k K
	v V
}

// get is the value of the first row keyed k.
func (t table[K, V]) get(k K) (V, bool) {
	for _, r := range t {
		if r.k == k {
			return r.v, true
		}
	}
	var zero V
	return zero, false
}
