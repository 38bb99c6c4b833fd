#!/usr/bin/env bash
# Router images: save one router of a running OSPF network, remove it,
# restore it (same addresses, links with their properties, saved FIB),
# traffic goes through it; copy a router under a new name; damaged images
# and images of the other kind are refused and create nothing; a network
# image saved, restored and saved again has the same spec and state parts
# and the same interfaces and routes per node, and no part carries a time.
. "$(dirname "$0")/lib.sh"

ring() {   # ring [with_r2]
  cat <<'YAML'
networks:
  red:
    protocol: ospf
    prefix: 10.1.0.0/16
YAML
  if [ "$1" = 1 ]; then
    cat <<'YAML'
    routers: [r1, r2, r3, r4]
    hosts: [h1, h2]
    links:
      - [h1, r1]
      - {ends: [r1, r2], delay: 2ms}
      - [r2, r3]
      - [r3, r4]
      - [r4, r1]
      - [r3, h2]
YAML
  else
    cat <<'YAML'
    routers: [r1, r3, r4]
    hosts: [h1, h2]
    links:
      - [h1, r1]
      - [r3, r4]
      - [r4, r1]
      - [r3, h2]
YAML
  fi
}
ring 1 >"$T/red.yaml"
ring 0 >"$T/red-nor2.yaml"
V() { "$VNET_BIN/vnet" --socket "$SOCK" "$@"; }
export -f V 2>/dev/null || true
export VNET_BIN SOCK T

start_daemon
check "vnet up red" vnet up "$T/red.yaml"
check "red converges: h1 pings h2" retry 60 vnet exec red/h1 -- ping -c1 -W1 h2
check "r2 has OSPF routes" retry 30 bash -c "\"$VNET_BIN/vnet\" --socket '$SOCK' exec red/r2 -- ip route | grep -q 'proto bird'"
sleep 3
mac_before=$(vnet exec red/r2 -- cat /sys/class/net/eth0/address)
addr_before=$(vnet exec red/r2 -- ip -o -4 addr show | awk '{print $2, $4}' | sort | tr '\n' ' ')

# (1) save r2
out=$(vnet router save red/r2 -o "$T/r2.vnimg")
check "router save red/r2 ($out)" test -s "$T/r2.vnimg"
vnet --json image show "$T/r2.vnimg" >"$T/r2.show"
check "image show: a router image 'red/r2'" test "$(jq -r '.kind + " " + .name' "$T/r2.show")" = "router red/r2"
check "its parts are spec.json, state.json, nodes/r2.json" test "$(jq -r '[.parts[].name] | join(",")' "$T/r2.show")" = "spec.json,state.json,nodes/r2.json"
vnet image show "$T/r2.vnimg" --part spec.json >"$T/r2.spec"
check "the spec part has r2, its links (with delay) and the peer names only" test "$(jq -c '[([.routers[].name] | sort), ([.links[].name] | sort), ([.links[] | select(.name=="r1-r2") | .forward.delay][0])]' "$T/r2.spec")" = '[["r1","r2","r3"],["r1-r2","r2-r3"],"2ms"]'
check "the peers' BIRD configs are not in it" test "$(jq '[.routers[] | select(.name != "r2") | has("config")] | any' "$T/r2.spec")" = false
check "nodes/r2.json has interfaces, routes and neighbours" test "$(vnet image show "$T/r2.vnimg" --part nodes/r2.json | jq '[(.interfaces|length>1), (.routes|length>0), has("neighbours")] | all')" = true
check "traffic goes on after the save" vnet exec red/h1 -- ping -c1 -W1 h2
check "restore onto the running r2 is refused (409)" bash -c "! V router restore '$T/r2.vnimg' 2>'$T/err' && grep -q 'already exists' '$T/err'"

# (2) remove r2 (its links go with it: vnet up of the file without r2)
check "vnet up without r2 removes it" bash -c "V up '$T/red-nor2.yaml' | grep -q 'removed router r2'"
check "h1 pings h2 via r4" retry 60 vnet exec red/h1 -- ping -c1 -W1 h2

# (3) restore r2
rj=$(vnet --json router restore "$T/r2.vnimg")
check "router restore r2.vnimg ($(jq -c . <<<"$rj"))" test "$(jq -r '.node' <<<"$rj")" = r2
check "the saved tables were installed" test "$(jq -r '[.tables_restored, (.routes > 0)] | all' <<<"$rj")" = true
check "r2 has the same MAC" test "$(vnet exec red/r2 -- cat /sys/class/net/eth0/address)" = "$mac_before"
check "r2 has the same addresses" test "$(vnet exec red/r2 -- ip -o -4 addr show | awk '{print $2, $4}' | sort | tr '\n' ' ')" = "$addr_before"
check "link r1-r2 is back with its delay" test "$(vnet --json link show red/r1-r2 | jq -r '.. | .delay? // empty' | head -1)" = 2ms
check "(4) take r4-r1 down: the path is h1-r1-r2-r3-h2" vnet link down red/r4-r1
if retry 60 vnet exec red/h1 -- ping -c1 -W1 h2; then
  pass "h1 pings h2 through the restored r2 (r1's only other way is down)"
else
  fail "h1 pings h2 through the restored r2 (r1's only other way is down)"
  ospf_state r1 r2 r3
