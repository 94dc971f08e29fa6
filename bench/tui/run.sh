#!/bin/sh
# Time from exec to the wizard's first full frame in an 80x24 pty vs a bare
# bubbletea program (bench/tui/bare), alternating, median
# of N runs each (default 25). Target: jobmail <= 1.2x bare.
set -eu
cd "$(dirname "$0")/../.."
exec go run ./bench/tui -n "${1:-25}" -tags "$(bash bench/release-tags.sh)"
