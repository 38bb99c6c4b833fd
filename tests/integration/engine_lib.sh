# engine_lib.sh - sourced by tests/integration/t_engine_*.sh.
#
# Gives each test a unique prefix (te<pid>), two namespaces made with
# `ip netns add`, a vnet-engine on a socket in a private temp dir, and one
# link between the namespaces built by eng_pair (TAPs <prefix>a / <prefix>b,
# 10.77.0.1/24 and 10.77.0.2/24 with static neighbour entries, so that
# loss tests count pings, not ARP). cleanup (trap EXIT) stops everything
# started and deletes namespaces and temp dirs, also when a test fails.
# Traffic stays between the two namespaces.
#
# Tests wait for the events they need (a line printed, a counter reached,
# an interface gone) with wait_until and a generous timeout, never for a
# fixed time: on a loaded machine any fixed time is sometimes too short.

set -u
BIN=${VNET_BIN:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build/bin}
P=te$$
NSA=${P}a
NSB=${P}b
IFA=${P}a
IFB=${P}b
IPA=10.77.0.1
IPB=10.77.0.2
TMP=$(mktemp -d "/tmp/${P}.XXXXXX")
SOCK=$TMP/engine.sock
ENGINE_PID=
PAIR_PID=
BG_PIDS=()
FAILS=0

# wait_until SECONDS COMMAND...: run COMMAND every 50 ms until it
# succeeds; status 1 if it has not within SECONDS.
wait_until() {
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.05
	done
}
alive() { kill -0 "$1" 2>/dev/null; }
gone() { ! kill -0 "$1" 2>/dev/null; }

