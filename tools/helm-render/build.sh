#!/usr/bin/env bash
# Builds (and caches) tools/helm-render, the chart renderer: Go's text/template with sprig, the template
# engine Helm uses. Go and sprig come from Debian sid's packages, installed into the Synapse test bed's
# chroot (tools/synapse/build-chroot.sh), since the host's Debian may not have them.
# Prints the binary's path on stdout; everything else goes to stderr. Idempotent: rebuilds only when
# a source file changed. Needs root the first time (apt-get and chroot).
#
# Env: GATEWAY_CACHE_DIR (default ~/.cache/matrix-gateway).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cache_dir="${GATEWAY_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/matrix-gateway}"
log() { printf '[helm-render] %s\n' "$*" >&2; }

sum="$(cat "$here"/*.go "$here/build.sh" | sha256sum | cut -c1-16)"
out="$cache_dir/helm-render/helm-render-$sum"
if [ -x "$out" ]; then
  echo "$out"
  exit 0
fi

if [ "$(id -u)" != 0 ]; then
  log "building the chart renderer needs root once (apt-get and chroot into the Synapse test bed)"
  exit 2
fi

root="$(bash "$repo/tools/synapse/build-chroot.sh")"
if [ ! -f "$root/.ready" ]; then
  log "the Synapse test bed chroot is unavailable"
  exit 2
fi

# The chroot is shared with Synapse test runs: only ever add packages, under build-chroot.sh's lock.
packages=(golang-go golang-github-masterminds-sprig-dev golang-gopkg-yaml.v3-dev golang-k8s-api-dev golang-k8s-sigs-json-dev)
installed() { chroot "$root" dpkg-query -W -f='${db:Status-Status}\n' "${packages[@]}" 2>/dev/null | grep -c '^installed$' || true; }
if [ "$(installed)" != "${#packages[@]}" ]; then
  log "installing ${packages[*]} into $root"
  exec 9>"$cache_dir/synapse-sid.lock"
  flock 9
  chroot "$root" sh -c "export DEBIAN_FRONTEND=noninteractive
    apt-get -o Acquire::Check-Valid-Until=false update -qq &&
    apt-get -o Acquire::Check-Valid-Until=false install -y -qq --no-install-recommends ${packages[*]} &&
    apt-get clean" >&2
  exec 9>&-
fi

# Go needs /proc; mount it in a private mount namespace so nothing outlives this build.
work="/srv/helm-render-build.$$"
mkdir -p "$root$work" "$(dirname "$out")"
trap 'rm -rf "$root$work"' EXIT
cp "$here"/*.go "$root$work/"
log "go build (a minute or two the first time)"
unshare --mount --propagation private sh -c "
  mount -t proc proc '$root/proc' &&
  chroot '$root' sh -c 'cd $work && HOME=$work GOCACHE=/srv/helm-render-gocache GO111MODULE=off GOPATH=/usr/share/gocode CGO_ENABLED=0 go build -o helm-render .'" >&2
install -m 0755 "$root$work/helm-render" "$out.tmp"
mv "$out.tmp" "$out"
echo "$out"
