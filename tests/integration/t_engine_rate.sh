#!/bin/bash
# t_engine_rate.sh - the shaper: a UDP iperf3 through bandwidth=10mbit is
# received at 10 Mbit/s (+-5 % for the payload, +-2 % on the wire); a rate
# change while the flow runs applies within the second; a short queue
# drops the excess and counts it.
. "$(dirname "$0")/engine_lib.sh"
command -v iperf3 >/dev/null || die "iperf3 not installed"

start_engine
start_pair bandwidth=10mbit

# udp_run SECONDS OFFERED [CHANGE_AFTER CHANGE_PROPS...]: server intervals
# in $TMP/srv.json. The change is made once the link has delivered
# CHANGE_AFTER bytes of the flow in direction 0: the flow's own clock (at
# 10 Mbit/s 1.25 MB a second), which a slow start of iperf3 does not move.
udp_run() {
	local secs=$1 rate=$2 b0
	shift 2
	b0=$(stat 0 tx_bytes)
	ns_iperf_server -J >"$TMP/srv.json" 2>&1
	ip netns exec "$NSA" iperf3 -c $IPB -u -b "$rate" -t "$secs" -J >"$TMP/cli.json" 2>&1 &
	local cli=$!
	BG_PIDS+=($cli)
	if [ $# -gt 0 ]; then
		wait_until 60 stat_reaches 0 tx_bytes $((b0 + $1))
		shift
		link_set "$@"
	fi
	wait $cli
	ns_iperf_server_wait
}
# mean received bit rate over server intervals [from, to)
rx_rate() { jq "[.intervals[$1:$2][].sum.bits_per_second] | add / length" "$TMP/srv.json"; }
blksize() { jq '.start.test_start.blksize' "$TMP/cli.json"; }

udp_run 5 12M
r=$(rx_rate 1 5)
b=$(blksize)
wire=$(awk "BEGIN { print $r * ($b + 42) / $b }")
check "bandwidth=10mbit: UDP payload $(awk "BEGIN {printf \"%.3f\", $r/1e6}") Mbit/s within 10 +-5 %" \
	fcmp "$r >= 9.5e6 && $r <= 10.5e6"
check "bandwidth=10mbit: on the wire $(awk "BEGIN {printf \"%.3f\", $wire/1e6}") Mbit/s within 10 +-2 %" \
	fcmp "$wire >= 9.8e6 && $wire <= 10.2e6"

# live change to 5mbit at t=2.8 s (3.5 MB delivered at 10 Mbit/s); the
# queue built up by the excess is served at the new rate
udp_run 6 12M 3500000 bandwidth=5mbit
before=$(rx_rate 1 2)
after=$(rx_rate 4 6)
check "live change: before $(awk "BEGIN {printf \"%.3f\", $before/1e6}") Mbit/s (~9.7)" \
	fcmp "$before >= 9.2e6 && $before <= 10.5e6"
check "live change: after $(awk "BEGIN {printf \"%.3f\", $after/1e6}") Mbit/s (~4.86)" \
	fcmp "$after >= 4.6e6 && $after <= 5.25e6"

# a 20-frame queue at 2x overload drops about half, counted as "queue"
link_set bandwidth=10mbit queue=20
q0=$(stat 0 drop_queue)
udp_run 2 20M
r=$(rx_rate 0 2)
q1=$(stat 0 drop_queue)
check "queue=20 at 20M offered: received $(awk "BEGIN {printf \"%.3f\", $r/1e6}") Mbit/s" \
	fcmp "$r >= 9.0e6 && $r <= 10.5e6"
check "queue drops counted ($q0 -> $q1)" [ "$q1" -gt $((q0 + 500)) ]
finish
