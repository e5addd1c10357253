#!/usr/bin/env bash
# Runs the partner-style example clients (Node, Java, Python, Go, PHP) against a fresh mock and
# prints "N passed, N failed". Each client signs its own requests and checks every answer.
#
#   scripts/examples.sh [path/to/idocr-mock]     (default: target/debug/idocr-mock)
#
# Installs Go and PHP from Debian's packages when `go` or `php` is missing (needs apt-get and root);
# a client whose runtime is still missing counts as failed. Exits non-zero when any client failed.
set -euo pipefail
cd "$(dirname "$0")/.."

MOCK=${1:-target/debug/idocr-mock}
WORK=$(mktemp -d)
trap 'kill "${PID:-0}" 2>/dev/null || true; rm -rf "$WORK"' EXIT

if ! command -v go >/dev/null || ! command -v php >/dev/null; then
  if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    echo "installing Go and PHP from Debian's packages"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq golang-go php-cli php-curl >/dev/null
  else
    echo "go or php is missing, and apt-get cannot install them here" >&2
  fi
fi

"$MOCK" --port 0 --seed 1 >"$WORK/out" 2>"$WORK/log" &
PID=$!
for _ in $(seq 100); do # at most 10 s
  grep -q '^listening on ' "$WORK/out" && break
  kill -0 "$PID" 2>/dev/null || { echo "$MOCK exited at startup:" >&2; cat "$WORK/log" >&2; exit 1; }
  sleep 0.1
done
grep -q '^listening on ' "$WORK/out" || { echo "$MOCK did not start in 10 s:" >&2; cat "$WORK/log" >&2; exit 1; }
BASE=$(sed -n 's/^listening on //p' "$WORK/out")

passed=0 failed=0 failures=""
run() { # run <name> <command…>
  local name=$1
  shift
  echo "== $name: $*"
  if timeout 180 "$@" "$BASE"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1)) failures="$failures $name"
  fi
}
export GOCACHE="${GOCACHE:-$WORK/go-cache}" GOPATH="${GOPATH:-$WORK/go}"
run node node examples/node-client.mjs
run java java examples/JavaClient.java
run python python3 examples/python_client.py
run go go run examples/go-client/main.go
run php php examples/php-client.php

echo "$passed passed, $failed failed${failures:+ (failed:$failures)}"
[ "$failed" = 0 ]
