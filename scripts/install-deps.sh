#!/usr/bin/env bash
# Installs the Debian packages vnet needs to build, run and test.
# Idempotent: packages already present are left alone.
set -euo pipefail
pkgs=(
  build-essential cmake pkg-config
  libmicrohttpd-dev libjansson-dev libcurl4-openssl-dev libmnl-dev
  libyaml-dev libsqlite3-dev libcmocka-dev
  bird2 iproute2 iputils-ping iperf3 procps psmisc tshark jq python3 curl
)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  echo "installing: ${missing[*]}"
  apt-get update -qq
  # tshark asks whether non-root users may capture; answer no.
  echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# bird2's package enables a system-wide bird; vnet runs its own per router.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet bird 2>/dev/null; then
  systemctl disable --now bird >/dev/null 2>&1 || true
fi
