#!/bin/bash
# t_engine_loss.sh - loss, burst loss, duplication, corruption, and the
# offload decision: while a per-segment effect is set the ingress TAP
# hands over MTU-sized frames only; without it, TCP super-frames pass.
. "$(dirname "$0")/engine_lib.sh"

start_engine
start_pair loss=10%

# 500 pings, 10 % loss each way: round trip loses 19 %; binomial(500,
# 0.19) has mean 95, sd 8.8: 99.9 % interval [66, 124]
read -r sent recv avg <<<"$(ping_ab 500 0.004)"
lost=$((sent - recv))
check "loss=10%: $lost of $sent round trips lost, within [66, 124]" \
	[ "$sent" = 500 -a "$lost" -ge 66 -a "$lost" -le 124 ]
d=$(( $(stat 0 drop_loss) + $(stat 1 drop_loss) ))
check "loss counters ($d) match lost pings ($lost)" [ $((d - lost)) -ge 0 -a $((d - lost)) -le 5 ]

avg_frame() {	# mean frame size read on side a since the counters were $1 $2
	local f b
	f=$(stat 0 rx_frames)
	b=$(stat 0 rx_bytes)
	echo $(((b - $2) / (f - $1 + 1)))
}
if command -v iperf3 >/dev/null; then
	link_set loss=0.01%
	f0=$(stat 0 rx_frames); b0=$(stat 0 rx_bytes)
	ns_iperf_server >/dev/null 2>&1
	ip netns exec "$NSA" iperf3 -c $IPB -t 1 >/dev/null 2>&1
	a=$(avg_frame $f0 $b0)
	check "loss set: offloads off, TCP frames <= 1514 bytes (mean $a)" [ "$a" -le 1514 ]
	link_set loss=0
	f0=$(stat 0 rx_frames); b0=$(stat 0 rx_bytes)
	ns_iperf_server >/dev/null 2>&1
	ip netns exec "$NSA" iperf3 -c $IPB -t 1 >/dev/null 2>&1
	a=$(avg_frame $f0 $b0)
	check "loss cleared: offloads on, TCP super-frames pass (mean $a bytes)" [ "$a" -gt 4000 ]
fi

# Gilbert-Elliott: to the bad state at once, never back, nothing passes
link_set loss=0 loss_p=100% loss_r=0 loss_h=0
read -r sent recv avg <<<"$(ping_ab 10 0.02)"
check "GE p=100% r=0 h=0: at most the first round trip passes ($recv/$sent)" [ "$recv" -le 1 ]
check "burst losses counted" [ "$(stat 0 drop_burst_loss)" -ge 9 ]
link_set loss_p=0 loss_r=0 loss_h=0
read -r sent recv avg <<<"$(ping_ab 5 0.02)"
check "GE off again: pings pass ($recv/$sent)" [ "$recv" = 5 ]

# duplication: every reply arrives twice
link_set duplicate=100%
out=$(ip netns exec "$NSA" ping -n -c 5 -i 0.05 $IPB 2>&1)
check "duplicate=100%: DUP! replies" [ "$(echo "$out" | grep -c 'DUP!')" -ge 5 ]
check "duplicates counted" [ "$(stat 0 duplicated)" -ge 5 ]
link_set duplicate=0

# corruption A->B: every request has a flipped bit and fails a checksum
link_set dir=0 corrupt=100%
read -r sent recv avg <<<"$(ping_ab 10 0.02)"
check "corrupt=100%: no request survives ($recv/$sent)" [ "$recv" = 0 ]
check "corruptions counted" [ "$(stat 0 corrupted)" -ge 10 ]
link_set dir=0 corrupt=0
read -r sent recv avg <<<"$(ping_ab 5 0.02)"
check "corruption off: pings pass ($recv/$sent)" [ "$recv" = 5 ]
finish
