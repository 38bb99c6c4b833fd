#!/bin/bash
# t_engine_many.sh - 80 links on 2 workers: LINK_LIST pages through all of
# them (ENG_LIST_MAX is 64), a sample of them forwards, deleting half
# leaves the others working, and a live rate change on one link while all
# are attached does not disturb another.
. "$(dirname "$0")/engine_lib.sh"

N=80
start_engine --threads 2
# One controller at a time: eng_pair runs one after the other.
pids=()
for i in $(seq 1 $N); do
	"$BIN/eng_pair" --engine-socket "$SOCK" --ns-a "$NSA" --if-a "${P}x$i" \
		--ns-b "$NSB" --if-b "${P}y$i" --id $((100 + i)) >"$TMP/p$i.out" 2>&1 &
	pids+=($!)
	BG_PIDS+=($!)
	wait_until 30 pair_started "$TMP/p$i.out" $!
done
check "$N links ready" [ "$(grep -l '^ready$' "$TMP"/p*.out | wc -l)" = $N ]
check "LINK_LIST pages through $N ids" [ "$(eng --list | wc -l)" = $N ]
check "HELLO counts $N links" [ "$(eng --hello | jq .links)" = $N ]

ok=0
for i in 1 17 40 63 64 65 80; do
	ip -n "$NSA" addr add 10.80.$i.1/24 dev "${P}x$i"
	ip -n "$NSB" addr add 10.80.$i.2/24 dev "${P}y$i"
	ip netns exec "$NSA" ping -n -q -c 1 -W 2 10.80.$i.2 >/dev/null 2>&1 && ok=$((ok + 1))
done
check "sampled links forward ($ok/7)" [ "$ok" = 7 ]

for i in $(seq 2 2 $N); do stop_pid "${pids[$((i - 1))]}"; done
check "half deleted: $(eng --list | wc -l) left" [ "$(eng --list | wc -l)" = $((N / 2)) ]
ok=0
for i in 1 17 63 65; do
	ip netns exec "$NSA" ping -n -q -c 1 -W 2 10.80.$i.2 >/dev/null 2>&1 && ok=$((ok + 1))
done
check "remaining links forward ($ok/4)" [ "$ok" = 4 ]
eng --set 101 delay=20ms
ip netns exec "$NSA" ping -n -c 3 -i 0.05 10.80.17.2 >"$TMP/fast.out" 2>&1
max=$(sed -n 's|^rtt [^=]*= [0-9.]*/[0-9.]*/\([0-9.]*\)/.*|\1|p' "$TMP/fast.out")
check "a delay on link 101 leaves link 117 fast (max RTT $max ms)" fcmp "${max:-99} < 5"
finish
