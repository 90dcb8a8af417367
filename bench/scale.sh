#!/usr/bin/env bash
# Scale benchmark (by hand, not in CI): the journal's commands at several sizes, each measure as a
# ratio to a reference taken in the same run, with peak RSS (issue 33's table):
#   import   `journal import` of N events (chunks of 100) / the streaming SQLite ceiling
#            (examples/sqlite_ceiling.rs: the same rows, pragmas and upserts, no parsing)
#   verify   `journal verify` / `sqlite3 J 'PRAGMA integrity_check'`
#   export   `journal export > /dev/null` / `sqlite3 J 'SELECT raw FROM events' > /dev/null`
#   serve    `serve --journal J` and `serve --events FILE`: launch -> first event read by a client
#            (`tail --count 1`, its own start included), then serve's peak RSS serving all N
#   info     `journal info` of the same events stored one per chunk (a quiet live feed's shape)
#   stream   `replay --mode stream` through a pass-through handler: peak RSS
# Sizes default to 100k, 1M and 10M; a size is skipped when the disk has not room for it
# (about 5 KiB an event: the input and up to three journals at once). RUNS=1 takes each measure
# once (for 10M, where three runs take hours).
# Usage: bench/scale.sh [N ...]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
sizes=("$@"); [ ${#sizes[@]} -gt 0 ] || sizes=(100000 1000000 10000000)
command -v sqlite3 >/dev/null || { echo "needs sqlite3 (apt-get install sqlite3)" >&2; exit 2; }
cargo build --release --quiet --bin feedctl --example sqlite_ceiling
target_dir=${CARGO_TARGET_DIR:-$PWD/target}
bin=$target_dir/release/feedctl ceiling=$target_dir/release/examples/sqlite_ceiling
handler=$PWD/fixtures/handlers/stream-pass-through.py
work=$(mktemp -d "${TMPDIR:-/tmp}/feedctl-scale.XXXXXX"); serve_pid=
trap '[ -z "$serve_pid" ] || kill "$serve_pid" 2>/dev/null || true; rm -rf "$work"' EXIT
export FEEDCTL_SCHEME=http FEEDCTL_HOST=127.0.0.1 FEEDCTL_BOT_USERNAME=bench-bot \
       FEEDCTL_PRIVATE_KEY_PATH=$PWD/fixtures/keys/TEST-ONLY-bot-private-pkcs8.pem

# serve_measure NAME ARGS...: launch -> first event (s) of `serve ARGS` into NAME_first, then
# every event recorded from it and serve's peak RSS (MiB) into NAME_rss.
serve_measure() {
  local name=$1; shift
  rm -f "$work/serve.out" "$work/serve.rss" "$work/rec.db"
  local s=$EPOCHREALTIME
  /usr/bin/time -f "%M" -o "$work/serve.rss" "$bin" -q serve --listen 127.0.0.1:0 --accept-any-key \
    --batch-size 100 --poll-timeout 2s "$@" > "$work/serve.out" 2> "$work/serve.err" &
  serve_pid=$!
  local url=
  for _ in $(seq 60000); do
    if [ -s "$work/serve.out" ]; then url=$(head -1 "$work/serve.out"); break; fi
    kill -0 "$serve_pid" 2>/dev/null || { cat "$work/serve.err" >&2; echo "serve exited" >&2; exit 1; }
    sleep 0.01
  done
  [ -n "$url" ] || { echo "serve printed no URL within 10 minutes" >&2; exit 1; }
  FEEDCTL_PORT=${url##*:} "$bin" -q tail --count 1 > /dev/null
  local e=$EPOCHREALTIME
  printf -v "${name}_first" '%s' "$(calc "$e - $s" 3)"
  FEEDCTL_PORT=${url##*:} "$bin" -q record --journal "$work/rec.db" --count "$N" > /dev/null
  pkill -INT -P "$serve_pid" || true
  wait "$serve_pid" 2>/dev/null || true
  serve_pid=
  # The last line: GNU time first says serve ended by a signal (SIGINT is how it is stopped).
  printf -v "${name}_rss" '%s' "$(tail -1 "$work/serve.rss" | awk '{ printf "%.1f", $1 / 1024 }')"
}

row "measure ($(date -u +%F), load $(cut -d' ' -f1 /proc/loadavg), $(nproc) cores)" "value" "target"
for N in "${sizes[@]}"; do
  free_kib=$(df -Pk "$work" | awk 'NR == 2 { print $4 }')
  if [ $(( N * 5 )) -gt "$free_kib" ]; then
    row "$N events: skipped, $(( free_kib / 1024 )) MiB free on $(dirname "$work")" ""
    continue
  fi
  python3 bench/gen_events.py "$N" > "$work/events.ndjson"

  BEFORE_EACH='rm -f $work/imp-*.db*'
  measure import "$bin -q journal import --journal $work/imp-\$RUN.db --chunk-size 100 $work/events.ndjson"
  unset BEFORE_EACH
  rates=()
  for _ in $(seq "$RUNS"); do
    rm -f "$work/ceiling.db"*
    rates+=("$("$ceiling" "$work/events.ndjson" "$work/ceiling.db" 100)")
  done
  rm -f "$work/ceiling.db"*
  ceiling_med=$(printf '%s\n' "${rates[@]}" | sort -g | sed -n "$(( (RUNS + 1) / 2 ))p")
  j=$work/imp-$RUNS.db

  # Each run of these and of their references starts with the journal read once (untimed), so
  # neither pays for reading the disk where the other found the page cache warm (at 10M one run
  # each, right after the import, the first would).
  BEFORE_EACH='cat $j > /dev/null'
  measure verify "$bin -q journal verify --journal $j"
  measure integrity "sqlite3 $j 'PRAGMA integrity_check'"
  measure export "$bin -q journal export --journal $j"
  measure select "sqlite3 $j 'SELECT raw FROM events'"
  unset BEFORE_EACH

  serve_measure sj --journal "$j"
  serve_measure se --events "$work/events.ndjson"

  RUNS=1 measure import1 "$bin -q journal import --journal $work/ones.db --chunk-size 1 $work/events.ndjson"
  # Five runs whatever RUNS says (they are quick): the median is a warm page cache's, the
  # first run's reads from disk are the max.
  RUNS=5 measure info1 "$bin -q journal info --journal $work/ones.db"
  RUNS=5 measure info100 "$bin -q journal info --journal $j"
  rm -f "$work/ones.db"*

  measure stream "$bin -q replay --journal $j --mode stream --exec 'python3 $handler'"

  row "--- $N events" ""
  row "import / SQLite ceiling (rates, medians)" "$(calc "$N / $import_med / $ceiling_med")" ">= 0.5"
  row "import: s (min / median), peak RSS MiB" "$import_min / $import_med, $import_rss"
  row "verify / integrity_check (medians)" "$(calc "$verify_med / $integrity_med")" "<= 2"
  row "verify: s (min / median), peak RSS MiB" "$verify_min / $verify_med, $verify_rss"
  row "export / SELECT raw (medians)" "$(calc "$export_med / $select_med")" "<= 2"
  row "export: s (min / median), peak RSS MiB" "$export_min / $export_med, $export_rss"
  row "serve --journal: s to the first event, peak RSS MiB" "$sj_first, $sj_rss" "< 0.5, < 128"
  row "serve --events: s to the first event, peak RSS MiB" "$se_first, $se_rss" "< 0.5, < 128"
  row "import, 1-event chunks: s, peak RSS MiB" "$import1_med, $import1_rss"
  row "journal info, 1-event chunks: ms (median)" "$(calc "$info1_med * 1000" 1)" "<= 15"
  row "journal info, 100-event chunks: ms (median)" "$(calc "$info100_med * 1000" 1)" "<= 15"
  row "replay --mode stream: peak RSS MiB" "$stream_rss" "flat"
  rm -f "$work"/*.db* "$work/events.ndjson"
done
