#!/usr/bin/env bash
# bench/run.sh: the whole benchmark in one command, from a fresh clone.
#
# Builds the release binary, the load generator (bench/loadgen) and the floor (bench/floor);
# installs wrk (apt-get) and the peers (npm and pip, into bench/.peers/, never needed by
# `cargo test`); measures the floor; then for each target and each load starts the target fresh
# on loopback pinned to one core, warms up, runs the load (median of BENCH_RUNS runs of
# BENCH_SECONDS), and prints one table. Raw results: bench/.data/results-<time>.jsonl.
#
# Knobs (environment):                       default
#   BENCH_SECONDS      measured seconds per run   10
#   BENCH_RUNS         runs per load (median)      3
#   BENCH_WARMUP       warm-up seconds, per load   3
#   BENCH_CONNECTIONS  connections                16   (small-c64 and 3mb-x64 always use 64)
#   BENCH_TARGETS      "idocr-mock idocr-mock-lean http-floor wiremock mountebank prism fastapi"
#   BENCH_LOADS        "small small-c64 1mb 3mb 3mb-x64 flow startup"
#   BENCH_WRK          1: also drive the small load with wrk (cross-check of the load generator)
#   BENCH_TARGET_CPU / BENCH_LOADGEN_CPU   cores to pin the target / load generator to (1 / 0)
#   BENCH_PORT         port of the target         18080
#   BENCH_STARTUP_REPEAT  starts per target for the startup time   5
#   BENCH_MOCK_ARGS    extra arguments for idocr-mock and idocr-mock-lean
# Targets: idocr-mock as it starts by default (journal and order store on); idocr-mock-lean with
# `--journal-limit 0 --max-orders 0` (like WireMock's --no-request-journal); http-floor, a bare hyper
# server answering a fixed body (bench/floor/src/bin/http_floor.rs): the HTTP work no mock avoids.
# Smoke run: BENCH_SECONDS=2 BENCH_RUNS=1 BENCH_WARMUP=1 bench/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
B=$ROOT/bench
DATA=$B/.data
PEERS=$B/.peers
SECS=${BENCH_SECONDS:-10}
RUNS=${BENCH_RUNS:-3}
WARMUP=${BENCH_WARMUP:-3}
CONNS=${BENCH_CONNECTIONS:-16}
TARGETS=${BENCH_TARGETS:-"idocr-mock idocr-mock-lean http-floor wiremock mountebank prism fastapi"}
LOADS=${BENCH_LOADS:-"small small-c64 1mb 3mb 3mb-x64 flow startup"}
WRK=${BENCH_WRK:-1}
TCPU=${BENCH_TARGET_CPU:-1}
LCPU=${BENCH_LOADGEN_CPU:-0}
PORT=${BENCH_PORT:-18080}
ADDR=127.0.0.1:$PORT
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT=$DATA/results-$STAMP.jsonl
LOGS=$DATA/logs
LOADGEN=$B/loadgen/target/release/loadgen
MOCK=$ROOT/target/release/idocr-mock
WIREMOCK_JAR=$PEERS/node_modules/wiremock/build/wiremock-standalone-3.13.2.jar

say() { printf '\n== %s\n' "$*" >&2; }

build() {
    say "building the release binary, the load generator and the floor"
    cargo build --release --quiet
    cargo build --release --quiet --manifest-path "$B/loadgen/Cargo.toml"
    cargo build --release --quiet --manifest-path "$B/floor/Cargo.toml"
}

install_peers() {
    if [ "$WRK" = 1 ] && ! command -v wrk >/dev/null; then
        say "installing wrk (apt-get)"
        apt-get update -qq && apt-get install -y -qq wrk >/dev/null
    fi
    mkdir -p "$PEERS"
    # A peer that cannot be installed is reported as skipped; the others still run.
    if ! command -v npm >/dev/null; then
        echo "npm is missing: WireMock, mountebank and Prism will be skipped" >&2
    elif [ ! -f "$WIREMOCK_JAR" ] || [ ! -d "$PEERS/node_modules/mountebank" ] ||
        [ ! -d "$PEERS/node_modules/@stoplight/prism-cli" ]; then
        say "installing WireMock, mountebank and Prism (npm, into bench/.peers)"
        # A package.json of our own: `npm init -y` takes the folder's name, and ".peers" is not a
        # valid package name.
        (cd "$PEERS" && { [ -f package.json ] || echo '{"name": "idocr-bench-peers", "private": true}' >package.json; } &&
            npm install --no-audit --no-fund --loglevel=error \
                wiremock@3.13.2 mountebank@2.9.1 @stoplight/prism-cli@5.16.0 >/dev/null) ||
            echo "npm install failed: the npm peers will be skipped" >&2
    fi
    if [ ! -x "$PEERS/venv/bin/uvicorn" ]; then
        say "installing FastAPI and uvicorn (pip, into bench/.peers/venv)"
        { python3 -m venv "$PEERS/venv" &&
            "$PEERS/venv/bin/pip" install -q 'fastapi==0.165.*' 'uvicorn[standard]==0.54.*'; } ||
            echo "pip install failed: FastAPI will be skipped" >&2
    fi
}