fi
check "bring r4-r1 up again" vnet link up red/r4-r1

# (5) copy r2 as r2b: links r1-r2b and r2b-r3, new addresses, runs
cj=$(vnet --json router copy red/r2 red/r2b)
check "router copy red/r2 red/r2b ($(jq -c . <<<"$cj"))" test "$(jq -r '.node' <<<"$cj")" = r2b
check "the copy has links r1-r2b and r2b-r3" bash -c "V link show red/r1-r2b >/dev/null && V link show red/r2b-r3 >/dev/null"
check "the copy has another MAC" test "$(vnet exec red/r2b -- cat /sys/class/net/eth0/address)" != "$mac_before"
if retry 60 vnet exec red/r2b -- ping -c1 -W1 h2; then pass "the copy routes: r2b reaches h2"
else
  fail "the copy routes: r2b reaches h2"
  ospf_state r2b r1 r3
fi
check "copy onto an existing name is refused" bash -c "! V router copy red/r2 red/r3 2>'$T/err' && grep -q 'already exists' '$T/err'"

# (6) damaged and wrong-kind images are refused and create nothing
size=$(stat -c %s "$T/r2.vnimg")
cp "$T/r2.vnimg" "$T/bad.vnimg"
printf '\x5a' | dd of="$T/bad.vnimg" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
check "a damaged router image is refused" bash -c "! V router restore '$T/bad.vnimg' --as red/r9 2>'$T/err' && grep -q -e damaged -e checksum '$T/err'"
check "image show refuses it too" bash -c "! V image show '$T/bad.vnimg' 2>/dev/null"
check "nothing was created (no r9)" bash -c "! V router show red/r9 2>/dev/null"
check "no cgroup of r9" bash -c "! ls -d /sys/fs/cgroup/*/$PREFIX/red/r9 /sys/fs/cgroup/$PREFIX/red/r9 2>/dev/null | grep -q ."
check "a router image is not a network image" bash -c "! V net restore '$T/r2.vnimg' --as red9 2>'$T/err' && grep -q 'not a network image' '$T/err'"
vnet net save red -o "$T/a.vnimg" >/dev/null
check "a network image is not a router image" bash -c "! V router restore '$T/a.vnimg' --as red/r9 2>'$T/err' && grep -q 'not a router image' '$T/err'"
check "restore into a missing network is refused" bash -c "! V router restore '$T/r2.vnimg' --as nosuch/r2 2>'$T/err' && grep -q \"no network 'nosuch'\" '$T/err'"
check "still nothing created: red has r1 r2 r2b r3 r4 h1 h2" test "$(vnet --json status red | jq -r '[.nodes[].name] | sort | join(" ")')" = "h1 h2 r1 r2 r2b r3 r4"

# (7) network round trip: save -> restore -> save gives the same parts
parts() { vnet --json image show "$1" | jq -r '.parts[] | .name + " " + .sha256'; }
sums_a=$(parts "$T/a.vnimg")
check "vnet down red" vnet down red
check "net restore a.vnimg" vnet net restore "$T/a.vnimg"
if retry 60 vnet exec red/h1 -- ping -c1 -W1 h2; then pass "red forwards again"
else
  fail "red forwards again"
  vnet exec red/h1 -- ping -c1 -W1 h2
  vnet exec red/h1 -- ip route
  vnet exec red/h1 -- ip neigh
  ospf_state r1 r2 r2b r3 r4
  for node in r1 r2 r2b r3 r4; do vnet exec "red/$node" -- ip neigh; done
  for l in h1-r1 r1-r2 r1-r2b r4-r1 r2-r3 r2b-r3 r3-r4 r3-h2; do vnet link stats "red/$l"; done
fi
nodepart() { vnet image show "$1" --part "$2" | jq -S '{interfaces, routes}'; }
same_image() {
  vnet net save red -o "$T/b.vnimg" >/dev/null || return 1
  [ "$(parts "$T/a.vnimg" | cut -d' ' -f1)" = "$(parts "$T/b.vnimg" | cut -d' ' -f1)" ] || return 1
  for p in spec.json state.json; do
    [ "$(grep "^$p " <<<"$sums_a")" = "$(parts "$T/b.vnimg" | grep "^$p ")" ] || return 1
  done
  for p in $(parts "$T/a.vnimg" | cut -d' ' -f1 | grep '^nodes/'); do
    [ "$(nodepart "$T/a.vnimg" "$p")" = "$(nodepart "$T/b.vnimg" "$p")" ] || return 1
  done
}
check "(7) save -> restore -> save: same part names, identical spec.json and state.json, same interfaces and routes per node" retry 30 same_image
for p in $(parts "$T/b.vnimg" | cut -d' ' -f1); do
  [ "$(parts "$T/a.vnimg" | grep "^$p ")" = "$(parts "$T/b.vnimg" | grep "^$p ")" ] || log "note: part $p differs (neighbour states)"
done
check "no part carries a timestamp (only the manifest's created)" bash -c "for p in \$(V --json image show '$T/b.vnimg' | jq -r '.parts[].name'); do V image show '$T/b.vnimg' --part \$p | grep -q -E '20[0-9]{2}-[01][0-9]-[0-3][0-9]T' && exit 1; done; exit 0"
finish
