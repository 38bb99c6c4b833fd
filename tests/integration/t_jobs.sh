#!/usr/bin/env bash
# Long work off the event loop: `vnet up` of 200 routers runs as a job
# while the daemon goes on answering (`vnet ls` in well under 100 ms); an
# ordinary HTTP client (curl, no 1xx) that prefers an asynchronous answer
# gets 202 and the job, follows its progress with GET /v1/jobs/ID?wait=,
# and reads the same answer the synchronous request would have had.
. "$(dirname "$0")/lib.sh"

N=200
ring() {	# ring NAME N PREFIX: routers NAME-r1..rN in a ring, static routing
  echo "networks:"
  echo "  $1:"
  echo "    protocol: static"
  echo "    prefix: $3"
  printf "    routers: ["; for i in $(seq 1 "$2"); do printf "r%d%s" "$i" "$([ "$i" -lt "$2" ] && echo ", ")"; done; echo "]"
  echo "    links:"
  for i in $(seq 1 "$2"); do echo "      - [r$i, r$(( i % $2 + 1 ))]"; done
}
ring big $N 10.40.0.0/16 >"$T/big.yaml"
ring small 4 10.41.0.0/16 >"$T/small.yaml"

start_daemon
api() { curl -sS --unix-socket "$SOCK" "$@"; }

# (1) vnet ls while vnet up of 200 routers runs
vnet up "$T/big.yaml" >"$T/up.out" 2>&1 &
UP=$!
on_exit "kill $UP"
# wait until the up is under way: its job runs and has started a node
retry 30 bash -c "curl -sS --unix-socket '$SOCK' http://vnet/v1/jobs |
  jq -e '.jobs[] | select(.op == \"up\" and .state == \"running\" and .done > 0)'" ||
  fail "the up job did not start"
worst=0 samples=0 during=0
while kill -0 "$UP" 2>/dev/null && [ $samples -lt 200 ]; do
  t0=$EPOCHREALTIME
  vnet ls >"$T/ls.out" 2>&1 || fail "vnet ls failed while up runs: $(cat "$T/ls.out")"
  t1=$EPOCHREALTIME
  ms=$(( (${t1/./} - ${t0/./}) / 1000 ))
  [ $ms -gt $worst ] && worst=$ms
  samples=$((samples + 1))
  # a sample counts only if the up still ran after it
  kill -0 "$UP" 2>/dev/null && grep -q "^big .*partial" "$T/ls.out" && during=$((during + 1))
done
wait "$UP"
rc=$?
log "vnet ls during the up: $samples answers ($during while big was partial), slowest $worst ms"
check "the up succeeded" [ $rc = 0 ]
check "vnet ls answered at least 5 times while the up ran" [ "$during" -ge 5 ]
check "every vnet ls answered in under 100 ms (slowest $worst ms)" [ "$worst" -lt 100 ]
check "all $N routers run" test "$(vnet --json ls | jq -r '.networks[] | select(.name == "big") | .state')" = running

# (2) an asynchronous request: 202, a Location, then the job
body=$(jq -n --rawfile t "$T/small.yaml" '{topology: $t, file: "small.yaml"}')
api -i -H 'Prefer: respond-async' -H 'Content-Type: application/json' -d "$body" \
  http://vnet/v1/networks | tr -d '\r' >"$T/async.out"
check "202 Accepted" bash -c "head -1 '$T/async.out' | grep -q '^HTTP/1.1 202'"
loc=$(sed -n 's/^Location: //p' "$T/async.out")
id=$(tail -1 "$T/async.out" | jq -r .id)
check "Location names the job ($loc)" [ "$loc" = "/v1/jobs/$id" ]
# follow it: each answer comes when it has done more steps, or at its end
after=0 polls=0
while :; do
  api "http://vnet$loc?wait=5000&after=$after" >"$T/job.json" || break
  polls=$((polls + 1))
  state=$(jq -r .state "$T/job.json")
  after=$(jq -r .done "$T/job.json")
  [ "$state" = done ] && break
  [ $polls -gt 50 ] && break
done
log "followed job $id in $polls answers: $(jq -c '{state, done, total, ok}' "$T/job.json")"
check "the job ended well, 4 of 4 steps" \
  jq -e '.state == "done" and .ok == true and .done == 4 and .total == 4' "$T/job.json"
check "its result is the answer of the request" \
  jq -e '.result.created == ["small"] and .result.networks[0].state == "running"' "$T/job.json"
check "GET /v1/jobs lists it" bash -c "curl -sS --unix-socket '$SOCK' http://vnet/v1/jobs |
  jq -e '.jobs[] | select(.id == $id and .op == \"up\")' >/dev/null"

# (3) a failed job keeps its error and its class; so does a direct refusal
api -H 'Prefer: respond-async' -X POST http://vnet/v1/networks/small/start >"$T/j2.json"
id2=$(jq -r .id "$T/j2.json")
api "http://vnet/v1/jobs/$id2?wait=10000" >"$T/j2.done"
check "a refused job: its error and class" \
  jq -e '.ok == false and .class == "conflict" and (.error | test("already running"))' "$T/j2.done"
code=$(api -o "$T/e.json" -w '%{http_code}' -X POST http://vnet/v1/networks/nosuch/start)
check "a missing network: 404, class not_found" bash -c \
  "[ $code = 404 ] && jq -e '.class == \"not_found\"' '$T/e.json' >/dev/null"
check "an unknown job: 404" bash -c \
  "[ \$(curl -sS -o /dev/null -w '%{http_code}' --unix-socket '$SOCK' http://vnet/v1/jobs/999999) = 404 ]"
check "a bad wait: 400" bash -c \
  "[ \$(curl -sS -o /dev/null -w '%{http_code}' --unix-socket '$SOCK' 'http://vnet/v1/jobs/$id?wait=x') = 400 ]"

vnet down big >/dev/null
vnet down small >/dev/null
finish
