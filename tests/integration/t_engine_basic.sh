#!/bin/bash
# t_engine_basic.sh - vnet-engine forwards between two TAPs: ping works,
# counters count, administrative down and a detached side show NO-CARRIER
# and drop, the link keeps forwarding without a controller, LINK_LIST
# finds it, SIGTERM exits 0 and closes the TAPs. (Malformed frames cannot
# be made to come out of a TAP; tests/unit/test_linkmodel.c covers them.)
. "$(dirname "$0")/engine_lib.sh"

start_engine --threads 2
start_pair

read -r sent recv avg <<<"$(ping_ab 5 0.05)"
check "ping through an unshaped link ($recv/$sent, avg ${avg} ms)" [ "$recv" = 5 ]
check "counters: frames A->B seen" [ "$(stat 0 tx_frames)" -ge 5 ]
check "counters: frames B->A seen" [ "$(stat 1 tx_frames)" -ge 5 ]
check "LINK_LIST shows the link" [ "$(eng --list)" = 7 ]
check "both sides attached, up" [ "$(eng --stats 7 | jq -c 'select(.up != null)')" = '{"up":1,"attached":[1,1]}' ]
check "carrier on" ip -n "$NSA" link show "$IFA" | grep -q LOWER_UP

# a second link (id 8: the other worker) works alongside and goes away
# without disturbing the first
PAIR2=$(add_pair 8 "${P}a2" "${P}b2" 10.77.1.1 10.77.1.2 delay=1ms) || die "second eng_pair"
BG_PIDS+=($PAIR2)
out=$(ip netns exec "$NSA" ping -n -q -c 3 -i 0.05 -W 1 10.77.1.2 2>&1)
check "second link forwards" bash -c "echo '$out' | grep -q ' 3 received'"
check "LINK_LIST shows both links" [ "$(eng --list | tr '\n' ' ')" = "7 8 " ]

# idle links cost nothing: no wakeups, no CPU, even with a delay set
# (the 2 s are the measurement, not a wait)
eng --set 8 delay=5ms loss=1%
wait_engine_idle
s0=$(engine_switches); t0=$(engine_ticks)
sleep 2
s1=$(engine_switches); t1=$(engine_ticks)
check "idle: engine threads woke $((s1 - s0)) times in 2 s" [ $((s1 - s0)) -le 2 ]
check "idle: engine used $((t1 - t0)) CPU ticks in 2 s" [ $((t1 - t0)) -le 1 ]

stop_pid "$PAIR2"
check "eng_pair exit deleted link 8" [ "$(eng --list | tr '\n' ' ')" = "7 " ]
read -r sent recv avg <<<"$(ping_ab 3 0.05)"
check "first link unaffected ($recv/$sent)" [ "$recv" = 3 ]

# administrative down: carrier off on both, frames dropped as "down"
eng --state 7 down
check "down: NO-CARRIER on side a" bash -c "ip -n $NSA link show $IFA | grep -q NO-CARRIER"
check "down: NO-CARRIER on side b" bash -c "ip -n $NSB link show $IFB | grep -q NO-CARRIER"
read -r sent recv avg <<<"$(ping_ab 3 0.05)"
check "down: ping fails ($recv/$sent)" [ "$recv" = 0 ]
eng --state 7 up
check "up again: carrier on" bash -c "ip -n $NSA link show $IFA | grep -q LOWER_UP"
read -r sent recv avg <<<"$(ping_ab 3 0.05)"
check "up again: ping works ($recv/$sent)" [ "$recv" = 3 ]

# mtu: the link carries at most 1000-byte packets, the TAPs still 1500
eng --set 7 mtu=1000
m0=$(stat 0 drop_mtu)
out=$(ip netns exec "$NSA" ping -n -q -c 2 -i 0.05 -W 1 -M dont -s 972 $IPB 2>&1)
check "mtu=1000: 1000-byte packets pass" bash -c "echo '$out' | grep -q ' 2 received'"
out=$(ip netns exec "$NSA" ping -n -q -c 2 -i 0.05 -W 1 -M dont -s 973 $IPB 2>&1)
check "mtu=1000: 1001-byte packets dropped" bash -c "echo '$out' | grep -q ' 0 received'"
check "mtu drops counted" [ "$(stat 0 drop_mtu)" -ge $((m0 + 2)) ]
eng --set 7 mtu=1500

# control socket: a new controller replaces the old one; a malformed
# request gets -EPROTO and the engine goes on. The script says when it is
# connected, and the shell connects the new controller only then; the
# script then waits for the engine to hang up on it (EOF), however long
# that takes on a busy machine.
if command -v python3 >/dev/null; then
	python3 - "$SOCK" >"$TMP/py.out" 2>&1 <<'PY' &
import socket, struct, sys
old = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
old.connect(sys.argv[1])
print("connected", flush=True)
old.settimeout(60)
try:
    print("replaced" if old.recv(64) == b"" else "still connected", flush=True)
