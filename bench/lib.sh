# Shared by the benchmark scripts (sourced, not run). Every measure is taken 3 times; the scripts
# print the min and the median of the wall time and the highest peak RSS, so one noisy run does
# not decide a number. Timing comes from /usr/bin/time itself: nothing else starts inside a timed
# interval. Wall time is bash's $EPOCHREALTIME around the run (GNU time only has 10 ms steps), so
# it includes about 2 ms of starting /usr/bin/time and bash.

command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
RUNS=${RUNS:-3}

# measure NAME 'COMMAND': runs COMMAND (a shell string; $RUN is 1, 2, 3 in turn) $RUNS times,
# each through `exec`, so the time and RSS are the command's own; sets NAME_min, NAME_med
# (seconds) and NAME_rss (MiB). BEFORE_EACH, if set, is evaluated (untimed) before each run.
measure() {
  local name=$1 cmd=$2
  local times=() rss=0 out t m
  for RUN in $(seq "$RUNS"); do
    export RUN
    out=$(mktemp)
    if [ -n "${BEFORE_EACH:-}" ]; then eval "$BEFORE_EACH"; fi
    local s=$EPOCHREALTIME
    /usr/bin/time -f "%M" -o "$out" bash -c "exec $cmd" > /dev/null
    local e=$EPOCHREALTIME
    t=$(calc "$e - $s" 4); m=$(tail -1 "$out"); rm -f "$out"
    times+=("$t"); [ "$m" -gt "$rss" ] && rss=$m
  done
  local sorted; sorted=$(printf '%s\n' "${times[@]}" | sort -g)
  printf -v "${name}_min" '%s' "$(echo "$sorted" | head -1)"
  printf -v "${name}_med" '%s' "$(echo "$sorted" | sed -n "$(( (RUNS + 1) / 2 ))p")"
  printf -v "${name}_rss" '%s' "$(awk -v k="$rss" 'BEGIN { printf "%.1f", k / 1024 }')"
}

# calc EXPR: floating-point arithmetic without starting an interpreter per number.
calc() { awk "BEGIN { printf \"%.${2:-2}f\", $1 }"; }

# row MEASURE VALUE TARGET
row() { printf '%-58s %16s %12s\n' "$1" "$2" "${3:-}"; }

# wait_for_url FILE PID: the first line serve prints, or exit loudly after 60 s.
wait_for_url() {
  for _ in $(seq 600); do
    if [ -s "$1" ]; then head -1 "$1"; return 0; fi
    kill -0 "$2" 2>/dev/null || { echo "serve exited before it printed its URL" >&2; exit 1; }
    sleep 0.1
  done
  echo "serve did not print its URL within 60 s" >&2; exit 1
}
