#!/usr/bin/env bash
# Builds (once) and caches, outside the repo, a Debian sid chroot with matrix-synapse installed.
# Synapse 1.160 needs Python 3.14, which only sid has, so it cannot be installed on the host.
# Prints the chroot's path on stdout; everything else goes to stderr.
#
# Env: GATEWAY_CACHE_DIR (default ~/.cache/matrix-gateway). Needs root (chroot, debootstrap).
set -euo pipefail

cache_dir="${GATEWAY_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/matrix-gateway}"
root="$cache_dir/synapse-sid"
log() { printf '[synapse-chroot] %s\n' "$*" >&2; }

if [ -f "$root/.ready" ]; then
  echo "$root"
  exit 0
fi

if [ "$(id -u)" != 0 ]; then
  log "the Synapse test bed needs root to build its chroot (debootstrap, chroot)."
  log "run 'sudo $0' once; later runs reuse $root."
  exit 2
fi

mkdir -p "$cache_dir"
# One builder at a time; a second caller waits and then finds the finished chroot.
exec 9>"$cache_dir/synapse-sid.lock"
flock 9
if [ -f "$root/.ready" ]; then
  echo "$root"
  exit 0
fi

# The archive URL comes from the host's apt configuration: no registry host is written here.
# shellcheck source=../debian/archive-url.sh
. "$(dirname "$0")/../debian/archive-url.sh"
archive="$(archive_url | head -n 1)"
if [ -z "$archive" ]; then
  log "could not read a Debian archive URL from /etc/apt/sources.list(.d)"
  exit 2
fi

if ! command -v debootstrap >/dev/null; then
  log "installing debootstrap with apt"
  # tools/test/run-all.mjs installs Chromium and podman at the same time: wait for dpkg's lock.
  apt-get -o DPkg::Lock::Timeout=600 update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq debootstrap >&2
fi

work="$(mktemp -d "$cache_dir/build.XXXXXX")"
cleanup() {
  # An interrupted debootstrap can leave /proc mounted inside the tree.
  for m in $(mount | awk -v w="$work" '$3 ~ "^"w { print $3 }' | sort -r); do umount -l "$m" || true; done
  rm -rf "$work"
}
trap cleanup EXIT

log "debootstrap sid into $work (several minutes)"
debootstrap --variant=minbase --include=ca-certificates sid "$work" "$archive" >&2

cp /etc/resolv.conf "$work/etc/resolv.conf"
printf '#!/bin/sh\nexit 101\n' >"$work/usr/sbin/policy-rc.d"
chmod +x "$work/usr/sbin/policy-rc.d"
echo 'matrix-synapse matrix-synapse/server-name string localhost' | chroot "$work" debconf-set-selections

# apt inside the chroot resolves the virtual packages python3-cryptography needs; debootstrap cannot.
log "installing matrix-synapse inside the chroot"
chroot "$work" sh -c 'export DEBIAN_FRONTEND=noninteractive
  apt-get -o Acquire::Check-Valid-Until=false update -qq &&
  apt-get -o Acquire::Check-Valid-Until=false install -y -qq --no-install-recommends matrix-synapse sqlite3 &&
  apt-get clean' >&2

chroot "$work" test -d /usr/lib/python3/dist-packages/synapse
version="$(chroot "$work" dpkg-query -W -f='${Version}' matrix-synapse)"
log "matrix-synapse $version installed"
echo "$version" >"$work/.ready"

for m in $(mount | awk -v w="$work" '$3 ~ "^"w { print $3 }' | sort -r); do umount -l "$m" || true; done
mv "$work" "$root"
trap - EXIT
echo "$root"
