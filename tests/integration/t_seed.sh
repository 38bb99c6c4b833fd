#!/usr/bin/env bash
# The example of two parallel virtual networks (examples/seed.yaml) end to
# end: bring-up, routing across each network (OSPF/IPv4, RIPng/IPv6), the
# containers' isolation, live link changes, carrier, router stop/start with
# the same interfaces, live resources, BIRD supervision, `vnet down` of one
# network leaving the other untouched, records across a daemon restart.
. "$(dirname "$0")/lib.sh"

start_daemon
check "vnet up examples/seed.yaml" vnet up "$VNET_SRC/examples/seed.yaml"

ls_json=$(vnet --json ls)
check "ls shows red and blue running" \
  test "$(jq -r '[.networks[] | .name + ":" + .state] | join(",")' <<<"$ls_json")" = "red:running,blue:running"
check "red has 6 nodes and 6 links" \
  test "$(jq '.networks[0] | (.nodes|length), (.links|length)' <<<"$ls_json" | tr '\n' ' ')" = "6 6 "

check "red converges: h1 pings h2 across the OSPF ring" retry 60 vnet exec red/h1 -- ping -c1 -W1 h2
check "blue converges: b1 pings b2 over IPv6 RIPng" retry 60 vnet exec blue/b1 -- ping -c1 -W1 b2
out=$(vnet exec red/h1 -- ping -c3 -i0.2 h2)
check "ping -c3 across red loses nothing" grep -q ' 0% packet loss' <<<"$out"

# Containers: own hostname, own PID namespace, own /etc/hosts, BIRD inside.
check "hostname is the router's name" test "$(vnet exec red/r1 -- hostname)" = r1
check "PID namespace: init is pid 1" test "$(vnet exec red/r1 -- cat /proc/1/cmdline | tr '\0' ' ')" = "vnet-init $PREFIX:red/r1 "
check "/etc/hosts names the network's nodes" bash -c "vnet() { \"$VNET_BIN/vnet\" --socket \"$SOCK\" \"\$@\"; }; vnet exec red/r2 -- cat /etc/hosts | grep -q 'h2\$'"
check "OSPF adjacencies are Full" retry 20 bash -c "\"$VNET_BIN/vnet\" --socket \"$SOCK\" exec red/r1 -- birdc show ospf neighbors | grep -q Full"
check "two networks run two protocols" bash -c "\"$VNET_BIN/vnet\" --socket \"$SOCK\" exec blue/hub -- birdc show protocols | grep -q RIP"
st=$(vnet --json status red)
check "status shows addresses and routing state" \
  test "$(jq -r '.nodes[] | select(.name=="r1") | .loopback[0] + " " + .routing.state' <<<"$st")" = "10.1.0.1/32 running"
check "status lists the protocols BIRD runs" \
  test "$(jq -r '[.nodes[] | select(.name=="r1") | .routing.protocols[].proto] | index("OSPF") != null' <<<"$st")" = true

# Live link change: delay on r1-r2 shows in the RTT between r1 and r2.
r2addr=$(jq -r '.nodes[] | select(.name=="r1") | .interfaces[] | select(.peer=="r2") | .addresses[0]' <<<"$st")
peer=$(jq -r '.nodes[] | select(.name=="r2") | .interfaces[] | select(.peer=="r1") | .addresses[0] | split("/")[0]' <<<"$st")
# one ping first: when r1 has no neighbour entry for r2 yet (nothing but
# OSPF multicast crossed the link), the first ping waits for ARP over the
# link. The minimum of five: the delay is a floor, and a busy machine only
# adds to some of the round trips.
rtt() { vnet exec red/r1 -- ping -c1 -W2 "$peer" >/dev/null 2>&1
        vnet exec red/r1 -- ping -c5 -i0.2 -q "$peer" | sed -n 's/.*= \([0-9.]*\)\/.*/\1/p'; }
check "link set delay=20ms" vnet link set red/r1-r2 delay=20ms
avg=$(rtt)
check "min RTT over r1-r2 is 40 ms (+3) after delay=20ms (got $avg)" awk -v a="$avg" 'BEGIN{exit !(a>=40 && a<=43)}'
check "link set dir=r1>r2 delay=0ms" vnet link set red/r1-r2 delay=0ms dir='r1>r2'
avg=$(rtt)
check "min RTT is 20 ms with one direction cleared (got $avg)" awk -v a="$avg" 'BEGIN{exit !(a>=20 && a<=23)}'
lj=$(vnet --json link show red/r1-r2)
check "link show reports per-direction properties" \
  test "$(jq -r '(.forward.delay // "none") + " " + .reverse.delay' <<<"$lj")" = "none 20ms"
