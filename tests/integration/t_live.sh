#!/usr/bin/env bash
# Live topology changes of a running OSPF network: router add with a link,
# link add/del, router del, a refused change that leaves everything as it
# was, and `vnet up` of a changed file applying only the difference. The
# addresses and MACs of what stays never change.
. "$(dirname "$0")/lib.sh"

start_daemon
cd "$T"
cat > live.yaml <<'Y'
networks:
  red:
    protocol: ospf
    prefix: 10.1.0.0/16
    routers: [r1, r2, r3, r4]
    hosts: [h1]
    links: [[r1, r2], [r2, r3], [r3, r4], [r4, r1], [h1, r1]]
Y
check "vnet up" vnet up live.yaml
check "red converges" retry 60 vnet exec red/h1 -- ping -c1 -W1 r3
ifaces() { vnet --json status red | jq -S '[.nodes[] | select(.name != "r5" and .name != "r6") | {name, loopback, interfaces: [.interfaces[] | select(.peer != "r5" and .peer != "r6") | {name, mac, addresses, link}]}]'; }
before=$(ifaces)

# traffic flows during the changes
vnet exec red/h1 -- ping -c150 -i0.2 -W1 r3 >"$T/ping.out" 2>&1 &
PING=$!

check "router add without a link is refused" bash -c "! \"$VNET_BIN/vnet\" --socket '$SOCK' router add red/r5 2>'$T/err' && grep -q 'r5 would not be connected: add it with a link' '$T/err'"
check "router add red/r5 link=r4" vnet router add red/r5 link=r4
check "r5 is running" test "$(vnet --json router show red/r5 | jq -r .state)" = running
lo5=$(vnet --json router show red/r5 | jq -r '.loopback[0] | split("/")[0]')
check "r5 got the next loopback (10.1.0.5, got $lo5)" test "$lo5" = 10.1.0.5
check "h1 reaches r5's loopback after convergence" retry 60 vnet exec red/h1 -- ping -c1 -W1 "$lo5"
check "the name r5 resolves in h1 (/etc/hosts rewritten in place)" retry 5 vnet exec red/h1 -- ping -c1 -W1 r5
check "existing addresses, MACs and interface names are unchanged" test "$(ifaces)" = "$before"

check "link add red/r2-r5 delay=5ms" vnet link add red/r2-r5 delay=5ms
check "r2-r5 has its delay" test "$(vnet --json link show red/r2-r5 | jq -r .forward.delay)" = 5ms
check "the new link's carrier is up" retry 5 test "$(vnet --json link show red/r2-r5 | jq -r .carrier)" = true
ifr2=$(vnet --json router show red/r2 | jq -r '.interfaces[] | select(.link=="r2-r5") | .name')
check "r2 got the next free interface (eth2, got $ifr2)" test "$ifr2" = eth2
check "r2 and r5 talk over r2-r5" retry 30 bash -c "\"$VNET_BIN/vnet\" --socket '$SOCK' exec red/r5 -- birdc show ospf neighbors | grep -c Full | grep -q 2"
check "existing nodes unchanged after link add" test "$(ifaces)" = "$before"

# a refused change: removing r5-r4 now leaves r5 connected (via r2), so
# first remove r2-r5 and then try r5-r4, which would cut r5 off
check "link del red/r2-r5" vnet link del red/r2-r5
check "r2-r5 is gone from r2" bash -c "! \"$VNET_BIN/vnet\" --socket '$SOCK' exec red/r2 -- ip link show $ifr2 >/dev/null 2>&1"
snap=$(vnet --json status red | jq -S '[.nodes[] | {name, state, pid, interfaces}], [.links[] | {name, state}]')
check "link del that disconnects is refused" bash -c "! \"$VNET_BIN/vnet\" --socket '$SOCK' link del red/r5-r4 2>'$T/err' && grep -q 'not connected' '$T/err'"
check "the refused change left everything as it was" test "$(vnet --json status red | jq -S '[.nodes[] | {name, state, pid, interfaces}], [.links[] | {name, state}]')" = "$snap"
check "router del with links is refused, naming them" bash -c "! \"$VNET_BIN/vnet\" --socket '$SOCK' router del red/r5 2>'$T/err' && grep -q 'r5-r4' '$T/err'"
check "link add red/r1-r5" vnet link add red/r1-r5
check "link del red/r5-r4" vnet link del red/r5-r4
check "link del red/r1-r5 is now refused (r5's last link)" bash -c "! \"$VNET_BIN/vnet\" --socket '$SOCK' link del red/r1-r5 2>/dev/null"
"$VNET_BIN/vnet" --socket "$SOCK" --json status red | jq -r '.links[].name' | tr '\n' ' ' >"$T/links"
check "links are the ring, h1-r1 and r1-r5 ($(cat $T/links))" grep -q 'r1-r5' "$T/links"

