#!/usr/bin/env bash
# bench/scale.sh - what a big network costs: a ring of N OSPF routers with
# chords and two hosts brought up and down with vnet, against the bare
# kernel objects of the same topology made with `ip -batch` (namespaces and
# veth pairs with addresses, no routing daemon, no engine).
#
#   bash bench/scale.sh [--routers N] [--runs R] [--out FILE]
#
# Defaults: 100 routers, 3 runs; each figure is the median. Needs root,
# iproute2, ping, jq and the built vnet and vnetd (VNET_BIN, default
# build/bin). Runs a private vnetd (own socket, state directory and prefix
# vs<pid>) and makes the baseline's namespaces under the same prefix; all
# traffic is one ping between the two hosts; everything is removed on
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
# How long the first ping may take: OSPF convergence grows with the network.
WAIT=$(( N / 4 > 120 ? N / 4 : 120 ))
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

# The shape: a ring with chords, so that the hosts stay few hops apart at
# 1000 routers (around a plain ring of 300 they were 151 hops apart, beyond
# ping's TTL of 64) while most routers keep two neighbours, as on the ring.
# Denser meshes cost far more than their extra links: with 1002 links, a
# 500-router torus took 140 s to come up, against 75 s for a ring of 1000
# (OSPF adjacencies, flooding and FIB updates of every router). Routers
# r0..r(N-1) form a ring; every S-th router (S = ceil(sqrt(N))) is also
# linked to the next S-th one, an express ring of about sqrt(N) routers,
# which brings any router within about sqrt(N) hops of r0. ha is on r0 and
# hb on the router farthest from r0 (the first found): at N = 1000, 32
# routers on the path. The shape is written once as node index pairs
# (routers 0..N-1, ha = N, hb = N+1), from which both the topology file and
# the baseline are made.
awk -v n="$N" 'BEGIN {
	s = int(sqrt(n)); if (s * s < n) s++
	for (i = 0; i < n; i++) link(i, (i + 1) % n)
	m = int((n + s - 1) / s)
	for (k = 0; m >= 3 && k < m; k++) {
		a = k * s; b = (k + 1) % m * s
		if (b - a != 1 && a - b != 1 && a - b != n - 1) link(a, b)
	}
	# breadth-first from r0 for the farthest router
	dist[0] = 0; q[0] = 0; far = 0; t = 1
	for (h = 0; h < t; h++) {
		u = q[h]
		if (dist[u] > dist[far]) far = u
		for (e = 0; e < deg[u]; e++) {
			v = adj[u, e]
			if (!(v in dist)) { dist[v] = dist[u] + 1; q[t++] = v }
		}
	}
	print n, 0; print n + 1, far
	printf "%d %d\n", s, dist[far] + 1 > "/dev/stderr"
}
function link(a, b) { print a, b; adj[a, deg[a]++] = b; adj[b, deg[b]++] = a }' \
	>"$TMP/links" 2>"$TMP/shape"
read -r STRIDE PATH_ROUTERS <"$TMP/shape"
L=$(wc -l <"$TMP/links")
names=()
for i in $(seq 0 $((N - 1))); do names[i]=r$i; done
names[N]=ha names[N+1]=hb
{
	echo "networks:"
	echo "  big:"
	echo "    protocol: ospf"
	echo "    prefix: 10.9.0.0/16"
	printf "    routers: [r0"; for i in $(seq 1 $((N - 1))); do printf ", r%d" "$i"; done; echo "]"
	echo "    hosts: [ha, hb]"
	echo "    links:"
	while read -r a b; do echo "      - [${names[a]}, ${names[b]}]"; done <"$TMP/links"
} >"$TMP/big.yaml"

# The baseline: the same N+2 namespaces and L links as veth pairs with a
# /30 each: one `ip -batch` makes the namespaces and pairs, then one per
# namespace sets its addresses and links up (a batch line cannot name a
# namespace); removing is one `ip -batch` of `netns delete`.
{
	for i in $(seq 0 $((N + 1))); do echo "netns add ${P}n$i"; done
	j=0
	while read -r a b; do
		echo "link add v$j netns ${P}n$a type veth peer name w$j netns ${P}n$b"
		printf 'addr add 10.10.%d.%d/30 dev v%d\nlink set v%d up\n' \
			$((j / 64)) $(( (j % 64) * 4 + 1 )) "$j" "$j" >>"$TMP/ns$a.batch"
		printf 'addr add 10.10.%d.%d/30 dev w%d\nlink set w%d up\n' \
			$((j / 64)) $(( (j % 64) * 4 + 2 )) "$j" "$j" >>"$TMP/ns$b.batch"
		j=$((j + 1))
	done <"$TMP/links"
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
	V up "$TMP/big.yaml" >/dev/null || { echo "scale.sh: vnet up failed" >&2; exit 1; }
	t1=$(ms)
	log "run $r: vnet up $((t1 - t0)) ms; waiting for the first ping ha -> hb"
	until V exec big/ha -- ping -c1 -W1 hb >/dev/null 2>&1; do
		[ $(( $(ms) - t1 )) -gt $((WAIT * 1000)) ] &&
			{ echo "scale.sh: no ping in $WAIT s" >&2; exit 1; }
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
	echo "| up: $N routers (BIRD, OSPF) in a ring with chords every $STRIDE, 2 hosts, $L links | $up ms ($(calc "$up / ($N + 2)") ms per node) | $bup ms | $(calc "$up / $bup") x |"
	echo "| first ping ha -> hb ($PATH_ROUTERS routers on the path) after up returned | $ping ms | - | - |"
	echo "| down | $down ms ($(calc "$down / ($N + 2)") ms per node) | $bdown ms | $(calc "$down / $bdown") x |"
	echo "| memory per node (the network's cgroups and the engine's RSS) | $(calc "$mem / 1048576") MB | - | - |"
} | tee "${OUT:-/dev/null}"
