#!/usr/bin/env bash
# vnet capture: pcapng of what a link delivers, read by tshark. Five pings
# across the link while a background capture runs give exactly ten ICMP
# frames, each on the interface of its direction, with nanosecond
# timestamps; -c COUNT ends the capture by itself; a capture piped into
# `tshark -r -` works; --dir keeps one direction; TCP's GSO super-frames
# are captured whole into a well-formed file; a reader that does not
# read never slows the link (frames are left out and counted as
# capture_dropped); a second capture of the same link is refused; the
# capture ends when the link goes away.
. "$(dirname "$0")/lib.sh"
command -v tshark >/dev/null || { echo "SKIP: tshark not installed"; exit 77; }
command -v iperf3 >/dev/null || { echo "SKIP: iperf3 not installed"; exit 77; }

cat > "$T/net.yaml" <<'Y'
networks:
  cap:
    protocol: static
    prefix: 10.61.0.0/16
    routers: [r1]
    hosts: [h1, h2]
    links: [[h1, r1], [r1, h2]]
Y
start_daemon
check "up" vnet up "$T/net.yaml"
check "h1 reaches h2 through r1" retry 30 vnet exec cap/h1 -- ping -c1 -W1 h2

VNET=("$VNET_BIN/vnet" --socket "$SOCK")
tshark_n() { tshark -r "$1" ${2:+-Y "$2"} 2>/dev/null | wc -l; }
# wait until vnetd has started the Nth capture of r1-h2 (events)
started() { test "$(vnet events -n 200 | grep -c 'capture of link r1-h2 started')" -ge "$1"; }

# 1. background capture, five pings, SIGINT
"${VNET[@]}" capture cap/r1-h2 -w "$T/bg.pcapng" >"$T/bg.out" 2>&1 &
cap=$!
on_exit "kill $cap"
check "capture started" retry 5 started 1
check "a second capture of the same link is refused (409)" \
  bash -c "! '$VNET_BIN/vnet' --socket '$SOCK' capture cap/r1-h2 -c 1 -w '$T/x.pcapng' 2>'$T/x.err' && grep -q 'being captured already' '$T/x.err'"
out=$(vnet exec cap/h1 -- ping -c 5 -i 0.2 h2)
check "ping while capturing loses nothing" grep -q ' 0% packet loss' <<<"$out"
sleep 0.3
kill -INT $cap
wait $cap
check "vnet capture exits 0 on Ctrl-C" test $? = 0
check "tshark reads the file: 10 ICMP frames (got $(tshark_n "$T/bg.pcapng" icmp))" \
  test "$(tshark_n "$T/bg.pcapng" icmp)" = 10
check "requests on interface r1>h2, replies on h2>r1" test "$(tshark -r "$T/bg.pcapng" -Y icmp \
  -T fields -e icmp.type -e frame.interface_name 2>/dev/null | sort -u | tr '\t\n' ' ')" = "0 h2>r1 8 r1>h2 "
check "nanosecond timestamps" \
  grep -qE '^[0-9]+\.[0-9]{9}$' <(tshark -r "$T/bg.pcapng" -T fields -e frame.time_epoch 2>/dev/null | head -1)
check "Ethernet frames of 98 bytes" test "$(tshark -r "$T/bg.pcapng" -Y icmp -T fields -e frame.len \
  2>/dev/null | sort -u)" = 98
check "the closing line counts the frames" grep -qE '^[0-9]+ frames captured from r1-h2 into ' "$T/bg.out"

# 2. -c COUNT: the capture ends by itself
"${VNET[@]}" capture cap/r1-h2 -c 6 -w "$T/c.pcapng" >"$T/c.out" 2>&1 &
cap=$!
check "capture -c 6 started" retry 5 started 2
vnet exec cap/h1 -- ping -c 5 -i 0.2 h2 >/dev/null
check "capture -c 6 ends by itself" retry 5 bash -c "! kill -0 $cap 2>/dev/null"
wait $cap
check "... with status 0" test $? = 0
check "... and 6 frames in the file (got $(tshark_n "$T/c.pcapng"))" test "$(tshark_n "$T/c.pcapng")" = 6
check "... ICMP among them" test "$(tshark_n "$T/c.pcapng" icmp)" -ge 4
check "... and says so" grep -q '^6 frames captured from r1-h2 into ' "$T/c.out"

