#!/usr/bin/env bash
# bench/links.sh - how close a vnet-engine link comes to a direct veth pair,
# and how exactly it emulates rate, delay, loss and a live change.
#
#   bash bench/links.sh [--runs N] [--quick] [--out FILE] [--rows LIST]
#
# --rows picks figures (comma-separated: tcp1, tcp4, udp64, rate, delay,
# loss, change; default all).
# Needs root, iproute2, iperf3, ping, jq, python3, and the built programs
# vnet-engine, eng_pair and tap_relay (VNET_BIN, default build/bin); builds
# nothing. Makes eight network namespaces under a unique prefix (vb<pid>),
# in pairs: a veth pair (the baseline); one vnet-engine link built with
# tests/tools/eng_pair (TAPs with offloads, as vnetd makes them) and a
# private engine; and for the TCP figures two bare relays
# (tests/tools/tap_relay: the same TAPs, frames copied across and nothing
# else), one with a single queue and one with a queue per CPU. All traffic
# stays between these namespaces; everything is removed on exit (trap),
# also on failure or ^C.
#
# Each figure is the median of --runs runs (default 5; --quick: 3 runs and
# shorter transfers); engine and baseline runs alternate so that they share
# the machine's noise. Output: one markdown table of the figures, then one
# of what the TCP runs cost in CPU (also written to --out).
set -uo pipefail

RUNS=5
QUICK=0
OUT=
ROWSEL=tcp1,tcp4,udp64,rate,delay,loss,change
usage() {
	sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'
	exit "${1:-0}"
}
while [ $# -gt 0 ]; do
	case $1 in
	--runs) RUNS=${2:-}; shift 2 ;;
	--quick) QUICK=1; shift ;;
	--out) OUT=${2:-}; shift 2 ;;
	--rows) ROWSEL=${2:-}; shift 2 ;;
	-h | --help) usage 0 ;;
	*) echo "links.sh: unknown option '$1'" >&2; usage 2 ;;
	esac
done
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || { echo "links.sh: --runs needs a number >= 1" >&2; exit 2; }
if [ $QUICK = 1 ]; then
	RUNS=3
	T_TCP=3 T_UDP=2 T_RATE=3 N_PING=100
else
	T_TCP=5 T_UDP=3 T_RATE=4 N_PING=300
fi

BIN=${VNET_BIN:-$(cd "$(dirname "$0")/.." && pwd)/build/bin}
[ "$(id -u)" = 0 ] || { echo "links.sh: needs root (network namespaces)" >&2; exit 77; }
for t in ip iperf3 ping jq python3 awk; do
	command -v $t >/dev/null || { echo "links.sh: $t is not installed" >&2; exit 1; }
done
[ -x "$BIN/vnet-engine" ] && [ -x "$BIN/eng_pair" ] && [ -x "$BIN/tap_relay" ] ||
	{ echo "links.sh: no vnet-engine, eng_pair and tap_relay in $BIN (set VNET_BIN)" >&2; exit 1; }

P=vb$$
MAIN=$$
TMP=$(mktemp -d "/tmp/$P.XXXXXX")
NS_EA=${P}ea NS_EB=${P}eb	# the engine link's two ends
NS_VA=${P}va NS_VB=${P}vb	# the veth pair's two ends
NS_RA=${P}ra NS_RB=${P}rb	# bare relay, one queue
NS_MA=${P}ma NS_MB=${P}mb	# bare relay, a queue per CPU
IF_EA=${P}e0 IF_EB=${P}e1 IF_VA=${P}v0 IF_VB=${P}v1
IF_RA=${P}r0 IF_RB=${P}r1 IF_MA=${P}m0 IF_MB=${P}m1
IP_EA=10.78.0.1 IP_EB=10.78.0.2 IP_VA=10.79.0.1 IP_VB=10.79.0.2
IP_RA=10.77.0.1 IP_RB=10.77.0.2 IP_MA=10.76.0.1 IP_MB=10.76.0.2
MQ=$(nproc)
[ "$MQ" -ge 2 ] || MQ=2
[ "$MQ" -le 16 ] || MQ=16
SOCK=$TMP/engine.sock
ENGINE_PID= PAIR_PID=
PIDS=()
NSLIST=()

