#!/usr/bin/env bash
# Concurrent prober: wall time of 3 hosts × 4 ports (some silent) vs one
# probe timeout and vs a sequential prober. Prints ratios; no gate.
set -euo pipefail
cd "$(dirname "$0")/../.."
go run ./bench/probe "$@"
