#!/usr/bin/env bash
# The console at /__admin/ui in the two other engines, at a desktop's (1280x800) and a phone's
# (390x844) width: Firefox ESR (Debian's firefox-esr, driven by puppeteer-core over WebDriver BiDi)
# and WebKitGTK (Debian's webkit2gtk-driver: WebKitWebDriver and MiniBrowser, the engine Safari
# uses, under Xvfb). tests/e2e/engines/console-engines.mjs; scripts/e2e.sh covers Chromium.
# Builds nothing: uses target/debug/idocr-mock (cargo test built it). Installs what is missing:
# firefox-esr, webkit2gtk-driver, xvfb, a CJK font (apt), puppeteer-core (npm, from the lock file).
# Screenshots land in target/e2e-screenshots/ as ENGINE-VIEW-WIDTH.png, beside scripts/e2e.sh's.
#   scripts/e2e-engines.sh               against the binary's own /__admin/ui
#   scripts/e2e-engines.sh --dev-proxy   the page's files from src/admin/ui/ (see scripts/e2e.sh)
#   E2E_ENGINES=webkit E2E_WIDTHS=phone scripts/e2e-engines.sh   one engine, one width
set -euo pipefail
cd "$(dirname "$0")/.."
[ "${1:-}" = --dev-proxy ] && export E2E_DEV_PROXY=1
BIN=${IDOCR_MOCK_BINARY:-target/debug/idocr-mock}
[ -x "$BIN" ] || { echo "e2e-engines: $BIN is missing; run cargo build (or cargo test) first" >&2; exit 1; }
export IDOCR_MOCK_BINARY=$PWD/$BIN
missing=()
[ -x /usr/bin/firefox-esr ] || missing+=(firefox-esr)
[ -x /usr/bin/WebKitWebDriver ] || missing+=(webkit2gtk-driver)
command -v xvfb-run >/dev/null || missing+=(xvfb xauth)
fc-list 2>/dev/null | grep -i 'wenquanyi\|noto.*cjk' >/dev/null || missing+=(fonts-wqy-zenhei) # not grep -q: under pipefail, fc-list cut short would count as no font
if [ ${#missing[@]} -gt 0 ]; then
  echo "e2e-engines: installing ${missing[*]} (apt)" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
command -v node >/dev/null || { echo "e2e-engines: node (18 or newer) is needed: apt-get install nodejs npm" >&2; exit 1; }
if [ ! -d tests/e2e/engines/node_modules/puppeteer-core ]; then
  (cd tests/e2e/engines && npm ci --no-audit --no-fund --loglevel=error)
fi
mkdir -p target/e2e-screenshots
rm -f target/e2e-screenshots/firefox-*.png target/e2e-screenshots/webkit-*.png
echo "e2e-engines: $(firefox-esr --version 2>/dev/null), WebKitGTK $(dpkg-query -W -f='${Version}' libwebkit2gtk-4.1-0 2>/dev/null)" >&2
# One browser per engine and width, a mock per test; the whole run has a deadline. MiniBrowser needs
# an X display: xvfb-run gives it one (Firefox runs headless without it).
cd tests/e2e/engines && timeout 600 xvfb-run -a -s '-screen 0 1280x1024x24' \
  node --test --test-concurrency=1 console-engines.mjs
