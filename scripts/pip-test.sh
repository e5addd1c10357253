#!/usr/bin/env bash
# `pip install .` in a fresh virtualenv (maturin from PyPI builds the binary, bindings = "bin"),
# then the installed idocr-mock from the venv's PATH: --version, serving on --port 0, health.
# The venv and the build live under target/ (CARGO_TARGET_DIR is kept so the release build is
# shared with other release builds): nothing is left outside it.
set -euo pipefail
cd "$(dirname "$0")/.."
target_dir=$(realpath "${CARGO_TARGET_DIR:-target}")
venv="$target_dir/ci-venv/pip"
rm -rf "$venv"
# Debian's python3 has no venv/ensurepip until python3-venv is installed: install it on a fresh machine.
if ! python3 -c 'import ensurepip' 2>/dev/null && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  echo "pip-test: installing python3-venv from Debian's packages" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
fi
python3 -m venv "$venv"
t0=$SECONDS
CARGO_TARGET_DIR="$target_dir" "$venv/bin/pip" install -q --disable-pip-version-check . 
echo "pip-test: pip install . took $((SECONDS - t0)) s"
export PATH="$venv/bin:$PATH"
unset "${!IDOCR_MOCK_@}"
passed=0 failed=0
check() { if [ "$2" -eq 0 ]; then passed=$((passed + 1)); echo "PASS $1${3:+: $3}"; else failed=$((failed + 1)); echo "FAIL $1${3:+: $3}"; fi; }

[ "$(command -v idocr-mock)" = "$venv/bin/idocr-mock" ]; check "idocr-mock is on the venv's PATH" $? "$(command -v idocr-mock)"
version=$(idocr-mock --version); [ "$version" = "idocr-mock $(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)" ]
check "idocr-mock --version" $? "$version"

out="$venv/mock.out"
idocr-mock --port 0 >"$out" 2>"$venv/mock.err" &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null' EXIT
deadline=$((SECONDS + 20))
until grep -q '^listening on ' "$out" 2>/dev/null; do
  if ! kill -0 "$pid" 2>/dev/null || [ "$SECONDS" -ge "$deadline" ]; then cat "$venv/mock.err" >&2; break; fi
  sleep 0.05
done
port=$(sed -n 's/^listening on http:\/\/.*:\([0-9]*\)$/\1/p' "$out")
health=$(idocr-mock health --port "${port:-1}" 2>&1); check "idocr-mock health against the venv's idocr-mock --port 0" $? "$health"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
