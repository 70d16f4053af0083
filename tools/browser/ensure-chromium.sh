#!/usr/bin/env bash
# Makes sure Debian's chromium is installed (idempotent), for the browser test tier.
# Exit 0 when /usr/bin/chromium can be run; 2 when it is missing and cannot be installed here (not root, no apt).
# apt reads its mirrors from the machine's own apt configuration; nothing here names a host.
set -euo pipefail
log() { printf '[chromium] %s\n' "$*" >&2; }

if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  log "chromium missing and cannot be installed here (needs root and apt-get): apt-get install chromium"
  exit 2
fi
log "installing chromium with apt"
# Another session may hold the dpkg lock for a while; apt waits for it rather than failing.
apt-get -o DPkg::Lock::Timeout=600 update -qq >&2
DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends \
  chromium >&2
/usr/bin/chromium --version >&2
