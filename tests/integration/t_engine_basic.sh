#!/bin/bash
# t_engine_basic.sh - vnet-engine forwards between two TAPs: ping works,
# counters count, administrative down and a detached side show NO-CARRIER
# and drop, the link keeps forwarding without a controller, LINK_LIST
# finds it, SIGTERM exits 0 and closes the TAPs. (Malformed frames cannot
# be made to come out of a TAP; tests/unit/test_model.c covers them.)
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

# a side detached: the other side sees NO-CARRIER, its frames are dropped
eng --detach 7 1
check "detached: NO-CARRIER on side a" bash -c "ip -n $NSA link show $IFA | grep -q NO-CARRIER"
check "detached: TAP b is gone with its last fd" bash -c "! ip -n $NSB link show $IFB 2>/dev/null"
check "detached: stats say side 1 unattached" [ "$(eng --stats 7 | jq -c 'select(.up != null) | .attached')" = '[1,0]' ]

# SIGTERM: exit 0
kill "$ENGINE_PID"
wait "$ENGINE_PID"
rc=$?
ENGINE_PID=
check "engine exits 0 on SIGTERM" [ "$rc" = 0 ]
check "engine removed its socket" [ ! -e "$SOCK" ]
check "engine closed the TAPs" bash -c "! ip -n $NSA link show $IFA 2>/dev/null"
finish
