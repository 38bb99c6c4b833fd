#!/usr/bin/env bash
# Installs what is needed, builds, installs vnet, vnetd and vnet-engine in
# /usr/local/bin (so that `vnet` is on the PATH for the README's commands),
# starts vnetd and brings up the example of two parallel virtual networks
# (examples/seed.yaml), then shows their status and checks connectivity
# across each. `vnet down red` (or blue) tears a network down;
# `vnet shutdown` stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" != 0 ]; then
  echo "run-example.sh: run as root (vnet makes namespaces and TAP devices)" >&2
  exit 1
fi
bash scripts/install-deps.sh
bash scripts/build.sh
# vnet starts the vnetd next to it, and vnetd the vnet-engine next to it.
prefix=/usr/local
echo "== installing vnet, vnetd and vnet-engine in $prefix/bin"
cmake --install build --prefix "$prefix" >/dev/null
vnet=$prefix/bin/vnet
if [ "$(command -v vnet)" != "$vnet" ]; then
  echo "run-example.sh: note: 'vnet' on your PATH is not $vnet;" \
    "use $vnet or put $prefix/bin first in PATH" >&2
fi
for net in red blue; do
  if $vnet ls --json 2>/dev/null | grep -q "\"name\": \"$net\""; then
    echo "== $net is already up: taking it down first"
    $vnet down "$net"
  fi
done
echo "== vnet up examples/seed.yaml"
$vnet up examples/seed.yaml
echo "== vnet ls"
$vnet ls
echo "== waiting for routing to converge"
for i in $(seq 1 60); do
  if $vnet exec red/h1 -- ping -c1 -W1 h2 >/dev/null 2>&1 &&
     $vnet exec blue/b1 -- ping -c1 -W1 b2 >/dev/null 2>&1; then
    break
  fi
  sleep 1
done
echo "== red (IPv4, OSPF): h1 -> h2"
$vnet exec red/h1 -- ping -c3 h2
echo "== blue (IPv6, RIPng): b1 -> b2"
$vnet exec blue/b1 -- ping -c3 b2
