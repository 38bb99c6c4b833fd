#!/usr/bin/env bash
# bench/scale.sh - what a big network costs: a ring of N OSPF routers and two
# hosts brought up and down with vnet, against the bare kernel objects of
# the same topology made with `ip -batch` (namespaces and veth pairs with
# addresses, no routing daemon, no engine).
#
#   bash bench/scale.sh [--routers N] [--runs R] [--out FILE]
#
# Defaults: 100 routers, 3 runs; each figure is the median. Needs root,
# iproute2, ping, jq and the built vnet and vnetd (VNET_BIN, default
# build/bin). Runs a private vnetd (own socket, state directory and prefix
# vs<pid>) and makes the baseline's namespaces under the same prefix; all
# traffic is one ping between the ring's hosts; everything is removed on
# exit (trap), also on failure or ^C. Output: one markdown table (also
# written to --out).
set -uo pipefail

N=100
RUNS=3
OUT=
usage() {
	sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'
	exit "${1:-0}"
}
while [ $# -gt 0 ]; do
	case $1 in
	--routers) N=${2:-}; shift 2 ;;
	--runs) RUNS=${2:-}; shift 2 ;;
	--out) OUT=${2:-}; shift 2 ;;
	-h | --help) usage 0 ;;
	*) echo "scale.sh: unknown option '$1'" >&2; usage 2 ;;
	esac
done
[[ "$N" =~ ^[1-9][0-9]*$ ]] && [ "$N" -ge 3 ] && [ "$N" -le 1000 ] ||
	{ echo "scale.sh: --routers needs a number from 3 to 1000" >&2; exit 2; }
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || { echo "scale.sh: --runs needs a number >= 1" >&2; exit 2; }
BIN=${VNET_BIN:-$(cd "$(dirname "$0")/.." && pwd)/build/bin}
[ "$(id -u)" = 0 ] || { echo "scale.sh: needs root (network namespaces)" >&2; exit 77; }
for t in ip ping jq awk; do
	command -v $t >/dev/null || { echo "scale.sh: $t is not installed" >&2; exit 1; }
done
[ -x "$BIN/vnet" ] && [ -x "$BIN/vnetd" ] ||
	{ echo "scale.sh: no vnet and vnetd in $BIN (set VNET_BIN)" >&2; exit 1; }

P=vs$$
TMP=$(mktemp -d "/tmp/$P.XXXXXX")
SOCK=$TMP/vnetd.sock
V() { "$BIN/vnet" --socket "$SOCK" "$@"; }
log() { printf '%s %s\n' "$(date +%T)" "$*" >&2; }

