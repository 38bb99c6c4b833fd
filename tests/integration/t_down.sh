#!/usr/bin/env bash
# `vnet down` with several networks and with -f FILE, on a real daemon:
# every network named is taken down (its containers, cgroups and engine
# links go) even when another name does not exist, which is reported and
# makes the exit status 1; -f takes down the networks of a topology file,
# reports those that are not up, and fails only when none is.
. "$(dirname "$0")/lib.sh"

# Two files: red and blue in one, green in the other. No routing daemon:
# this is about the containers and links, not about routes.
cat >"$T/two.yaml" <<'Y'
networks:
  red:
    protocol: none
    prefix: 10.1.0.0/16
    routers: [r1, r2]
    hosts: [h1]
    links: [[h1, r1], [r1, r2]]
  blue:
    protocol: none
    prefix: 10.2.0.0/16
    routers: [s1, s2]
    links: [[s1, s2]]
Y
cat >"$T/green.yaml" <<'Y'
networks:
  green:
    protocol: none
    prefix: 10.3.0.0/16
    routers: [g1, g2]
    links: [[g1, g2]]
Y
ours() { pgrep -f "vnet-init $PREFIX:" | wc -l; }
nets() { vnet --json ls | jq -r '[.networks[].name] | sort | join(" ")'; }
links() { vnet --json ls | jq '[.networks[].links[]] | length'; }
# run ARGS...: vnet ARGS with stdout, stderr and exit status kept.
run() { vnet "$@" >"$T/out" 2>"$T/err"; RC=$?; }
# rc_is N WHAT: the last run exited with N (else show what it printed).
rc_is() {
  if [ "$RC" = "$1" ]; then pass "$2"; else
    fail "$2: exit status $RC, expected $1"
    log "stdout: $(cat "$T/out")"; log "stderr: $(cat "$T/err")"
  fi
}

start_daemon
check "up two.yaml" vnet up "$T/two.yaml"
check "up green.yaml" vnet up "$T/green.yaml"
check "three networks, seven containers" test "$(nets):$(ours)" = "blue green red:7"

# Several names, one of them unknown: the others are still taken down.
run down red nosuch green
rc_is 1 "down red nosuch green"
check "each network taken down is reported" \
  test "$(cat "$T/out")" = "$(printf 'network red removed\nnetwork green removed')"
check "the unknown one is named" grep -qx "vnet: no network 'nosuch'" "$T/err"
check "only blue is left" test "$(nets)" = blue
check "red's and green's containers are gone" test "$(ours)" = 2
check "blue still has its link" test "$(links)" = 1

# -f: blue is up, red is not.
run down -f "$T/two.yaml"
rc_is 0 "down -f two.yaml"
check "down -f reports both networks of the file" \
  test "$(cat "$T/out")" = "$(printf 'network red: not up\nnetwork blue removed')"
check "no network and no container is left" test "$(nets):$(ours)" = ":0"

# -f when none of the file's networks is up: an error.
run down -f "$T/two.yaml"
rc_is 1 "down -f again"
check "down -f again: says that none is up" \
  grep -qx "vnet down: no network of $T/two.yaml is up (red, blue)" "$T/err"

# Both files up again; --file and --json.
vnet up "$T/two.yaml" >/dev/null && vnet up "$T/green.yaml" >/dev/null ||
  die "up again failed"
run --json down --file "$T/two.yaml"
rc_is 0 "down --file --json"
check "down --json: a summary of what was done" \
  test "$(jq -c '[.deleted, .not_up, .failed]' "$T/out")" = '[["red","blue"],[],[]]'
check "green is left" test "$(nets):$(ours)" = "green:2"

# A file that does not parse: the parser's file:line:col, nothing taken down.
sed 's/routers:/routrs:/' "$T/green.yaml" >"$T/bad.yaml"
run down -f "$T/bad.yaml"
rc_is 1 "down -f bad.yaml"
check "down -f bad.yaml: the error names file, line and column" \
  grep -q "^vnet down: $T/bad.yaml:5:5: unknown key 'routrs'" "$T/err"
check "green is still up" test "$(nets)" = green

# A name given twice is taken down once.
run down green green
rc_is 0 "down green green"
check "down green green: taken down once" test "$(cat "$T/out")" = "network green removed"
check "nothing is left" test "$(nets):$(ours)" = ":0"
finish
