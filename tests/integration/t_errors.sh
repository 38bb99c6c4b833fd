#!/usr/bin/env bash
# Bad input of every kind gets a clear error naming what and where, and a
# rejected or failing request leaves nothing behind: bad topology files,
# name clashes, unknown nodes and properties on the CLI, bad API bodies, and
# a failure half-way through `vnet up` (injected), which must undo all.
. "$(dirname "$0")/lib.sh"

VNETD_FAULT=router_start:green/g3 start_daemon

# expect_error DESCRIPTION PATTERN CMD...: CMD fails and its stderr matches.
expect_error() {
  local what=$1 pat=$2; shift 2
  local out
  if out=$("$@" 2>&1); then fail "$what: succeeded"; return; fi
  if grep -qE -- "$pat" <<<"$out"; then pass "$what"; else fail "$what: got: $out"; fi
}
nothing_made() {
  test "$(vnet --json ls | jq '.networks | length')" = 0 &&
  ! ls -d /sys/fs/cgroup/*/"$PREFIX"/*/ 2>/dev/null | grep -v /engine/ | grep -q .
}

cd "$T"
cat > unit.yaml <<'Y'
networks:
  red:
    prefix: 10.1.0.0/16
    routers: [r1, r2]
    links:
      - {ends: [r1, r2], bandwidth: 100mbits}
Y
expect_error "bad unit names file, line, column" "unit.yaml:6:37: bad bandwidth '100mbits'" vnet up unit.yaml
cat > key.yaml <<'Y'
networks:
  red:
    prefix: 10.1.0.0/16
    routerz: [r1]
Y
expect_error "unknown key" "key.yaml:4:5: .*unknown key 'routerz'" vnet up key.yaml
cat > undef.yaml <<'Y'
networks:
  red:
    prefix: 10.1.0.0/16
    routers: [r1, r2]
    links: [[r1, r9]]
Y
expect_error "link to an undefined node" "undef.yaml:5:.*'r9'" vnet up undef.yaml
cat > disc.yaml <<'Y'
networks:
  red:
    prefix: 10.1.0.0/16
    routers: [r1, r2, r3]
    links: [[r1, r2]]
Y
expect_error "disconnected overlay" "disc.yaml:.*not connected" vnet up disc.yaml
cat > small.yaml <<'Y'
networks:
  red:
    prefix: 10.1.0.0/29
    routers: [r1, r2, r3, r4]
    links: [[r1, r2], [r2, r3], [r3, r4]]
Y
expect_error "prefix too small for the plan" "small.yaml:.*too small" vnet up small.yaml
cat > conf.yaml <<'Y'
networks:
  red:
    prefix: 10.1.0.0/16
    routers: {r1: {config: missing.conf}}
Y
expect_error "unreadable config file" "conf.yaml:4:.*missing.conf" vnet up conf.yaml
printf 'networks:\n  red: [\n' > syntax.yaml
expect_error "YAML syntax error" "syntax.yaml:[0-9]+:[0-9]+:" vnet up syntax.yaml
expect_error "missing file" "nope.yaml" vnet up nope.yaml
check "nothing was created by rejected files" nothing_made

# Failure half-way: green's third router fails after two are up; all undone.
cat > green.yaml <<'Y'
networks:
  green:
    protocol: ospf
    prefix: 10.7.0.0/16
    routers: [g1, g2, g3, g4]
    links: [[g1, g2], [g2, g3], [g3, g4]]
  teal:
    protocol: static
    prefix: 10.8.0.0/16
    routers: [t1, t2]
    links: [[t1, t2]]
Y
expect_error "a kernel-side failure half-way is reported" "green/g3: injected fault" vnet up green.yaml
check "and everything it made is undone" nothing_made
check "no container of green is left" bash -c "! pgrep -f 'vnet-init $PREFIX:[g]reen' >/dev/null"

# A file naming a network that exists: the same file changes nothing, a
# clash (another protocol) is refused; either way the network is untouched.
cat > ok.yaml <<'Y'
networks:
  red:
    protocol: static
    prefix: 10.1.0.0/16
    routers: [r1, r2]
    hosts: [h1]
    links: [[r1, r2], [h1, r1]]
