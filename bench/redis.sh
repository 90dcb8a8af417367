#!/usr/bin/env bash
# Redis benchmark (by hand, not in CI). Prints min/median of 3 runs, peak RSS and ratios, all
# against one local redis-server this script starts (no persistence) and stops:
#   - replay --to: N hopeit payloads (imported with `journal import --hopeit-type`) written in
#     hopeit's default layout (json+base64 in LZ4 frames, 8 fields) vs redis-benchmark's
#     pipelined XADD (-P 100, 50 clients) of 8 fields of about the same size on the same server
#   - record: those N entries read back (plain XREAD, --batch B) into a journal vs the bare-SQLite
#     ceiling of the same rows (examples/sqlite_ceiling.rs, redis mode) and vs hopeit.engine's own
#     consumer (bench/hopeit_drain.py: its RedisStreamManager read_stream + ack_read_stream,
#     DRAIN_N entries, in the venv .ci/run makes; skipped without it)
# Usage: bench/redis.sh [N=1000000] [B=1000]   (DRAIN_N defaults to min(N, 20000): hopeit drains about 1,000/s)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
N=${1:-1000000}; B=${2:-1000}; DRAIN_N=${DRAIN_N:-$(( N < 20000 ? N : 20000 ))}
command -v redis-server >/dev/null && command -v redis-benchmark >/dev/null \
  || { echo "needs redis-server and redis-benchmark (apt-get install redis-server redis-tools)" >&2; exit 2; }
py=${FEEDCTL_TEST_HOPEIT_PYTHON:-$PWD/target/ci-hopeit-venv/bin/python}
redis_pid=; work=$(mktemp -d); trap 'kill $redis_pid 2>/dev/null || true; rm -rf "$work"' EXIT

# FEEDCTL_BIN=PATH: measure that build instead of building this tree (an A/B against the same
# server and references; the ceiling example must be built already, in CARGO_TARGET_DIR or target/).
[ -n "${FEEDCTL_BIN:-}" ] || cargo build --release --quiet --bin feedctl --example sqlite_ceiling
target_dir=${CARGO_TARGET_DIR:-$PWD/target}
bin=${FEEDCTL_BIN:-$target_dir/release/feedctl}

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize no --dir "$work" \
  > "$work/redis.log" 2>&1 &
redis_pid=$!
for _ in $(seq 100); do redis-cli -p "$port" PING >/dev/null 2>&1 && break; sleep 0.1; done
rc() { redis-cli -p "$port" "$@"; }
url=redis://127.0.0.1:$port

python3 -c "
import json, sys
for i in range($N):
    print(json.dumps({'text': f'bench message {i:09d} ' + 'lorem ipsum dolor sit amet ' * 2, 'n': i}))
" > "$work/payloads.ndjson"
"$bin" -q journal import -j "$work/src.db" --chunk-size "$B" --hopeit-type bench.model.Msg "$work/payloads.ndjson"

# replay --to, each run into a key of its own (emptied before it), and redis-benchmark's
# ceiling (the same 8 field names, values of about the same sizes), taken in turns: the
# machine's speed drifts by a quarter and more from minute to minute, and three runs of one
# then three of the other put that drift into their ratio.
payload=$(python3 -c "print('x' * 150)")
replay_times=() xadd_rates=() replay_rss=0
for turn in $(seq "$RUNS"); do
  BEFORE_EACH="rc DEL bench-$turn >/dev/null"
  RUNS=1 measure one "$bin -q replay -j $work/src.db --to $url/bench-$turn --layout hopeit --hopeit-type bench.model.Msg"
  unset BEFORE_EACH
  replay_times+=("$one_med")
  replay_rss=$(awk -v a="$replay_rss" -v b="$one_rss" 'BEGIN { print (b > a ? b : a) }')
  xadd_rates+=("$(redis-benchmark -p "$port" -P 100 -n "$N" --csv XADD rb '*' id import-123456 \
    type bench.model.Msg submit_ts 2026-12-02T05:00:00.000000+00:00 event_ts '' auth_info e30= \
    ser json+base64 comp lz4 payload "$payload" | tail -1 | cut -d, -f2 | tr -d '"')")
  rc DEL rb >/dev/null
done
[ "$(rc XLEN bench-1)" = "$N" ] || { echo "replay wrote $(rc XLEN bench-1) of $N entries" >&2; exit 1; }
sorted=$(printf '%s\n' "${replay_times[@]}" | sort -g)
replay_min=$(echo "$sorted" | head -1)
replay_med=$(echo "$sorted" | sed -n "$(( (RUNS + 1) / 2 ))p")
replay_rate=$(calc "$N / $replay_med" 0)
xadd_med=$(printf '%s\n' "${xadd_rates[@]}" | sort -g | sed -n "$(( (RUNS + 1) / 2 ))p")

# record of bench-1 (each run a recording of its own journal, from the beginning).
measure record "$bin -q record -j $work/rec-\$RUN.db --name r\$RUN $url/bench-1 --batch $B --count $N"
record_rate=$(calc "$N / $record_med" 0)

# The ceiling's input: the stored entries, byte for byte (the event is export's last member).
"$bin" -q journal export -j "$work/rec-1.db" | sed -e 's/^{.*,"event"://' -e 's/}$//' > "$work/entries.ndjson"
ceiling_rates=()
for _ in $(seq "$RUNS"); do
  ceiling_rates+=("$("$target_dir"/release/examples/sqlite_ceiling "$work/entries.ndjson" "$work/ceiling.db" "$B" redis)")
done
ceiling_med=$(printf '%s\n' "${ceiling_rates[@]}" | sort -g | sed -n "$(( (RUNS + 1) / 2 ))p")

drain_rate=skipped drain_rss=skipped ratio_drain=-
if [ -x "$py" ] && "$py" -c 'import hopeit.redis_streams' 2>/dev/null; then
  measure drain "$py bench/hopeit_drain.py $url bench-1 g\$RUN $DRAIN_N"
  drain_rate=$(calc "$DRAIN_N / $drain_med" 0)
  ratio_drain=$(calc "$record_rate / $drain_rate" 1)
fi

row "measure ($(date -u +%F), load $(cut -d' ' -f1 /proc/loadavg), $(nproc) cores, redis $(redis-server --version | grep -o 'v=[0-9.]*'))" "value" "target"
row "replay --to: s for $N hopeit entries (min / median)" "$replay_min / $replay_med"
row "replay --to: entries/s (median)" "$replay_rate"
row "redis-benchmark XADD -P 100, 8 fields: entries/s (median)" "$xadd_med"
row "replay --to / redis-benchmark" "$(calc "$replay_rate / $xadd_med")" ">= 0.5"
row "replay --to: peak RSS (MiB)" "$replay_rss" "< 64"
row "record: s for $N entries, --batch $B (min / median)" "$record_min / $record_med"
row "record: entries/s (median)" "$record_rate"
row "record: peak RSS (MiB)" "$record_rss" "< 64"
row "bare SQLite ceiling, same rows: entries/s (median)" "$ceiling_med"
row "record / ceiling" "$(calc "$record_rate / $ceiling_med")" ">= 0.5"
row "hopeit consumer (read_stream+ack), $DRAIN_N entries: entries/s" "$drain_rate"
row "record / hopeit consumer" "$ratio_drain" ">= 10"
