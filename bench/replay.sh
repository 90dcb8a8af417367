#!/usr/bin/env bash
# Replay benchmark (by hand, not in CI). Prints min/median of 3 runs, peak RSS and ratios:
#   - per-event mode: N events through `true`, against bench/spawn_loop.c doing the same spawns
#     (posix_spawn, a process group each) and pipes in C, with the same concurrency (the number
#     of CPUs, kept running within a chunk) and the same chunks of 100
#   - stream mode: M events through fixtures/handlers/stream-pass-through.py, against the same
#     handler reading the same events from a file alone
# Usage: bench/replay.sh [N=10000] [M=1000000]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
N=${1:-10000}; M=${2:-1000000}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cargo build --release --quiet --bin feedctl
bin=$PWD/target/release/feedctl
cc -O2 -o "$work/spawn_loop" bench/spawn_loop.c
cpus=$(nproc)
handler=$PWD/fixtures/handlers/stream-pass-through.py

python3 bench/gen_events.py "$N" > "$work/n.ndjson"
"$bin" -q journal import --journal "$work/n.db" --chunk-size 100 "$work/n.ndjson"
measure spawn "$work/spawn_loop $work/n.ndjson $cpus 100 true"
measure per_event "$bin -q replay --journal $work/n.db --exec true --concurrency $cpus"

python3 bench/gen_events.py "$M" > "$work/m.ndjson"
"$bin" -q journal import --journal "$work/m.db" --chunk-size 100 "$work/m.ndjson"
measure alone "python3 $handler < $work/m.ndjson"
measure stream "$bin -q replay --journal $work/m.db --mode stream --exec 'python3 $handler'"

row "measure ($(date -u +%F), load $(cut -d' ' -f1 /proc/loadavg), $cpus cores)" "value" "target"
row "C spawn loop, P=$cpus: s for $N x sh -c true (min / median)" "$spawn_min / $spawn_med"
row "replay per-event: s for $N events through true (min / median)" "$per_event_min / $per_event_med"
row "replay per-event / C spawn loop (medians)" "$(calc "$per_event_med / $spawn_med")" "<= 1.15"
row "handler alone on the NDJSON file: events/s (median)" "$(calc "$M / $alone_med" 0)"
row "replay --mode stream: events/s (median)" "$(calc "$M / $stream_med" 0)"
row "stream mode / handler alone" "$(calc "$alone_med / $stream_med")" ">= 0.5"
row "replay --mode stream: peak RSS (MiB)" "$stream_rss" "< 64"