stop_pid() {	# pid: SIGTERM, then SIGKILL after 3 s
	local pid=$1 i
	[ -n "$pid" ] || return 0
	kill "$pid" 2>/dev/null || return 0
	for i in $(seq 30); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}
cleanup() {
	local p ns
	# whatever still runs in our namespaces was started by this script
	for ns in "${NSLIST[@]}"; do
		for p in $(ip netns pids "$ns" 2>/dev/null); do kill "$p" 2>/dev/null; done
	done
	for p in "${PIDS[@]}"; do stop_pid "$p"; done
	stop_pid "$PAIR_PID"
	stop_pid "$ENGINE_PID"
	for ns in "${NSLIST[@]}"; do ip netns del "$ns" 2>/dev/null; done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '%s %s\n' "$(date +%T)" "$*" >&2; }
die() { log "links.sh: $*"; kill -TERM "$MAIN" 2>/dev/null; exit 1; }

# ---- setup ------------------------------------------------------------------

for ns in $NS_EA $NS_EB $NS_VA $NS_VB $NS_RA $NS_RB $NS_MA $NS_MB; do
	ip netns add "$ns" || die "ip netns add $ns"
	NSLIST+=("$ns")
	ip -n "$ns" link set lo up
	# no IPv6: no ND/MLD frames in the counts
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1 \
		net.ipv6.conf.all.disable_ipv6=1
done

ip link add "$IF_VA" netns "$NS_VA" type veth peer name "$IF_VB" netns "$NS_VB" ||
	die "cannot make the veth pair"
ip -n "$NS_VA" addr add $IP_VA/24 dev "$IF_VA"
ip -n "$NS_VB" addr add $IP_VB/24 dev "$IF_VB"
ip -n "$NS_VA" link set "$IF_VA" up
ip -n "$NS_VB" link set "$IF_VB" up

"$BIN/vnet-engine" --socket "$SOCK" --foreground --log "$TMP/engine.log" &
ENGINE_PID=$!
for i in $(seq 50); do
	[ -S "$SOCK" ] && "$BIN/eng_pair" --engine-socket "$SOCK" --hello >/dev/null 2>&1 && break
	sleep 0.1
done
"$BIN/eng_pair" --engine-socket "$SOCK" --ns-a "$NS_EA" --if-a "$IF_EA" --ns-b "$NS_EB" \
	--if-b "$IF_EB" --id 1 >"$TMP/pair.out" 2>&1 &
PAIR_PID=$!
for i in $(seq 50); do
	grep -q '^ready$' "$TMP/pair.out" && break
	sleep 0.1
done
grep -q '^ready$' "$TMP/pair.out" || die "eng_pair: $(cat "$TMP/pair.out")"
ip -n "$NS_EA" addr add $IP_EA/24 dev "$IF_EA"
ip -n "$NS_EB" addr add $IP_EB/24 dev "$IF_EB"

relay() {	# nsa ifa ipa nsb ifb ipb queues: a bare relay between two new TAPs
	local out=$TMP/relay.$2 i
	"$BIN/tap_relay" --ns-a "$1" --if-a "$2" --ns-b "$4" --if-b "$5" --queues "$7" >"$out" 2>&1 &
	PIDS+=($!)
	for i in $(seq 50); do
		grep -q '^ready$' "$out" && break
		sleep 0.1
	done
	grep -q '^ready$' "$out" || die "tap_relay: $(cat "$out")"
	ip -n "$1" addr add "$3/24" dev "$2"
	ip -n "$4" addr add "$6/24" dev "$5"
}
relay "$NS_RA" "$IF_RA" $IP_RA "$NS_RB" "$IF_RB" $IP_RB 1
relay "$NS_MA" "$IF_MA" $IP_MA "$NS_MB" "$IF_MB" $IP_MB "$MQ"