vnet link set red/r1-r2 delay=0ms >/dev/null

# Carrier: a link down, or a stopped end, is carrier down at the other end.
ifr1=$(jq -r '.nodes[] | select(.name=="r1") | .interfaces[] | select(.peer=="r2") | .name' <<<"$st")
carrier() { vnet exec red/r1 -- cat /sys/class/net/$ifr1/carrier 2>/dev/null; }
check "link down" vnet link down red/r1-r2
check "carrier off at r1 when r1-r2 is down" retry 5 test "$(carrier)" = 0
check "h1 still reaches h2 around the ring" retry 30 vnet exec red/h1 -- ping -c1 -W1 h2
check "link up" vnet link up red/r1-r2
check "carrier back at r1" retry 5 test "$(carrier)" = 1

mac_before=$(jq -r '.nodes[] | select(.name=="r2") | .interfaces[0].mac' <<<"$st")
check "router stop red/r2" vnet router stop red/r2
check "r2 is stopped" test "$(vnet --json router show red/r2 | jq -r .state)" = stopped
check "its peer sees carrier down" retry 5 test "$(carrier)" = 0
check "the link r1-r2 is still defined" vnet link show red/r1-r2
check "router start red/r2" vnet router start red/r2
check "r2 comes back with the same MAC" \
  test "$(vnet exec red/r2 -- cat /sys/class/net/eth0/address)" = "$mac_before"
check "its peer sees carrier up" retry 5 test "$(carrier)" = 1
check "r2 routes again" retry 30 vnet exec red/r2 -- ping -c1 -W1 h1

# Resources, live.
check "router set cpu=25% memory=64M" vnet router set red/r2 cpu=25% memory=64M
rj=$(vnet --json router show red/r2)
check "status shows the limits" test "$(jq -r '.cpu + " " + .memory' <<<"$rj")" = "25% 64M"
cpufile=$(jq -r '.cgroup_procs[]' <<<"$rj" | grep -E '/cpu/|^/sys/fs/cgroup/[^/]+/red' | head -1)
cgdir=$(dirname "$cpufile")
if [ -e "$cgdir/cpu.cfs_quota_us" ]; then
  check "cpu quota is 25 ms per 100 ms" test "$(cat "$cgdir/cpu.cfs_quota_us")" = 25000
else
  check "cpu.max is 25000 100000" test "$(cat "$cgdir/cpu.max")" = "25000 100000"
fi
check "usage is reported" test "$(jq '.usage.memory_bytes > 0' <<<"$rj")" = true

# BIRD supervision: kill it, it comes back, the event is logged and counted.
birdpid=$(vnet --json router show red/r3 | jq .routing.pid)
kill -9 "$birdpid"
check "BIRD is restarted after being killed" retry 10 bash -c \
  "test \"\$(\"$VNET_BIN/vnet\" --socket \"$SOCK\" --json router show red/r3 | jq -r '.routing.state + \" \" + (.routing.restarts|tostring)')\" = 'running 1'"
check "the restart shows in vnet logs" bash -c "\"$VNET_BIN/vnet\" --socket \"$SOCK\" logs red/r3 | grep -q 'bird restarted'"

# vnet down red: blue untouched.
check "vnet down red" vnet down red
check "red is gone" test "$(vnet --json ls | jq -r '[.networks[].name] | join(",")')" = blue
check "no cgroup of red is left" bash -c "! ls -d /sys/fs/cgroup/*/$PREFIX/red 2>/dev/null | grep -q ."
check "blue still forwards" vnet exec blue/b1 -- ping -c2 -W1 b2

# Daemon restart keeps the record.
check "shutdown" vnet shutdown
retry 10 bash -c "! test -S '$SOCK'"
start_daemon
check "after a restart the record of blue is there (stopped)" \
  test "$(vnet --json ls | jq -r '[.networks[] | .name + ":" + .state] | join(",")')" = "blue:stopped"
check "net start brings it back" retry 5 bash -c "\"$VNET_BIN/vnet\" --socket \"$SOCK\" --json ls >/dev/null"
finish
