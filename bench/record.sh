#!/usr/bin/env bash
# Recording benchmark (run by hand, not in CI). Prints a table:
#   - record: N events in chunks of C from a local `feedctl serve`: events/s and peak RSS of record
#   - the bare-SQLite ceiling (examples/sqlite_ceiling.rs) for the same rows, and the ratio
#   - `journal info` on a journal of M events
# Usage: bench/record.sh [N=200000] [C=100] [M=1000000]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-200000}; C=${2:-100}; M=${3:-1000000}
serve_pid=; work=$(mktemp -d); trap 'kill $serve_pid 2>/dev/null || true; rm -rf "$work"' EXIT
command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 2; }

cargo build --release --quiet --bin feedctl --example sqlite_ceiling
bin=target/release/feedctl
python3 bench/gen_events.py "$N" > "$work/events.ndjson"

"$bin" serve --listen 127.0.0.1:0 --events "$work/events.ndjson" --accept-any-key --batch-size "$C" --poll-timeout 2s \
  > "$work/serve.out" 2> /dev/null &
serve_pid=$!
for _ in $(seq 100); do [ -s "$work/serve.out" ] && break; sleep 0.1; done
url=$(head -1 "$work/serve.out"); port=${url##*:}

export FEEDCTL_HOST=127.0.0.1 FEEDCTL_PORT=$port FEEDCTL_SCHEME=http FEEDCTL_BOT_USERNAME=bench-bot \
       FEEDCTL_PRIVATE_KEY_PATH=fixtures/keys/TEST-ONLY-bot-private-pkcs8.pem
start=$(date +%s.%N)
/usr/bin/time -f "%M" -o "$work/rss" "$bin" -q record --journal "$work/rec.db" --count "$N"
end=$(date +%s.%N)
kill $serve_pid; wait $serve_pid 2>/dev/null || true
record_rate=$(python3 -c "print(round($N/($end-$start)))")
record_rss_mib=$(python3 -c "print(round($(cat "$work/rss")/1024, 1))")

ceiling=$(target/release/examples/sqlite_ceiling "$work/events.ndjson" "$work/ceiling.db" "$C")
ratio=$(python3 -c "print(round($record_rate/$ceiling, 2))")

# journal info on M events: build the journal by import, then time info (best of 3).
best=skipped
if [ "$M" -gt 0 ]; then
python3 bench/gen_events.py "$M" > "$work/many.ndjson"
"$bin" -q journal import --journal "$work/many.db" --chunk-size "$C" "$work/many.ndjson"
best=999
for _ in 1 2 3; do
  s=$(date +%s.%N); "$bin" journal info --journal "$work/many.db" -o json > /dev/null; e=$(date +%s.%N)
  best=$(python3 -c "print(min(${best/skipped/999999}, round(($e-$s)*1000)))")
done
fi

printf '%-44s %14s %10s\n' "measure" "value" "target"
printf '%-44s %14s %10s\n' "record: events/s ($N in chunks of $C)" "$record_rate" ">= 50000"
printf '%-44s %14s %10s\n' "record: peak RSS (MiB)" "$record_rss_mib" "< 64"
printf '%-44s %14s %10s\n' "bare SQLite ceiling: events/s" "$ceiling" ""
printf '%-44s %14s %10s\n' "record / ceiling" "$ratio" ">= 0.3"
printf '%-44s %14s %10s\n' "journal info on $M events (ms, best of 3)" "$best" "< 300"
