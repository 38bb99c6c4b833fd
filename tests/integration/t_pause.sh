#!/usr/bin/env bash
# Pause and resume on a running OSPF network with traffic flowing: a paused
# router's processes are frozen (cgroup freezer) while its links and the
# kernel's forwarding stay as they were, so a ping through it goes on; after
# resume its BIRD is Full again with every neighbour. The same for a whole
# network. Wrong states are refused with the reason: resume of a running
# router, pause of a paused one, pause of a stopped one, a missing router.
. "$(dirname "$0")/lib.sh"

cat >"$T/red.yaml" <<'YAML'
networks:
  red:
    protocol: ospf
    prefix: 10.1.0.0/16
    routers: [r1, r2, r3]
    hosts: [h1, h2]
    links: [[h1, r1], [r1, r2], [r2, r3], [r3, h2]]
YAML
start_daemon
check "vnet up red" vnet up "$T/red.yaml"
check "red converges: h1 pings h2" retry 60 vnet exec red/h1 -- ping -c1 -W1 h2
state() { vnet --json router show "red/$1" | jq -r .state; }
bird_full() { vnet exec "red/$1" -- birdc show ospf neighbors | grep -c Full; }

# a ping through r2 for the whole pause (r2 is the only path h1 -> h2)
vnet exec red/h1 -- ping -c 40 -i 0.1 -W1 h2 >"$T/ping1" 2>&1 &
PING=$!
sleep 0.5
check "router pause red/r2" vnet router pause red/r2
check "r2 shows paused" test "$(state r2)" = paused
frozen() {   # the freezer's own word: cgroup v1 freezer.state, v2 cgroup.events
  grep -qs '^FROZEN' /sys/fs/cgroup/freezer/$PREFIX/red/$1/freezer.state ||
    grep -qs '^frozen 1' /sys/fs/cgroup/$PREFIX/red/$1/cgroup.events
}
thawed() { ! frozen "$1"; }
check "r2's cgroup is frozen" frozen r2
check "status of a paused router answers (no birdc into the frozen node)" timeout 5 "$VNET_BIN/vnet" --socket "$SOCK" status red
check "pause of a paused router is refused" bash -c "! \"$VNET_BIN/vnet\" --socket '$SOCK' router pause red/r2 2>'$T/err' && grep -q 'already paused' '$T/err'"
sleep 2
check "r2 still forwards while paused (h1 pings h2)" vnet exec red/h1 -- ping -c1 -W1 h2
check "router resume red/r2" vnet router resume red/r2
check "r2 shows running" test "$(state r2)" = running
check "r2's cgroup is thawed" thawed r2
check "resume of a running router is refused" bash -c "! \"$VNET_BIN/vnet\" --socket '$SOCK' router resume red/r2 2>'$T/err' && grep -q 'not paused' '$T/err'"
wait $PING
loss=$(sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p' "$T/ping1")
log "ping h1 -> h2 across the pause of r2: ${loss:-?}% loss"
check "the ping went on across pause and resume (loss ${loss}% <= 5%)" awk -v l="${loss:-100}" 'BEGIN{exit !(l <= 5)}'
check "r2's BIRD is Full with r1 and r3 after resume" retry 20 test "$(bird_full r2)" = 2

# the whole network
vnet exec red/h1 -- ping -c 40 -i 0.1 -W1 h2 >"$T/ping2" 2>&1 &
PING=$!
sleep 0.5
check "net pause red" vnet net pause red
check "red shows paused" test "$(vnet --json ls | jq -r '.networks[] | select(.name=="red") | .state')" = paused
check "r1's and h2's cgroups are frozen" bash -c "$(declare -f frozen); PREFIX=$PREFIX; frozen r1 && frozen h2"
check "every node is paused" test "$(vnet --json status red | jq '[.nodes[] | select(.state != "paused")] | length')" = 0
check "net pause of a paused network is refused" bash -c "! \"$VNET_BIN/vnet\" --socket '$SOCK' net pause red 2>'$T/err' && grep -q 'paused' '$T/err'"
sleep 2
check "net resume red" vnet net resume red
wait $PING
loss=$(sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p' "$T/ping2")
log "ping h1 -> h2 across the pause of red: ${loss:-?}% loss"
check "the ping went on across the network's pause (loss ${loss}% <= 5%)" awk -v l="${loss:-100}" 'BEGIN{exit !(l <= 5)}'
check "OSPF is Full everywhere after resume" retry 20 test "$(bird_full r2)" = 2

# wrong states
check "net resume of a running network is refused" bash -c "! \"$VNET_BIN/vnet\" --socket '$SOCK' net resume red 2>'$T/err' && grep -q 'not paused' '$T/err'"
check "pause of a missing router is refused (404)" bash -c "! \"$VNET_BIN/vnet\" --socket '$SOCK' router pause red/r9 2>'$T/err' && grep -q \"no node 'r9'\" '$T/err'"
check "save of a missing router is refused" bash -c "! \"$VNET_BIN/vnet\" --socket '$SOCK' router save red/r9 -o '$T/x.vnimg' 2>'$T/err' && grep -q \"no node 'r9'\" '$T/err' && ! test -e '$T/x.vnimg'"
vnet router stop red/r3 >/dev/null
check "pause of a stopped router is refused" bash -c "! \"$VNET_BIN/vnet\" --socket '$SOCK' router pause red/r3 2>'$T/err' && grep -q 'red/r3 is stopped' '$T/err'"
finish
