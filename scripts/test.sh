#!/usr/bin/env bash
# The README's test command: installs everything the test suite needs on a Debian/Ubuntu machine, then
# runs it (`npm test`). .ci/run calls exactly this, after putting Node 24 first on PATH.
#
# System packages (only those missing; with apt-get as root, or through sudo):
#   mariadb-server mariadb-client   throwaway test servers (test/helpers/mariadb.ts)
#   galera-4 rsync                  the Galera cluster test (wsrep provider, state transfer)
#   prometheus                      promtool and a real Prometheus (rules, dashboard queries)
#   prometheus-mysqld-exporter      the reference exporter for the side-by-side comparison
#   openssl                         test certificates
#   chromium                        the landing page in a headless browser
#   docker-compose                  `docker-compose config` validates docker-compose.yml
#   podman runc debootstrap         the image test builds and runs the real Dockerfile
#                                   (runc: crun refuses hosts with a hybrid cgroup v1/v2 hierarchy)
# Packages are installed with a policy-rc.d that forbids them to start their services.
# Then `npm ci` and `npm test`. The image test (test/integration/image.test.ts) needs root: it runs podman
# and builds its stand-in base image with debootstrap (scripts/base-image.sh, cached after the first run).
set -euo pipefail
cd "$(dirname "$0")/.."
say() { echo "test.sh: $*" >&2; }

major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$major" -lt 22 ]; then
  say "Node.js 22 or 24 is needed (found: $(node --version 2>/dev/null || echo none)); CI uses .ci/run, which brings Node 24"
  exit 1
fi

need=()
have() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ]; }
have mariadbd || need+=(mariadb-server)
have mariadb-install-db || need+=(mariadb-server)
have mariadb || need+=(mariadb-client)
[ -e /usr/lib/galera/libgalera_smm.so ] || [ -e /usr/lib/libgalera_smm.so ] || need+=(galera-4)
have rsync || need+=(rsync)
{ have promtool && have prometheus; } || need+=(prometheus)
have prometheus-mysqld-exporter || need+=(prometheus-mysqld-exporter)
have openssl || need+=(openssl)
[ -x /usr/bin/chromium ] || need+=(chromium)
have docker-compose || need+=(docker-compose)
have podman || need+=(podman)
have runc || need+=(runc)
have debootstrap || need+=(debootstrap)

if [ "${#need[@]}" -gt 0 ]; then
  mapfile -t need < <(printf '%s\n' "${need[@]}" | sort -u)
  if [ "$(id -u)" = 0 ]; then sudo=()
  elif command -v sudo >/dev/null 2>&1; then sudo=(sudo)
  else say "missing system packages: ${need[*]}; run this as root or install sudo"; exit 1
  fi
  say "installing system packages: ${need[*]}"
  # Packages must not start their own services on this machine (mariadb, prometheus...): a policy-rc.d
  # that says no, removed again afterwards unless one was already there.
  own_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee /usr/sbin/policy-rc.d >/dev/null
    "${sudo[@]}" chmod +x /usr/sbin/policy-rc.d
    own_policy=1
  fi
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  [ "$own_policy" = 0 ] || "${sudo[@]}" rm -f /usr/sbin/policy-rc.d
fi

say "node $(node --version), npm $(npm --version 2>/dev/null), $(/usr/sbin/mariadbd --version 2>/dev/null || mariadbd --version)"
npm ci --no-audit --no-fund
npm test
