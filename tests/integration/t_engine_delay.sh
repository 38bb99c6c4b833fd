#!/bin/bash
# t_engine_delay.sh - delay and jitter: with delay=10ms each way the ping
# RTT is 20 ms (+-1 ms); a delay change while pings flow takes effect on
# the next frames; jitter without reorder keeps ICMP sequence order.
. "$(dirname "$0")/engine_lib.sh"

start_engine
start_pair delay=10ms

# The median, not the mean nor one sample: a VM's vCPU is now and then
# descheduled for milliseconds, which says nothing about the engine.
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'; }
rtts_of() { sed -n 's/.*icmp_seq=\([0-9]*\) .*time=\([0-9.]*\).*/\1 \2/p' "$1"; }
ip netns exec "$NSA" ping -n -c 30 -i 0.05 -W 1 $IPB >"$TMP/ping0.out" 2>&1
rtts=$(rtts_of "$TMP/ping0.out" | cut -d' ' -f2 | sort -n)
n=$(echo "$rtts" | grep -c .)
med=$(echo "$rtts" | median)
min=$(echo "$rtts" | head -1)
check "delay=10ms: all pings answered ($n/30)" [ "$n" = 30 ]
check "delay=10ms: RTT median $med ms within 20+-1 ms" fcmp "${med:-0} >= 19 && ${med:-0} <= 21"
check "delay=10ms: no RTT below 20 ms (min $min)" fcmp "${min:-0} >= 20"

# change while traffic flows: delay 10ms -> 40ms one way (A->B only),
# once the third reply is in (ping prints each reply at once), wherever
# that is in time: the first three round trips take 20 ms, the last ten
# 50 ms
ip netns exec "$NSA" ping -n -c 40 -i 0.05 -W 2 $IPB >"$TMP/ping.out" 2>&1 &
BG_PIDS+=($!)
wait_until 30 grep -qs 'icmp_seq=3 ' "$TMP/ping.out"
link_set dir=0 delay=40ms
wait "${BG_PIDS[-1]}"
first=$(rtts_of "$TMP/ping.out" | awk '$1 <= 3 { print $2 }' | median)
last=$(rtts_of "$TMP/ping.out" | awk '$1 > 30 { print $2 }' | median)
check "live change: RTT before ${first:-none} ms (~20, median of 3)" \
	fcmp "${first:-0} >= 19 && ${first:-0} <= 21"
check "live change: RTT after ${last:-none} ms (~50, median of 10)" \
	fcmp "${last:-0} >= 49 && ${last:-0} <= 51"

# jitter, no reorder: replies come back in sequence order
link_set delay=10ms jitter=5ms
ip netns exec "$NSA" ping -n -c 100 -i 0.002 -W 2 $IPB >"$TMP/ping2.out" 2>&1
seqs=$(sed -n 's/.*icmp_seq=\([0-9]*\) .*/\1/p' "$TMP/ping2.out" | tr '\n' ' ')
sorted=$(echo "$seqs" | tr ' ' '\n' | grep . | sort -n | tr '\n' ' ')
check "jitter without reorder: $(echo "$seqs" | wc -w) replies in order" [ "$seqs" = "$sorted" ]
mdev=$(sed -n 's|^rtt [^=]*= [0-9.]*/[0-9.]*/[0-9.]*/\([0-9.]*\) ms.*|\1|p' "$TMP/ping2.out")
check "jitter spreads the RTT (mdev $mdev ms)" fcmp "${mdev:-0} >= 1"

# reorder: some replies overtake others
link_set jitter=0 reorder=30%
ip netns exec "$NSA" ping -n -c 100 -i 0.002 -W 2 $IPB >"$TMP/ping3.out" 2>&1
seqs=$(sed -n 's/.*icmp_seq=\([0-9]*\) .*/\1/p' "$TMP/ping3.out" | tr '\n' ' ')
sorted=$(echo "$seqs" | tr ' ' '\n' | grep . | sort -n | tr '\n' ' ')
check "reorder=30%: replies out of order" [ "$seqs" != "$sorted" ]
check "reorder counted" [ "$(stat 0 reordered)" -gt 0 ]

# ENG_SHUTDOWN: exit 0
eng --shutdown
wait "$ENGINE_PID"
rc=$?
ENGINE_PID=
check "engine exits 0 on SHUTDOWN" [ "$rc" = 0 ]
finish