except socket.timeout:
    print("still connected after 60 s", flush=True)
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])
s.settimeout(60)
s.send(b"garbage!!!")
rep = s.recv(4096)
print("status", struct.unpack_from("<i", rep, 8)[0], flush=True)
PY
	pypid=$!
	wait_until 30 grep -qs '^connected$' "$TMP/py.out" || cat "$TMP/py.out"
	eng --hello >/dev/null
	wait $pypid
	check "a new controller replaces the old one" grep -q '^replaced$' "$TMP/py.out"
	check "malformed request answered with -EPROTO" grep -q '^status -71$' "$TMP/py.out"
	read -r sent recv avg <<<"$(ping_ab 2 0.05)"
	check "still forwarding" [ "$recv" = 2 ]
fi

# port kinds: a VXLAN tunnel end and a QEMU socket are not implemented
# yet, a TAP needs its descriptor; each is refused and the link stays
for k in vxlan qemu_socket; do
	out=$(eng --attach 7 1 $k 2>&1)
	check "PORT_ATTACH of kind $k: not supported ($out)" \
		[ "$out" = "eng_pair: PORT_ATTACH: Operation not supported" ]
done
check "the engine log names the kind" grep -q 'side 1: a port of kind vxlan' "$TMP/engine.log"
out=$(eng --attach 7 1 tap 2>&1)
check "PORT_ATTACH of a TAP without its fd: refused ($out)" \
	[ "$out" = "eng_pair: PORT_ATTACH: Bad file descriptor" ]
check "refused attaches leave both sides attached" \
	[ "$(eng --stats 7 | jq -c 'select(.up != null) | .attached')" = '[1,1]' ]
read -r sent recv avg <<<"$(ping_ab 2 0.05)"
check "... and forwarding ($recv/$sent)" [ "$recv" = 2 ]

# a side detached: the other side sees NO-CARRIER, its frames are dropped
eng --detach 7 1
check "detached: NO-CARRIER on side a" bash -c "ip -n $NSA link show $IFA | grep -q NO-CARRIER"
# the closing thread closes the TAP a little later
check "detached: TAP b is gone with its last fd" \
	wait_until 20 bash -c "! ip -n $NSB link show $IFB 2>/dev/null"
check "detached: stats say side 1 unattached" [ "$(eng --stats 7 | jq -c 'select(.up != null) | .attached')" = '[1,0]' ]

# tap_relay, the floor bench/links.sh measures the engine against: two
# multi-queue TAPs (tap_open_queues), a thread per queue pair
RQA=${P}qa RQB=${P}qb
"$BIN/tap_relay" --ns-a "$NSA" --if-a "$RQA" --ns-b "$NSB" --if-b "$RQB" --queues 2 \
	>"$TMP/relay.out" 2>&1 &
RELAY_PID=$!
BG_PIDS+=($RELAY_PID)
wait_until 30 pair_started "$TMP/relay.out" $RELAY_PID
check "tap_relay: TAPs with 2 queues each" bash -c "ip -n $NSA -d link show $RQA | grep -q 'multi_queue numqueues 2' &&
	ip -n $NSB -d link show $RQB | grep -q 'multi_queue numqueues 2'"
ip -n "$NSA" addr add 10.75.0.1/24 dev "$RQA"
ip -n "$NSB" addr add 10.75.0.2/24 dev "$RQB"
out=$(ip netns exec "$NSA" ping -c 3 -i 0.05 -W 2 10.75.0.2 2>&1)
check "tap_relay forwards" bash -c "echo '$out' | grep -q ' 3 received'"
stop_pid "$RELAY_PID"
check "tap_relay's TAPs go with it" bash -c "! ip -n $NSA link show $RQA 2>/dev/null &&
	! ip -n $NSB link show $RQB 2>/dev/null"
"$BIN/tap_relay" --ns-a "$NSA" --if-a "$RQA" --ns-b "${P}none" --if-b "$RQB" --queues 2 \
	>"$TMP/relay.out" 2>&1
rc=$?
check "tap_relay: a missing namespace is an error ($rc: $(cat "$TMP/relay.out"))" \
	bash -c "[ $rc = 1 ] && grep -q 'namespace ${P}none' '$TMP/relay.out'"
check "tap_relay: side a's TAP removed after the error" bash -c "! ip -n $NSA link show $RQA 2>/dev/null"

# SIGTERM: exit 0
kill "$ENGINE_PID"
wait "$ENGINE_PID"
rc=$?
ENGINE_PID=
check "engine exits 0 on SIGTERM" [ "$rc" = 0 ]
check "engine removed its socket" [ ! -e "$SOCK" ]
check "engine closed the TAPs" bash -c "! ip -n $NSA link show $IFA 2>/dev/null"
finish
