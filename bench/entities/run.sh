#!/usr/bin/env bash
# Replay of 100 entities against mailpeer, compared with a single test;
# prints numbers, never fails on speed (bench/run.sh runs it).
#
#   single   `jobmail test` of a setup with one mailbox (whole process)
#   100      `jobmail test` of a setup with the company + 99 entities, 100
#            distinct connections (default --parallel 8; BENCH_PARALLEL
#            overrides), whole process: wall time (target <= 3x single)
#            and peak RSS (target <= 60 MB, /usr/bin/time -v or VmHWM)
#   floor    bench/floor -entities: a bare Go client (net/smtp + crypto/tls)
#            doing the same sessions with the same logins and parallelism;
#            jobmail and floor run alternating (bench/alternate) at 100 and
#            300 entities: client CPU per mailbox at 300 (target <= 1.2 ms)
#            and 100-entity wall jobmail/floor (target <= 1.1x), plus GC
#            cycles of one 100-entity run of each (GODEBUG=gctrace=1)
#
# 100 distinct connections from 24 logins: identical connections are
# tested once (setupfile.EffectiveMailbox.ConnectionKey holds the address), so each entity has
# its own address b001…b099@example.test. mailpeer (start-mailpeer.sh)
# maps unknown example.test recipients to its catch-all Maildir
# (virtual_mailbox_maps "@example.test catchall/") and has no
# smtpd_sender_login_maps, so a login may send as any address: each
# entity signs in as e01…e24@example.test (round robin, password
# env:ENN_PW = entity-pw-NN, see e2e/mailpeer-users.txt) and its test
# message lands in the catch-all. username != address only warns
# (config.username_mismatch). The first run checks that all 100 passed and
# that 100 messages arrived.
#
# Needs mailpeer with the entity logins (CI: MAILPEER_EXTRA_USERS from
# e2e/mailpeer-users.txt) and MAILPEER_LO_QUICKACK=1 (STACK.md).
set -euo pipefail
export LC_ALL=C LANG=C
cd "$(dirname "$0")/../.."
N=${BENCH_RUNS:-7}
PAR=${BENCH_PARALLEL:-8}
MP=${MAILPEER_DIR:-/tmp/mailpeer/state}/mailpeer.env
[ -f "$MP" ] || { echo "bench entities: mailpeer is not running ($MP missing)" >&2; exit 1; }
set -a; . "$MP"; set +a
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
tags=$(bash bench/release-tags.sh) # the release build's
CGO_ENABLED=0 go build -trimpath -tags "$tags" -o "$work/jobmail" ./cmd/jobmail
CGO_ENABLED=0 go build -trimpath -o "$work/floor" ./bench/floor
go build -trimpath -o "$work/alternate" ./bench/alternate

cat > "$work/one.yaml" <<YAML
version: 1
platform:
  account: acme
company:
  address: e01@example.test
  channel: smtp
  smtp:
    host: localhost
    port: $MAILPEER_SUBMISSION_PORT
    security: starttls
    password: env:E01_PW
    ca_file: $MAILPEER_CA_FILE
YAML
entities() { # mailboxes (company + entities); bench/floor -entities uses the same logins
  cat "$work/one.yaml"
  echo "entities:"
  for i in $(seq 1 $(( $1 - 1 ))); do
    u=$(printf %02d $(( i % 24 + 1 )))
    printf '  - name: Bench Entity %03d\n    address: b%03d@example.test\n    smtp:\n      username: e%s@example.test\n      password: env:E%s_PW\n' "$i" "$i" "$u" "$u"
  done
}
entities 100 > "$work/many.yaml"
entities 300 > "$work/many300.yaml"
for i in $(seq -w 1 24); do export "E${i}_PW=entity-pw-$i"; done