# router del: drop its last link through vnet up (the file without r5)
check "vnet up of the original file removes r5 and its link" bash -c "\"$VNET_BIN/vnet\" --socket '$SOCK' up live.yaml >'$T/up.out' && grep -q 'removed router r5' '$T/up.out' && grep -q 'removed link r1-r5' '$T/up.out'"
check "r5 is gone" bash -c "! \"$VNET_BIN/vnet\" --socket '$SOCK' router show red/r5 2>/dev/null"
check "no cgroup of r5 is left" bash -c "! ls -d /sys/fs/cgroup/*/$PREFIX/red/r5 2>/dev/null | grep -q ."
check "existing nodes unchanged after vnet up" test "$(ifaces)" = "$before"

# vnet up with a modified file: only the difference
cat > live2.yaml <<'Y'
networks:
  red:
    protocol: ospf
    prefix: 10.1.0.0/16
    routers: [r1, r2, r3, r4, r6]
    hosts: [h1]
    links:
      - {ends: [r1, r2], delay: 5ms}
      - [r2, r3]
      - [r3, r4]
      - [r4, r1]
      - [h1, r1]
      - [r6, r3]
Y
out=$(vnet up live2.yaml 2>&1); echo "$out"
check "vnet up says what changed" bash -c "grep -q 'added router r6' <<<'$out' && grep -q 'added link r6-r3' <<<'$out' && grep -q 'link r1-r2: delay 0 -> 5ms' <<<'$out'"
check "and nothing else" test "$(grep -c '^network red:' <<<"$out")" = 3
check "r1-r2 has the new delay" test "$(vnet --json link show red/r1-r2 | jq -r .forward.delay)" = 5ms
# and the engine applies it, both ways: r1 -> r2's end of the link and back
r2ip=$(vnet --json router show red/r2 | jq -r '.interfaces[] | select(.peer == "r1") | .addresses[0]' | cut -d/ -f1)
rtt=$(vnet exec red/r1 -- ping -n -c3 -i0.2 -W2 "$r2ip" | sed -n 's|.* = \([0-9.]*\)/.*|\1|p')
check "r1 -> r2 takes the new delay both ways (min RTT ${rtt:-none} ms >= 10)" \
  awk -v r="${rtt:-0}" 'BEGIN { exit !(r >= 10 && r < 30) }'
if retry 60 vnet exec red/h1 -- ping -c1 -W1 r6; then pass "r6 routes"; else
  fail "r6 routes"
  # what the routers know, to tell an address, a link or a routing fault apart
  vnet exec red/h1 -- grep r6 /etc/hosts
  ospf_state r6 r3 r1
  vnet link stats red/r6-r3
fi
check "existing nodes unchanged after the second vnet up" test "$(ifaces)" = "$before"
check "protocol change is refused" bash -c "sed 's/ospf/rip/' live2.yaml >live3.yaml; ! \"$VNET_BIN/vnet\" --socket '$SOCK' up live3.yaml 2>'$T/err' && grep -q 'changing the protocol of a running network is not supported: vnet down red first' '$T/err'"
check "the same file again changes nothing and says so" bash -c "\"$VNET_BIN/vnet\" --socket '$SOCK' up live2.yaml >'$T/out' && test \"\$(cat '$T/out')\" = 'network red: unchanged'"

wait $PING 2>/dev/null
loss=$(sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p' "$T/ping.out")
log "ping h1 -> r3 during the changes: ${loss:-?}% loss"
check "traffic to r3 kept flowing during the changes (loss $loss% < 20%)" awk -v l="${loss:-100}" 'BEGIN{exit !(l < 20)}'

# after a restart of the daemon, the stored spec keeps the slots
check "shutdown" vnet shutdown
retry 10 bash -c "! test -S '$SOCK'"
start_daemon
check "net start" vnet net start red
check "after restart the addresses are the same" test "$(ifaces)" = "$before"
finish
