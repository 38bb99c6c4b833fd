#!/usr/bin/env bash
# Progress of long requests: a client that sends `Vnet-Progress: 1` gets
# HTTP/1.1 "102 Processing" interim responses, one Vnet-Progress header per
# step ({"done", "total", "what"}), then the usual final answer; one that does
# not ask gets none. `vnet` asks on a terminal and shows one line that it
# rewrites and clears.
. "$(dirname "$0")/lib.sh"

N=40
{
  echo "networks:"
  echo "  big:"
  echo "    protocol: ospf"
  echo "    prefix: 10.7.0.0/16"
  printf "    routers: ["; for i in $(seq 1 $N); do printf "r%d%s" "$i" "$([ "$i" -lt $N ] && echo ", ")"; done; echo "]"
  echo "    links:"
  for i in $(seq 1 $N); do echo "      - [r$i, r$(( i % N + 1 ))]"; done
} >"$T/big.yaml"

start_daemon
api() { curl -sS -i --unix-socket "$SOCK" "$@"; }
body=$(jq -n --rawfile t "$T/big.yaml" '{topology: $t, file: "big.yaml"}')

# (1) vnet up through the API, asking for progress
api -H 'Vnet-Progress: 1' -H 'Content-Type: application/json' -d "$body" \
  http://vnet/v1/networks >"$T/up.out"
tr -d '\r' <"$T/up.out" | sed -n 's/^Vnet-Progress: //Ip' >"$T/steps"
log "$(wc -l <"$T/steps") progress messages, last: $(tail -1 "$T/steps")"
check "interim 102 responses come before the final 201" bash -c \
  "tr -d '\r' <'$T/up.out' | grep '^HTTP/1.1 ' | awk 'NR==1 && \$2!=102 {exit 1} {last=\$2} END {exit !(last==201 && NR>2)}'"
check "each carries done, total and what; done grows to total = $N" bash -c \
  "jq -e -s 'all(.[]; (.done|type)==\"number\" and .total==$N and (.what|test(\"^big/r[0-9]+ started\$\"))) and
             ([.[].done] | . == sort) and .[-1].done == $N' '$T/steps' >/dev/null"
check "the final answer is the usual JSON" bash -c "tail -1 '$T/up.out' | jq -e '.created == [\"big\"]' >/dev/null"

# (2) without the header: no interim response
api -X POST http://vnet/v1/networks/big/stop >"$T/stop.out"
check "no progress when not asked" bash -c "! grep -qi '^Vnet-Progress' '$T/stop.out' && ! grep -q ' 102 ' '$T/stop.out'"

# (3) the CLI on a terminal (script(1) gives it one)
script -qec "'$VNET_BIN/vnet' --socket '$SOCK' net start big" /dev/null >"$T/tty.out" 2>&1
check "vnet on a terminal shows [done/total] steps" grep -q "\[[0-9]*/$N\] big/r[0-9]* started" "$T/tty.out"
check "and clears the line before its answer" bash -c "grep -q \$'\r\033\[K' '$T/tty.out' && tail -c 200 '$T/tty.out' | grep -q 'network big: running'"
check "the network runs" test "$(vnet --json ls | jq -r '.networks[0].state')" = running

# (4) vnet without a terminal prints no progress
vnet down big >"$T/down.out" 2>&1
check "no progress without a terminal" bash -c "! grep -q '\[[0-9]*/' '$T/down.out'"
finish