stop_pid() {	# pid: SIGTERM, then SIGKILL after 10 s
	local pid=$1
	[ -n "$pid" ] || return 0
	kill "$pid" 2>/dev/null || return 0
	wait_until 10 gone "$pid"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

cleanup() {
	local p
	for p in "${BG_PIDS[@]}"; do stop_pid "$p"; done
	stop_pid "$PAIR_PID"
	stop_pid "$ENGINE_PID"
	ip netns del "$NSA" 2>/dev/null
	ip netns del "$NSB" 2>/dev/null
	if [ "$FAILS" -gt 0 ] && [ -f "$TMP/engine.log" ]; then
		echo "--- engine log"
		tail -n 30 "$TMP/engine.log"
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT

# ns_iperf_server [ARGS]: a one-client iperf3 server on $IPB in $NSB, its
# pid in SRV, returning once it listens (a client that came too early
# would leave it waiting forever). Redirect the call to keep its output.
iperf_listening() { ip netns exec "$NSB" ss -Hltn "sport = :5201" | grep -q .; }
ns_iperf_server() {
	ip netns exec "$NSB" iperf3 -s -1 -B "$IPB" "$@" &
	SRV=$!
	BG_PIDS+=($SRV)
	wait_until 20 iperf_listening
}
# ns_iperf_server_wait: wait for SRV to end after its client, at most 30 s.
ns_iperf_server_wait() {
	wait_until 30 gone "$SRV"
	kill "$SRV" 2>/dev/null
	wait "$SRV" 2>/dev/null
}

pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }
check() {	# description, command...: PASS when the command succeeds
	local what=$1
	shift
	if "$@"; then pass "$what"; else fail "$what"; fi
}
finish() {
	if [ "$FAILS" -gt 0 ]; then
		echo "$FAILS check(s) failed"
		exit 1
	fi
	echo "all checks passed"
	exit 0
}
die() { fail "$*"; exit 1; }

[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
for t in ip ping jq; do
	command -v $t >/dev/null || die "$t not installed"
done
[ -x "$BIN/vnet-engine" ] && [ -x "$BIN/eng_pair" ] || die "no vnet-engine/eng_pair in $BIN"

ip netns add "$NSA" || die "ip netns add $NSA"
ip netns add "$NSB" || die "ip netns add $NSB"
for ns in "$NSA" "$NSB"; do
	ip -n "$ns" link set lo up
	# no IPv6: no background ND/MLD frames to disturb counts and idle checks
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1 \
		net.ipv6.conf.all.disable_ipv6=1 2>/dev/null
done

engine_answers() { [ -S "$SOCK" ] && "$BIN/eng_pair" --engine-socket "$SOCK" --hello >/dev/null 2>&1; }
start_engine() {	# [engine args...]
	"$BIN/vnet-engine" --socket "$SOCK" --foreground --log "$TMP/engine.log" "$@" &
	ENGINE_PID=$!
	wait_until 20 engine_answers || die "vnet-engine did not come up"
}

# pair_started OUT PID: eng_pair PID printed "ready" into OUT, or ended
pair_started() { grep -qs '^ready$' "$1" || ! alive "$2"; }

# eng_pair ID IFA IFB IPA IPB [prop=value...]: a link between the
# namespaces, addresses and static neighbours; prints the eng_pair pid.
add_pair() {
	local id=$1 ifa=$2 ifb=$3 ipa=$4 ipb=$5 pid
	shift 5
	"$BIN/eng_pair" --engine-socket "$SOCK" --ns-a "$NSA" --if-a "$ifa" \
		--ns-b "$NSB" --if-b "$ifb" --id "$id" "$@" >"$TMP/pair$id.out" 2>&1 &
	pid=$!
	wait_until 30 pair_started "$TMP/pair$id.out" "$pid"
	grep -q '^ready$' "$TMP/pair$id.out" || { cat "$TMP/pair$id.out" >&2; return 1; }
	ip -n "$NSA" addr add "$ipa/24" dev "$ifa" || return 1
	ip -n "$NSB" addr add "$ipb/24" dev "$ifb" || return 1
	local maca macb
	maca=$(ip -n "$NSA" -j link show "$ifa" | jq -r '.[0].address')
	macb=$(ip -n "$NSB" -j link show "$ifb" | jq -r '.[0].address')
	ip -n "$NSA" neigh replace "$ipb" lladdr "$macb" dev "$ifa" nud permanent
	ip -n "$NSB" neigh replace "$ipa" lladdr "$maca" dev "$ifb" nud permanent
	echo "$pid"
}

# The test's link: id 7, $IFA/$IFB, $IPA/$IPB, properties on both directions.
start_pair() {	# [prop=value...]
	PAIR_PID=$(add_pair 7 "$IFA" "$IFB" $IPA $IPB "$@") || die "eng_pair not ready"
}

# CPU ticks (user + system) and context switches of all engine threads
engine_ticks() { awk '{ print $14 + $15 }' "/proc/$ENGINE_PID/stat"; }
engine_switches() {
	cat /proc/"$ENGINE_PID"/task/*/status |
		awk '/voluntary_ctxt_switches/ { n += $2 } END { print n }'
}
# wait_engine_idle: until no engine thread woke for 200 ms (at most 20 s),
# so that what came before (a controller hanging up...) is over
wait_engine_idle() {
	local end=$((SECONDS + 20)) a b
	b=$(engine_switches)
	while [ "$SECONDS" -lt "$end" ]; do
		sleep 0.2
		a=$b
		b=$(engine_switches)
		[ "$a" = "$b" ] && return 0
	done
	return 1
}

eng() { "$BIN/eng_pair" --engine-socket "$SOCK" "$@"; }
link_set() { eng --set 7 "$@"; }

# Counter of direction 0|1: stat DIR NAME
stat() { eng --stats 7 | jq -r "select(.dir == $1) | .$2"; }
# stat_reaches DIR NAME VALUE: the counter is at VALUE or more
stat_reaches() { [ "$(stat "$1" "$2")" -ge "$3" ]; }

# ping from A to B: ping_ab COUNT INTERVAL -> "sent received avg_ms"
ping_ab() {
	local out
	out=$(ip netns exec "$NSA" ping -n -q -c "$1" -i "$2" -W 1 $IPB 2>&1)
	local sent recv avg
	sent=$(echo "$out" | sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p')
	recv=$(echo "$out" | sed -n 's/.* \([0-9]*\) received.*/\1/p')
	avg=$(echo "$out" | sed -n 's|^rtt [^=]*= [0-9.]*/\([0-9.]*\)/.*|\1|p')
	echo "${sent:-0} ${recv:-0} ${avg:-0}"
}

# float comparison: fcmp "a <= b"
fcmp() { awk "BEGIN { exit !($1) }"; }
