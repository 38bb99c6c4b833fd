#!/usr/bin/env bash
# The data plane's own failures cost milliseconds: `kill -9` of vnet-engine
# under a 100 packets/s flow across a 3-router OSPF line, and an engine that
# hangs (SIGSTOP). vnetd keeps a copy of every port, so the restarted engine
# takes the same devices back: no interface of a router goes or flaps, no
# route moves, OSPF stays Full, and the flow's longest gap stays under
# 100 ms for a crash (a hang is noticed within a second).
. "$(dirname "$0")/lib.sh"

cat >"$T/line.yaml" <<'EOF'
networks:
  line:
    protocol: ospf
    prefix: 10.60.0.0/16
    routers: [k1, k2, k3]
    hosts: [ha, hb]
    links: [[ha, k1], [k1, k2], [k2, k3], [k3, hb]]
EOF
start_daemon
vnet up "$T/line.yaml" >/dev/null || die "line did not come up"
retry 60 vnet exec line/ha -- ping -c1 -W1 hb || die "line did not converge"

engine_pid() { vnet --json daemon status | jq -r '.engine.pid'; }
full() {	# every OSPF neighbour of k1..k3 Full: 1 + 2 + 1 = 4
  local n=0 k
  for k in k1 k2 k3; do
    n=$((n + $(vnet exec "line/$k" -- birdc show ospf neighbors | grep -c Full)))
  done
  [ "$n" = 4 ]
}
routes() { for k in k1 k2 k3; do vnet exec "line/$k" -- ip -4 route; done; }
retry 60 full || die "OSPF not Full"

# flow: ha -> hb, 100 packets/s; gap: longest time between two replies
flow() {	# flow SECONDS OUT
  vnet exec line/ha -- ping -D -n -i 0.01 -w "$1" -W 1 hb >"$2" 2>&1
}
gap_ms() {
  awk -F'[][]' '/bytes from/ { t = $2 + 0; if (p) { g = (t - p) * 1000; if (g > m) m = g }; p = t }
                END { printf "%d\n", m }' "$1"
}
replies() { grep -c "bytes from" "$1"; }
# every interface of k1..k3 with its index and how often its carrier
# changed since it was made: a device made anew or a flap shows here
links() {
  local k i
  for k in k1 k2 k3; do
    for i in $(vnet exec "line/$k" -- ls /sys/class/net); do
      [ "$i" = lo ] && continue
      echo "$k $i $(vnet exec "line/$k" -- cat /sys/class/net/$i/ifindex /sys/class/net/$i/carrier_changes | tr '\n' ' ')"
    done
  done
}

# (1) kill -9 of the engine under traffic
before=$(routes)
ifs=$(links)
old=$(engine_pid)
flow 6 "$T/ping1" &
FLOW=$!
retry 5 test -s "$T/ping1"
retry 10 bash -c "[ \$(grep -c 'bytes from' '$T/ping1') -ge 100 ]" || fail "the flow did not start"
kill -9 "$old"
retry 10 bash -c "[ \"\$('$VNET_BIN/vnet' --socket '$SOCK' --json daemon status | jq -r .engine.pid)\" != '$old' ]" ||
  fail "no new engine"
wait "$FLOW"
g=$(gap_ms "$T/ping1")
log "engine killed: $(replies "$T/ping1") replies, longest gap $g ms"
log "TIMES: engine_kill_gap_ms=$g"
check "a new engine runs ($(engine_pid), was $old)" [ "$(engine_pid)" != "$old" ]
check "longest gap of the 100/s flow under 100 ms (got $g)" [ "$g" -lt 100 ]
after=$(links)
check "every interface of k1..k3 is the same device, its carrier never changed" \
  test "$after" = "$ifs"
[ "$after" = "$ifs" ] || diff <(echo "$ifs") <(echo "$after")
check "routes unchanged" test "$(routes)" = "$before"
check "OSPF Full on every adjacency" full
check "vnet events says the engine restarted" bash -c \
  "'$VNET_BIN/vnet' --socket '$SOCK' events | grep -q 'vnet-engine restarted; links back after'"

# (2) an engine that hangs: replaced within a second
old=$(engine_pid)
flow 6 "$T/ping2" &
FLOW=$!
retry 10 bash -c "[ \$(grep -c 'bytes from' '$T/ping2' 2>/dev/null) -ge 100 ]" || fail "the flow did not start"
kill -STOP "$old"
t0=$EPOCHREALTIME
retry 10 bash -c "[ \"\$('$VNET_BIN/vnet' --socket '$SOCK' --json daemon status | jq -r .engine.pid)\" != '$old' ]" ||
  fail "the hung engine was not replaced"
t1=$EPOCHREALTIME
wait "$FLOW"
g=$(gap_ms "$T/ping2")
log "engine hung: replaced after about $(( (${t1/./} - ${t0/./}) / 1000 )) ms, longest gap $g ms"
check "the hung engine is gone" bash -c "! kill -0 $old 2>/dev/null || grep -q Z /proc/$old/stat"
check "longest gap under 1.5 s (got $g)" [ "$g" -lt 1500 ]
check "every interface is the same device, its carrier never changed" test "$(links)" = "$ifs"
check "routes unchanged" test "$(routes)" = "$before"
check "OSPF Full on every adjacency" full
check "vnet events says it did not answer" bash -c \
  "'$VNET_BIN/vnet' --socket '$SOCK' events | grep -q 'did not answer'"
vnet down line >/dev/null
finish
