#!/usr/bin/env bash
# Tests the container image with podman: build it, run it with a published port, wait for its
# HEALTHCHECK, send a signed OCR call (code "0"), run IDOCR_MOCK_SCENARIO=blurry (66661001), stop it
# with SIGTERM and check it exits 0 within a second. Installs podman, runc and file when missing (as
# root, from Debian's packages). Cleans up its containers, image and temp dir even on failure.
# Prints "N passed, N failed"; exits 1 if anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."

# `file` too: scripts/build-static.sh prints it, and it is what says "static" for a musl binary.
if ! command -v podman >/dev/null || ! command -v runc >/dev/null || ! command -v file >/dev/null; then
  echo "image-test: installing podman, runc and file" >&2
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman runc file >/dev/null \
    || { echo "image-test: cannot install podman/runc/file" >&2; exit 1; }
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/idocr-mock-image-test.XXXXXX")
run_id="idocr-mock-test-$$"
image="localhost/idocr-mock:test-$$"
cleanup() {
  podman rm -f -t 0 "$run_id-ok" "$run_id-blurry" >/dev/null 2>&1
  podman rmi -f "$image" >/dev/null 2>&1
  rm -rf "$tmp"
}
trap cleanup EXIT

# What podman needs on machines without systemd and with hybrid cgroups (../shared/notes/containers.md);
# not needed with a normal engine, so it stays here and out of the image.
cat >"$tmp/containers.conf" <<'CONF'
[containers]
default_ulimits = []
[engine]
cgroup_manager = "cgroupfs"
runtime = "runc"
CONF
export CONTAINERS_CONF="$tmp/containers.conf"
export ENGINE=podman

passed=0 failed=0
check() { # NAME CONDITION-EXIT-STATUS [DETAIL]
  if [ "$2" -eq 0 ]; then passed=$((passed + 1)); echo "PASS $1${3:+: $3}"
  else failed=$((failed + 1)); echo "FAIL $1${3:+: $3}"; fi
}
now() { date +%s.%N; }
elapsed() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.2f}')" "$1" "$2"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

bin=$(scripts/build-static.sh 2>"$tmp/static.txt")
echo "static binary: $bin"; sed 's/^/  /' "$tmp/static.txt" | grep -v '^  *Compiling\|^  *Finished' || true
grep -q 'statically linked\|static-pie linked' "$tmp/static.txt"; check "the binary is statically linked" $?

BIN_AMD64=$bin scripts/image.sh build "$image" >"$tmp/build.txt" 2>&1
check "the image builds" $? "$(tail -n1 "$tmp/build.txt")"
size=$(podman image inspect -f '{{.Size}}' "$image" 2>/dev/null || echo 0)
echo "image size: $size bytes ($(python3 -c "print(f'{$size/1e6:.1f}')") MB)"
[ "$size" -gt 0 ] && [ "$size" -lt 15000000 ]; check "the image is under 15 MB" $? "$size bytes"
labels=$(podman image inspect -f '{{json .Labels}}' "$image" 2>/dev/null)
echo "$labels" | grep -q '"org.opencontainers.image.licenses":"MIT OR Apache-2.0"' && echo "$labels" | grep -q 'image.version'
check "the image carries the OCI labels" $? "$labels"
user=$(podman image inspect -f '{{.Config.User}}' "$image" 2>/dev/null)
[ "$user" = "65532:65532" ]; check "the image runs as 65532:65532" $? "$user"

# One container per scenario; waits (with a deadline) for `podman healthcheck run` to pass.
start() { # NAME PORT ENV...
  local name=$1 port=$2; shift 2
  local t0; t0=$(now)
  podman run -d --name "$name" -p "127.0.0.1:$port:8080" "$@" "$image" >/dev/null || return 1
  local deadline=$((SECONDS + 30))
  until podman healthcheck run "$name" >/dev/null 2>&1; do
    if [ "$SECONDS" -ge "$deadline" ] || [ "$(podman inspect -f '{{.State.Running}}' "$name")" != true ]; then
      podman logs "$name" 2>&1 | tail -n 5; return 1
    fi
    sleep 0.1
  done
  echo "  $name: podman run to healthy in $(elapsed "$t0" "$(now)") s"
}