bare_names() { ip netns list | awk -v p="${P}n" 'index($1, p) == 1 { print $1 }'; }
cleanup() {
	V shutdown >/dev/null 2>&1
	for i in $(seq 50); do [ -S "$SOCK" ] || break; sleep 0.1; done
	bare_names | sed 's/^/netns delete /' | ip -batch - 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ms() { echo $(( $(date +%s%N) / 1000000 )); }
median() { sort -g | awk '{ v[NR] = $1 } END { if (!NR) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
calc() { awk "BEGIN { printf \"%.2f\", $1 }"; }

# The ring r0..r(N-1) with ha on r0 and hb on r(N/2).
{
	echo "networks:"
	echo "  big:"
	echo "    protocol: ospf"
	echo "    prefix: 10.9.0.0/16"
	printf "    routers: [r0"; for i in $(seq 1 $((N - 1))); do printf ", r%d" "$i"; done; echo "]"
	echo "    hosts: [ha, hb]"
	echo "    links:"
	for i in $(seq 0 $((N - 1))); do echo "      - [r$i, r$(( (i + 1) % N ))]"; done
	echo "      - [ha, r0]"
	echo "      - [hb, r$((N / 2))]"
} >"$TMP/ring.yaml"

# The baseline: the same N+2 namespaces and N+2 links as veth pairs with a
# /30 each: one `ip -batch` makes the namespaces and pairs, then one per
# namespace sets its addresses and links up (a batch line cannot name a
# namespace); removing is one `ip -batch` of `netns delete`.
{
	for i in $(seq 0 $((N + 1))); do echo "netns add ${P}n$i"; done
	for i in $(seq 0 $((N + 1))); do
		a=$i b=$(( (i + 1) % N ))
		[ "$i" -ge "$N" ] && b=$(( i == N ? 0 : N / 2 ))
		echo "link add v$i netns ${P}n$a type veth peer name w$i netns ${P}n$b"
		printf 'addr add 10.10.%d.%d/30 dev v%d\nlink set v%d up\n' \
			$((i / 64)) $(( (i % 64) * 4 + 1 )) "$i" "$i" >>"$TMP/ns$a.batch"
		printf 'addr add 10.10.%d.%d/30 dev w%d\nlink set w%d up\n' \
			$((i / 64)) $(( (i % 64) * 4 + 2 )) "$i" "$i" >>"$TMP/ns$b.batch"
	done
} >"$TMP/bare-up.batch"
bare_up() {
	ip -batch "$TMP/bare-up.batch" || return 1
	for i in $(seq 0 $((N + 1))); do ip -n "${P}n$i" -batch "$TMP/ns$i.batch" || return 1; done
}

"$BIN/vnetd" --socket "$SOCK" --state-dir "$TMP/state" --prefix "$P" --daemon ||
	{ echo "scale.sh: vnetd did not start" >&2; exit 1; }

# Memory charged to the network's control groups (every process and page of
# every node: init, BIRD, their page cache) plus the engine's resident set.
mem_used() {
	local cg=/sys/fs/cgroup/memory/$P/memory.usage_in_bytes eng
	[ -r "$cg" ] || cg=/sys/fs/cgroup/$P/memory.current
	eng=$(pgrep -f "vnet-engine --socket $TMP/" | head -1)
	echo $(( $(cat "$cg" 2>/dev/null || echo 0) +
		$(awk '/^VmRSS/ { print $2 * 1024 }' "/proc/$eng/status" 2>/dev/null || echo 0) ))
}
: >"$TMP/up" >"$TMP/ping" >"$TMP/down" >"$TMP/mem" >"$TMP/bup" >"$TMP/bdown"
for r in $(seq "$RUNS"); do
	t0=$(ms)
	V up "$TMP/ring.yaml" >/dev/null || { echo "scale.sh: vnet up failed" >&2; exit 1; }
	t1=$(ms)
	until V exec big/ha -- ping -c1 -W1 hb >/dev/null 2>&1; do
		[ $(( $(ms) - t1 )) -gt 120000 ] && { echo "scale.sh: no ping in 120 s" >&2; exit 1; }
		sleep 0.2
	done
	t2=$(ms)
	m1=$(mem_used)
	V down big >/dev/null || { echo "scale.sh: vnet down failed" >&2; exit 1; }
	t3=$(ms)
	echo $((t1 - t0)) >>"$TMP/up"; echo $((t2 - t1)) >>"$TMP/ping"; echo $((t3 - t2)) >>"$TMP/down"
	echo $(( m1 / (N + 2) )) >>"$TMP/mem"
	log "run $r: vnet up $((t1 - t0)) ms, first ping $((t2 - t1)) ms later, down $((t3 - t2)) ms, $(( m1 / 1048576 )) MB in the network's cgroups and the engine"

	t0=$(ms)
	bare_up || { echo "scale.sh: the baseline's ip -batch failed" >&2; exit 1; }
	t1=$(ms)
	bare_names | sed 's/^/netns delete /' | ip -batch -
	t2=$(ms)
	echo $((t1 - t0)) >>"$TMP/bup"; echo $((t2 - t1)) >>"$TMP/bdown"
	log "run $r: baseline up $((t1 - t0)) ms, down $((t2 - t1)) ms"
done

up=$(median <"$TMP/up") ping=$(median <"$TMP/ping") down=$(median <"$TMP/down")
bup=$(median <"$TMP/bup") bdown=$(median <"$TMP/bdown") mem=$(median <"$TMP/mem")
{
	echo "machine: $(nproc) vCPU, $(free -g | awk '/^Mem:/ { print $2 }') GB, kernel $(uname -r); load average $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "command: bash bench/scale.sh --routers $N --runs $RUNS ($(date -u +%FT%TZ)); medians"
	echo
	echo "| figure | vnet | baseline: bare namespaces and veths (ip -batch) | ratio |"
	echo "|---|---|---|---|"
	echo "| up: $N routers (BIRD, OSPF), 2 hosts, $((N + 2)) links | $up ms ($(calc "$up / ($N + 2)") ms per node) | $bup ms | $(calc "$up / $bup") x |"
	echo "| first ping ha -> hb ($((N / 2 + 1)) hops) after up returned | $ping ms | - | - |"
	echo "| down | $down ms ($(calc "$down / ($N + 2)") ms per node) | $bdown ms | $(calc "$down / $bdown") x |"
	echo "| memory per node (the network's cgroups and the engine's RSS) | $(calc "$mem / 1048576") MB | - | - |"
} | tee "${OUT:-/dev/null}"
