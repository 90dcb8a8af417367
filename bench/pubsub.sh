#!/usr/bin/env bash
# Salesforce Pub/Sub API benchmark (by hand, not in CI). Prints min/median of 3 runs, peak RSS
# and ratios, against one `feedctl serve --salesforce --pubsub-listen` this script starts (TLS
# with the test-only certificate; its --state holds the events, docs/salesforce.md):
#   - record: N platform events on T topics (N/T each: the emulator retains at most 200,000 a
#     channel), one sfpubsub:// SOURCE per topic on one connection, --max-pending P, into a
#     journal; vs the bare-SQLite ceiling of the same rows (examples/sqlite_ceiling.rs,
#     salesforce mode, chunks of min(P, 100) per topic: the emulator sends at most 100 events a
#     FetchResponse, and each is a chunk)
#   - tail -o ndjson of the same N events into /dev/null: the read path alone (TLS, gRPC and
#     feedctl's decoding; the emulator writes the events' Avro bytes once, at its start, before
#     any timing), so record's ratio says what is left
# Usage: bench/pubsub.sh [N=1000000] [T=5] [P=100]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
N=${1:-1000000}; T=${2:-5}; P=${3:-100}; C=$(( P < 100 ? P : 100 ))
serve_pid=; work=$(mktemp -d -p "${BENCH_DIR:-/tmp}"); trap 'kill $serve_pid 2>/dev/null || true; rm -rf "$work"' EXIT

# FEEDCTL_BIN=PATH: measure that build (the ceiling example must be built already, in
# CARGO_TARGET_DIR or target/).
[ -n "${FEEDCTL_BIN:-}" ] || cargo build --release --quiet --bin feedctl --example sqlite_ceiling
target_dir=${CARGO_TARGET_DIR:-$PWD/target}
bin=${FEEDCTL_BIN:-$target_dir/release/feedctl}

# The emulator's org: N events published just now, round-robin on T topics, each with the
# Streaming API's platform event shape (a text of about 90 bytes and a number).
python3 - "$N" "$T" "$work/state" <<'PY'
import datetime, json, os, sys, time
n, t, d = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
os.makedirs(d, exist_ok=True)
now = int(time.time() * 1000)
last = {}
with open(f"{d}/salesforce-events.ndjson", "w") as f:
    for i in range(n):
        ch = f"/event/Bench{i % t}__e"
        rid = last.get(ch, 0) + 1
        last[ch] = rid
        # One event a millisecond, as if published over the last N ms: the journal finds a
        # redelivery by its time first, and a real topic's events rarely share one.
        ms = now - n + i
        created = datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"
        raw = json.dumps({"channel": ch, "data": {"schema": "bench", "event": {"replayId": rid, "EventUuid": f"e-{i:09d}"},
              "payload": {"CreatedDate": created, "CreatedById": "005000000000001AAA",
                          "Text__c": f"bench message {i:09d} " + "lorem ipsum dolor sit amet " * 2, "N__c": i}}},
              separators=(",", ":"))
        f.write(json.dumps({"channel": ch, "replayId": rid, "at": now, "raw": raw}, separators=(",", ":")) + "\n")
with open(f"{d}/salesforce-meta.json", "w") as f:
    json.dump({"lastReplayIds": last, "tokens": []}, f)
PY

export SFDC_CLIENT_ID=bench-client SFDC_CLIENT_SECRET=bench-secret SFDC_USERNAME=bench@feedctl.invalid \
       SFDC_PASSWORD=bench-password
"$bin" serve --salesforce --listen 127.0.0.1:0 --pubsub-listen 127.0.0.1:0 --state "$work/state" \
  --poll-timeout 2s > "$work/serve.out" 2> /dev/null &
serve_pid=$!
url=$(wait_for_url "$work/serve.out" "$serve_pid")
for _ in $(seq 600); do [ "$(wc -l < "$work/serve.out")" -ge 2 ] && break; sleep 0.1; done
endpoint=$(sed -n 2p "$work/serve.out")
sources=$(for i in $(seq 0 $((T - 1))); do printf 'sfpubsub://%s/event/Bench%d__e ' "$endpoint" "$i"; done)
flags="--sf-login-url $url --pubsub-ca $PWD/fixtures/tls/TEST-ONLY-ca.pem --replay all --max-pending $P --count $N"

measure record "$bin -q record -j $work/rec-\$RUN.db --name r\$RUN $sources $flags"
measure tail "$bin -q tail -o ndjson $sources $flags"
kill $serve_pid; wait $serve_pid 2>/dev/null || true
stored=$("$bin" -q journal export -j "$work/rec-1.db" | wc -l)
[ "$stored" -ge "$N" ] || { echo "record stored $stored of $N events" >&2; exit 1; }

# The ceiling's input: the stored events, byte for byte (export's last member), grouped by topic
# in their order, so each chunk of C is one topic's as record's are.
"$bin" -q journal export -j "$work/rec-1.db" | sed -e 's/^{.*"receivedAt":[0-9]*,"event"://' -e 's/}$//' \
  | awk -F'"channel":"' '{ split($2, a, "\""); print a[1] "\t" $0 }' | sort -s -t $'\t' -k1,1 | cut -f2- \
  > "$work/events.ndjson"
ceiling_rates=()
for _ in $(seq "$RUNS"); do
  ceiling_rates+=("$("$target_dir"/release/examples/sqlite_ceiling "$work/events.ndjson" "$work/ceiling.db" "$C" salesforce)")
done
ceiling_med=$(printf '%s\n' "${ceiling_rates[@]}" | sort -g | sed -n "$(( (RUNS + 1) / 2 ))p")
record_rate=$(calc "$N / $record_med" 0)
tail_rate=$(calc "$N / $tail_med" 0)

row "measure ($(date -u +%F), load $(cut -d' ' -f1 /proc/loadavg), $(nproc) cores)" "value" "target"
row "record: s for $N events, $T topics, --max-pending $P (min / median)" "$record_min / $record_med"
row "record: events/s (median)" "$record_rate"
row "record: peak RSS (MiB)" "$record_rss" "< 64"
row "bare SQLite ceiling, same rows, chunks of $C: events/s (median)" "$ceiling_med"
row "record / ceiling" "$(calc "$record_rate / $ceiling_med")" ">= 0.5"
row "tail -o ndjson > /dev/null: s (min / median)" "$tail_min / $tail_med"
row "tail: events/s (median); peak RSS (MiB)" "$tail_rate; $tail_rss"
row "record / tail (the journal's share of the time)" "$(calc "$record_rate / $tail_rate")"
