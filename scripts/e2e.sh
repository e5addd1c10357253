#!/usr/bin/env bash
# Browser end-to-end tests of the console at /__admin/ui and of the H5 face flow (tests/e2e/), in headless Debian Chromium
# driven by playwright-core. Builds nothing: uses target/debug/idocr-mock (cargo test built it).
# Installs what is missing: chromium and a CJK font (apt), playwright-core (npm, from the lock file).
# Screenshots of each view land in target/e2e-screenshots/.
#   scripts/e2e.sh               against the binary's own /__admin/ui
#   scripts/e2e.sh --dev-proxy   the page's files from src/admin/ui/ through a dev-only proxy in
#                                front of the binary (for working on the page before it is compiled in)
set -euo pipefail
cd "$(dirname "$0")/.."
[ "${1:-}" = --dev-proxy ] && export E2E_DEV_PROXY=1
BIN=${IDOCR_MOCK_BINARY:-target/debug/idocr-mock}
[ -x "$BIN" ] || { echo "e2e: $BIN is missing; run cargo build (or cargo test) first" >&2; exit 1; }
export IDOCR_MOCK_BINARY=$PWD/$BIN
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
fc-list 2>/dev/null | grep -i 'wenquanyi\|noto.*cjk' >/dev/null || missing+=(fonts-wqy-zenhei) # not grep -q: under pipefail, fc-list cut short would count as no font
if [ ${#missing[@]} -gt 0 ]; then
  echo "e2e: installing ${missing[*]} (apt)" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
command -v node >/dev/null || { echo "e2e: node (18 or newer) is needed: apt-get install nodejs npm" >&2; exit 1; }
if [ ! -d tests/e2e/node_modules/playwright-core ]; then
  (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
fi
rm -rf target/e2e-screenshots
# Each test starts its own mock (--port 0) and browser and stops them; the whole run has a deadline.
cd tests/e2e && timeout 600 node --test --test-concurrency=1 .