# static neighbours on every pair: no ARP in the counts
mac() { ip -n "$1" -j link show "$2" | jq -r '.[0].address'; }
neighbours() {	# nsa ifa ipa nsb ifb ipb
	ip -n "$1" neigh replace "$6" lladdr "$(mac "$4" "$5")" dev "$2" nud permanent
	ip -n "$4" neigh replace "$3" lladdr "$(mac "$1" "$2")" dev "$5" nud permanent
}
neighbours "$NS_EA" "$IF_EA" $IP_EA "$NS_EB" "$IF_EB" $IP_EB
neighbours "$NS_VA" "$IF_VA" $IP_VA "$NS_VB" "$IF_VB" $IP_VB
neighbours "$NS_RA" "$IF_RA" $IP_RA "$NS_RB" "$IF_RB" $IP_RB
neighbours "$NS_MA" "$IF_MA" $IP_MA "$NS_MB" "$IF_MB" $IP_MB

# a process in each receiving namespace: /proc/PID/net/dev shows its counters
watcher() { ip netns exec "$1" sleep infinity & PIDS+=($!); }
watcher "$NS_EB"; RX_PID_E=$!
watcher "$NS_VB"; RX_PID_V=$!
watcher "$NS_RB"; RX_PID_R=$!
watcher "$NS_MB"; RX_PID_M=$!

link_set() { "$BIN/eng_pair" --engine-socket "$SOCK" --set 1 "$@" >/dev/null || die "link set $*"; }
stats() { "$BIN/eng_pair" --engine-socket "$SOCK" --stats 1; }
stat0() { stats | jq -r "select(.dir == 0) | .$1"; }	# counter of direction a->b

# kind -> namespaces, addresses, receiving interface. Kinds: e engine,
# v veth, r bare relay with one queue, m bare relay with $MQ queues.
sel() {
	case $1 in
	e) NSA=$NS_EA NSB=$NS_EB IPB=$IP_EB IFB=$IF_EB RXPID=$RX_PID_E ;;
	v) NSA=$NS_VA NSB=$NS_VB IPB=$IP_VB IFB=$IF_VB RXPID=$RX_PID_V ;;
	r) NSA=$NS_RA NSB=$NS_RB IPB=$IP_RB IFB=$IF_RB RXPID=$RX_PID_R ;;
	m) NSA=$NS_MA NSB=$NS_MB IPB=$IP_MB IFB=$IF_MB RXPID=$RX_PID_M ;;
	esac
}
# receive counters of the receiving interface: "bytes packets"
rxc() { awk -v i="$IFB:" '$1 == i { print $2, $3 }' "/proc/$RXPID/net/dev"; }

