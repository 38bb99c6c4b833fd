#!/usr/bin/env bash
# Every example in the documentation runs: each ```yaml block of docs/ is a
# valid topology (checked with `vnet check`), and the ```sh blocks of each
# document run, in order, against the example networks (examples/seed.yaml)
# on a daemon of this test. README.md's two commands are the CI itself.
. "$(dirname "$0")/lib.sh"

start_daemon
export VNET_SOCKET="$SOCK"
mkdir -p "$T/bin"
ln -s "$VNET_BIN/vnet" "$T/bin/vnet"
export PATH="$T/bin:$PATH"

# Extract fenced blocks of one language from a markdown file into files
# $2/NNN (one per block), printing their count.
extract() {
  awk -v lang="$1" -v dir="$2" '
    /^```/ { if (inblk) { inblk = 0; close(f); next }
             if ($0 == "```" lang) { inblk = 1; n++; f = sprintf("%s/%03d", dir, n); printf "" > f; next } }
    inblk { print > f }
    END { print n + 0 }' "$3"
}

yaml_blocks=0
for doc in "$VNET_SRC"/docs/*.md; do
  d="$T/yaml/$(basename "$doc" .md)"; mkdir -p "$d"
  n=$(extract yaml "$d" "$doc")
  # BIRD configs the examples name (config: r3.bird.conf) sit beside them
  cp "$VNET_SRC"/tests/data/topo/*.bird.conf "$d"/ 2>/dev/null || true
  for f in "$d"/[0-9]*; do
    [ -e "$f" ] || continue
    yaml_blocks=$((yaml_blocks + 1))
    check "$(basename "$doc") yaml example $(basename "$f") is valid" \
      vnet check "$f"
  done
done
check "the docs carry topology examples ($yaml_blocks)" test "$yaml_blocks" -ge 5

vnet up "$VNET_SRC/examples/seed.yaml" >/dev/null || die "seed did not come up"
retry 60 vnet exec red/h1 -- ping -c1 -W1 h2 || die "red did not converge"
retry 60 vnet exec blue/b1 -- ping -c1 -W1 b2 || die "blue did not converge"

cd "$VNET_SRC"
for doc in docs/*.md; do
  d="$T/sh/$(basename "$doc" .md)"; mkdir -p "$d"
  extract sh "$d" "$doc" >/dev/null
  for f in "$d"/*; do
    [ -e "$f" ] || continue
    if bash -euo pipefail "$f" >"$T/out" 2>&1; then
      pass "$doc sh example $(basename "$f")"
    else
      fail "$doc sh example $(basename "$f"):"; sed 's/^/    /' "$f"; echo "  output:"; sed 's/^/    /' "$T/out" | tail -20
    fi
  done
done
finish
