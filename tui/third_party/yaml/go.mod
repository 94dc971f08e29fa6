// A fork of go.yaml.in/yaml/v3 v3.0.5 (MIT and Apache-2.0: LICENSE,
// NOTICE), the package without its tests, used through the replace
// directive in jobmail's go.mod. Why: upstream compiled two regexps in the
// package init (resolve.go: yamlStyleFloat, for plain scalars that may be
// floats; encode.go: base60float, for encoding strings), ~270 allocations
// at every start of every program linking yaml, `jobmail version`
// included. Here each is compiled on first use. The go line is 1.21 for
// sync.OnceValue; everything else is upstream's, unchanged.
module go.yaml.in/yaml/v3

go 1.21

// these tags come from gopkg.in/yaml.v3
// they cannot be installed from go.yaml.in/yaml/v3 as it doesn't match
// so they are invalid and are retracted.
retract [v3.0.0, v3.0.1] // v3.0.2 is the first one with go.yaml.in/yaml/v3 module.