# Why target $1 cannot run here (nothing when it can).
missing() {
    case $1 in
    wiremock) command -v java >/dev/null || echo "java is not installed"
        [ -f "$WIREMOCK_JAR" ] || echo "the WireMock jar is not installed" ;;
    mountebank) [ -d "$PEERS/node_modules/mountebank" ] || echo "mountebank is not installed" ;;
    prism) [ -d "$PEERS/node_modules/@stoplight/prism-cli" ] || echo "Prism is not installed" ;;
    fastapi) [ -x "$PEERS/venv/bin/uvicorn" ] || echo "FastAPI/uvicorn are not installed" ;;
    esac
}

# The command that serves target $1 on $PORT (printed one word a line, for an array).
target_cmd() {
    case $1 in
    # shellcheck disable=SC2086 # BENCH_MOCK_ARGS is a list of words
    idocr-mock) printf '%s\n' env TOKIO_WORKER_THREADS=1 "$MOCK" --port "$PORT" --log-level warn ${BENCH_MOCK_ARGS:-} ;;
    # shellcheck disable=SC2086
    idocr-mock-lean) printf '%s\n' env TOKIO_WORKER_THREADS=1 "$MOCK" --port "$PORT" --log-level warn \
        --journal-limit 0 --max-orders 0 ${BENCH_MOCK_ARGS:-} ;;
    http-floor) printf '%s\n' env TOKIO_WORKER_THREADS=1 "$B/floor/target/release/http-floor" --port "$PORT" ;;
    wiremock) printf '%s\n' java -jar "$WIREMOCK_JAR" --port "$PORT" --bind-address 127.0.0.1 \
        --root-dir "$B/peers/wiremock" --no-request-journal --disable-request-logging --disable-banner ;;
    mountebank)
        python3 "$B/peers/mountebank_config.py" "$PORT" "$DATA/mountebank.json"
        printf '%s\n' node "$PEERS/node_modules/mountebank/bin/mb" --port $((PORT + 1)) \
            --configfile "$DATA/mountebank.json" --allowInjection --localOnly --loglevel warn --nologfile ;;
    prism) printf '%s\n' node "$PEERS/node_modules/@stoplight/prism-cli/dist/index.js" mock \
        -h 127.0.0.1 -p "$PORT" --errors --verboseLevel warn "$B/peers/openapi.yaml" ;;
    fastapi) printf '%s\n' "$PEERS/venv/bin/uvicorn" --app-dir "$B/peers" fastapi_mock:app \
        --host 127.0.0.1 --port "$PORT" --log-level warning --no-access-log ;;
    *) echo "unknown target $1" >&2; return 1 ;;
    esac
}

TARGET_PID=
start_target() {
    local cmd
    mapfile -t cmd < <(target_cmd "$1")
    setsid taskset -c "$TCPU" "${cmd[@]}" >"$LOGS/$1.out" 2>"$LOGS/$1.err" </dev/null &
    TARGET_PID=$!
    if ! taskset -c "$LCPU" "$LOADGEN" wait --addr "$ADDR" --image "$DATA/small.b64" --timeout 120 >/dev/null; then
        echo "$1 did not answer a signed call within 120 s; see $LOGS/$1.err" >&2
        stop_target
        return 1
    fi
}

stop_target() {
    [ -n "$TARGET_PID" ] || return 0
    kill -TERM -- "-$TARGET_PID" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$TARGET_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$TARGET_PID" 2>/dev/null || true
    wait "$TARGET_PID" 2>/dev/null || true
    TARGET_PID=
}
trap stop_target EXIT

emit() { echo "$1" >>"$OUT"; }

