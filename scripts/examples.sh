#!/usr/bin/env bash
# Runs the partner-style example clients (Node, Java, Python, Go, PHP) against a fresh mock and
# prints "N passed, N failed". Each client signs its own requests and checks every answer.
# Then Go, PHP and Python again with the vendor's base URL, https://kyc1.qcloud.com, reaching the
# mock only through their environment (HTTPS_PROXY and the mock's CA, issue #15), and Node (whose
# fetch ignores HTTPS_PROXY) on the HTTPS port with NODE_EXTRA_CA_CERTS: the client files unchanged.
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

"$MOCK" ca --ca-dir "$WORK/ca" --out "$WORK/ca.pem" 2>/dev/null
"$MOCK" --port 0 --https-port 0 --ca-dir "$WORK/ca" --seed 1 >"$WORK/out" 2>"$WORK/log" &
PID=$!
for _ in $(seq 100); do # at most 10 s
  grep -q '^listening on https://' "$WORK/out" && break
  kill -0 "$PID" 2>/dev/null || { echo "$MOCK exited at startup:" >&2; cat "$WORK/log" >&2; exit 1; }
  sleep 0.1
done
grep -q '^listening on https://' "$WORK/out" || { echo "$MOCK did not start in 10 s:" >&2; cat "$WORK/log" >&2; exit 1; }
BASE=$(sed -n 's/^listening on \(http:.*\)/\1/p' "$WORK/out")
HTTPS_BASE=$(sed -n 's/^listening on https:\/\/[^:]*:/https:\/\/localhost:/p' "$WORK/out")

passed=0 failed=0 failures=""
run() { # run <name> <command…>   (the client's base URL: $URL, default $BASE)
  local name=$1
  shift
  echo "== $name: $* ${URL:-$BASE}"
  if timeout 180 "$@" "${URL:-$BASE}"; then
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

# The vendor's host name through the mock's CONNECT proxy, only the environment changed.
VENDOR=https://kyc1.qcloud.com CA=$WORK/ca.pem
URL=$VENDOR run go-proxy env HTTPS_PROXY="$BASE" SSL_CERT_FILE="$CA" go run examples/go-client/main.go
URL=$VENDOR run php-proxy env HTTPS_PROXY="$BASE" php -d curl.cainfo="$CA" examples/php-client.php
URL=$VENDOR run python-proxy env HTTPS_PROXY="$BASE" SSL_CERT_FILE="$CA" python3 examples/python_client.py
URL=$HTTPS_BASE run node-https env NODE_EXTRA_CA_CERTS="$CA" node examples/node-client.mjs
grep -q "via=proxy connect=kyc1.qcloud.com:443" "$WORK/log" || { echo "no request arrived through the proxy" >&2; failed=$((failed + 1)) failures="$failures proxy-log"; }

echo "$passed passed, $failed failed${failures:+ (failed:$failures)}"
[ "$failed" = 0 ]
