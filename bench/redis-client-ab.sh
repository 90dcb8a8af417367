#!/usr/bin/env bash
# Redis client crates A/B for issue 30 (by hand, not in CI): redis-rs vs fred on feedctl's two hot
# paths, each client in a process of its own (bench/redis-client-ab/, not part of feedctl's build),
# all against one local redis-server this script starts (no persistence) and stops. Prints min /
# median of 3 runs, entries/s and peak RSS per client:
#   - write: N XADDs of hopeit's 8 fields (payload 150 bytes), pipelines of 1000, one in flight
#   - drain: those N entries read back with plain XREAD COUNT 1000 (one in flight), each reply
#     turned into owned entries; fred both through its Value and through custom_raw's frame
# Usage: bench/redis-client-ab.sh [N=1000000]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
N=${1:-1000000}
command -v redis-server >/dev/null || { echo "needs redis-server (apt-get install redis-server)" >&2; exit 2; }
redis_pid=; work=$(mktemp -d); trap 'kill $redis_pid 2>/dev/null || true; rm -rf "$work"' EXIT

# Its own target dir (bench/redis-client-ab/target) unless CARGO_TARGET_DIR says otherwise.
cargo build --release --quiet --manifest-path bench/redis-client-ab/Cargo.toml
bin=${CARGO_TARGET_DIR:-bench/redis-client-ab/target}/release/redis-client-ab

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize no --dir "$work" \
  > "$work/redis.log" 2>&1 &
redis_pid=$!
for _ in $(seq 100); do redis-cli -p "$port" PING >/dev/null 2>&1 && break; sleep 0.1; done
rc() { redis-cli -p "$port" "$@"; }
url=redis://127.0.0.1:$port

# write: each run into a key of its own, emptied before it (the binary fails unless all N are in).
for c in redis-rs fred; do
  BEFORE_EACH="rc DEL w-$c-\$RUN >/dev/null"
  measure "write_${c//-/_}" "$bin $c write $url w-$c-\$RUN $N"
done
unset BEFORE_EACH
[ "$(rc XLEN w-redis-rs-1)" = "$N" ] && [ "$(rc XLEN w-fred-1)" = "$N" ] \
  || { echo "write left $(rc XLEN w-redis-rs-1) / $(rc XLEN w-fred-1) of $N entries" >&2; exit 1; }

# drain: all from the same key (the binary fails unless it read exactly N entries).
for c in redis-rs fred fred-raw; do
  measure "drain_${c//-/_}" "$bin $c drain $url w-redis-rs-1 $N"
done

echo "$(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores, redis $(redis-server --version | grep -o 'v=[0-9.]*')"
printf '%-40s %16s %12s %8s\n' "measure" "s min / median" "entries/s" "RSS MiB"
for m in write_redis_rs write_fred drain_redis_rs drain_fred drain_fred_raw; do
  min=${m}_min med=${m}_med rss=${m}_rss
  printf '%-40s %16s %12s %8s\n' "$m, N=$N" "${!min} / ${!med}" "$(calc "$N / ${!med}" 0)" "${!rss}"
done
