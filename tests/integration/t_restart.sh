#!/usr/bin/env bash
# The data plane outlives the control plane: kill -9 of vnetd while iperf3
# runs across a link does not stop the transfer, and the restarted vnetd
# adopts the running containers, BIRDs and engine. If the engine itself
# dies, vnetd restarts it and re-creates every link with its settings.
. "$(dirname "$0")/lib.sh"

cat > "$T/net.yaml" <<'Y'
networks:
  red:
    protocol: ospf
    prefix: 10.1.0.0/16
    routers: [r1, r2]
    hosts: [h1, h2]
    links:
      - [h1, r1]
      - {ends: [r1, r2], bandwidth: 50mbit, delay: 1ms}
      - [r2, h2]
Y
start_daemon
check "up" vnet up "$T/net.yaml"
check "routes" retry 40 vnet exec red/h1 -- ping -c1 -W1 h2

iperf_server red/h2 >/dev/null 2>&1
vnet exec red/h1 -- iperf3 -c h2 -p 5201 -t 6 -i 1 --json >"$T/iperf.json" 2>&1 &
client=$!
sleep 2
pid=$(daemon_pid)
kill -9 "$pid"
log "killed vnetd ($pid) during the transfer"
sleep 1
start_daemon
wait $client
check "the transfer completed" jq -e '.end.sum_received.bytes > 0' "$T/iperf.json"
intervals=$(jq -r '[.intervals[].sum.bits_per_second | floor] | map(tostring) | join(" ")' "$T/iperf.json")
log "per-second rates (bit/s): $intervals"
check "no second of the transfer stalled" \
  jq -e '[.intervals[].sum.bits_per_second] | min > 20000000' "$T/iperf.json"
check "the restarted vnetd adopted the network" \
  test "$(vnet --json ls | jq -r '.networks[0].state')" = running
check "it adopted the running engine" grep -q "engine adopted" "$STATE/vnetd.log"
check "link settings are still in force" \
  test "$(vnet --json link show red/r1-r2 | jq -r .forward.bandwidth)" = 50mbit
check "BIRD is still supervised" test "$(vnet --json router show red/r1 | jq -r .routing.state)" = running

# The engine dies: vnetd restarts it and replays the links.
engine=$(vnet --json daemon status | jq .engine.pid)
kill -9 "$engine"
check "vnetd restarts the engine" retry 10 bash -c \
  "p=\$(\"$VNET_BIN/vnet\" --socket \"$SOCK\" --json daemon status | jq .engine.pid); test \"\$p\" -gt 0 -a \"\$p\" != $engine"
check "forwarding is back" retry 30 vnet exec red/h1 -- ping -c1 -W1 h2
check "the gap is logged" grep -q "links back after" "$STATE/vnetd.log"
check "the link's settings were replayed" \
  test "$(vnet --json link show red/r1-r2 | jq -r '.forward.bandwidth + " " + .forward.delay')" = "50mbit 1ms"
rtt=$(vnet exec red/r1 -- ping -c3 -i0.2 -q r2 | sed -n 's/.*= [0-9.]*\/\([0-9.]*\)\/.*/\1/p')
check "and in force in the new engine (RTT $rtt ms >= 2)" awk -v a="$rtt" 'BEGIN{exit !(a>=2)}'
finish
