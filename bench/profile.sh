#!/usr/bin/env bash
# bench/profile.sh: where the mock's time goes under one load (flat profile of the pinned target).
#
#   bench/profile.sh small      # or 1mb, 3mb; BENCH_SECONDS (default 10) of load under `perf record`
#   BENCH_MOCK_ARGS="--journal-limit 0 --max-orders 0" bench/profile.sh small    # the lean configuration
#
# Needs `perf` (Debian: linux-perf) and a run of bench/run.sh before (for the binaries and inputs).
# Samples the cpu-clock software event (this VM has no hardware counters), so it works without a PMU.
# Prints the top symbols by self time and keeps bench/.data/perf-<load>.data.
set -euo pipefail
cd "$(dirname "$0")/.."
LOAD=${1:-small}
SECS=${BENCH_SECONDS:-10}
PORT=${BENCH_PORT:-18080}
B=$PWD/bench
DATA=$B/.data
LOADGEN=$B/loadgen/target/release/loadgen
command -v perf >/dev/null || { echo "perf is missing: apt-get install linux-perf" >&2; exit 1; }
[ -x "$LOADGEN" ] && [ -f "$DATA/$LOAD.b64" ] || { echo "run bench/run.sh first" >&2; exit 1; }

# shellcheck disable=SC2086 # BENCH_MOCK_ARGS is a list of words
setsid taskset -c 1 env TOKIO_WORKER_THREADS=1 target/release/idocr-mock --port "$PORT" --log-level warn \
    ${BENCH_MOCK_ARGS:-} >/dev/null 2>&1 </dev/null &
PID=$!
trap 'kill -TERM "$PID" 2>/dev/null || true' EXIT
"$LOADGEN" wait --addr "127.0.0.1:$PORT" --image "$DATA/small.b64" --timeout 10 >/dev/null
taskset -c 0 "$LOADGEN" load --addr "127.0.0.1:$PORT" --image "$DATA/$LOAD.b64" --warmup 1 \
    --seconds $((SECS + 2)) --pid "$PID" >"$DATA/perf-$LOAD.load.json" &
LG=$!
sleep 1.5
perf record -q -e cpu-clock -F 4999 -p "$PID" -o "$DATA/perf-$LOAD.data" -- sleep "$SECS" 2>/dev/null || true
wait "$LG"
echo "load: $(cat "$DATA/perf-$LOAD.load.json")"
perf report -i "$DATA/perf-$LOAD.data" --no-children --sort dso,symbol --stdio 2>/dev/null |
    grep -v '^#' | grep -v '^$' | sed 's/[ -]*$//' >"$DATA/perf-$LOAD.txt"
echo "top symbols (self time):"
head -30 "$DATA/perf-$LOAD.txt"
echo
echo "by kind:"
python3 "$B/perf_kinds.py" <"$DATA/perf-$LOAD.txt"