Y
check "a good file comes up" vnet up ok.yaml
pid_before=$(vnet --json router show red/r1 | jq .pid)
check "the same file again changes nothing" bash -c "\"$VNET_BIN/vnet\" --socket '$SOCK' up ok.yaml | grep -qx 'network red: unchanged'"
sed 's/protocol: static/protocol: rip/' ok.yaml >clash.yaml
expect_error "the same name with another protocol is a clash" \
  "clash.yaml:2:3: network 'red': changing the protocol of a running network is not supported" vnet up clash.yaml
check "the existing network is untouched" test "$(vnet --json router show red/r1 | jq .pid)" = "$pid_before"

# CLI and API errors name the culprit and change nothing.
expect_error "unknown node" "no node 'r9'" vnet router stop red/r9
expect_error "unknown link" "no link 'r1-r9'" vnet link set red/r1-r9 delay=1ms
expect_error "unknown property" "unknown (link )?property 'dealy'" vnet link set red/r1-r2 dealy=1ms
expect_error "bad value" "bad delay '5 ms'" vnet link set red/r1-r2 'delay=5 ms'
expect_error "bad direction" "bad dir" vnet link set red/r1-r2 delay=1ms dir='r1>r9'
expect_error "unknown router property" "unknown (router )?property 'cpus'" vnet router set red/r1 cpus=50%
expect_error "bad cpu" "bad cpu" vnet router set red/r1 cpu=lots
expect_error "start of a running router" "already running" vnet router start red/r1
check "the link is unchanged by rejected requests" \
  test "$(vnet --json link show red/r1-r2 | jq -c '[.forward, .reverse]')" = '[{},{}]'
api() { curl -s -o "$T/body" -w '%{http_code}' --unix-socket "$SOCK" "$@"; }
check "bad JSON: 400 with a JSON error" bash -c "test \"\$(curl -s -o '$T/b' -w '%{http_code}' --unix-socket '$SOCK' -X PATCH -d '{\"set\": ' http://vnet/v1/links/red/r1-r2)\" = 400 && jq -e '.error | test(\"invalid JSON\")' '$T/b' >/dev/null"
check "unknown body key: 400" test "$(api -X PATCH -d '{"sett": {}}' http://vnet/v1/links/red/r1-r2)" = 400
check "unknown path: 404" test "$(api http://vnet/v1/nothing)" = 404
check "wrong method: 405" test "$(api -X DELETE http://vnet/v1/status)" = 405
# images: the request is checked before any node is frozen or imaged
api_error() {	# what, want status, error regex, curl args...
  local what=$1 want=$2 re=$3 got
  shift 3
  got=$(api "$@")
  check "$what: $want, /$re/" answered "$got" "$want" "$re"
}
answered() {	# got want regex: the status, and the JSON error matching regex
  [ "$1" = "$2" ] && jq -e --arg re "$3" '.error | test($re)' "$T/body" >/dev/null
}
api_error "save to a relative path" 400 "absolute file name" -X POST -d '{"path": "red.vnimg"}' http://vnet/v1/networks/red/save
api_error "router save without a path" 400 "absolute file name" -X POST -d '{}' http://vnet/v1/nodes/red/r1/save
api_error "net copy without a name" 400 "name of the copy" -X POST -d '{}' http://vnet/v1/networks/red/copy
api_error "router copy without a name" 400 "name of the copy" -X POST -d '{"as": null}' http://vnet/v1/nodes/red/r1/copy
api_error "save with a number for path" 400 "'path' must be a string" -X POST -d '{"path": 5}' http://vnet/v1/networks/red/save
api_error "copy with a save key" 400 "path" -X POST -d '{"as": "red2", "path": "/x"}' http://vnet/v1/networks/red/copy
api_error "save of a missing network" 404 "no network 'nope'" -X POST -d "{\"path\": \"$T/x.vnimg\"}" http://vnet/v1/networks/nope/save
check "no image was written" test ! -e "$T/x.vnimg"
check "the daemon still answers" vnet daemon status
finish
