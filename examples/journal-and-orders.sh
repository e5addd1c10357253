#!/usr/bin/env bash
# What a CI job can check with curl and jq alone: OCR the front and back of one order, assert on
# the journal, fetch both images back through getOcrResult byte-identical, restart the mock on the
# same --data-dir and fetch them again.
#
#   examples/journal-and-orders.sh [path/to/idocr-mock]     (default: target/debug/idocr-mock)
#
# Needs bash, curl, jq, base64 and sha256sum. Exits non-zero at the first failed check.
set -euo pipefail

MOCK=${1:-target/debug/idocr-mock}
WORK=$(mktemp -d)
DATA="$WORK/data"
APP=TIDAMOCK
ORDER=order$(date +%s)
trap 'kill "${PID:-0}" 2>/dev/null || true; rm -rf "$WORK"' EXIT

start() {
  "$MOCK" --port 0 --seed 1 --data-dir "$DATA" >"$WORK/out" 2>>"$WORK/log" &
  PID=$!
  local _
  for _ in $(seq 200); do # at most 10 s; stop at once if the mock exits (missing binary, bad flag)
    grep -q '^listening on ' "$WORK/out" 2>/dev/null && break
    kill -0 "$PID" 2>/dev/null || { echo "FAIL $MOCK exited at startup:" >&2; cat "$WORK/log" >&2; exit 1; }
    sleep 0.05
  done
  grep -q '^listening on ' "$WORK/out" || { echo "FAIL $MOCK did not start in 10 s:" >&2; cat "$WORK/log" >&2; exit 1; }
  BASE=$(sed -n 's/^listening on //p' "$WORK/out")
  J="$BASE/__admin/requests"
}

stop() {
  kill -TERM "$PID" && wait "$PID"
  : >"$WORK/out"
}

check() { # check <description> <command…>
  local what=$1
  shift
  if "$@"; then echo "ok   $what"; else echo "FAIL $what" >&2; exit 1; fi
}

nonce() { LC_ALL=C tr -dc 'A-Za-z0-9' </dev/urandom | head -c 32 || true; }

# Two pictures that are nobody's ID card: a 1×1 PNG, and a BMP of random bytes sent as 76-column
# Base64 (as old Java encoders wrap it).
echo 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==' |
  base64 -d >"$WORK/front.png"
{ printf 'BM'; head -c 400 /dev/urandom; } >"$WORK/back.bmp"

ocr() { # ocr <cardType> <file>
  local n s
  n=$(nonce)
  s=$("$MOCK" sign --app-id "$APP" --order-no "$ORDER" --nonce "$n" --sign-only)
  jq -n --arg app "$APP" --arg n "$n" --arg o "$ORDER" --arg t "$1" --arg s "$s" --arg img "$(base64 <"$2")" \
    '{webankAppId:$app, version:"1.0.0", nonce:$n, orderNo:$o, cardType:$t, sign:$s, idcardStr:$img}' |
    curl -sf "$BASE/api/paas/idcardocrapp" -H 'Content-Type: application/json' --data-binary @-
}

get_result() { # the images of $ORDER, into $WORK/front.out and $WORK/back.out
  local n s
  n=$(nonce)
  s=$("$MOCK" sign --app-id "$APP" --order-no "$ORDER" --nonce "$n" --sign-only)
  curl -sf "$BASE/api/server/getOcrResult?app_id=$APP&order_no=$ORDER&nonce=$n&version=1.0.0&sign=$s&get_file=1" >"$WORK/result.json"
  jq -r .result.frontPhoto "$WORK/result.json" | base64 -d >"$WORK/front.out"
  jq -r .result.backPhoto "$WORK/result.json" | base64 -d >"$WORK/back.out"
}

same_file() { [ "$(sha256sum <"$1")" = "$(sha256sum <"$2")" ]; }

start
check "front recognised" [ "$(ocr 0 "$WORK/front.png" | jq -r .code)" = 0 ]
check "back recognised" [ "$(ocr 1 "$WORK/back.bmp" | jq -r .code)" = 0 ]

check "exactly one successful back call for the order" \
  [ "$(curl -s "$J?order_no=$ORDER" | jq '[.[] | select(.body.fields.cardType == "1" and .code == "0")] | length')" = 1 ]
check "count endpoint: two successes" [ "$(curl -s "$J/count?code=0")" = 2 ]
check "the journal has the back image's SHA-256, not the image" \
  [ "$(curl -s "$J?order_no=$ORDER&limit=1" | jq -r '.[0].body.fields.idcardStr.sha256')" = "$(sha256sum <"$WORK/back.bmp" | cut -d' ' -f1)" ]
check "no Base64 of an image anywhere in the journal" \
  bash -c "! curl -s '$J' | grep -q '$(base64 -w0 <"$WORK/front.png" | head -c 40)'"

get_result
check "getOcrResult: both sides succeeded" [ "$(jq -r '.result.frontCode + .result.backCode' "$WORK/result.json")" = 00 ]
check "front image back byte-identical" same_file "$WORK/front.png" "$WORK/front.out"
check "back image back byte-identical" same_file "$WORK/back.bmp" "$WORK/back.out"
NAME=$(jq -r .result.name "$WORK/result.json")

stop
start
get_result
check "after a restart on the same --data-dir: front identical" same_file "$WORK/front.png" "$WORK/front.out"
check "after a restart on the same --data-dir: back identical" same_file "$WORK/back.bmp" "$WORK/back.out"
check "after a restart: same person" [ "$(jq -r .result.name "$WORK/result.json")" = "$NAME" ]
check "the new process journaled only the getOcrResult call" [ "$(curl -s "$J/count")" = 1 ]
stop
echo "all checks passed"
