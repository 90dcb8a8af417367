#!/usr/bin/env bash
# Replay benchmark (run by hand, not in CI). Prints a table:
#   - per-event mode: N events through `true`, against the same N spawns of `sh -c true` by a bare
#     `xargs -P` loop, with the same parallelism (the number of CPUs)
#   - stream mode: M events through a pass-through handler: events/s and peak RSS of feedctl
# Usage: bench/replay.sh [N=10000] [M=1000000]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10000}; M=${2:-1000000}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
cargo build --release --quiet --bin feedctl
bin=$(pwd)/target/release/feedctl
cpus=$(nproc)
now() { python3 -c 'import time; print(time.time())'; }

python3 bench/gen_events.py "$N" > "$work/n.ndjson"
"$bin" -q journal import --journal "$work/n.db" --chunk-size 100 "$work/n.ndjson"

s=$(now); seq "$N" | xargs -P "$cpus" -n 1 sh -c true sh; e=$(now)
baseline=$(python3 -c "print(round($e-$s, 2))")
s=$(now); "$bin" -q replay --journal "$work/n.db" --exec true --concurrency "$cpus" 2>/dev/null; e=$(now)
per_event=$(python3 -c "print(round($e-$s, 2))")
ratio=$(python3 -c "print(round($per_event/$baseline, 2))")

python3 bench/gen_events.py "$M" > "$work/m.ndjson"
"$bin" -q journal import --journal "$work/m.db" --chunk-size 100 "$work/m.ndjson"
rm -f "$work/m.ndjson"
s=$(now)
/usr/bin/time -f "%M" -o "$work/rss" "$bin" -q replay --journal "$work/m.db" --mode stream \
  --exec "python3 $(pwd)/fixtures/handlers/stream-pass-through.py" 2>/dev/null
e=$(now)
stream_rate=$(python3 -c "print(round($M/($e-$s)))")
stream_rss=$(python3 -c "print(round($(cat "$work/rss")/1024, 1))")

printf '%-52s %12s %12s\n' "measure" "value" "target"
printf '%-52s %12s %12s\n' "bare xargs -P $cpus: $N x sh -c true (s)" "$baseline" ""
printf '%-52s %12s %12s\n' "replay per-event: $N events through true (s)" "$per_event" ""
printf '%-52s %12s %12s\n' "per-event / bare spawn" "$ratio" "<= 1.3"
printf '%-52s %12s %12s\n' "stream mode: events/s ($M events, pass-through)" "$stream_rate" ">= 100000"
printf '%-52s %12s %12s\n' "stream mode: peak RSS (MiB)" "$stream_rss" "< 64"
