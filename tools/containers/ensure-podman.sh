#!/usr/bin/env bash
# Makes sure Debian's podman and runc are installed (idempotent), for the container test tier.
# Exit 0 when `podman` can be run; 2 when it is missing and cannot be installed here (not root, no apt).
set -euo pipefail
log() { printf '[podman] %s\n' "$*" >&2; }

if command -v podman >/dev/null && command -v runc >/dev/null; then
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  log "podman/runc missing and cannot be installed here (needs root and apt-get): apt-get install podman runc"
  exit 2
fi
log "installing podman and runc with apt"
# Another session may hold the dpkg lock for a while; apt waits for it rather than failing.
apt-get -o DPkg::Lock::Timeout=600 update -qq >&2
DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends \
  podman runc >&2
command -v podman >/dev/null && command -v runc >/dev/null
