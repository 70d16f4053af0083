#!/usr/bin/env bash
# Builds (once) a local Node base image from Debian packages, for machines that cannot pull images:
# a minimal Debian sid with its nodejs (24.x at the time of writing) and the npm CLI from the npm
# registry (Debian's nodejs package ships without npm). The root filesystem is cached as a tarball
# outside the repo, next to the Synapse chroot, and imported into podman's local storage on demand.
# Prints the image reference on stdout (pass it as `--build-arg NODE_IMAGE=...`); logs go to stderr.
#
# Env: GATEWAY_CACHE_DIR (default ~/.cache/matrix-gateway). Needs root (debootstrap, chroot) and podman.
set -euo pipefail

cache_dir="${GATEWAY_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/matrix-gateway}"
image="localhost/matrix-gateway-node-base:sid"
tarball="$cache_dir/node-base-sid.tar"
log() { printf '[node-base] %s\n' "$*" >&2; }
P=(podman --runtime runc --cgroup-manager cgroupfs)

if "${P[@]}" image exists "$image" 2>/dev/null; then
  echo "$image"
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  log "building the Node base image needs root (debootstrap, chroot); run 'sudo $0' once."
  exit 2
fi

mkdir -p "$cache_dir"
exec 9>"$cache_dir/node-base-sid.lock"
flock 9

if [ ! -f "$tarball" ]; then
  # shellcheck source=../debian/archive-url.sh
  . "$(dirname "$0")/../debian/archive-url.sh"
  archive="$(archive_url | head -n 1)"
  if [ -z "$archive" ]; then
    log "could not read a Debian archive URL from /etc/apt/sources.list(.d)"
    exit 2
  fi
  if ! command -v debootstrap >/dev/null; then
    log "installing debootstrap with apt"
    apt-get -o DPkg::Lock::Timeout=600 update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq debootstrap >&2
  fi
  work="$(mktemp -d "$cache_dir/node-base.XXXXXX")"
  cleanup() {
    for m in $(mount | awk -v w="$work" '$3 ~ "^"w { print $3 }' | sort -r); do umount -l "$m" || true; done
    rm -rf "$work"
  }
  trap cleanup EXIT

  log "debootstrap sid into $work (a few minutes)"
  debootstrap --variant=minbase --include=ca-certificates sid "$work" "$archive" >&2
  cp /etc/resolv.conf "$work/etc/resolv.conf"
  printf '#!/bin/sh\nexit 101\n' >"$work/usr/sbin/policy-rc.d"
  chmod +x "$work/usr/sbin/policy-rc.d"
  log "installing nodejs inside the tree"
  chroot "$work" sh -c 'export DEBIAN_FRONTEND=noninteractive
    apt-get -o Acquire::Check-Valid-Until=false update -qq &&
    apt-get -o Acquire::Check-Valid-Until=false install -y -qq --no-install-recommends nodejs &&
    apt-get clean' >&2
  rm -rf "$work/var/lib/apt/lists/"* "$work/usr/sbin/policy-rc.d"
  : >"$work/etc/resolv.conf"

  # npm, the same version as the host's, fetched through the host's npm client and configuration.
  npm_version="$(npm --version)"
  log "adding npm $npm_version"
  pack="$(mktemp -d)"
  (cd "$pack" && npm pack --silent "npm@$npm_version" >/dev/null)
  mkdir -p "$work/usr/local/lib/node_modules/npm" "$work/usr/local/bin"
  tar -xzf "$pack"/npm-*.tgz -C "$work/usr/local/lib/node_modules/npm" --strip-components=1
  rm -rf "$pack"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$work/usr/local/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$work/usr/local/bin/npx"
  chroot "$work" node --version >&2
  chroot "$work" npm --version >&2

  for m in $(mount | awk -v w="$work" '$3 ~ "^"w { print $3 }' | sort -r); do umount -l "$m" || true; done
  tar -C "$work" --numeric-owner -cf "$tarball.tmp" .
  mv "$tarball.tmp" "$tarball"
  cleanup
  trap - EXIT
fi

if ! "${P[@]}" image exists "$image" 2>/dev/null; then
  log "importing $tarball as $image"
  "${P[@]}" import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["node"]' \
    "$tarball" "$image" >&2
fi
echo "$image"