# Peak RSS: GNU time if there is one (install it when we may), else the
# kernel's high-water mark sampled while the process runs.
TIME=/usr/bin/time
if [ ! -x "$TIME" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  apt-get install -y -qq --no-install-recommends time >/dev/null 2>&1 || true
fi
# run_many prints "wall_us rss_kb cpu_s" for one run of the 100-entity setup.
run_many() {
  local t0 t1 rss cpu=""
  t0=$(date +%s%N)
  if [ -x "$TIME" ]; then
    "$TIME" -f '%M %U %S' -o "$work/time.out" "$work/jobmail" test --config "$work/many.yaml" --parallel "$PAR" >"$work/out.txt" 2>"$work/err.txt" || return 1
    t1=$(date +%s%N)
    read -r rss u s < <(tail -1 "$work/time.out")
    cpu=$(awk -v u="$u" -v s="$s" 'BEGIN{printf "%.2f", u+s}')
  else
    "$work/jobmail" test --config "$work/many.yaml" --parallel "$PAR" >"$work/out.txt" 2>"$work/err.txt" &
    local pid=$! hw=0 v
    while kill -0 "$pid" 2>/dev/null; do
      v=$(awk '/^VmHWM/{print $2}' "/proc/$pid/status" 2>/dev/null || true)
      [ -n "$v" ] && [ "$v" -gt "$hw" ] && hw=$v
      sleep 0.005
    done
    wait "$pid" || return 1
    t1=$(date +%s%N); rss=$hw; cpu="?"
  fi
  echo "$(( (t1 - t0) / 1000 )) $rss $cpu"
}

# Correctness first: every entity passes and its message arrives.
touch "$work/mark"
run_many >/dev/null || { echo "bench entities: the 100-entity replay failed:" >&2; tail -5 "$work/err.txt" >&2; exit 1; }
passed=$(grep -c ' OK ' "$work/err.txt" || true)
arrived=0
for _ in $(seq 1 150); do
  arrived=$(find "$MAILPEER_CATCHALL_MAILDIR/new" "$MAILPEER_CATCHALL_MAILDIR/cur" "$(dirname "$MAILPEER_MAILDIR")/e01/new" \
    "$(dirname "$MAILPEER_MAILDIR")/e01/cur" -type f -newer "$work/mark" 2>/dev/null | wc -l)
  [ "$arrived" -ge 100 ] && break
  sleep 0.1
done

single=(); many=(); rsss=(); cpus=()
for _ in $(seq 1 "$N"); do
  t0=$(date +%s%N)
  "$work/jobmail" test --config "$work/one.yaml" >/dev/null 2>&1 || { echo "bench entities: single test failed" >&2; exit 1; }
  single+=($(( ($(date +%s%N) - t0) / 1000 )))
  read -r w r c < <(run_many) || { echo "bench entities: replay failed" >&2; exit 1; }
  many+=("$w"); rsss+=("$r"); cpus+=("$c")
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
ms=$(median "${single[@]}"); mm=$(median "${many[@]}")
peak=$(printf '%s\n' "${rsss[@]}" | sort -n | tail -1)
awk -v s="$ms" -v m="$mm" -v p="$peak" -v n="$N" -v par="$PAR" -v ok="$passed" -v got="$arrived" \
    -v cpu="$(median "${cpus[@]}")" -v cores="$(nproc)" -v load="$(cut -d' ' -f1 /proc/loadavg)" 'BEGIN {
  printf "entities replay (100 distinct connections, --parallel %d, whole process, %d runs each)\n", par, n
  printf "  check: %d/100 entities passed, %d/100 test messages arrived\n", ok, got
  printf "  single test      median %7.1f ms\n", s/1000
  printf "  100 entities     median %7.1f ms   ratio %.1fx (target <= 3x)\n", m/1000, m/s
  printf "  peak RSS (100)   %7.1f MB   (target <= 60 MB)\n", p/1024
  printf "  jobmail CPU (100, user+sys, median) %s s; machine: %d cores, load %s\n", cpu, cores, load }'

# jobmail vs the bare Go client, alternating in one run.
floor=("$work/floor" -mode starttls -host localhost -port "$MAILPEER_SUBMISSION_PORT" -ca "$MAILPEER_CA_FILE" -parallel "$PAR")
echo
"$work/alternate" -n "$N" -tsv "$work/alt.tsv" -title "jobmail vs bare Go client (bench/floor -entities), --parallel $PAR" \
  jobmail100 "$work/jobmail" test --config "$work/many.yaml" --parallel "$PAR" ::: \
  floor100 "${floor[@]}" -entities 100 ::: \
  jobmail300 "$work/jobmail" test --config "$work/many300.yaml" --parallel "$PAR" ::: \
  floor300 "${floor[@]}" -entities 300 | grep -v '^  ratio'
gcs() { GODEBUG=gctrace=1 "$@" 2>&1 >/dev/null | grep -c '^gc ' || true; }
gj=$(gcs "$work/jobmail" test --config "$work/many.yaml" --parallel "$PAR")
gf=$(gcs "${floor[@]}" -entities 100)
awk -F'\t' -v gj="$gj" -v gf="$gf" -v load="$(cut -d' ' -f1 /proc/loadavg)" '{w[$1]=$2; c[$1]=$3} END {
  printf "  client CPU per mailbox at 300: jobmail %.2f ms, floor %.2f ms (target jobmail <= 1.2 ms)\n", c["jobmail300"]/300, c["floor300"]/300
  printf "  100-entity wall jobmail/floor %.2fx (target <= 1.1x); 300: %.2fx\n", w["jobmail100"]/w["floor100"], w["jobmail300"]/w["floor300"]
  printf "  GC cycles (one 100-entity run, gctrace): jobmail %d, floor %d; load %s\n", gj, gf, load }' "$work/alt.tsv"