# 3. piped into tshark -r -, one direction
( "${VNET[@]}" capture cap/r1-h2 -c 4 --dir 'r1>h2' 2>/dev/null |
  tshark -r - -T fields -e frame.interface_name -e icmp.type >"$T/pipe.txt" 2>/dev/null ) &
pipe=$!
check "piped capture started" retry 5 started 3
vnet exec cap/h1 -- ping -c 5 -i 0.2 h2 >/dev/null
check "the pipeline ends after 4 frames" retry 5 bash -c "! kill -0 $pipe 2>/dev/null"
check "tshark -r - shows 4 frames (got $(wc -l <"$T/pipe.txt"))" test "$(wc -l <"$T/pipe.txt")" = 4
check "--dir r1>h2: only that direction, echo requests in it" \
  test "$(cut -f1 "$T/pipe.txt" | sort -u)" = 'r1>h2' -a "$(grep -c $'\t8$' "$T/pipe.txt")" -ge 2

# 4. TCP with offloads: GSO super-frames are captured whole, and blocks
# bigger than the pipe takes at once, and a Ctrl-C in the middle of the
# stream, still make a well-formed file
iperf_server cap/h2 >/dev/null 2>&1
"${VNET[@]}" capture cap/r1-h2 -w "$T/tcp.pcapng" >/dev/null 2>&1 &
cap=$!
check "TCP capture started" retry 5 started 4
vnet exec cap/h1 -- iperf3 -c h2 -t 2 >/dev/null 2>&1 &
cli=$!
sleep 1
kill -INT $cap	# in the middle of the transfer: the file must still end with a whole block
wait $cap
wait $cli
iperf_server_wait
check "tshark reads the whole TCP capture" bash -c \
  "tshark -r '$T/tcp.pcapng' -T fields -e frame.len >'$T/tcp.len' 2>'$T/tcp.err' || { cat '$T/tcp.err'; false; }"
check "it holds GSO super-frames (largest $(sort -n "$T/tcp.len" | tail -1) bytes)" \
  test "$(sort -n "$T/tcp.len" | tail -1)" -gt 1514
rm -f "$T/tcp.pcapng"

# 5. a reader that never reads does not slow the link
iperf_server cap/h2 -J >"$T/srv.json" 2>&1
( "${VNET[@]}" capture cap/r1-h2 | sleep 15 ) &
stuck=$!
check "stuck capture started" retry 5 started 5
sleep 0.3
vnet exec cap/h1 -- iperf3 -c h2 -u -b 100M -t 3 -J >"$T/cli.json" 2>&1
iperf_server_wait
rate=$(jq '[.intervals[0:3][].sum.bits_per_second] | add / length' "$T/srv.json")
check "UDP at 100M offered is received at $(awk "BEGIN {printf \"%.1f\", $rate/1e6}") Mbit/s (>= 95) while nobody reads the capture" \
  awk "BEGIN { exit !($rate >= 95e6) }"
dropped=$(vnet --json link stats cap/r1-h2 | jq '.stats.forward.capture_dropped')
check "frames left out of the capture are counted (capture_dropped $dropped)" test "$dropped" -gt 0
pkill -P $stuck 2>/dev/null
kill $stuck 2>/dev/null
wait $stuck 2>/dev/null

# 6. the capture ends when the link goes away
"${VNET[@]}" capture cap/r1-h2 -w "$T/end.pcapng" 2>/dev/null &
cap=$!
check "last capture started" retry 5 started 6
check "vnet down" vnet down cap
check "the capture ends with the link" retry 5 bash -c "! kill -0 $cap 2>/dev/null"
wait $cap
check "... with status 0 and a readable file" bash -c "test $? = 0 && tshark -r '$T/end.pcapng' >/dev/null 2>&1"
finish
