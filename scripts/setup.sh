#!/usr/bin/env bash
# Installs what the sensor needs on a fresh Debian machine (as root, or with sudo) and builds it:
# system packages (libpcap and the capture tools the tests and benchmark compare with), npm packages,
# the native addon and the TypeScript.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
# podman, buildah, runc, debootstrap, uidmap: the container image is built and run in the tests (docs/operations.md)
# chromium: headless, renders the inventory's HTML page in the tests (docs/inventory.md)
PKGS="libpcap-dev tcpdump tshark tcpreplay wrk iproute2 nginx-light curl python3 libcap2-bin util-linux ca-certificates openssl
  podman buildah runc debootstrap uidmap chromium"
missing=""
for p in $PKGS; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
if [ -n "$missing" ]; then
  echo "setup: installing system packages:$missing" >&2
  $SUDO apt-get update -qq
  echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
# podman on these machines: cgroupfs (no systemd cgroup manager) and no default ulimits (setrlimit fails
# otherwise); written when containers.conf is absent or lacks the lines
CONF=/etc/containers/containers.conf
if ! grep -qs '^default_ulimits = \[\]' "$CONF" || ! grep -qs '^cgroup_manager = "cgroupfs"' "$CONF"; then
  if [ -s "$CONF" ]; then
    echo "setup: $CONF lacks default_ulimits = [] or cgroup_manager = \"cgroupfs\"; kept as $CONF.orig" >&2
    $SUDO cp -n "$CONF" "$CONF.orig"
  fi
  $SUDO mkdir -p /etc/containers
  printf '[containers]\ndefault_ulimits = []\n[engine]\ncgroup_manager = "cgroupfs"\n' | $SUDO tee "$CONF" >/dev/null
fi
# nginx from apt starts a default site on port 80 on some images; the tests start their own
$SUDO systemctl disable --now nginx >/dev/null 2>&1 || true
echo "setup: npm ci" >&2
npm ci --no-audit --no-fund --loglevel=error
echo "setup: building the native addon and the TypeScript" >&2
npm run --silent build
