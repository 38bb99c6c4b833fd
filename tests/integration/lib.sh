# Shared helpers of the integration tests (sourced, not run).
#
# Each test gets its own daemon: a temporary directory holding the state
# directory and API socket, and a unique prefix for kernel objects. The EXIT
# trap shuts the daemon down, runs `vnetd --cleanup` for the prefix, and then
# checks that nothing of the prefix is left (cgroups, processes) - a leftover
# fails the test.
set -uo pipefail

VNET_BIN=${VNET_BIN:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../build/bin" && pwd)}
VNET_SRC=${VNET_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
[ "$(id -u)" = 0 ] || { echo "SKIP: integration tests need root"; exit 77; }

T=$(mktemp -d /tmp/vnet-test.XXXXXX)
PREFIX="t$$"
SOCK="$T/vnetd.sock"
STATE="$T/state"
FAILED=0
CLEANUP_HOOKS=()

vnet() { "$VNET_BIN/vnet" --socket "$SOCK" "$@"; }
vnetd() { "$VNET_BIN/vnetd" "$@"; }

log() { printf '%s %s\n' "$(date +%T)" "$*"; }
pass() { log "PASS: $*"; }
fail() { log "FAIL: $*"; FAILED=1; }

# ospf_state NODE...: what routers of red know, printed after a failed
# convergence check to tell an address, a link or a routing fault apart.
ospf_state() {
  local node
  for node in "$@"; do
    log "--- red/$node"
    vnet exec "red/$node" -- ip -br addr
    vnet exec "red/$node" -- ip route
    vnet exec "red/$node" -- birdc show ospf neighbors
    vnet exec "red/$node" -- birdc show ospf interface
    vnet exec "red/$node" -- birdc show ospf state
  done
}
die() { log "FAIL: $*"; exit 1; }

# check DESCRIPTION CMD...: run CMD, PASS when it succeeds.
check() {
  local what=$1; shift
  if "$@"; then pass "$what"; else fail "$what"; fi
}

# retry SECONDS CMD...: run CMD every 0.5 s until it succeeds.
retry() {
  local deadline=$(( $(date +%s) + $1 )); shift
  while :; do
    "$@" >/dev/null 2>&1 && return 0
    [ "$(date +%s)" -ge "$deadline" ] && return 1
    sleep 0.5
  done
}

start_daemon() {
  vnetd --socket "$SOCK" --state-dir "$STATE" --prefix "$PREFIX" --daemon "$@" ||
    die "vnetd did not start"
}

daemon_pid() { vnet --json daemon status 2>/dev/null | sed -n 's/.*"pid": \([0-9]*\).*/\1/p' | head -1; }

on_exit() { CLEANUP_HOOKS+=("$*"); }

# iperf_server NODE [ARGS]: a one-client iperf3 server in NODE (NET/NAME),
# its pid in SRV, returning once it listens (so that a client started next
# cannot come too early and leave it waiting forever). Redirect the call
# to keep its output.
iperf_server() {
  local node=$1
  shift
  vnet exec "$node" -- iperf3 -s -1 "$@" &
  SRV=$!
  on_exit "kill $SRV 2>/dev/null"
  retry 10 bash -c "\"$VNET_BIN/vnet\" --socket '$SOCK' exec '$node' -- ss -Hltn 'sport = :5201' | grep -q ."
}
# iperf_server_wait: wait for SRV to end after its client, at most 10 s.
iperf_server_wait() {
  retry 10 bash -c "! kill -0 $SRV 2>/dev/null" || kill "$SRV" 2>/dev/null
  wait "$SRV" 2>/dev/null
}

leftovers() {
  local found=0
  for d in /sys/fs/cgroup/*/"$PREFIX" /sys/fs/cgroup/"$PREFIX"; do
    [ -e "$d" ] && { echo "leftover cgroup: $d"; found=1; }
  done
  if pgrep -f "vnet-init $PREFIX:" >/dev/null; then
    echo "leftover container init: $(pgrep -af "vnet-init $PREFIX:")"; found=1
  fi
  if pgrep -f "vnet-engine --socket $STATE/" >/dev/null; then
    echo "leftover engine"; found=1
  fi
  return $found
}

cleanup() {
  local rc=$?
  for h in "${CLEANUP_HOOKS[@]}"; do eval "$h" >/dev/null 2>&1 || true; done
  if [ -S "$SOCK" ]; then
    local pid; pid=$(daemon_pid)
    timeout 20 "$VNET_BIN/vnet" --socket "$SOCK" shutdown >/dev/null 2>&1 || true
    for _ in $(seq 1 100); do
      { [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; } && break
      sleep 0.1
    done
    [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
  fi
  if ! leftovers >"$T/leftovers"; then
    cat "$T/leftovers"
    log "FAIL: the daemon left objects behind"
    rc=1
  fi
  "$VNET_BIN/vnetd" --cleanup --state-dir "$STATE" --prefix "$PREFIX" >/dev/null 2>&1 || true
  if [ $rc -ne 0 ] || [ $FAILED -ne 0 ]; then
    echo "--- vnetd.log (tail)"; tail -n 40 "$STATE/vnetd.log" 2>/dev/null
    echo "--- engine.log (tail)"; tail -n 20 "$STATE/engine.log" 2>/dev/null
  fi
  rm -rf "$T"
  if [ $FAILED -ne 0 ] && [ $rc -eq 0 ]; then rc=1; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# finish: the test's last line.
finish() { [ $FAILED -eq 0 ] && log "all checks passed" || log "some checks failed"; exit $FAILED; }