median() { sort -g | awk '{ v[NR] = $1 } END { if (!NR) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
calc() { awk "BEGIN { print $* }"; }
fmt() { awk -v v="$2" "BEGIN { printf \"$1\", v }"; }

server() {	# kind: one-shot iperf3 server on the receiving side, JSON to $TMP/srv.json
	sel "$1"
	ip netns exec "$NSB" iperf3 -s -1 -B "$IPB" -J >"$TMP/srv.json" 2>>"$TMP/iperf.err" &
	SRV=$!
	for i in $(seq 40); do
		ip netns exec "$NSB" ss -Hltn "sport = :5201" | grep -q . && return 0
		sleep 0.05
	done
	die "iperf3 server did not start in $NSB"
}
client() {	# kind, iperf3 client args...: JSON to $TMP/cli.json
	local k=$1
	shift
	sel "$k"
	ip netns exec "$NSA" iperf3 -c "$IPB" -J "$@" >"$TMP/cli.json" 2>>"$TMP/iperf.err"
	wait "$SRV" 2>/dev/null
}

# ---- figures ---------------------------------------------------------------

num() {	# jq filter on $TMP/cli.json: a number, or die with iperf3's error
	local v
	v=$(jq -r "$1" "$TMP/cli.json" 2>/dev/null)
	[[ "$v" =~ ^[0-9.e+]+$ ]] ||
		die "iperf3 failed: $(jq -r '.error // empty' "$TMP/cli.json" 2>/dev/null || head -3 "$TMP/cli.json")"
	echo "$v"
}

cpu_busy() {	# jiffies of all CPUs: "busy total"
	awk '$1 == "cpu" { t = 0; for (i = 2; i <= NF; i++) t += $i
			   print t - $5 - $6, t; exit }' /proc/stat
}
tcp_run() {	# kind parallel -> "bit/s received, CPU busy fraction, CPU s per GB"
	local c0 c1 b0 b1 bps
	server "$1"
	read -r c0 <<<"$(cpu_busy)"
	b0=$(rxc)
	client "$1" -t "$T_TCP" -O 1 -P "$2"
	read -r c1 <<<"$(cpu_busy)"
	b1=$(rxc)
	bps=$(num '.end.sum_received.bits_per_second')
	# busy share of all CPUs, and busy CPU-seconds per GB that crossed,
	# over the whole transfer (USER_HZ = 100)
	echo "$bps $(calc "(${c1% *} - ${c0% *}) / (${c1#* } - ${c0#* })") $(calc "(${c1% *} - ${c0% *}) / 100 / ((${b1% *} - ${b0% *}) / 1e9)")"
}

udp_window() {	# kind skip window iperf3-args... -> "bytes/s frames/s" received
	# by the far interface from skip s after the start, for window s
	local c1 c2 t1 t2 cl
	server "$1"
	ip netns exec "$NSA" iperf3 -c "$IPB" -u -J "${@:4}" >"$TMP/cli.json" 2>>"$TMP/iperf.err" &
	cl=$!
	sleep "$2"
	t1=$EPOCHREALTIME c1=$(rxc)
	sleep "$3"
	t2=$EPOCHREALTIME c2=$(rxc)
	wait $cl
	wait "$SRV" 2>/dev/null
	echo "$(calc "(${c2% *} - ${c1% *}) / ($t2 - $t1)") $(calc "(${c2#* } - ${c1#* }) / ($t2 - $t1)")"
}

udp64_run() {	# kind -> frames/s delivered to the receiving interface
	local w
	w=$(udp_window "$1" 0.7 "$(calc "$T_UDP" - 1.0)" -l 18 -b 0 -t "$T_UDP")
	echo "${w#* }"
}

rate_run() {	# mbit -> "delivered offered" on the wire (L2 frames), bit/s
	local r=$1 w b
	link_set bandwidth="${r}mbit"
	w=$(udp_window e 1.0 "$(calc "$T_RATE" - 1.3)" -l 1472 -b "$(calc "$r * 1.5")M" -t "$T_RATE")
	b=$(num '.end.sum.bits_per_second')
	echo "$(calc "${w% *} * 8") $(calc "$b * 1514 / 1472")"
	# drop the backlog (12 s of it at 1mbit) before the next run
	"$BIN/eng_pair" --engine-socket "$SOCK" --state 1 down >/dev/null &&
		"$BIN/eng_pair" --engine-socket "$SOCK" --state 1 up >/dev/null || die "link down/up"
}

ping_rtts() {	# count -> one RTT (ms) per line, engine link
	ip netns exec "$NS_EA" ping -n -i 0.01 -W 2 -c "$1" $IP_EB 2>/dev/null |
		sed -n 's/.*time=\([0-9.]*\) ms.*/\1/p'
}
delay_run() {	# -> "mean_excess p99_excess base_mean" in ms over 20 ms
	local base
	link_set delay=0
	base=$(ping_rtts "$N_PING" | awk '{ s += $1 } END { print s / NR }')
	link_set delay=10ms
	ping_rtts "$N_PING" | sort -g | awk -v b="$base" '
		{ v[NR] = $1; s += $1 }
		END { k = int(NR * 0.99 + 0.999999); if (k > NR) k = NR
		      printf "%.3f %.3f %.3f\n", s / NR - b - 20, v[k] - b - 20, b }'
	link_set delay=0
}

loss_run() {	# -> "frames lost" over 100000 UDP frames a->b, loss=1% on a->b
	local rx0 rx1 l0 l1
	link_set dir=0 loss=1%
	rx0=$(stat0 rx_frames) l0=$(stat0 drop_loss)
	server e
	client e -u -l 64 -b 20M -n 6400000
	sleep 0.2
	rx1=$(stat0 rx_frames) l1=$(stat0 drop_loss)
	link_set loss=0
	echo "$((rx1 - rx0)) $((l1 - l0))"
}

# The live change: 60 Mbit/s of UDP into a 50mbit link with a queue long
# enough never to overflow (a backlog builds up), then bandwidth=100mbit:
# the backlog must drain at the new rate at once and no frame may be lost.
cat >"$TMP/step.py" <<'PY'
import subprocess, sys, time
pid, ifname = sys.argv[1], sys.argv[2]
t_change, t_end, new_bps = float(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
cmd = sys.argv[6:]
def rx():
    with open("/proc/%s/net/dev" % pid) as f:
        for line in f:
            name, _, rest = line.partition(":")
            if name.strip() == ifname:
                return int(rest.split()[0])
    raise SystemExit("no interface " + ifname)
t0, s, tc = time.monotonic(), [], None
while True:
    now = time.monotonic() - t0
    s.append((now, rx()))
    if tc is None and now >= t_change:
        tc = time.monotonic() - t0
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    if now >= t_end:
        break
    time.sleep(0.0005)
def at(x):	# counter at time x, interpolated
    for (ta, ba), (tb, bb) in zip(s, s[1:]):
        if ta <= x <= tb:
            return ba + (bb - ba) * (x - ta) / (tb - ta) if tb > ta else ba
    return s[-1][1]
w = 0.02
before = (at(tc) - at(tc - 0.5)) * 8 / 0.5
rates = [(at(tc + (k + 1) * w) - at(tc + k * w)) * 8 / w for k in range(15)]
reach = next(((k + 1) * w * 1000 for k in range(len(rates) - 1)
              if abs(rates[k] - new_bps) <= 0.05 * new_bps and
                 abs(rates[k + 1] - new_bps) <= 0.05 * new_bps), -1)
print("%.0f %.0f %s" % (reach, before, " ".join("%.1f" % (r / 1e6) for r in rates[:8])))
PY
step_run() {	# -> "reach_ms lost before_bps windows..."
	local rx0 tx0 d0 rx1 tx1 d1 out
	link_set bandwidth=50mbit queue=100000
	sel e
	rx0=$(stat0 rx_frames) tx0=$(stat0 tx_frames)
	d0=$(stats | jq -s '[.[0] | to_entries[] | select(.key | startswith("drop_")) | .value] | add')
	server e
	python3 "$TMP/step.py" "$RX_PID_E" "$IF_EB" 1.2 2.0 100e6 \
		"$BIN/eng_pair" --engine-socket "$SOCK" --set 1 bandwidth=100mbit >"$TMP/step.out" &
	local py=$!
	ip netns exec "$NSA" iperf3 -c "$IPB" -u -l 1472 -b 60M -t 2.2 -J >"$TMP/cli.json" 2>>"$TMP/iperf.err"
	wait "$SRV" 2>/dev/null
	wait $py || die "step.py failed"
	for i in $(seq 50); do
		[ "$(stat0 queue_frames)" = 0 ] && break
		sleep 0.1
	done
	rx1=$(stat0 rx_frames) tx1=$(stat0 tx_frames)
	d1=$(stats | jq -s '[.[0] | to_entries[] | select(.key | startswith("drop_")) | .value] | add')
	link_set bandwidth=0 queue=1000
	out=$(cat "$TMP/step.out")
	# lost: frames that entered the link and never left it, by any cause
	echo "${out%% *} $(((rx1 - rx0) - (tx1 - tx0))) $((d1 - d0)) ${out#* }"
}

# ---- runs ------------------------------------------------------------------

ROWS=()
row() { ROWS+=("| $1 | $2 | $3 | $4 | $5 | $6 |"); log "row: $1: $2 ($6)"; }
pf() { if awk "BEGIN { exit !($1) }"; then echo PASS; else echo MISS; fi; }

COST=()
fig_tcp() {	# streams
	local par=$1 r e v q name k kinds="e v r" col
	[ "$par" = 1 ] || kinds="e v r m"
	for k in $kinds; do : >"$TMP/t$k"; done
	for r in $(seq "$RUNS"); do
		for k in $kinds; do
			tcp_run $k "$par" >>"$TMP/t$k"
		done
		log "TCP -P $par run $r (bit/s, CPU busy, CPU s/GB): $(for k in $kinds; do printf '%s: %s; ' $k "$(tail -1 "$TMP/t$k")"; done)"
	done
	col() { cut -d' ' -f"$2" "$TMP/t$1" | median; }	# kind field -> median
	e=$(col e 1) v=$(col v 1) q=$(calc "$e / $v")
	for k in $kinds; do
		case $k in
		e) name="vnet-engine link" ;;
		v) name="veth pair (baseline)" ;;
		r) name="bare relay, 1 queue" ;;
		m) name="bare relay, $MQ queues" ;;
		esac
		COST+=("| $par | $name | $(fmt %.2f "$(calc "$(col $k 1) / 1e9")") | $(fmt %.2f "$(calc "$(col $k 1) / $v")") x | $(fmt %.0f "$(calc "$(col $k 2) * 100")") % | $(fmt %.2f "$(col $k 3)") |")
	done
	if [ "$par" = 1 ]; then
		name="TCP throughput, one iperf3 stream, unshaped link"
	else
		name="TCP throughput, $par streams (-P $par)"
	fi
	row "$name" "$(fmt %.2f "$(calc "$e / 1e9")") Gbit/s" \
		"$(fmt %.2f "$(calc "$v / 1e9")") Gbit/s (veth)" "$(fmt %.2f "$q") x" \
		">= 0.8 x veth" "$(pf "$q >= 0.8")"
}
fig_tcp1() { fig_tcp 1; }
fig_tcp4() { fig_tcp 4; }

fig_udp64() {
	local r e v q
	: >"$TMP/e"
	: >"$TMP/v"
	for r in $(seq "$RUNS"); do
		udp64_run e >>"$TMP/e"
		udp64_run v >>"$TMP/v"
		log "UDP 64 B run $r: engine $(tail -1 "$TMP/e") f/s, veth $(tail -1 "$TMP/v") f/s"
	done
	e=$(median <"$TMP/e") v=$(median <"$TMP/v") q=$(calc "$e / $v")
	row "64-byte UDP frames delivered per second (iperf3 -u -l 18 -b 0)" \
		"$(fmt %.0f "$(calc "$e / 1000")") k/s" \
		"$(fmt %.0f "$(calc "$v / 1000")") k/s (veth)" "$(fmt %.2f "$q") x" \
		">= 0.5 x veth" "$(pf "$q >= 0.5")"
}

fig_rate() {
	local mb r got off e o err note
	for mb in 1 10 100 1000; do
		: >"$TMP/e"
		: >"$TMP/o"
		for r in $(seq "$RUNS"); do
			read -r got off <<<"$(rate_run "$mb")"
			echo "$got" >>"$TMP/e"
			echo "$off" >>"$TMP/o"
			log "rate ${mb}mbit run $r: $(fmt %.4f "$(calc "$got / 1e6")") Mbit/s on the wire (offered $(fmt %.1f "$(calc "$off / 1e6")"))"
		done
		e=$(median <"$TMP/e") o=$(median <"$TMP/o")
		err=$(calc "($e / ($mb * 1e6) - 1) * 100")
		note=
		if awk "BEGIN { exit !($o < $mb * 1e6 * 1.05) }"; then
			note=" (offered only $(fmt %.0f "$(calc "$o / 1e6")") Mbit/s)"
		fi
		row "rate accuracy, bandwidth=${mb}mbit, UDP offered at 1.5 x" \
			"$(fmt %.3f "$(calc "$e / 1e6")") Mbit/s$note" "${mb} Mbit/s" \
			"$(fmt %+.2f "$err") %" "within +-2 % (L2 frames on the wire)" \
			"$(pf "$err >= -2 && $err <= 2")"
	done
	link_set bandwidth=0
}

fig_delay() {
	local r m p b
	: >"$TMP/m"
	: >"$TMP/p"
	: >"$TMP/b"
	for r in $(seq "$RUNS"); do
		read -r m p b <<<"$(delay_run)"
		echo "$m" >>"$TMP/m"
		echo "$p" >>"$TMP/p"
		echo "$b" >>"$TMP/b"
		log "delay run $r: mean $m ms, p99 $p ms off 20 ms (unshaped RTT $b ms)"
	done
	m=$(median <"$TMP/m") p=$(median <"$TMP/p") b=$(median <"$TMP/b")
	row "delay=10ms each way: ping RTT minus unshaped RTT ($N_PING pings, -i 0.01)" \
		"mean $(fmt %.3f "$(calc "20 + $m")") ms, p99 $(fmt %.3f "$(calc "20 + $p")") ms" \
		"unshaped RTT $(fmt %.3f "$b") ms" \
		"mean $(fmt %+.3f "$m") ms, p99 $(fmt %+.3f "$p") ms" \
		"mean within 0.3 ms of 20 ms, p99 within 1 ms" \
		"$(pf "$m >= -0.3 && $m <= 0.3 && $p >= -1 && $p <= 1")"
}

fig_loss() {
	local r n lost lo hi inside=0
	: >"$TMP/l"
	for r in $(seq "$RUNS"); do
		read -r n lost <<<"$(loss_run)"
		lo=$(calc "$n * 0.01 - 2.5758 * sqrt($n * 0.01 * 0.99)")
		hi=$(calc "$n * 0.01 + 2.5758 * sqrt($n * 0.01 * 0.99)")
		if awk "BEGIN { exit !($lost >= $lo && $lost <= $hi) }"; then
			inside=$((inside + 1))
		fi
		echo "$lost $n $lo $hi" >>"$TMP/l"
		log "loss run $r: $lost of $n frames lost (99 % interval $(fmt %.0f "$lo")-$(fmt %.0f "$hi"))"
	done
	read -r lost n lo hi <<<"$(sort -g "$TMP/l" | sed -n "$(((RUNS + 1) / 2))p")"
	row "loss=1% over 100 000 frames (UDP, 64-byte payload)" \
		"$lost lost of $n (median run)" "$(fmt %.0f "$(calc "$n * 0.01")") expected" \
		"$inside/$RUNS runs inside" \
		"inside the 99 % binomial interval [$(fmt %.0f "$lo"), $(fmt %.0f "$hi")]" \
		"$(pf "$lost >= $lo && $lost <= $hi")"
}

fig_change() {
	local r s reach lost drops before rest lost_all=0 drops_all=0
	: >"$TMP/s"
	for r in $(seq "$RUNS"); do
		read -r reach lost drops before rest <<<"$(step_run)"
		echo "$reach" >>"$TMP/s"
		lost_all=$((lost_all + lost)) drops_all=$((drops_all + drops))
		log "bandwidth change run $r: new rate in $reach ms (before $(fmt %.1f "$(calc "$before / 1e6")") Mbit/s; 20 ms windows after: $rest Mbit/s); lost $lost, drops $drops"
	done
	s=$(median <"$TMP/s")
	row "bandwidth 50mbit -> 100mbit during 60 Mbit/s of UDP (backlog queued)" \
		"new rate in $(fmt %.0f "$s") ms; $lost_all frames lost" "-" \
		"$drops_all drops in $RUNS runs" \
		"new rate (+-5 %, 20 ms windows) within 100 ms; no frame lost" \
		"$(pf "$s >= 0 && $s <= 100 && $lost_all == 0 && $drops_all == 0")"
}

for f in ${ROWSEL//,/ }; do
	declare -F "fig_$f" >/dev/null || die "unknown row '$f' (known: tcp1, tcp4, udp64, rate, delay, loss, change)"
done
MACHINE="$(nproc) vCPU $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(free -g | awk '/^Mem:/ { print $2 }') GB, kernel $(uname -r)"
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
log "bench: $RUNS runs each, engine $BIN/vnet-engine, prefix $P; $MACHINE; load $LOAD0"
for f in ${ROWSEL//,/ }; do
	"fig_$f"
done

{
	echo "machine: $MACHINE; load average at start $LOAD0, at end $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "command: bash bench/links.sh --runs $RUNS$([ $QUICK = 1 ] && echo " --quick") ($(date -u +%FT%TZ))"
	echo
	echo "| figure | measured | baseline | ratio / error | target | result |"
	echo "|---|---|---|---|---|---|"
	printf '%s\n' "${ROWS[@]}"
	if [ ${#COST[@]} -gt 0 ]; then
		echo
		echo "What the TCP runs cost (medians of the same runs; CPU: busy share of all $(nproc) CPUs and busy CPU-seconds per GB received, over the whole transfer):"
		echo
		echo "| streams | path | Gbit/s | x veth | CPU busy | CPU s per GB |"
		echo "|---|---|---|---|---|---|"
		printf '%s\n' "${COST[@]}"
	fi
} | tee "${OUT:-/dev/null}"
