#!/usr/bin/env bash
# The daemon's life: SIGTERM removes every namespace, interface, cgroup,
# mount and process it made; after a crash (kill -9) `vnet cleanup` removes
# the leftovers; the state store keeps the records across both.
. "$(dirname "$0")/lib.sh"

cat > "$T/net.yaml" <<'Y'
networks:
  red:
    protocol: ospf
    prefix: 10.1.0.0/16
    routers: [r1, r2]
    hosts: [h1]
    links: [[h1, r1], [r1, r2]]
Y
ours() { pgrep -f "vnet-init $PREFIX:" | wc -l; }
cgroups() { ls -d /sys/fs/cgroup/*/"$PREFIX" 2>/dev/null | wc -l; }

start_daemon
check "up" vnet up "$T/net.yaml"
check "three containers run" test "$(ours)" = 3
pid=$(daemon_pid)
engine=$(vnet --json daemon status | jq .engine.pid)
kill -TERM "$pid"
check "vnetd exits on SIGTERM" retry 15 bash -c "! kill -0 $pid 2>/dev/null"
check "no container is left after SIGTERM" test "$(ours)" = 0
check "the engine is gone" bash -c "! kill -0 $engine 2>/dev/null"
check "no cgroup is left" test "$(cgroups)" = 0
check "no socket is left" test ! -e "$SOCK"
check "no bird of ours is left" bash -c "! pgrep -f 'bird -f -c /etc/bird/bird[.]conf' -P $pid"

start_daemon
check "the record survived: red is stopped" \
  test "$(vnet --json ls | jq -r '.networks[] | .name + ":" + .state')" = "red:stopped"
check "net start red" vnet net start red
check "it runs again" test "$(ours)" = 3
check "and routes" retry 30 vnet exec red/h1 -- ping -c1 -W1 r2

pid=$(daemon_pid)
kill -9 "$pid"
sleep 0.5
check "after kill -9 the containers are still there" test "$(ours)" = 3
check "vnet cleanup" vnet --state-dir "$STATE" --prefix "$PREFIX" cleanup
check "cleanup removed every container" test "$(ours)" = 0
check "cleanup removed every cgroup" test "$(cgroups)" = 0
start_daemon
check "the record survived the crash" \
  test "$(vnet --json ls | jq -r '.networks[] | .name + ":" + .state')" = "red:stopped"
finish
