#!/usr/bin/env bash
# bench/stream-cost.sh: what an open console (one /__admin/events stream, read by curl) costs the
# mock per small signed call, with and without the stream, alternating, several runs each.
#
#   bench/stream-cost.sh                 # instructions per call under callgrind (default: 3 runs each)
#   STREAM_COST_MODE=cpu bench/stream-cost.sh   # CPU µs per call from /proc instead (noisy on a shared machine)
#
# Instructions are counted by valgrind's callgrind in the mock's own threads (user space: the kernel's
# socket work is not in them), between a zeroing after a warm-up and a dump after the measured
# seconds; calls are counted by the journal's ids. This machine's VM has no hardware counters, so
# `perf stat -e instructions` is not an option. Needs bench/run.sh's builds (target/release/idocr-mock,
# bench/loadgen) and valgrind, curl.
#   STREAM_COST_RUNS (3)  STREAM_COST_SECONDS (8 under callgrind, 5 for cpu)  STREAM_COST_ARGS (extra mock
#   flags)  STREAM_COST_BINARY (target/release/idocr-mock)
set -euo pipefail
cd "$(dirname "$0")/.."
MODE=${STREAM_COST_MODE:-callgrind}
RUNS=${STREAM_COST_RUNS:-3}
SECS=${STREAM_COST_SECONDS:-$([ "$MODE" = cpu ] && echo 5 || echo 8)}
PORT=${BENCH_PORT:-18090}
LOADGEN=bench/loadgen/target/release/loadgen
BIN=${STREAM_COST_BINARY:-target/release/idocr-mock}
OUT=bench/.data/stream-cost
mkdir -p "$OUT"
[ -x "$BIN" ] && [ -x "$LOADGEN" ] || { echo "build first: cargo build --release; cargo build --release --manifest-path bench/loadgen/Cargo.toml" >&2; exit 1; }
printf '%s' 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==' >"$OUT/small.b64"
last_id() { curl -s "http://127.0.0.1:$PORT/__admin/requests?limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])'; }

one() { # STREAM(0|1) RUN -> prints one JSON line
  local stream=$1 run=$2 pid reader=
  local cg="$OUT/callgrind.$stream.$run"
  rm -f "$cg"*
  local pre=()
  [ "$MODE" = callgrind ] && pre=(valgrind -q --tool=callgrind --callgrind-out-file="$cg" --dump-instr=no)
  # shellcheck disable=SC2086 # STREAM_COST_ARGS is a list of words
  setsid taskset -c 1 env TOKIO_WORKER_THREADS=1 "${pre[@]}" "$BIN" --port "$PORT" \
    --log-level warn ${STREAM_COST_ARGS:-} >/dev/null 2>&1 </dev/null &
  pid=$!
  "$LOADGEN" wait --addr "127.0.0.1:$PORT" --image "$OUT/small.b64" --timeout 60 >/dev/null
  if [ "$stream" = 1 ]; then
    taskset -c 0 curl -sN "http://127.0.0.1:$PORT/__admin/events" >"$OUT/stream.$run.txt" &
    reader=$!
  fi
  taskset -c 0 "$LOADGEN" load --addr "127.0.0.1:$PORT" --image "$OUT/small.b64" --warmup 0 --seconds 2 >/dev/null
  [ "$MODE" = callgrind ] && callgrind_control -z "$pid" >/dev/null 2>&1
  local id0 res id1 ir=null streamed=0
  id0=$(last_id)
  res=$(taskset -c 0 "$LOADGEN" load --addr "127.0.0.1:$PORT" --image "$OUT/small.b64" --warmup 0 --seconds "$SECS" --pid "$pid")
  id1=$(last_id)
  if [ "$MODE" = callgrind ]; then
    callgrind_control -d "$pid" >/dev/null 2>&1
    ir=$(sed -n 's/^summary: *//p' "$cg".1 2>/dev/null | awk '{s += $1} END {print s + 0}')
  fi
  if [ -n "$reader" ]; then kill "$reader" 2>/dev/null || true; fi
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  [ "$stream" = 1 ] && streamed=$(grep -c '^event: request' "$OUT/stream.$run.txt" || true)
  echo "{\"stream\":$stream,\"run\":$run,\"calls\":$((id1 - id0)),\"instructions\":$ir,\"streamed\":$streamed,\"load\":$res}"
}

for run in $(seq 1 "$RUNS"); do
  one 0 "$run"
  one 1 "$run"
done | tee "$OUT/results-$MODE-$(date -u +%Y%m%dT%H%M%SZ).jsonl" | python3 bench/stream_cost_report.py "$MODE"
