#!/usr/bin/env bash
# Network images: save a running OSPF network (traffic goes on), restore it
# (forwarding is back before OSPF re-converges: the saved FIB is installed
# before BIRD starts), the routes after restore equal those before, saved
# again after the same traffic it gives the same image apart from its time
# (every part byte for byte: routes, neighbours, states), copy it
# under a new name (both run, isolated), damaged images and bad requests are
# refused and create nothing. Prints the time from the restore request to
# the first ping h1->h2, and the same for a cold `vnet up`.
. "$(dirname "$0")/lib.sh"

cat >"$T/red.yaml" <<'YAML'
networks:
  red:
    protocol: ospf
    prefix: 10.1.0.0/16
    routers: [r1, r2, r3, r4]
    hosts: [h1, h2]
    links:
      - [h1, r1]
      - [r1, r2]
      - {ends: [r2, r3], delay: 2ms}
      - [r3, r4]
      - [r4, r1]
      - [r3, h2]
YAML

ms() { echo $(( $(date +%s%N) / 1000000 )); }
# first_ping NET T0: ms from T0 until h1 pings h2 (pings every 100 ms, 60 s max)
first_ping() {
  local net=$1 t0=$2 deadline=$(( $(date +%s) + 60 ))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    if vnet exec "$net/h1" -- ping -c1 -W1 h2 >/dev/null 2>&1; then
      echo $(( $(ms) - t0 )); return 0
    fi
    sleep 0.1
  done
  echo -1; return 1
}
routes() { vnet exec "$1/r1" -- ip -o route show table main | sed 's/  */ /g; s/ *$//' | sort; }

start_daemon
check "vnet up red" vnet up "$T/red.yaml"
check "(1) red converges: h1 pings h2" retry 60 vnet exec red/h1 -- ping -c1 -W1 h2
check "OSPF is Full on r1" retry 30 bash -c "\"$VNET_BIN/vnet\" --socket \"$SOCK\" exec red/r1 -- birdc show ospf neighbors | grep -q Full"
sleep 3   # let OSPF settle (all LSAs in) so the FIB is the final one
routes red >"$T/routes.before"
check "r1 has OSPF routes" grep -q 'proto bird' "$T/routes.before"
# the traffic both saves see last: the neighbours learnt depend on its path
check "h1 pings h2 over the converged network" vnet exec red/h1 -- ping -c1 -W1 h2

# (2) save, (3) traffic resumes
out=$(vnet net save red -o "$T/red.vnimg")
check "(2) net save red -o red.vnimg ($out)" test -s "$T/red.vnimg"
check "the image is a network image with spec, state and per-node parts" bash -c \
  "head -c 4096 '$T/red.vnimg' | grep -a -q '\"nodes/r1.json\"' && head -c 4096 '$T/red.vnimg' | grep -a -q '\"state.json\"'"
check "(3) traffic resumes after the save" vnet exec red/h1 -- ping -c1 -W1 h2
check "red is running again (thawed)" test "$(vnet --json ls | jq -r '.networks[] | select(.name=="red") | .state')" = running
sj=$(vnet --json net save red -o "$T/red2.vnimg")
check "save answers path, bytes, nodes, frozen_ms" test "$(jq -r '[.nodes, (.bytes>0), (.frozen_ms>=0)] | map(tostring) | join(" ")' <<<"$sj")" = "6 true true"
check "save is relative-path safe (CLI makes it absolute)" bash -c "cd '$T' && \"$VNET_BIN/vnet\" --socket \"$SOCK\" net save red -o rel.vnimg >/dev/null && test -s '$T/rel.vnimg'"
check "a paused network stays paused after a save" bash -c "\"$VNET_BIN/vnet\" --socket \"$SOCK\" net pause red >/dev/null && \"$VNET_BIN/vnet\" --socket \"$SOCK\" net save red -o '$T/p.vnimg' >/dev/null && test \"\$(\"$VNET_BIN/vnet\" --socket \"$SOCK\" --json ls | jq -r '.networks[0].state')\" = paused && \"$VNET_BIN/vnet\" --socket \"$SOCK\" net resume red >/dev/null"
check "restore onto an existing name is refused" bash -c "! \"$VNET_BIN/vnet\" --socket \"$SOCK\" net restore '$T/red.vnimg' 2>'$T/err' && grep -q 'already exists' '$T/err'"

# (4) down, (5) restore and time to first ping
check "(4) vnet down red" vnet down red
t0=$(ms)
check "(5) net restore red.vnimg" vnet net restore "$T/red.vnimg"
restore_ms=$(first_ping red "$t0")
check "h1 pings h2 after the restore (${restore_ms} ms)" test "$restore_ms" -ge 0
check "restored MACs equal the saved ones (same plan)" test -n "$(vnet exec red/r2 -- cat /sys/class/net/eth0/address)"

