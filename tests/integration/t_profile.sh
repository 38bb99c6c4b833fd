#!/usr/bin/env bash
# Time-varying links: a profile [0s: delay 0, 2s: delay 30ms] turns the ping
# RTT over r1-r2 from ~0 to ~60 ms two seconds after the network starts; a
# repeating profile cycles (several low/high switches, one event per step);
# a manual change holds until the next step; PATCH {"set": {"profile":
# "off"}} stops the clock and "on" restarts it; a network stop/start starts
# the profile over; a restarted vnetd carries on with the same clock.
. "$(dirname "$0")/lib.sh"

cat > "$T/prof.yaml" <<'Y'
networks:
  pr:
    protocol: none
    prefix: 10.91.0.0/16
    routers: [r1, r2]
    links:
      - {ends: [r1, r2], profile: [{at: 0s, delay: 0ms}, {at: 2s, delay: 30ms}]}
  pc:
    protocol: none
    prefix: 10.92.0.0/16
    routers: [a, b]
    links:
      - {ends: [a, b], profile: [{at: 0s, delay: 0ms}, {at: 1s, delay: 20ms}], repeat: true, period: 2s}
      - {ends: [a, b], name: plain}
Y

api() {	# METHOD PATH [BODY]: the API's JSON answer, HTTP status on the last line
  curl -s --unix-socket "$SOCK" -X "$1" ${3:+-d "$3"} -w '\n%{http_code}' "http://vnet/v1/$2"
}
now() { date +%s.%N; }
fcmp() { awk "BEGIN { exit !($1) }"; }
# peer_addr NET LINK NODE: NODE's address on LINK
peer_addr() {
  vnet --json status "$1" | jq -r --arg l "$2" --arg n "$3" \
    '.nodes[] | select(.name==$n) | .interfaces[] | select(.link==$l) | .addresses[0] | split("/")[0]'
}
# step_events NET LINK: how many profile steps of LINK were events
step_events() {
  api GET "events?network=$1&lines=1000" | head -n -1 |
    jq --arg m "$2: profile step" '[.events[] | select(.message | startswith("link " + $m))] | length'
}
# ping NET/NODE ADDR COUNT: "send_time rtt_ms" per reply (send = receive - rtt)
ping_log() {
  vnet exec "$1" -- ping -D -n -i 0.05 -W 2 -c "$3" "$2" 2>/dev/null |
    sed -n 's/^\[\([0-9.]*\)\].*time=\([0-9.]*\) ms.*/\1 \2/p' |
    awk '{ printf "%.3f %s\n", $1 - $2 / 1000, $2 }'
}
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print -1 }'; }

start_daemon
t_up=$(now)
check "vnet up (two networks with profiles)" vnet up "$T/prof.yaml"
lj=$(vnet --json link show pr/r1-r2)
t_ask=$(now)
check "link JSON shows the profile at its first step" \
  test "$(jq -r '.profile | "\(.state) \(.step) \(.steps)"' <<<"$lj")" = "running 0 2"
next_ms=$(jq -r '.profile.next_in_ms' <<<"$lj")
check "the second step is due in under 2 s ($next_ms ms)" \
  fcmp "$next_ms > 0 && $next_ms <= 2000"
t_switch=$(awk -v a="$t_ask" -v n="$next_ms" 'BEGIN { printf "%.3f", a + n / 1000 }')

# --- one-shot profile: RTT ~0 before the step, ~60 ms after, at its time
addr=$(peer_addr pr r1-r2 r2)
ping_log pr/r1 "$addr" 80 >"$T/ping1"
before=$(awk -v s="$t_switch" '$1 < s - 0.1 { print $2 }' "$T/ping1" | median)
after=$(awk -v s="$t_switch" '$1 > s + 0.1 { print $2 }' "$T/ping1" | median)
first_high=$(awk '$2 >= 55 { print $1; exit }' "$T/ping1")
last_low=$(awk '$2 < 5 { t = $1 } END { print t }' "$T/ping1")
log "step due at $t_switch (network up at $t_up); last low RTT sent at $last_low, first full at $first_high"
check "RTT before the step is ~0 (median $before ms)" fcmp "$before >= 0 && $before < 3"
check "RTT after the step is ~60 ms (median $after ms)" fcmp "$after >= 59 && $after <= 64"
check "the RTT changes at the step's time (+-150 ms)" \
  fcmp "${first_high:-0} - $t_switch < 0.15 && $t_switch - ${first_high:-0} < 0.15 && $t_switch - ${last_low:-0} < 0.15 && ${last_low:-0} - $t_switch < 0.15"
lj=$(vnet --json link show pr/r1-r2)
check "after the last step the profile is done" \
  test "$(jq -r '.profile | "\(.state) \(.step) \(.next_in_ms)"' <<<"$lj")" = "done 1 null"
check "the link shows the step's properties" \
  test "$(jq -r '.forward.delay + " " + .reverse.delay' <<<"$lj")" = "30ms 30ms"
check "one event per step" test "$(step_events pr r1-r2)" = 2

# --- repeating profile: period 2 s, 20 ms each way in the second half
addr=$(peer_addr pc a-b b)
ping_log pc/a "$addr" 110 >"$T/ping2"
switches=$(awk '{ h = $2 >= 20 } NR > 1 && h != p { n++ } { p = h } END { print n + 0 }' "$T/ping2")
highs=$(awk '$2 >= 38 && $2 <= 44' "$T/ping2" | wc -l)
lows=$(awk '$2 < 3' "$T/ping2" | wc -l)
log "repeat: $switches switches, $lows low and $highs high RTTs out of $(wc -l <"$T/ping2")"
check "the repeating profile cycles (>= 4 switches in 5.5 s, got $switches)" \
  fcmp "$switches >= 4 && $switches <= 8"
