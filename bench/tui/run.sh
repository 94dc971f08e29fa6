#!/bin/sh
# Time from exec to the wizard's first full frame in an 80x24 pty, median
# of N runs (default 25). Target: at most 100 ms.
set -eu
cd "$(dirname "$0")/../.."
exec go run ./bench/tui -n "${1:-25}"