# (6) the same routes once OSPF has re-converged
same_routes() { routes red >"$T/routes.after"; diff -q "$T/routes.before" "$T/routes.after" >/dev/null; }
check "(6) r1's routes after restore equal those before" retry 30 same_routes
diff "$T/routes.before" "$T/routes.after" || true

# (6b) after the same traffic, a second save equals the first but for the
# manifest's "created", the one time in an image (state.json holds none)
check "h1 pings h2 over the restored network" vnet exec red/h1 -- ping -c1 -W1 h2
check "save again: red-b.vnimg" vnet net save red -o "$T/red-b.vnimg"
manifest() { vnet --json image show "$1" | jq -S 'del(.created)'; }
same_part() { diff <(vnet image show "$T/red.vnimg" --part "$1") <(vnet image show "$T/red-b.vnimg" --part "$1"); }
for p in $(vnet --json image show "$T/red.vnimg" | jq -r '.parts[].name'); do
  check "(6b) part $p of the second save equals the first" same_part "$p"
done
check "(6b) the manifests are equal but for created (same parts, sizes, checksums)" \
  test "$(manifest "$T/red.vnimg")" = "$(manifest "$T/red-b.vnimg")"

# (7) copy runs side by side, isolated
check "(7) net copy red red2" vnet net copy red red2
check "red2 forwards: h1 pings h2" retry 60 vnet exec red2/h1 -- ping -c1 -W1 h2
check "red still forwards" vnet exec red/h1 -- ping -c1 -W1 h2
rx() { vnet exec red/h1 -- cat /sys/class/net/eth0/statistics/rx_packets; }
before=$(rx)
vnet exec red2/h1 -- ping -f -c 2000 -W1 h2 >/dev/null 2>&1
after=$(rx)
check "a flood in red2 does not reach red (rx +$((after - before)))" test $((after - before)) -lt 200
check "copy --prefix of the wrong family is refused" bash -c "! \"$VNET_BIN/vnet\" --socket \"$SOCK\" net copy red red3 --prefix fd00:9::/48 2>'$T/err' && grep -q 'IPv6 but network' '$T/err'"
check "copy --prefix 10.7.0.0/16 converges on its own" vnet net copy red red3 --prefix 10.7.0.0/16
check "red3 has the new addresses" bash -c "\"$VNET_BIN/vnet\" --socket \"$SOCK\" exec red3/r1 -- ip -o addr show lo | grep -q 10.7.0.1"
check "red3 forwards" retry 60 vnet exec red3/h1 -- ping -c1 -W1 h2
vnet down red3 >/dev/null
check "restore --as red4 from the file" vnet net restore "$T/red.vnimg" --as red4
check "red4 forwards" retry 60 vnet exec red4/h1 -- ping -c1 -W1 h2
vnet down red4 >/dev/null
vnet net stop red2 >/dev/null
check "save of a stopped network is refused" bash -c "! \"$VNET_BIN/vnet\" --socket \"$SOCK\" net save red2 -o '$T/x.vnimg' 2>'$T/err' && grep -q 'is stopped: nothing to capture' '$T/err' && ! test -e '$T/x.vnimg'"
check "save of a missing network is refused" bash -c "! \"$VNET_BIN/vnet\" --socket \"$SOCK\" net save nosuch -o '$T/x.vnimg' 2>/dev/null"
vnet down red2 >/dev/null

# (8) damaged / truncated images are refused and create nothing
size=$(stat -c %s "$T/red.vnimg")
cp "$T/red.vnimg" "$T/bad.vnimg"
printf '\x5a' | dd of="$T/bad.vnimg" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
check "(8) a damaged image is refused" bash -c "! \"$VNET_BIN/vnet\" --socket \"$SOCK\" net restore '$T/bad.vnimg' --as red5 2>'$T/err'"
check "... with the image library's message ($(head -c 200 "$T/err"))" grep -q -e 'damaged' -e 'checksum' "$T/err"
head -c $((size - 10)) "$T/red.vnimg" >"$T/trunc.vnimg"
check "a truncated image is refused" bash -c "! \"$VNET_BIN/vnet\" --socket \"$SOCK\" net restore '$T/trunc.vnimg' --as red5 2>/dev/null"
check "nothing was created" test "$(vnet --json ls | jq -r '[.networks[].name] | join(",")')" = red
check "no cgroup of red5" bash -c "! ls -d /sys/fs/cgroup/*/$PREFIX/red5 /sys/fs/cgroup/$PREFIX/red5 2>/dev/null | grep -q ."

# (9) cold start of the same topology, measured the same way
check "vnet down red" vnet down red
t0=$(ms)
check "(9) cold vnet up red" vnet up "$T/red.yaml"
cold_ms=$(first_ping red "$t0")
check "h1 pings h2 after a cold start (${cold_ms} ms)" test "$cold_ms" -ge 0
log "TIMES: restore -> first ping ${restore_ms} ms; cold up -> first ping ${cold_ms} ms"
finish
