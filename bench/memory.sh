#!/usr/bin/env bash
# Memory benchmark (by hand, not in CI): peak RSS of each job at N events (default 1,000,000),
# against the targets of the performance issue. Each job runs once (RSS barely varies).
#   import: journal import of N events        record: N events from a local serve
#   replay: stream mode through a pass-through handler
#   serve --events FILE / serve --journal J: serving all N events to one reader
# Usage: bench/memory.sh [N=1000000]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
N=${1:-1000000}; C=100
work=$(mktemp -d); pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"' EXIT
cargo build --release --quiet --bin feedctl
bin=$PWD/target/release/feedctl
python3 bench/gen_events.py "$N" > "$work/events.ndjson"
export FEEDCTL_SCHEME=http FEEDCTL_HOST=127.0.0.1 FEEDCTL_BOT_USERNAME=bench-bot \
       FEEDCTL_PRIVATE_KEY_PATH=$PWD/fixtures/keys/TEST-ONLY-bot-private-pkcs8.pem

rss_of() { /usr/bin/time -f "%M" -o "$work/rss" "$@" > /dev/null; tail -1 "$work/rss" | awk '{ printf "%.1f", $1 / 1024 }'; }

import_rss=$(rss_of "$bin" -q journal import --journal "$work/import.db" --chunk-size $C "$work/events.ndjson")

# serve_rss ARGS...: starts serve with ARGS under /usr/bin/time, records all N events from it
# (which also gives record's RSS), stops serve with SIGINT; sets serve_rss and record_rss.
serve_rss() {
  rm -f "$work/serve.out" "$work/serve.rss"
  /usr/bin/time -f "%M" -o "$work/serve.rss" "$bin" serve --listen 127.0.0.1:0 --accept-any-key \
    --batch-size $C --poll-timeout 2s "$@" > "$work/serve.out" 2> /dev/null &
  local timer=$!; pids+=("$timer")
  local url; url=$(wait_for_url "$work/serve.out" "$timer")
  rm -f "$work/rec.db"
  record_rss=$(FEEDCTL_PORT=${url##*:} rss_of "$bin" -q record --journal "$work/rec.db" --count "$N")
  pkill -INT -P "$timer" || true
  wait "$timer" 2>/dev/null || true
  # The last line: GNU time first says serve ended by a signal (SIGINT is how it is stopped).
  serve_rss=$(tail -1 "$work/serve.rss" | awk '{ printf "%.1f", $1 / 1024 }')
}
serve_rss --events "$work/events.ndjson"; serve_events_rss=$serve_rss; record_events_rss=$record_rss
serve_rss --journal "$work/import.db"; serve_journal_rss=$serve_rss

replay_rss=$(rss_of "$bin" -q replay --journal "$work/import.db" --mode stream \
  --exec "python3 $PWD/fixtures/handlers/stream-pass-through.py")

row "peak RSS at $N events, MiB ($(date -u +%F), load $(cut -d' ' -f1 /proc/loadavg))" "value" "target"
row "journal import" "$import_rss" "< 64"
row "record (from serve --events)" "$record_events_rss" "< 64"
row "replay --mode stream" "$replay_rss" "< 64"
row "serve --events FILE" "$serve_events_rss" "< 128"
row "serve --journal J" "$serve_journal_rss" "< 128"
