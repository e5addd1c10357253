#!/usr/bin/env bash
# Builds, tests or pushes the idocr-mock container image (packaging/Containerfile, FROM scratch).
#   scripts/image.sh build [IMAGE]    one image for this machine's arch   [IMAGE: idocr-mock:VERSION]
#   scripts/image.sh test             scripts/image-test.sh: build, run, probe, stop (needs podman)
#   scripts/image.sh push REPO        multi-arch (amd64, arm64) REPO:VERSION and REPO:latest
# The engine is docker or podman, whichever answers (a docker client without a daemon does not
# count); ENGINE=podman or ENGINE=docker picks one. The static binaries come from
# BIN_AMD64 / BIN_ARM64 (paths), or are built by scripts/build-static.sh for the host (amd64).
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)
source_url=$(sed -n 's/^repository = "\(.*\)"/\1/p' Cargo.toml | head -n1)
revision=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)

engine() {
  if [ -n "${ENGINE:-}" ]; then echo "$ENGINE"; return; fi
  for e in docker podman; do
    if command -v "$e" >/dev/null && "$e" info >/dev/null 2>&1; then echo "$e"; return; fi
  done
  echo "image.sh: neither docker nor podman answers (docker info / podman info); install one" >&2
  exit 1
}

# A build context in a temp dir: bin/<arch>/idocr-mock for each arch given, an empty data/.
context() {
  ctx=$(mktemp -d "${TMPDIR:-/tmp}/idocr-mock-image.XXXXXX")
  trap 'rm -rf "$ctx"' EXIT
  mkdir -p "$ctx/data"
  for arch in "$@"; do
    var="BIN_$(echo "$arch" | tr '[:lower:]' '[:upper:]')"
    bin=${!var:-}
    if [ -z "$bin" ] && [ "$arch" = amd64 ]; then bin=$(scripts/build-static.sh); fi
    [ -n "$bin" ] || { echo "image.sh: set $var to the static $arch binary" >&2; exit 1; }
    mkdir -p "$ctx/bin/$arch"
    cp "$bin" "$ctx/bin/$arch/idocr-mock"
  done
}

build_args=(--build-arg "VERSION=$version" --build-arg "SOURCE=$source_url" --build-arg "REVISION=$revision")

case "${1:-}" in
  build)
    image=${2:-idocr-mock:$version}
    e=$(engine)
    context amd64
    # podman drops HEALTHCHECK from OCI-format images: build the docker format.
    format=(); [ "$e" = podman ] && format=(--format docker)
    "$e" build "${format[@]}" "${build_args[@]}" --build-arg TARGETARCH=amd64 \
      -f packaging/Containerfile -t "$image" "$ctx" >&2
    echo "$image"
    ;;
  test)
    exec scripts/image-test.sh
    ;;
  push)
    repo=${2:?usage: scripts/image.sh push REPO (e.g. ghcr.io/OWNER/idocr-mock)}
    e=$(engine)
    context amd64 arm64
    if [ "$e" = docker ]; then
      docker buildx build --platform linux/amd64,linux/arm64 "${build_args[@]}" \
        -f packaging/Containerfile -t "$repo:$version" -t "$repo:latest" --push "$ctx"
    else
      podman build --format docker --platform linux/amd64,linux/arm64 "${build_args[@]}" \
        -f packaging/Containerfile --manifest "$repo:$version" "$ctx"
      podman manifest push --all "$repo:$version" "docker://$repo:$version"
      podman manifest push --all "$repo:$version" "docker://$repo:latest"
    fi
    ;;
  *)
    sed -n '2,8p' "$0" >&2
    exit 2
    ;;
esac