check "about half the RTTs low, half 40 ms" fcmp "$lows >= 30 && $highs >= 30"
cyc=$(vnet --json link show pc/a-b | jq -r '.profile.cycle')
check "the link JSON counts cycles ($cyc)" fcmp "${cyc:-0} >= 2"
check "a link without a profile has no profile object" \
  test "$(vnet --json link show pc/plain | jq -r 'has("profile")')" = false

# --- a manual change holds until the next step
wait_step() {	# NET/LINK STEP: within 5 s, the profile at STEP with >= 600 ms left
  local j i
  for i in $(seq 50); do
    j=$(vnet --json link show "$1") || return 1
    [ "$(jq -r '.profile.step' <<<"$j")" = "$2" ] &&
      [ "$(jq -r '.profile.next_in_ms' <<<"$j")" -ge 600 ] && return 0
    sleep 0.1
  done
  return 1
}
check "waiting for the low half of a cycle" wait_step pc/a-b 0
check "link set delay=5ms during the profile" vnet link set pc/a-b delay=5ms
rtt=$(vnet exec pc/a -- ping -n -c 3 -i 0.05 "$addr" | sed -n 's/.*time=\([0-9.]*\) ms.*/\1/p' | median)
check "the manual delay is in force (RTT $rtt ms)" fcmp "$rtt >= 9.5 && $rtt <= 13"
check "the next step overrides it" retry 3 bash -c \
  "[ \"\$(\"$VNET_BIN/vnet\" --socket \"$SOCK\" --json link show pc/a-b | jq -r .forward.delay)\" = 20ms ]"

# --- profile off / on through the API
out=$(api PATCH links/pc/a-b '{"set": {"profile": "off"}}')
check "PATCH profile off: 200" test "$(tail -1 <<<"$out")" = 200
check "the link says off" test "$(head -n -1 <<<"$out" | jq -r .profile.state)" = off
d_off=$(vnet --json link show pc/a-b | jq -r .forward.delay)
n_ev=$(step_events pc a-b)
sleep 2.5
check "no step while off: delay stays $d_off" \
  test "$(vnet --json link show pc/a-b | jq -r .forward.delay)" = "$d_off"
check "no step events while off ($n_ev)" test "$(step_events pc a-b)" = "$n_ev"
out=$(api PATCH links/pc/a-b '{"set": {"profile": "on", "jitter": "1ms"}}')
check "PATCH profile on (with a property): 200" test "$(tail -1 <<<"$out")" = 200
check "on starts over at the first step" \
  test "$(head -n -1 <<<"$out" | jq -r '.profile | "\(.state) \(.step) \(.cycle)"')" = "running 0 0"
check "... and the other property is set" \
  test "$(head -n -1 <<<"$out" | jq -r '.forward.jitter + " " + (.forward.delay // "0")')" = "1ms 0"
out=$(api PATCH links/pc/plain '{"set": {"profile": "off"}}')
check "profile on a link without one: 400" test "$(tail -1 <<<"$out")" = 400
check "... saying it has no profile" grep -q 'has no profile' <<<"$out"
out=$(api PATCH links/pc/a-b '{"set": {"profile": "maybe", "delay": "1ms"}}')
check "bad profile value: 400, naming on or off" \
  bash -c "[ \"$(tail -1 <<<"$out")\" = 400 ] && grep -q 'expected on or off' <<<'$out'"
check "... and nothing changed (delay still 0)" \
  test "$(vnet --json link show pc/a-b | jq -r '.forward.delay // "0"')" != 1ms

# --- network stop / start: the profile stops, then starts over
check "network stop pr" test "$(api POST networks/pr/stop | tail -1)" = 200
check "stopped network: profile off" \
  test "$(vnet --json link show pr/r1-r2 | jq -r .profile.state)" = off
check "network start pr" test "$(api POST networks/pr/start | tail -1)" = 200
lj=$(vnet --json link show pr/r1-r2)
check "started again: the profile runs from its first step" \
  test "$(jq -r '.profile | "\(.state) \(.step)"' <<<"$lj")" = "running 0"
check "... with the first step's delay" test "$(jq -r '.forward.delay // "0"' <<<"$lj")" = 0

# --- a restarted vnetd keeps the clock of a running profile: the next
# step stays due at the same time (steps are 1 s apart: compare modulo 1 s)
due() {	# NET/LINK: absolute time the next step is due
  local j t
  j=$(vnet --json link show "$1")
  t=$(now)
  awk -v t="$t" -v n="$(jq -r .profile.next_in_ms <<<"$j")" 'BEGIN { printf "%.3f", t + n / 1000 }'
}
check "waiting for the start of the high half" wait_step pc/a-b 1
due0=$(due pc/a-b)
kill -9 "$(daemon_pid)"
sleep 0.5
start_daemon
lj=$(vnet --json link show pc/a-b)
check "after a vnetd restart the profile still runs" \
  test "$(jq -r '.profile.state' <<<"$lj")" = running
due1=$(due pc/a-b)
shift_ms=$(awk -v a="$due0" -v b="$due1" 'BEGIN { d = b - a; d -= int(d + (d >= 0 ? 0.5 : -0.5)); printf "%d", d * 1000 }')
check "... on the same clock (steps shifted by $shift_ms ms, at most 50)" \
  fcmp "$shift_ms >= -50 && $shift_ms <= 50"
c0=$(jq -r .profile.cycle <<<"$lj")
check "... and keeps stepping" retry 4 bash -c \
  "[ \"\$(\"$VNET_BIN/vnet\" --socket \"$SOCK\" --json link show pc/a-b | jq -r .profile.cycle)\" -gt $c0 ]"
finish
