#!/usr/bin/env bash
# Trace-driven links (mahimahi traces): a direction set to a trace of one
# delivery opportunity per millisecond carries 12 Mbit/s of IP packets
# (UDP through iperf3, within 2 %); a bursty trace repeats (11
# opportunities every 20 ms = 6.6 Mbit/s); the other direction keeps its
# own model; `vnet link show` names the file; a bad file is refused with
# its file:line and changes nothing; the trace survives a stop and start of
# the network, a restart of vnetd (adopted) and of the engine (replayed);
# trace=none restores the link.
. "$(dirname "$0")/lib.sh"
command -v iperf3 >/dev/null || { echo "SKIP: iperf3 not installed"; exit 77; }

cat > "$T/net.yaml" <<'Y'
networks:
  tr:
    protocol: none
    prefix: 10.62.0.0/24
    hosts: [alice, bob]
    links: [[alice, bob]]
Y
start_daemon
check "up" vnet up "$T/net.yaml"
check "alice reaches bob" retry 10 vnet exec tr/alice -- ping -c1 -W1 bob

# PATCH /v1/links/tr/alice-bob with {"set": SET, "dir": DIR}: prints the code
patch() {
  curl -s -o "$T/body" -w '%{http_code}' --unix-socket "$SOCK" -X PATCH \
    -d "{\"set\": $1${2:+, \"dir\": \"$2\"}}" http://vnet/v1/links/tr/alice-bob
}
# IP-level rate (bit/s) of a UDP flow offered at $1 for $2 s, from $3 to
# $4 (default alice to bob)
udp_rate() {
  local from=${3:-alice} to=${4:-bob}
  iperf_server tr/$to -J >"$T/srv.json" 2>&1
  vnet exec tr/$from -- iperf3 -c $to -u -b "$1" -t "$2" -J >"$T/cli.json" 2>&1
  iperf_server_wait
  local r b
  r=$(jq "[.intervals[1:$2][].sum.bits_per_second] | add / length" "$T/srv.json")
  b=$(jq '.start.test_start.blksize' "$T/cli.json")
  awk "BEGIN { printf \"%.0f\", $r * ($b + 28) / $b }"	# + UDP and IP headers
}
mbit() { awk "BEGIN { printf \"%.2f\", $1 / 1e6 }"; }

seq 1 1 >"$T/one.trace"				# one opportunity per ms, repeating
{ seq 1 10; echo 20; } >"$T/burst.trace"	# 10 in a row, then 10 ms of nothing

check "trace=FILE on alice>bob: 200" test "$(patch "{\"trace\": \"$T/one.trace\"}" 'alice>bob')" = 200
check "link show names the file on that direction only" \
  test "$(vnet --json link show tr/alice-bob | jq -r '(.forward.trace // "-") + " " + (.reverse.trace // "-")')" = "$T/one.trace -"

r=$(udp_rate 20M 5)
check "one opportunity per ms: $(mbit $r) Mbit/s of IP packets (12 +-2 %)" \
  awk "BEGIN { exit !($r >= 11.76e6 && $r <= 12.24e6) }"
drops=$(vnet --json link stats tr/alice-bob | jq '.stats.forward.drops.queue')
check "the excess is dropped at the queue ($drops)" test "$drops" -gt 1000
r=$(udp_rate 50M 3 bob alice)
check "bob>alice keeps its own model (unshaped): $(mbit $r) Mbit/s" awk "BEGIN { exit !($r >= 48e6) }"
# 20 pings at an interval that is not a whole number of ms, so that the
# waits for the next 1 ms opportunity spread over [0, 1) ms (mean 0.5)
rev=$(vnet exec tr/bob -- ping -c 20 -i 0.037 -q alice | sed -n 's|.*= [0-9.]*/\([0-9.]*\)/.*|\1|p')
check "a reply waits for the next opportunity: RTT $rev ms (0.25 to 3; unshaped ~0.1)" \
  awk "BEGIN { exit !($rev >= 0.25 && $rev < 3) }"

check "trace=burst.trace (11 opportunities every 20 ms): 200" \
  test "$(patch "{\"trace\": \"$T/burst.trace\"}" 'alice>bob')" = 200
r=$(udp_rate 20M 5)
check "bursty trace repeats: $(mbit $r) Mbit/s (6.6 +-2 %)" \
  awk "BEGIN { exit !($r >= 6.468e6 && $r <= 6.732e6) }"

# errors: the file and line, and nothing changes
printf '1\n5\n3\n' >"$T/bad.trace"
check "a decreasing trace is refused with 400" test "$(patch "{\"trace\": \"$T/bad.trace\"}")" = 400
check "... naming file and line" \
  test "$(jq -r .error "$T/body")" = "$T/bad.trace:3: 3 ms comes after 5 ms on line 2: times must not decrease"
check "a relative path is refused" test "$(patch '{"trace": "one.trace"}')" = 400
check "a bad trace with another property changes neither" \
  test "$(patch "{\"trace\": \"$T/bad.trace\", \"delay\": \"5ms\"}")" = 400
check "... the link is as it was" \
  test "$(vnet --json link show tr/alice-bob | jq -r '(.forward.trace // "-") + " " + (.forward.delay // "-")')" = "$T/burst.trace -"

# the trace comes back with the network
check "network stop" curl -sf -o /dev/null --unix-socket "$SOCK" -X POST http://vnet/v1/networks/tr/stop
check "network start" curl -sf -o /dev/null --unix-socket "$SOCK" -X POST http://vnet/v1/networks/tr/start
check "alice reaches bob again" retry 10 vnet exec tr/alice -- ping -c1 -W1 bob
r=$(udp_rate 20M 4)
check "after a restart the trace still shapes: $(mbit $r) Mbit/s (6.6 +-2 %)" \
  awk "BEGIN { exit !($r >= 6.468e6 && $r <= 6.732e6) }"

# vnetd killed and restarted: it adopts the engine, and knows the trace again
kill -9 "$(daemon_pid)"
sleep 1
start_daemon
check "after vnetd restarts, link show still names the trace" \
  test "$(vnet --json link show tr/alice-bob | jq -r '.forward.trace // "-"')" = "$T/burst.trace"
# the engine killed: vnetd replays the link, with its trace
engine=$(vnet --json daemon status | jq .engine.pid)
kill -9 "$engine"
check "vnetd restarts the engine" retry 10 bash -c \
  "p=\$(\"$VNET_BIN/vnet\" --socket \"$SOCK\" --json daemon status | jq .engine.pid); test \"\$p\" -gt 0 -a \"\$p\" != $engine"
check "alice reaches bob through the new engine" retry 10 vnet exec tr/alice -- ping -c1 -W1 bob
r=$(udp_rate 20M 4)
check "the new engine follows the trace: $(mbit $r) Mbit/s (6.6 +-2 %)" \
  awk "BEGIN { exit !($r >= 6.468e6 && $r <= 6.732e6) }"

check "trace=none: 200" test "$(patch '{"trace": "none"}')" = 200
check "link show has no trace" test "$(vnet --json link show tr/alice-bob | jq -r '.forward.trace // "-"')" = -
r=$(udp_rate 50M 3)
check "without the trace 50M goes through: $(mbit $r) Mbit/s" awk "BEGIN { exit !($r >= 48e6) }"
finish
