#!/usr/bin/env bash
# Builds the four service images from deploy/docker/Dockerfile (repository root as context).
#   BASE_IMAGE=node:20-bookworm-slim IMAGE_PREFIX=selfhost-stt deploy/docker/build-images.sh
# Behind a TLS-inspecting proxy, EXTRA_CA_CERTS_FILE names a PEM file of its CA certificates.
# Tags: $IMAGE_PREFIX/<service>:<version of package.json>. Later targets reuse the earlier ones' layers.
set -euo pipefail
cd "$(dirname "$0")/../.."
base_image=${BASE_IMAGE:-node:20-bookworm-slim}
prefix=${IMAGE_PREFIX:-selfhost-stt}
version=$(node -p 'require("./package.json").version')
extra_ca_certs=""
[ -z "${EXTRA_CA_CERTS_FILE:-}" ] || extra_ca_certs=$(cat "$EXTRA_CA_CERTS_FILE")
export DOCKER_BUILDKIT=0

for target in license-server license-proxy api-server lightning-asr; do
  echo "build-images: $prefix/$target:$version (base $base_image)"
  docker build --quiet -f deploy/docker/Dockerfile --build-arg "BASE_IMAGE=$base_image" --build-arg "EXTRA_CA_CERTS=$extra_ca_certs" \
    --target "$target" -t "$prefix/$target:$version" . >/dev/null
done
