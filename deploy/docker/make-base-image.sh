#!/usr/bin/env bash
# Makes a local stand-in for node:20-bookworm-slim where no registry can be pulled from:
# Debian bookworm (debootstrap minbase) plus this machine's Node 20 and npm, imported as IMAGE.
#   deploy/docker/make-base-image.sh [IMAGE]     (default stt-base/node:20-bookworm-local)
# Then: BASE_IMAGE=IMAGE deploy/docker/build-images.sh. Needs root, debootstrap and a Docker engine.
set -euo pipefail
image=${1:-stt-base/node:20-bookworm-local}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

node_bin=$(command -v node)
node_major=$("$node_bin" -p 'process.versions.node.split(".")[0]')
[ "$node_major" -eq 20 ] || { echo "make-base-image: Node 20 is required (found $("$node_bin" --version))" >&2; exit 1; }
npm_dir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")

rootfs=$(mktemp -d /var/tmp/stt-base-rootfs.XXXXXX)
trap 'rm -rf "$rootfs"' EXIT

echo "make-base-image: debootstrap bookworm (minbase) from $mirror"
debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >/dev/null

# Node where the official image has it (/usr/local), npm beside it.
install -m 0755 "$node_bin" "$rootfs/usr/local/bin/node"
mkdir -p "$rootfs/usr/local/lib/node_modules"
cp -a "$npm_dir" "$rootfs/usr/local/lib/node_modules/npm"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"

# The image's apt sources are the build's; caches and logs are not worth shipping.
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/log/* "$rootfs"/tmp/*

echo "make-base-image: importing as $image"
tar -C "$rootfs" --numeric-owner -c . | docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'CMD ["node"]' - "$image" >/dev/null
docker image inspect --format '{{.Id}} {{.Size}}' "$image"
