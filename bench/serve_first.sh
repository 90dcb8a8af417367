#!/usr/bin/env bash
# serve's start at any size (by hand, not CI): the time from launching `feedctl serve` to the
# first event a client (`feedctl tail --count 1`) receives, min and median of $RUNS, and serve's
# peak RSS then; with DRAIN=N, one more run in which the client reads N events, and serve's peak
# RSS over the whole of it.
# Usage: [RUNS=3] [DRAIN=N] bench/serve_first.sh BIN SERVE-ARGS...
#   e.g. bench/serve_first.sh target/release/feedctl --events /tmp/5m.ndjson
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(realpath "$1"); shift
RUNS=${RUNS:-3}
work=$(mktemp -d); timer=
trap '[ -n "$timer" ] && kill "$timer" 2>/dev/null; rm -rf "$work"' EXIT
export FEEDCTL_SCHEME=http FEEDCTL_HOST=127.0.0.1 FEEDCTL_BOT_USERNAME=bench-bot \
       FEEDCTL_PRIVATE_KEY_PATH=$PWD/fixtures/keys/TEST-ONLY-bot-private-pkcs8.pem

# one COUNT: launches serve, reads COUNT events with tail; sets secs (launch -> COUNT events
# received) and rss (serve's peak, MiB).
one() {
  rm -f "$work/url" "$work/rss"; mkfifo "$work/url"
  local s=$EPOCHREALTIME
  /usr/bin/time -f "%M %U %S" -o "$work/rss" "$bin" serve --listen 127.0.0.1:0 --accept-any-key \
    --batch-size 100 --poll-timeout 2s "$@" > "$work/url" 2> /dev/null &
  timer=$!
  local url; exec 3< "$work/url"; read -r url <&3
  local got; got=$(FEEDCTL_PORT=${url##*:} "$bin" -q tail --count "$count" -o ndjson | wc -l)
  local e=$EPOCHREALTIME
  [ "$got" -eq "$count" ] || { echo "tail got $got events, not $count" >&2; exit 1; }
  pkill -INT -P "$timer" || true
  wait "$timer" 2>/dev/null || true; timer=; exec 3<&-
  secs=$(awk "BEGIN { printf \"%.3f\", $e - $s }")
  rss=$(tail -1 "$work/rss" | awk '{ printf "%.1f", $1 / 1024 }')
  cpu=$(tail -1 "$work/rss" | awk '{ printf "%.2f", $2 + $3 }')
}

times=(); peak=0
count=1
for _ in $(seq "$RUNS"); do
  one "$@"; times+=("$secs")
  peak=$(awk -v a="$peak" -v b="$rss" 'BEGIN { print (b > a) ? b : a }')
done
sorted=$(printf '%s\n' "${times[@]}" | sort -g)
echo "first event: min $(echo "$sorted" | head -1) s, median $(echo "$sorted" | sed -n "$(( (RUNS + 1) / 2 ))p") s; peak RSS $peak MiB"
if [ -n "${DRAIN:-}" ]; then
  count=$DRAIN; one "$@"
  echo "all $DRAIN events: $secs s; peak RSS $rss MiB; serve's CPU $cpu s"
fi
