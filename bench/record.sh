#!/usr/bin/env bash
# Recording benchmark (by hand, not in CI). Prints min/median of 3 runs, peak RSS and ratios:
#   - record: N events in chunks of C from a local `feedctl serve`
#   - the bare-SQLite ceiling (examples/sqlite_ceiling.rs): the same rows and the same SQLite
#     work, without network, parsing or duplicate detection; and record's ratio to it
#   - `tail --raw` of the same N events: the read path alone, and its ratio to record
#   - `journal info` on a journal of M events
# Usage: bench/record.sh [N=200000] [C=100] [M=1000000]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
N=${1:-200000}; C=${2:-100}; M=${3:-1000000}
serve_pid=; work=$(mktemp -d); trap 'kill $serve_pid 2>/dev/null || true; rm -rf "$work"' EXIT

cargo build --release --quiet --bin feedctl --example sqlite_ceiling
bin=$PWD/target/release/feedctl
python3 bench/gen_events.py "$N" > "$work/events.ndjson"

# One serve for all runs: each run records under its own name, so its feed has its own tag and
# starts from the first event.
"$bin" serve --listen 127.0.0.1:0 --events "$work/events.ndjson" --accept-any-key --batch-size "$C" \
  --poll-timeout 2s > "$work/serve.out" 2> /dev/null &
serve_pid=$!
url=$(wait_for_url "$work/serve.out" "$serve_pid"); port=${url##*:}
case $port in ''|*[!0-9]*) echo "serve printed no port: $url" >&2; exit 1;; esac

export FEEDCTL_HOST=127.0.0.1 FEEDCTL_PORT=$port FEEDCTL_SCHEME=http FEEDCTL_BOT_USERNAME=bench-bot \
       FEEDCTL_PRIVATE_KEY_PATH=$PWD/fixtures/keys/TEST-ONLY-bot-private-pkcs8.pem
measure record "$bin -q record --journal $work/rec-\$RUN.db --name run\$RUN --count $N"
# The read path alone (issue 15): the same reads with nothing written, each run on its own feed.
measure tail "$bin -q tail --raw --tag tail\$RUN --count $N"
kill $serve_pid; wait $serve_pid 2>/dev/null || true

ceiling_rates=()
for _ in $(seq "$RUNS"); do
  ceiling_rates+=("$(target/release/examples/sqlite_ceiling "$work/events.ndjson" "$work/ceiling.db" "$C")")
done
ceiling_med=$(printf '%s\n' "${ceiling_rates[@]}" | sort -g | sed -n "$(( (RUNS + 1) / 2 ))p")
record_rate=$(calc "$N / $record_med" 0)
tail_rate=$(calc "$N / $tail_med" 0)

info_min=skipped info_med=skipped
if [ "$M" -gt 0 ]; then
  python3 bench/gen_events.py "$M" > "$work/many.ndjson"
  "$bin" -q journal import --journal "$work/many.db" --chunk-size "$C" "$work/many.ndjson"
  rm -f "$work/many.ndjson"
  measure info "$bin journal info --journal $work/many.db -o json"
  info_min=$(calc "$info_min * 1000" 0); info_med=$(calc "$info_med * 1000" 0)
fi

row "measure ($(date -u +%F), load $(cut -d' ' -f1 /proc/loadavg), $(nproc) cores)" "value" "target"
row "record: s for $N events in chunks of $C (min / median)" "$record_min / $record_med"
row "record: events/s (median)" "$record_rate"
row "record: peak RSS (MiB)" "$record_rss" "< 64"
row "bare SQLite ceiling, same rows and work: events/s (median)" "$ceiling_med"
row "record / ceiling" "$(calc "$record_rate / $ceiling_med")" ">= 0.5"
row "tail --raw (read path alone): events/s (median)" "$tail_rate"
row "tail --raw / record" "$(calc "$tail_rate / $record_rate")"
row "journal info on $M events: ms (min / median)" "$info_min / $info_med" "<= 15"
