// A fork of github.com/dustin/go-humanize v1.0.1 (MIT, LICENSE), used
// through the replace directive in jobmail's go.mod (jobmail links it
// through bubbles' filepicker, which calls Bytes). Why: upstream did work
// in the package init, at every start: it compiled ParseSI's regexp and
// built its reverse prefix map (si.go: now on ParseSI's first call), and
// it computed the 24 exported math/big byte sizes (BigByte … BigQByte)
// for BigBytes and ParseBigBytes. Nothing in jobmail's build uses the
// math/big byte API and exported values cannot be made lazy, so
// bigbytes.go is left out, as is the english subpackage: a dependency
// that starts to use them fails to build, loudly. The go line is 1.21 for
// sync.OnceValue; the rest is upstream's, unchanged.
module github.com/dustin/go-humanize

go 1.21
