#!/usr/bin/env bash
# Prints the release build's tags, as .goreleaser.yaml names them (its
# "- -tags=..." flag), for the benchmarks that build jobmail as released.
# cmd/jobmail's releaseTags reads the same line for the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
sed -n 's/^ *- -tags=//p' .goreleaser.yaml
