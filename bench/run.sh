#!/usr/bin/env bash
# Speed benchmarks, printed as numbers and ratios; never a pass/fail gate.
#  1. `jobmail test` (whole process: STARTTLS + certificate verification +
#     AUTH + send) vs swaks doing the same on the same mailpeer listener,
#     in one run, alternating, N runs each (default 25): median ratio.
#  2. Any other bench/*/run.sh present (probe, tui, entities).
# Needs mailpeer running (start with MAILPEER_LO_QUICKACK=1, see STACK.md).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${BENCH_RUNS:-25}
MP=${MAILPEER_DIR:-/tmp/mailpeer/state}/mailpeer.env
[ -f "$MP" ] || { echo "bench: mailpeer is not running ($MP missing)" >&2; exit 1; }
set -a; . "$MP"; set +a
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
go build -trimpath -o "$work/jobmail" ./cmd/jobmail
cat > "$work/jobmail.yaml" <<YAML
version: 1
platform:
  account: acme
company:
  address: $MAILPEER_USER
  channel: smtp
  smtp:
    host: localhost
    port: $MAILPEER_SUBMISSION_PORT
    security: starttls
    password: env:BENCH_PW
    ca_file: $MAILPEER_CA_FILE
YAML
export BENCH_PW=$MAILPEER_PASSWORD
now() { date +%s%N; }
j=(); s=()
for i in $(seq 1 "$N"); do
  t0=$(now); "$work/jobmail" test --config "$work/jobmail.yaml" >/dev/null 2>&1 || { echo "bench: jobmail test failed" >&2; exit 1; }
  t1=$(now)
  swaks --silent 2 --server localhost --port "$MAILPEER_SUBMISSION_PORT" --tls --tls-verify --tls-ca-path "$MAILPEER_CA_FILE" \
    --auth PLAIN --auth-user "$MAILPEER_USER" --auth-password "$MAILPEER_PASSWORD" \
    --from "$MAILPEER_USER" --to "$MAILPEER_USER" --h-Subject "swaks bench $i" >/dev/null 2>&1 || { echo "bench: swaks failed" >&2; exit 1; }
  t2=$(now)
  j+=($(( (t1 - t0) / 1000 ))); s+=($(( (t2 - t1) / 1000 )))
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
mj=$(median "${j[@]}"); ms=$(median "${s[@]}")
awk -v j="$mj" -v s="$ms" -v n="$N" 'BEGIN {
  printf "send test (STARTTLS+verify+AUTH+send, whole process, %d runs each)\n", n
  printf "  jobmail test median %.1f ms\n  swaks        median %.1f ms\n  ratio jobmail/swaks %.3f (target <= 0.5, aim 0.25)\n", j/1000, s/1000, j/s }'

for b in bench/*/run.sh; do
  [ -f "$b" ] || continue
  echo; echo "== $b"; bash "$b" || echo "bench: $b failed" >&2
done
