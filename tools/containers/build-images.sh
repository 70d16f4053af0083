#!/usr/bin/env bash
# Builds the four images (the three services and the admin dashboard) from docker/Dockerfile with podman,
# on a base that can be built here (tools/containers/build-node-base.sh) unless NODE_IMAGE names another
# one already in local storage.
# The npm registry and CA bundle are the machine's npm configuration, read now and passed as a build
# argument and a build secret; neither is written into the repo or into an image layer.
# Prints one line per image: "<target> <image reference>". Logs go to stderr.
#
# Env: NODE_IMAGE (default: the local Debian-based image), IMAGE_PREFIX (default localhost/matrix-gateway),
#      IMAGE_TAG (default: package.json's version).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
log() { printf '[images] %s\n' "$*" >&2; }

bash "$here/ensure-podman.sh"
node_image="${NODE_IMAGE:-$(bash "$here/build-node-base.sh")}"
version="$(node -p "require('$root/package.json').version")"
prefix="${IMAGE_PREFIX:-localhost/matrix-gateway}"
tag="${IMAGE_TAG:-$version}"
revision="$(git -C "$root" rev-parse HEAD 2>/dev/null || true)"
source_url="$(git -C "$root" remote get-url origin 2>/dev/null || true)"

args=(--build-arg "NODE_IMAGE=$node_image" --build-arg "VERSION=$version"
  --build-arg "REVISION=$revision" --build-arg "SOURCE_URL=$source_url")
registry="$(npm config get registry 2>/dev/null || true)"
[ -n "$registry" ] && args+=(--build-arg "NPM_REGISTRY=$registry")
cafile="$(npm config get cafile 2>/dev/null || true)"
case "$cafile" in "" | null | undefined) cafile="${NODE_EXTRA_CA_CERTS:-/etc/ssl/certs/ca-certificates.crt}" ;; esac
[ -s "$cafile" ] && args+=(--secret "id=npm_ca,src=$cafile")

P=(podman --runtime runc --cgroup-manager cgroupfs)
U=(--ulimit nofile=1024:1024 --ulimit nproc=1024:1024)
# The dependency stages are tagged so that their layers (npm ci, minutes) survive the pruning below.
for stage in deps prod-deps; do
  "${P[@]}" build "${U[@]}" --network host --format docker --layers -q \
    -f "$root/docker/Dockerfile" --target "$stage" -t "localhost/matrix-gateway-cache:$stage" "${args[@]}" "$root" >&2
done
for target in auth-service rtc-jwt-service sync-proxy admin-dashboard; do
  image="$prefix/$target:$tag"
  log "building $image on $node_image"
  # --format docker keeps HEALTHCHECK, which the OCI image format has no field for.
  "${P[@]}" build "${U[@]}" --network host --format docker --layers \
    -f "$root/docker/Dockerfile" --target "$target" -t "$image" "${args[@]}" "$root" >&2
  echo "$target $image"
done
# Every source change leaves the previous build stage behind as an untagged image (~800 MB): drop them.
"${P[@]}" image prune -f >/dev/null