# A signed OCR call of a generated picture through the published port; prints the answer.
ocr() { # PORT ORDER
  local nonce sign
  nonce=$(python3 -c 'import secrets,string; print("".join(secrets.choice(string.ascii_letters+string.digits) for _ in range(32)))')
  sign=$("$bin" sign --order-no "$2" --nonce "$nonce" --sign-only)
  python3 - "$2" "$nonce" "$sign" "$tmp/front.png" >"$tmp/body.json" <<'PY'
import base64, json, sys
order, nonce, sign, picture = sys.argv[1:]
print(json.dumps({"webankAppId": "TIDAMOCK", "version": "1.0.0", "nonce": nonce, "orderNo": order, "sign": sign,
                  "cardType": "0", "idcardStr": base64.b64encode(open(picture, "rb").read()).decode()}))
PY
  curl -s --max-time 10 -H 'Content-Type: application/json;charset=UTF-8' --data-binary @"$tmp/body.json" \
    "http://127.0.0.1:$1/api/paas/idcardocrapp"
}
code_of() { python3 -c 'import json,sys; print(json.load(sys.stdin).get("code"))' 2>/dev/null; }

# A plain PNG with no scenario marker, so that the container's IDOCR_MOCK_SCENARIO decides.
python3 - "$tmp/front.png" <<'PY'
import struct, sys, zlib
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
w, h = 64, 40
rows = b"".join(b"\0" + bytes([200, 180, 160]) * w for _ in range(h))
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) \
    + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
open(sys.argv[1], "wb").write(png)
PY

port=$(free_port)
start "$run_id-ok" "$port"; check "the HEALTHCHECK passes after podman run" $?
code=$(ocr "$port" ctest0001 | code_of)
[ "$code" = 0 ]; check 'a signed OCR call through the published port gets code "0"' $? "code $code"
"$bin" conformance --target "http://localhost:$port" >"$tmp/conformance.txt" 2>&1
check "the host's static binary runs the conformance suite against localhost" $? "$(tail -n1 "$tmp/conformance.txt")"
# The static binary inside the image (no /etc/nsswitch.conf, no libnss) resolving "localhost".
podman exec "$run_id-ok" /idocr-mock conformance --target http://localhost:8080 >"$tmp/inside.txt" 2>&1
check "conformance inside the FROM-scratch container against localhost" $? "$(tail -n1 "$tmp/inside.txt")"

# The process's exit time (FinishedAt) against the moment `podman stop` was called: podman's own
# teardown afterwards (network, healthcheck timers) is not the mock's shutdown.
t0=$(now)
podman stop -t 5 "$run_id-ok" >/dev/null
stop_took=$(elapsed "$t0" "$(now)")
finished=$(podman inspect -f '{{.State.FinishedAt.UnixNano}}' "$run_id-ok")
took=$(elapsed "$t0" "$(python3 -c "print($finished / 1e9)")")
exit_code=$(podman inspect -f '{{.State.ExitCode}}' "$run_id-ok")
[ "$exit_code" = 0 ]; check "SIGTERM (podman stop -t 5) exits 0" $? "exit code $exit_code"
python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) < 1.0 else 1)" "$took"
check "it exits within a second of podman stop" $? "exited $took s after podman stop was called (podman stop returned after $stop_took s)"

port=$(free_port)
# --no-hosts: no /etc/hosts in the container either, as with a bare FROM-scratch runtime.
start "$run_id-blurry" "$port" --no-hosts -e IDOCR_MOCK_SCENARIO=blurry
check "IDOCR_MOCK_SCENARIO=blurry starts healthy" $?
podman exec "$run_id-blurry" /idocr-mock health --url http://localhost:8080 >"$tmp/nohosts.txt" 2>&1
check "health --url http://localhost:8080 resolves without /etc/hosts" $? "$(cat "$tmp/nohosts.txt")"
code=$(ocr "$port" ctest0002 | code_of)
[ "$code" = 66661001 ]; check "IDOCR_MOCK_SCENARIO=blurry answers 66661001" $? "code $code"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
