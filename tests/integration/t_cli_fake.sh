#!/usr/bin/env bash
# t_cli_fake.sh - the vnet command against a fake vnetd.
#
# A small Python HTTP server on a Unix socket plays vnetd: it answers with
# canned API objects (the seed's networks red and blue) and errors, and
# logs every request it gets. The test checks what a user sees -- text,
# --json, exit codes, error messages -- and what vnet sent (method, path,
# body). It also checks the auto-start of vnetd and `vnet cleanup` with a
# fake vnetd binary next to a copy of vnet, and, as root, `vnet exec` in
# namespaces made with unshare(1). Everything lives in a temporary
# directory and is removed on exit (trap).
set -u

VNET_BIN=${VNET_BIN:?set VNET_BIN to the bin directory of the build}
VNET=$VNET_BIN/vnet
T=$(mktemp -d /tmp/vnet-cli-fake.XXXXXX)
SOCK=$T/api.sock
REQ=$T/requests.log
FAKE_PID= HOLDER_PID= NODE_PID= CG=
fails=0 checks=0

cleanup() {
	local p
	# The node's init ignores SIGTERM (pid 1 of its namespace).
	[ -n "${NODE_PID:-}" ] && kill -KILL "$NODE_PID" 2>/dev/null
	for p in $FAKE_PID $HOLDER_PID $(cat "$T"/*.pid 2>/dev/null); do
		kill "$p" 2>/dev/null
	done
	wait 2>/dev/null
	[ -n "$CG" ] && [ -d "$CG" ] && rmdir "$CG" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

cat > "$T/fake.py" <<'EOF'
# A fake vnetd: canned answers on a Unix socket; every request is logged as
# one JSON line {"method", "path", "body"}.
import json, os, socketserver, sys, threading
from http.server import BaseHTTPRequestHandler
from urllib.parse import urlsplit, parse_qs, unquote

SOCK, LOG = sys.argv[1], sys.argv[2]
EXEC_PID = int(os.environ.get("FAKE_EXEC_PID", "0") or 0)
CGROUP = os.environ.get("FAKE_CGROUP", "")

def node(net, name, kind, i, **kw):
    n = {"name": name, "network": net, "kind": kind, "state": "running",
         "pid": 1000 + i, "cgroup_procs": [], "cpu": None, "memory": None,
         "usage": {"cpu_ns": 1234567890, "memory_bytes": 3 * 1024 * 1024},
         "router_id": "10.1.0.%d" % i if kind == "router" else None,
         "loopback": ["10.1.0.%d/32" % i] if kind == "router" else [],
         "gateway": ["10.1.64.1"] if kind == "host" else [],
         "interfaces": [{"name": "eth0", "mac": "02:00:00:00:00:%02x" % i,
                         "addresses": ["10.1.64.%d/30" % (4 * i + 1)],
                         "link": "r1-r2", "peer": "r2"}],
         "routing": {"daemon": "bird", "state": "running", "pid": 2000 + i,
                     "restarts": 0,
                     "protocols": [{"name": "ospf4", "proto": "OSPF",
                                    "state": "up", "info": "Running"}]}
         if kind == "router" else {"daemon": None}}
    n.update(kw)
    return n

def link(net, a, b, fwd=None, rev=None, **kw):
    l = {"name": "%s-%s" % (a, b), "network": net, "ends": [a, b],
         "state": "up", "carrier": True, "forward": fwd or {},
         "reverse": rev or {}}
    l.update(kw)
    return l

P = {"bandwidth": "10mbit", "delay": "20ms"}
red = {"name": "red", "protocol": "ospf", "prefixes": ["10.1.0.0/16"],
       "state": "running",
       "nodes": [node("red", "r1", "router", 1, pid=EXEC_PID or 1001,
                      cpu="50%", memory="64M", host="hostA",
                      cgroup_procs=[CGROUP + "/cgroup.procs",
                                    "/nonexistent/vnet/cgroup.procs"]),
                 node("red", "r2", "router", 2, state="stopped", pid=0),
                 node("red", "r3", "router", 3), node("red", "r4", "router", 4),
                 node("red", "h1", "host", 5), node("red", "h2", "host", 6)],
       "links": [link("red", "r1", "r2", dict(P), dict(P),
                      path=["hostA", "hostB"]),
                 link("red", "r2", "r3", {"delay": "5ms"}, {}),
                 link("red", "r3", "r4", state="down", carrier=False),
                 link("red", "r4", "r1"), link("red", "r1", "h1"),
                 link("red", "r3", "h2")]}
blue = {"name": "blue", "protocol": "rip", "prefixes": ["fd00:2::/48"],
        "state": "running",
        "nodes": [node("blue", n, "router", 10 + i) for i, n in
                  enumerate(["hub", "s1", "s2"])] + [node("blue", "h1", "host", 20)],
        "links": [link("blue", "hub", s) for s in ("s1", "s2", "h1")]}
NETS = {"red": red, "blue": blue}
LINES = ["line %d" % i for i in range(1, 11)]
EVENTS = [{"time": "2024-05-01T10:00:0%dZ" % i, "type": "link",
           "link": "red/r3-r4", "message": "event %d" % i} for i in range(1, 4)]

def find(kind, segs):
    """Node or link by [net, name] or [name]: (obj, status, error)."""
    if len(segs) == 2:
        net = NETS.get(segs[0])
        hits = [o for o in (net or {}).get(kind, []) if o["name"] == segs[1]]
    else:
        hits = [o for n in NETS.values() for o in n[kind] if o["name"] == segs[0]]
    what = "node" if kind == "nodes" else "link"
    ref = "/".join(segs)
    if not hits:
        return None, 404, "no %s '%s'" % (what, ref)
    if len(hits) > 1:
        return None, 409, "%s '%s' is ambiguous: %s" % (what, ref, ", ".join(
            o["network"] + "/" + o["name"] for o in hits))
    return hits[0], 200, None

class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def reply(self, code, obj=None, raw=None):
        data = raw if raw is not None else json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def error(self, code, msg):
        self.reply(code, {"error": msg})

    def handle_any(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        u = urlsplit(self.path)
        q = parse_qs(u.query)
        with open(LOG, "a") as f:
            f.write(json.dumps({"method": self.command, "path": self.path,
                                "body": json.loads(body) if body else None}) + "\n")
        segs = [unquote(s) for s in u.path.split("/")[1:]]
        if segs[:1] != ["v1"]:
            return self.error(404, "no such API path")
        segs = segs[1:]
        m = self.command
        lines = int(q.get("lines", ["0"])[0])
        if segs == ["status"]:
            return self.reply(200, {"version": "0.1.0", "pid": os.getpid(),
                                    "prefix": "vt", "socket": SOCK,
                                    "state_dir": "/tmp/vt-state",
                                    "engine": {"pid": 4242, "running": True}})
        if segs == ["shutdown"] and m == "POST":
            self.reply(200, {"state": "stopping"})
            threading.Thread(target=self.server.shutdown).start()
            return
        if segs == ["events"]:
            return self.reply(200, {"events": EVENTS[-lines:] if lines else EVENTS})
        if segs == ["networks"] and m == "GET":
            return self.reply(200, {"networks": list(NETS.values())})
        if segs == ["networks"] and m == "POST":
            return self.reply(201, {"networks": [red, blue]})
        if segs[:1] == ["networks"] and len(segs) == 2:
            net = NETS.get(segs[1])
            if not net:
                return self.error(404, "no network '%s'" % segs[1])
            if m == "DELETE":
                return self.reply(200, {"name": segs[1], "state": "removed"})
            return self.reply(200, net)
        if segs[:1] in (["nodes"], ["links"]):
            kind = segs[0]
            rest = segs[1:]
            verb = None
            if rest and rest[-1] in ("logs", "stop", "start", "up", "down", "stats"):
                verb = rest.pop()
            if rest == ["red", "broken"]:
                return self.reply(500, raw=b"boom\nmore")
            if rest == ["red", "bare"]:
                return self.reply(200, {"name": "bare"})
            obj, code, err = find(kind, rest)
            if err:
                return self.error(code, err)
            if verb == "logs":
                return self.reply(200, {"lines": LINES[-lines:] if lines else LINES})
            if verb == "stats":
                return self.reply(200, {"name": obj["name"], "network": obj["network"],
                    "ends": obj["ends"], "state": obj["state"],
                    "stats": {"forward": {"rx_frames": 100, "tx_frames": 99,
                                          "drops": {"queue": 1, "loss": 0}},
                              "reverse": {"rx_frames": 50, "tx_frames": 50,
                                          "drops": {"queue": 0, "loss": 2}}}})
            if verb in ("stop", "start", "up", "down"):
                st = {"stop": "stopped", "start": "running"}.get(verb, verb)
                o = dict(obj, state=st)
                if verb == "stop":
                    o["pid"] = 0
                return self.reply(200, o)
            if m == "PATCH":
                b = json.loads(body)
                bad = [k for k, v in b.get("set", {}).items() if v == "fast"]
                if bad:
                    return self.error(400, "bad %s 'fast': expected a rate such as "
                                      "100mbit" % bad[0])
                o = dict(obj)
                if kind == "links":
                    o["forward"] = dict(o["forward"], **b["set"])
                    if not b.get("dir"):
                        o["reverse"] = dict(o["reverse"], **b["set"])
                else:
                    o.update(b["set"])
                return self.reply(200, o)
            return self.reply(200, obj)
        return self.error(404, "no such API path")

    do_GET = do_POST = do_PATCH = do_DELETE = handle_any

class S(socketserver.UnixStreamServer):
    def get_request(self):
        req, _ = super().get_request()
        return req, ("local", 0)

if os.path.exists(SOCK):
    os.unlink(SOCK)
srv = S(SOCK, H)
srv.serve_forever()
os.unlink(SOCK)
EOF

# --- helpers ---------------------------------------------------------------

# run ARGS...: run vnet, keep stdout, stderr and the exit status.
run() {
	"$@" >"$T/out" 2>"$T/err"
	RC=$?
}
v() { run "$VNET" --socket "$SOCK" "$@"; }

fail() {
	fails=$((fails + 1))
	echo "FAIL: $*"
	echo "  stdout: $(head -c 2000 "$T/out")"
	echo "  stderr: $(head -c 2000 "$T/err")"
}
ok() { checks=$((checks + 1)); }

rc_is() { if [ "$RC" -eq "$1" ]; then ok; else fail "$2: exit $RC, expected $1"; fi; }
out_has() { if grep -qE -- "$1" "$T/out"; then ok; else fail "$2: stdout lacks /$1/"; fi; }
out_lacks() { if grep -qE -- "$1" "$T/out"; then fail "$2: stdout has /$1/"; else ok; fi; }
err_has() { if grep -qF -- "$1" "$T/err"; then ok; else fail "$2: stderr lacks '$1'"; fi; }
out_empty() { if [ -s "$T/out" ]; then fail "$1: stdout not empty"; else ok; fi; }
# json_is PYEXPR VALUE NAME: PYEXPR on the parsed stdout (as j) == VALUE
json_is() {
	local got
	got=$(python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' \
		"$T/out" "$1" 2>&1)
	if [ "$got" = "$2" ]; then ok; else fail "$3: $1 = '$got', expected '$2'"; fi
}
# last_req PYEXPR VALUE NAME: on the last request the fake got (as r)
last_req() {
	local got
	got=$(python3 -c 'import json,sys; r=json.loads(open(sys.argv[1]).readlines()[-1]); print(eval(sys.argv[2]))' \
		"$REQ" "$1" 2>&1)
	if [ "$got" = "$2" ]; then ok; else fail "$3: request $1 = '$got', expected '$2'"; fi
}
nreq() { if [ -f "$REQ" ]; then wc -l <"$REQ"; else echo 0; fi; }
wait_socket() {
	local i
	for i in $(seq 100); do
		python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])' \
			"$1" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# --- a node to exec into (root only) ---------------------------------------

can_exec=0
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null; then
	unshare --fork --pid --mount-proc --net --uts --ipc --cgroup --mount \
		sh -c 'hostname r1 && exec sleep 600' </dev/null >/dev/null 2>&1 &
	HOLDER_PID=$!
	for i in $(seq 100); do
		NODE_PID=$(pgrep -P "$HOLDER_PID" 2>/dev/null | head -1)
		[ -n "$NODE_PID" ] && [ "$(cat /proc/"$NODE_PID"/comm 2>/dev/null)" = sleep ] && break
		sleep 0.05
	done
	if [ -n "${NODE_PID:-}" ]; then
		can_exec=1
		for d in /sys/fs/cgroup/pids /sys/fs/cgroup/unified /sys/fs/cgroup; do
			if [ -f "$d/cgroup.procs" ] && mkdir "$d/vnet-cli-test-$$" 2>/dev/null; then
				CG=$d/vnet-cli-test-$$
				break
			fi
		done
	fi
fi

FAKE_EXEC_PID=${NODE_PID:-0} FAKE_CGROUP=${CG:-/nonexistent} \
	python3 "$T/fake.py" "$SOCK" "$REQ" &
FAKE_PID=$!
wait_socket "$SOCK" || { echo "FAIL: the fake vnetd did not start"; exit 1; }

# --- help, completion, usage errors (nothing sent) -------------------------

n0=$(nreq)
run "$VNET" --socket "$T/none.sock" help
rc_is 0 "help"; out_has '^  link set LINK PROP=VALUE' "help lists link set"
out_has '^  exec NODE -- CMD' "help lists exec"
run "$VNET" help link set
rc_is 0 "help link set"; out_has "^usage: vnet link set" "help link set"; out_has "bandwidth" "props listed"
run "$VNET" router set --help
rc_is 0 "router set --help"; out_has "^usage: vnet router set NODE" "router set --help"
run "$VNET" --json help ls
json_is 'j["name"]' ls "help --json"
run "$VNET" help nosuch
rc_is 2 "help nosuch"; err_has "unknown command 'nosuch'" "help nosuch"
run "$VNET"
rc_is 2 "no command"; err_has "usage: vnet" "no command"
run "$VNET" lsx
rc_is 2 "lsx"; err_has "vnet: unknown command 'lsx' (see vnet help)" "lsx"
run "$VNET" link frob x
rc_is 2 "link frob"; err_has "unknown command 'link frob'" "link frob"
run "$VNET" --bogus ls
rc_is 2 "--bogus"; err_has "unknown option '--bogus'" "--bogus"
run "$VNET" --socket
rc_is 2 "--socket without value"; err_has "needs a value" "--socket without value"
v link set red/r1-r2 bandwidth
rc_is 2 "link set no value"
err_has "vnet link set: 'bandwidth' needs a value: bandwidth=VALUE" "link set no value"
v link set red/r1-r2 bandwdith=1mbit
rc_is 2 "link set typo"; err_has "unknown property 'bandwdith'" "link set typo"
v link set red/r1-r2 delay=1ms delay=2ms
rc_is 2 "link set twice"; err_has "'delay' is given twice" "link set twice"
v link set red/r1-r2 delay=1ms 'dir=r1'
rc_is 2 "bad dir"; err_has "'dir=r1' is not a direction" "bad dir"
v link set red/r1-r2
rc_is 2 "link set nothing"; err_has "nothing to set" "link set nothing"
v link set
rc_is 2 "link set no link"; err_has "vnet link set: missing LINK" "link set no link"
v router set red/r1 disk=1G
rc_is 2 "router set unknown"; err_has "unknown property 'disk' (known: cpu, memory)" "router set unknown"
v status
rc_is 2 "status no net"; err_has "vnet status: missing NET" "status no net"
v status red/r1
rc_is 2 "status node"; err_has "'red/r1' is not a network name" "status node"
v status red blue
rc_is 2 "status 2 args"; err_has "unexpected argument 'blue'" "status 2 args"
v router show a/b/c
rc_is 2 "bad node"; err_has "'a/b/c' is not a node" "bad node"
v router show 'r 1'
rc_is 2 "bad node name"; err_has "bad node name 'r 1'" "bad node name"
v logs red/r1 -n x
rc_is 2 "logs -n x"; err_has "-n needs a number of lines" "logs -n x"
v logs red/r1 -n
rc_is 2 "logs -n"; err_has "-n needs a number of lines" "logs -n"
v exec red/r1
rc_is 2 "exec no cmd"; err_has "missing CMD" "exec no cmd"
v ls --frob
rc_is 2 "ls --frob"; err_has "unknown option '--frob'" "ls --frob"
v completion zsh
rc_is 2 "completion zsh"; err_has "unsupported shell 'zsh'" "completion zsh"
v down
rc_is 2 "down nothing"; err_has "vnet down: missing NET (or -f FILE)" "down nothing"
err_has "usage: vnet down NET... | -f FILE" "down usage"
v down red -f "$T/x.yaml"
rc_is 2 "down NET and -f"; err_has "give networks or -f FILE, not both" "down NET and -f"
v down -f
rc_is 2 "down -f without file"; err_has "-f needs a topology file: -f FILE" "down -f without file"
v down red red/r1
rc_is 2 "down a node"; err_has "'red/r1' is not a network name" "down a node"
v down -t "$T/x.yaml"
rc_is 2 "down -t"; err_has "unknown option '-t'" "down -t"
[ "$(nreq)" = "$n0" ] && ok || fail "usage errors sent requests"

# --- completion ------------------------------------------------------------

run "$VNET" completion bash
rc_is 0 "completion bash"
cp "$T/out" "$T/completion.bash"
if bash -n "$T/completion.bash"; then ok; else fail "completion script syntax"; fi
# complete WORDS...: the completions of the last word.
complete_words() {
	bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _vnet; echo "${COMPREPLY[*]}"' \
		_ "$T/completion.bash" "$@" 2>&1
}
got=$(complete_words vnet link s)
[ "$got" = "show stats set" ] && ok || fail "complete 'link s': '$got'"
got=$(complete_words vnet l)
[ "$got" = "ls logs link" ] && ok || fail "complete 'l': '$got'"
got=$(complete_words "$VNET" --socket "$SOCK" status "")
[ "$got" = "red blue" ] && ok || fail "complete status NET: '$got'"
got=$(complete_words "$VNET" --socket "$SOCK" exec red/r "")
[ "$got" = "--" ] && ok || fail "complete exec NODE: '$got'"
got=$(complete_words "$VNET" --socket "$SOCK" router show red/r)
[ "$got" = "red/r1 red/r2 red/r3 red/r4" ] && ok || fail "complete router show: '$got'"
got=$(complete_words vnet link set red/r1-r2 ban)
[ "$got" = "bandwidth=" ] && ok || fail "complete link set props: '$got'"
got=$(complete_words vnet router set red/r1 "")
[ "$got" = "cpu= memory=" ] && ok || fail "complete router set: '$got'"
got=$(complete_words vnet help li)
[ "$got" = "link" ] && ok || fail "complete help: '$got'"
got=$(complete_words "$VNET" --socket "$SOCK" down red "")
[ "$got" = "red blue" ] && ok || fail "complete down NET NET: '$got'"
got=$(complete_words vnet down -)
[ "$got" = "-f" ] && ok || fail "complete down -: '$got'"
mkdir -p "$T/cdir" && touch "$T/cdir/net.yaml"
got=$(cd "$T/cdir" && complete_words vnet down -f n)
[ "$got" = "net.yaml" ] && ok || fail "complete down -f FILE: '$got'"

# --- reading ---------------------------------------------------------------

v ls
rc_is 0 "ls"
out_has '^NAME +PROTOCOL +PREFIXES +STATE +NODES +LINKS$' "ls header"
out_has '^red +ospf +10\.1\.0\.0/16 +running +6 +6$' "ls red row"
out_has '^blue +rip +fd00:2::/48 +running +4 +3$' "ls blue row"
out_has '^network red$' "ls red section"
out_has '^  r1 +router +running +10\.1\.0\.1/32$' "ls node row"
out_has '^  h1 +host +running +10\.1\.64\.21/30$' "ls host row"
out_has '^  r1-r2 +r1<->r2 +up +bandwidth=10mbit delay=20ms$' "ls symmetric link"
out_has '^  r2-r3 +r2<->r3 +up +r2>r3: delay=5ms; r3>r2: -$' "ls asymmetric link"
out_has '^  r3-r4 +r3<->r4 +down +-$' "ls down link"
last_req 'r["method"], r["path"]' "('GET', '/v1/networks')" "ls request"
v --json ls
rc_is 0 "ls --json"
json_is '[n["name"] for n in j["networks"]]' "['red', 'blue']" "ls --json"
v ls --json
json_is 'len(j["networks"][0]["nodes"])' 6 "ls --json after the command"
v -j ls
json_is 'j["networks"][1]["protocol"]' rip "ls -j"

v status red
rc_is 0 "status red"
out_has '^network red: running$' "status header"
out_has '^router r1: running, pid ' "status router"
out_has '^  cpu +50% \(used 1\.23s\)$' "status cpu"
out_has '^  memory +64M \(using 3\.0M\)$' "status memory"
out_has '^  routing +bird running, pid 2001, 0 restarts$' "status routing"
out_has '^    ospf4 +OSPF +up +Running$' "status protocol"
out_has '^    eth0 +02:00:00:00:00:01 +10\.1\.64\.5/30 +r1-r2 +r2$' "status interface"
out_has '^  runs on +hostA$' "status host of a router"
out_has '^  path +hostA -> hostB$' "status path of a link"
out_has '^router r2: stopped$' "status stopped router"
out_has '^host h1: running' "status host"
out_has '^  gateway +10\.1\.64\.1$' "status gateway"
out_has '^link r3-r4: down, no carrier \(r3<->r4\)$' "status link"
out_has '^  r1>r2 +bandwidth=10mbit delay=20ms$' "status link direction"
v --json status red
json_is 'j["name"], len(j["links"])' "('red', 6)" "status --json"
v status nosuch
rc_is 1 "status 404"; err_has "vnet: no network 'nosuch'" "status 404"; out_empty "status 404"
v --json status nosuch
rc_is 1 "status 404 --json"; out_empty "status 404 --json"

v router show red/r1
rc_is 0 "router show"; out_has '^router red/r1: running' "router show"
out_has '^  router id +10\.1\.0\.1$' "router show router id"
v router show r1
rc_is 0 "router show bare"; last_req 'r["path"]' /v1/nodes/r1 "bare node path"
v router show h1
rc_is 1 "ambiguous"; err_has "vnet: node 'h1' is ambiguous: red/h1, blue/h1" "ambiguous"
v router show red/nope
rc_is 1 "unknown node"; err_has "vnet: no node 'red/nope'" "unknown node"
v router show red/bare
rc_is 0 "sparse node"; out_has '^node bare: -$' "sparse node header"
out_has '^  cpu +no limit$' "sparse node cpu"; out_has '^  interfaces +-$' "sparse node ifs"

v logs red/r1 -n 2
rc_is 0 "logs"
[ "$(cat "$T/out")" = "$(printf 'line 9\nline 10')" ] && ok || fail "logs -n 2 output"
last_req 'r["path"]' '/v1/nodes/red/r1/logs?lines=2' "logs path"
v logs -n3 red/r1
[ "$(wc -l <"$T/out")" = 3 ] && ok || fail "logs -n3"
v logs red/r1
[ "$(wc -l <"$T/out")" = 10 ] && ok || fail "logs all"
last_req 'r["path"]' '/v1/nodes/red/r1/logs' "logs path without -n"
v --json logs red/r1 --lines 1
json_is 'j["lines"]' "['line 10']" "logs --json"

v link show red/r2-r3
rc_is 0 "link show"; out_has '^link red/r2-r3: up \(r2<->r3\)$' "link show header"
out_has '^  r2>r3 +delay=5ms$' "link show fwd"; out_has '^  r3>r2 +-$' "link show rev"
v link stats red/r1-r2
rc_is 0 "link stats"
out_has '^  COUNTER +r1>r2 +r2>r1$' "stats header"
out_has '^  rx_frames +100 +50$' "stats rx"; out_has '^  drops\.loss +0 +2$' "stats drops"
v link show red/broken
rc_is 1 "500"; err_has "answered HTTP 500: boom" "500 non-JSON body"

v events -n 2
rc_is 0 "events"
[ "$(wc -l <"$T/out")" = 2 ] && ok || fail "events -n 2"
out_has '^2024-05-01T10:00:03Z  link  red/r3-r4  event 3$' "events line"
last_req 'r["path"]' '/v1/events?lines=2' "events path"

v daemon status
rc_is 0 "daemon status"; out_has '^vnetd 0\.1\.0: running, pid [0-9]+$' "daemon status"
out_has '^  engine +running, pid 4242$' "daemon status engine"
v --json daemon status
json_is 'j["engine"]["running"]' True "daemon status --json"

v version
rc_is 0 "version"; out_has '^vnet [0-9]' "version vnet"; out_has '^vnetd 0\.1\.0 \(pid' "version vnetd"
v --json version
json_is 'j["vnetd"]["version"]' 0.1.0 "version --json"

# --- changing --------------------------------------------------------------

v link set red/r1-r2 bandwidth=100mbit delay=5ms 'dir=r1>r2'
rc_is 0 "link set"
last_req 'r["method"], r["path"]' "('PATCH', '/v1/links/red/r1-r2')" "link set request"
last_req 'r["body"]' "{'set': {'bandwidth': '100mbit', 'delay': '5ms'}, 'dir': 'r1>r2'}" "link set body"
out_has '^  r1>r2 +bandwidth=100mbit delay=5ms$' "link set shows the link"
v link set r1-r2 loss=0.1%
last_req 'r["body"]' "{'set': {'loss': '0.1%'}}" "link set without dir"
v link set red/r1-r2 bandwidth=fast
rc_is 1 "link set rejected"
err_has "vnet: bad bandwidth 'fast': expected a rate such as 100mbit" "link set rejected"
v link down red/r1-r2
rc_is 0 "link down"; out_has '^link red/r1-r2: down$' "link down"
last_req 'r["method"], r["path"]' "('POST', '/v1/links/red/r1-r2/down')" "link down request"
v --json link up red/r1-r2
json_is 'j["state"]' up "link up --json"
last_req 'r["path"]' "/v1/links/red/r1-r2/up" "link up request"

v router set red/r1 cpu=25% memory=64M
rc_is 0 "router set"
last_req 'r["method"], r["body"]' "('PATCH', {'set': {'cpu': '25%', 'memory': '64M'}})" "router set body"
out_has '^red/r1: running, pid [0-9]+, cpu 25%, memory 64M$' "router set output"
v router stop red/r3
rc_is 0 "router stop"; out_has '^red/r3: stopped$' "router stop"
last_req 'r["method"], r["path"]' "('POST', '/v1/nodes/red/r3/stop')" "router stop request"
v router start red/r3
out_has '^red/r3: running, pid 1003$' "router start"

mkdir -p "$T/topo"
printf 'networks:\n  - name: red # caf\xc3\xa9\n' >"$T/topo/net.yaml"
(cd "$T" && run "$VNET" --socket "$SOCK" up topo/net.yaml && cp "$T/out" "$T/up.out" &&
	cp "$T/err" "$T/up.err"; echo $RC >"$T/up.rc")
cp "$T/up.out" "$T/out"; cp "$T/up.err" "$T/err"; RC=$(cat "$T/up.rc")
rc_is 0 "up"; out_has '^network red: running, 4 routers, 2 hosts, 6 links$' "up output"
last_req 'r["method"], r["path"]' "('POST', '/v1/networks')" "up request"
last_req 'r["body"]["file"], r["body"]["dir"]' "('topo/net.yaml', '$T/topo')" "up file and dir"
last_req 'r["body"]["topology"] == open("'"$T/topo/net.yaml"'", encoding="utf-8").read()' True "up topology text"
v up "$T/nope.yaml"
rc_is 1 "up missing file"; err_has "vnet up: cannot read '$T/nope.yaml'" "up missing file"
printf 'bad \xff\n' >"$T/bin.yaml"
v up "$T/bin.yaml"
rc_is 1 "up binary file"; err_has "is not a text file" "up binary file"

v down red
rc_is 0 "down"; out_has '^network red removed$' "down"
last_req 'r["method"], r["path"]' "('DELETE', '/v1/networks/red')" "down request"
# several networks: each in turn, a missing one reported, the others
# still taken down, a name given twice taken down once
n0=$(nreq)
v down red nosuch blue red
rc_is 1 "down several, one missing"
[ "$(cat "$T/out")" = "$(printf 'network red removed\nnetwork blue removed')" ] && ok ||
	fail "down several: each reported"
err_has "vnet: no network 'nosuch'" "down several: the missing one named"
[ "$(tail -n +$((n0 + 1)) "$REQ" | jq -sc '[.[] | .method + " " + .path]')" = \
	'["DELETE /v1/networks/red","DELETE /v1/networks/nosuch","DELETE /v1/networks/blue"]' ] &&
	ok || fail "down several: requests $(tail -n +$((n0 + 1)) "$REQ")"
v --json down red nosuch
rc_is 1 "down --json"
json_is 'j["deleted"], j["failed"]' "(['red'], ['nosuch'])" "down --json summary"
v down blue
rc_is 0 "down one"; [ -s "$T/err" ] && fail "down one: stderr not empty" || ok

# -f FILE: the file's networks that exist (red) taken down, the others
# (green) reported; the list comes from GET /v1/networks
cat >"$T/down.yaml" <<'Y'
networks:
  green:
    protocol: ospf
    prefix: 10.7.0.0/16
    routers: [g1, g2]
    links: [[g1, g2]]
  red:
    protocol: ospf
    prefix: 10.1.0.0/16
    routers: [r1, r2]
    links: [[r1, r2]]
Y
n0=$(nreq)
v down -f "$T/down.yaml"
rc_is 0 "down -f"
[ "$(cat "$T/out")" = "$(printf 'network green: not up\nnetwork red removed')" ] && ok ||
	fail "down -f: each network reported"
[ "$(tail -n +$((n0 + 1)) "$REQ" | jq -sc '[.[] | .method + " " + .path]')" = \
	'["GET /v1/networks","DELETE /v1/networks/red"]' ] && ok ||
	fail "down -f: requests $(tail -n +$((n0 + 1)) "$REQ")"
v --json down --file "$T/down.yaml"
rc_is 0 "down --file --json"
json_is 'j["file"], j["deleted"], j["not_up"], j["failed"]' \
	"('$T/down.yaml', ['red'], ['green'], [])" "down -f --json summary"
sed -i 's/^  red:/  yellow:/' "$T/down.yaml"
v down --file="$T/down.yaml"
rc_is 1 "down -f, none up"; out_empty "down -f, none up"
err_has "vnet down: no network of $T/down.yaml is up (green, yellow)" "down -f, none up"
n0=$(nreq)
printf 'networks:\n  red:\n    routrs: [r1]\n' >"$T/bad.yaml"
v down -f "$T/bad.yaml"
rc_is 1 "down -f bad file"
err_has "vnet down: $T/bad.yaml:3:5: unknown key 'routrs'" "down -f bad file: file:line:col"
v down -f "$T/nope.yaml"
rc_is 1 "down -f missing file"
err_has "vnet down: $T/nope.yaml: cannot read the topology: No such file or directory" \
	"down -f missing file"
[ "$(nreq)" = "$n0" ] && ok || fail "down -f of a bad file sent requests"

v cleanup
rc_is 1 "cleanup while running"
err_has "vnet cleanup: vnetd is running on $SOCK; use 'vnet shutdown' or 'vnet down NET'" "cleanup refuses"

# --- exec ------------------------------------------------------------------

if [ "$can_exec" = 1 ]; then
	v exec red/r1 -- hostname
	rc_is 0 "exec hostname"; [ "$(cat "$T/out")" = r1 ] && ok || fail "exec runs in the UTS namespace"
	v exec red/r1 hostname
	[ "$(cat "$T/out")" = r1 ] && ok || fail "exec without --"
	v exec red/r1 -- cat /proc/1/comm
	[ "$(cat "$T/out")" = sleep ] && ok || fail "exec sees the node's pid namespace and /proc"
	v exec red/r1 -- sh -c 'tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " "'
	[ "$(cat "$T/out")" = lo ] && ok || fail "exec runs in the network namespace"
	v exec red/r1 -- pwd
	[ "$(cat "$T/out")" = / ] && ok || fail "exec cwd is /"
	VNET_T=kept run "$VNET" --socket "$SOCK" exec red/r1 -- sh -c 'echo $VNET_T'
	[ "$(cat "$T/out")" = kept ] && ok || fail "exec keeps the environment"
	v exec red/r1 -- sh -c 'exit 7'
	rc_is 7 "exec exit status"
	v exec red/r1 -- sh -c 'kill -TERM $$'
	rc_is 143 "exec killed command"
	v exec red/r1 -- ls --json
	rc_is 2 "exec passes options to CMD"; out_empty "exec --json is CMD's"
	v exec red/r1 -- no-such-command-xyz
	rc_is 127 "exec not found"; err_has "vnet exec: no-such-command-xyz: not found" "exec not found"
	v exec red/r2 -- true
	rc_is 1 "exec stopped"; err_has "vnet exec: red/r2 is stopped" "exec stopped"
	if [ -n "$CG" ]; then
		"$VNET" --socket "$SOCK" exec red/r1 -- sleep 3 &
		ep=$!
		for i in $(seq 40); do grep -q . "$CG/cgroup.procs" && break; sleep 0.05; done
		grep -q . "$CG/cgroup.procs" && ok || fail "exec joins the node's cgroup"
		grep -qx "$ep" "$CG/cgroup.procs" && fail "vnet itself joined the cgroup" || ok
		kill "$ep" 2>/dev/null; wait "$ep" 2>/dev/null
	fi
	"$VNET" --socket "$SOCK" exec red/r1 -- sleep 30 &
	ep=$!
	sleep 0.5
	kill -TERM "$ep"
	start=$(date +%s)
	wait "$ep"; RC=$?
	rc_is 143 "exec passes SIGTERM on"
	[ $(($(date +%s) - start)) -lt 5 ] && ok || fail "exec SIGTERM took too long"
else
	echo "SKIP: vnet exec tests (need root and unshare)"
fi

# --- shutdown, auto-start, cleanup -------------------------------------------

v shutdown
rc_is 0 "shutdown"; out_has "^vnetd on $SOCK has shut down$" "shutdown"
[ -S "$SOCK" ] && fail "socket still there after shutdown" || ok
wait "$FAKE_PID" 2>/dev/null; FAKE_PID=
v shutdown
rc_is 0 "shutdown without daemon"; out_has "^no vnetd is running on $SOCK$" "shutdown without daemon"
v version
rc_is 0 "version without daemon"; out_has "^vnetd not running \(socket $SOCK\)$" "version without daemon"
[ -e "$SOCK" ] && fail "version started a daemon" || ok

# A copy of vnet with a fake vnetd next to it.
mkdir -p "$T/auto" "$T/st"
cp "$VNET" "$T/auto/vnet"
cat >"$T/auto/vnetd" <<EOF
#!/usr/bin/env bash
echo "\$*" >>"$T/vnetd.args"
echo "fake vnetd says hello"   # stdout: must not reach vnet's stdout
sock=
while [ \$# -gt 0 ]; do
	case \$1 in --socket) sock=\$2; shift ;; --cleanup) exit 0 ;; esac
	shift
done
setsid python3 "$T/fake.py" "\$sock" "$T/auto-requests.log" </dev/null >/dev/null 2>&1 &
echo \$! >"$T/auto.pid"
exit 0
EOF
chmod +x "$T/auto/vnetd"
AS=$T/auto.sock
run "$T/auto/vnet" --socket "$AS" --state-dir "$T/st" --prefix vt --json ls
rc_is 0 "auto-start"; err_has "vnet: started vnetd (socket $AS)" "auto-start message"
json_is 'j["networks"][0]["name"]' red "auto-start then answer"
grep -qx -- "--socket $AS --state-dir $T/st --prefix vt --daemon" "$T/vnetd.args" && ok ||
	fail "auto-start arguments: $(cat "$T/vnetd.args")"
run "$T/auto/vnet" --socket "$AS" ls
rc_is 0 "no second start"; [ -s "$T/err" ] && fail "second command started vnetd again" || ok
run "$T/auto/vnet" --socket "$AS" cleanup
rc_is 1 "cleanup refuses"
run "$T/auto/vnet" --socket "$AS" shutdown
rc_is 0 "shutdown auto"
for i in $(seq 50); do [ -e "$AS" ] || break; sleep 0.1; done
: >"$T/vnetd.args"
run "$T/auto/vnet" --socket "$AS" --state-dir "$T/st" --prefix vt cleanup
rc_is 0 "cleanup"; out_has "^cleaned up after vnetd on $AS$" "cleanup output"
grep -qx -- "--cleanup --socket $AS --state-dir $T/st --prefix vt" "$T/vnetd.args" && ok ||
	fail "cleanup arguments: $(cat "$T/vnetd.args")"
run "$T/auto/vnet" --socket "$AS" --json cleanup
json_is 'j["cleanup"]' done "cleanup --json"
[ -e "$AS" ] && fail "cleanup started a daemon" || ok

# vnetd that fails to start; no vnetd at all.
mkdir -p "$T/bad" "$T/none"
cp "$VNET" "$T/bad/vnet"
printf '#!/bin/sh\necho "vnetd: cannot create state dir" >&2\nexit 3\n' >"$T/bad/vnetd"
chmod +x "$T/bad/vnetd"
run "$T/bad/vnet" --socket "$T/bad.sock" ls
rc_is 1 "failed start"; err_has "vnetd: cannot create state dir" "vnetd's own message"
err_has "vnet: vnetd failed to start (exit status 3)" "failed start"
cp "$VNET" "$T/none/vnet"
PATH=/nonexistent run "$T/none/vnet" --socket "$T/none.sock" ls
rc_is 1 "no vnetd"; err_has "cannot run vnetd" "no vnetd"

echo "$checks checks, $fails failed"
[ "$fails" -eq 0 ]
