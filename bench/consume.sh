#!/usr/bin/env bash
# Scaling of `feedctl consume` (by hand): 1, 2 and 4 workers (--concurrency 1 each) draining N
# entries (default 20,000) with a handler that sleeps 10 ms, against a redis-server of its own on
# a free loopback port; and the per-entry overhead against `replay --exec` of the same handler on
# the same number of events. Prints a table and the ratios (goal: 4 workers >= 3.5x one).
#   bench/consume.sh [N]        (needs redis-server, redis-cli; builds and uses the release binary,
#                                or FEEDCTL=path/to/feedctl)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-20000}
command -v redis-server >/dev/null || { echo "needs redis-server" >&2; exit 2; }
command -v redis-cli >/dev/null || { echo "needs redis-cli (redis-tools)" >&2; exit 2; }
if [ -z "${FEEDCTL:-}" ]; then cargo build --release -q; fi
F=${FEEDCTL:-$PWD/target/release/feedctl}
work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize no >"$work/redis.log" 2>&1 &
rpid=$!
trap 'kill $rpid 2>/dev/null; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
for _ in $(seq 100); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.05; done
HANDLER='sleep 0.01'

fill() { # fill KEY: N entries, pipelined
  python3 - "$1" "$N" > "$work/fill.txt" <<'PY'
import sys
key, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    print(f"XADD {key} * n {i}")
PY
  redis-cli -p "$port" < "$work/fill.txt" > /dev/null
}

now() { echo "$EPOCHREALTIME"; }

run_workers() { # run_workers W: seconds for W workers to drain a fresh stream
  local w=$1 key="bench$1" pids=()
  fill "$key"
  local s; s=$(now)
  for i in $(seq "$w"); do
    "$F" -q consume "redis://127.0.0.1:$port/$key" --group g --consumer "w$i" --concurrency 1 \
      --exec "$HANDLER" --exit-when-idle 1s &
    pids+=($!)
  done
  wait "${pids[@]}"
  local e; e=$(now)
  local left; left=$(redis-cli -p "$port" XPENDING "$key" g | head -1)
  [ "$left" = 0 ] || { echo "entries left pending: $left" >&2; exit 1; }
  awk -v s="$s" -v e="$e" 'BEGIN { printf "%.2f", e - s - 1 }'   # minus the idle second
}

t1=$(run_workers 1); t2=$(run_workers 2); t4=$(run_workers 4)

# replay --exec of the same handler on N events, one at a time, for the per-entry overhead.
python3 bench/gen_events.py "$N" > "$work/events.ndjson"
"$F" -q journal import -j "$work/j.db" "$work/events.ndjson" >/dev/null
s=$(now); "$F" -q replay -j "$work/j.db" --exec "$HANDLER" --sequential >/dev/null; e=$(now)
tr=$(awk -v s="$s" -v e="$e" 'BEGIN { printf "%.2f", e - s }')

printf '%-44s %10s %14s\n' "measure ($N entries, handler: $HANDLER)" "seconds" "entries/s"
for row in "consume, 1 worker:$t1" "consume, 2 workers:$t2" "consume, 4 workers:$t4" "replay --exec --sequential:$tr"; do
  name=${row%%:*}; t=${row##*:}
  printf '%-44s %10s %14s\n' "$name" "$t" "$(awk -v n="$N" -v t="$t" 'BEGIN { printf "%.0f", n / t }')"
done
awk -v a="$t1" -v b="$t2" -v c="$t4" -v r="$tr" -v n="$N" 'BEGIN {
  printf "speed-up 2 workers: %.2fx   4 workers: %.2fx (goal >= 3.5x)\n", a / b, a / c
  printf "per-entry overhead of consume over replay --exec: %.2f ms\n", (a - r) * 1000 / n
}'