# One load at a target: fresh start, idle RSS, warm-up, BENCH_RUNS measured runs.
run_load() {
    local target=$1 load=$2 image conns=$CONNS mode=ocr
    case $load in
    small) image=small ;;
    small-c64) image=small conns=64 ;;
    1mb) image=1mb ;;
    3mb) image=3mb ;;
    3mb-x64) image=3mb conns=64 ;;
    flow) image=small mode=flow ;;
    esac
    start_target "$target" || { emit "{\"target\":\"$target\",\"load\":\"$load\",\"skipped\":\"did not start\"}"; return; }
    sleep 1
    local idle
    idle=$("$LOADGEN" mem --pid "$TARGET_PID")
    for run in $(seq "$RUNS"); do
        local warm=0.3
        [ "$run" = 1 ] && warm=$WARMUP
        say "$target / $load / run $run of $RUNS"
        local res
        res=$(taskset -c "$LCPU" "$LOADGEN" load --addr "$ADDR" --image "$DATA/$image.b64" --connections "$conns" \
            --warmup "$warm" --seconds "$SECS" --mode "$mode" --pid "$TARGET_PID")
        emit "{\"target\":\"$target\",\"load\":\"$load\",\"run\":$run,\"idle\":$idle,\"result\":$res}"
        echo "$res" | grep -q '"skipped"' && break
    done
    stop_target
}

run_startup() {
    local cmd
    mapfile -t cmd < <(target_cmd "$1")
    say "$1 / startup (${BENCH_STARTUP_REPEAT:-5} starts)"
    local res
    res=$(taskset -c "$LCPU" "$LOADGEN" startup --addr "$ADDR" --image "$DATA/small.b64" \
        --repeat "${BENCH_STARTUP_REPEAT:-5}" -- taskset -c "$TCPU" "${cmd[@]}")
    emit "{\"target\":\"$1\",\"load\":\"startup\",\"result\":$res}"
}

# wrk drives the small load with pre-signed bodies (bench/wrk/small.lua); its own CPU is reported.
run_wrk() {
    command -v wrk >/dev/null || return 0
    start_target "$1" || return 0
    say "$1 / small via wrk"
    local before after res
    taskset -c "$LCPU" wrk -t1 -c"$CONNS" -d"${WARMUP}s" -s "$B/wrk/small.lua" "http://$ADDR" >/dev/null 2>&1 || true
    before=$("$LOADGEN" mem --pid "$TARGET_PID")
    # A failed wrk run is reported as such; it must not cost the rest of the run.
    res=$(cd "$DATA" && python3 "$B/wrk/run_wrk.py" "$LCPU" "$CONNS" "$SECS" "$B/wrk/small.lua" "http://$ADDR") ||
        res='{"error":"wrk or its output parser failed (see the log above)"}'
    after=$("$LOADGEN" mem --pid "$TARGET_PID")
    emit "{\"target\":\"$1\",\"load\":\"small-wrk\",\"before\":$before,\"after\":$after,\"result\":$res}"
    stop_target
}

main() {
    build
    install_peers
    mkdir -p "$DATA" "$LOGS"
    say "generating inputs into bench/.data"
    python3 "$B/gen_data.py" "$DATA" 200000 >&2
    emit "{\"machine\":{\"nproc\":$(nproc),\"model\":\"$(lscpu | sed -n 's/^Model name: *//p' | head -1)\",\"mem\":\"$(free -h | awk '/^Mem:/{print $2}')\",\"kernel\":\"$(uname -r)\",\"date\":\"$(date -u '+%Y-%m-%d %H:%M UTC')\",\"commit\":\"$(git rev-parse --short HEAD 2>/dev/null || echo unknown)\",\"seconds\":$SECS,\"runs\":$RUNS,\"connections\":$CONNS,\"target_cpu\":$TCPU,\"loadgen_cpu\":$LCPU,\"load_avg\":\"$(cut -d' ' -f1-3 /proc/loadavg)\"}}"
    say "the floor (reader pinned to core $TCPU, writer to core $LCPU)"
    emit "{\"floor\":$(taskset -c "$TCPU,$LCPU" "$B/floor/target/release/floor" "$DATA/body_3mb.json" \
        --reader-cpu "$TCPU" --writer-cpu "$LCPU")}"
    for target in $TARGETS; do
        local why
        why=$(missing "$target" | head -1)
        if [ -n "$why" ]; then
            for load in $LOADS; do emit "{\"target\":\"$target\",\"load\":\"$load\",\"skipped\":\"$why\"}"; done
            continue
        fi
        for load in $LOADS; do
            # The HTTP floor answers every path with the same body: it has no token flow.
            if [ "$target" = http-floor ] && [ "$load" = flow ]; then continue; fi
            if [ "$load" = startup ]; then run_startup "$target"; else run_load "$target" "$load"; fi
        done
        if [ "$WRK" = 1 ] && [[ " $LOADS " == *" small "* ]]; then run_wrk "$target"; fi
    done
    python3 "$B/report.py" "$OUT" | tee "$DATA/table-$STAMP.md"
    echo "raw results: $OUT" >&2
}

main "$@"
