#!/bin/bash
# test/bench/ipvs_bench.sh - our netlink client against ipvsadm, on the same
# rules, in one User-Mode Linux boot (`make bench`).  UML makes system calls
# slow, so only the ratios mean anything; absolute times are for information.
#
#   apply: `ipvsagent restore` vs `ipvsadm -R`   target <= 0.10
#   dump:  `ipvsagent save`    vs `ipvsadm -Sn`  target <= 0.25
set -eu
[ "${UML_RUN:-}" = 1 ] || { echo "ipvs_bench.sh: only inside UML (make bench)" >&2; exit 2; }

NSVC=${NSVC:-10000}
NDEST=${NDEST:-10}
agent=$PWD/ipvsagent
rules=/run/bench-rules

# Each tool applies in a network namespace of its own: IPVS state is per
# namespace, and the kernel keeps deleted real servers in a trash list for a
# minute that every later add walks, so applying after a flush in the same
# namespace would measure the trash, not the tool.  Real servers must be
# routable there: one /9 on a dummy interface.
netns() {  # netns NAME: a namespace with the real servers' subnet
	ip netns add "$1"
	ip -n "$1" link set lo up
	ip -n "$1" link add bench0 type dummy
	ip -n "$1" link set bench0 up
	ip -n "$1" addr add 10.128.0.1/9 dev bench0
}
netns ref
netns ours
in_ref() { ip netns exec ref "$@"; }
in_ours() { ip netns exec ours "$@"; }

# NSVC services, NDEST NAT real servers each, in ipvsadm -S notation.
awk -v ns="$NSVC" -v nd="$NDEST" 'BEGIN {
	for (i = 0; i < ns; i++) {
		vip = sprintf("10.0.%d.%d:80", int(i / 250), 1 + i % 250)
		printf "-A -t %s -s rr\n", vip
		for (j = 0; j < nd; j++) {
			k = i * nd + j
			printf "-a -t %s -r 10.%d.%d.%d:8080 -m -w 1\n", vip,
				128 + int(k / 62500), int(k / 250) % 250, 1 + k % 250
		}
	}
}' > "$rules"

t_ipvsadm_apply= t_ipvsadm_dump= t_ours_dump= t_ours_apply=
now() { date +%s.%N; }
# elapsed START: seconds since START, millisecond precision.
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'; }

time_cmd() {  # time_cmd VAR CMD...: run CMD, store its seconds in VAR
	local var=$1 t0
	shift
	t0=$(now)
	"$@"
	printf -v "$var" '%s' "$(elapsed "$t0")"
}

time_cmd t_ipvsadm_apply in_ref sh -c "ipvsadm -R < $rules"
time_cmd t_ipvsadm_dump in_ref sh -c 'ipvsadm -Sn > /run/theirs'
time_cmd t_ours_dump in_ref sh -c "$agent save > /run/ours"
time_cmd t_ours_apply in_ours sh -c "$agent restore < $rules"

# The numbers only count if both tools saw the same, complete state.
sort /run/theirs > /run/theirs.sorted
sort /run/ours > /run/ours.sorted
in_ours "$agent" save | sort > /run/ours2.sorted
want=$((NSVC * (NDEST + 1)))
for f in /run/theirs.sorted /run/ours.sorted /run/ours2.sorted; do
	n=$(wc -l < "$f")
	[ "$n" -eq "$want" ] || { echo "bench: $f has $n lines, want $want" >&2; exit 1; }
done
cmp -s /run/theirs.sorted /run/ours.sorted || { echo "bench: dumps differ" >&2; exit 1; }
cmp -s /run/theirs.sorted /run/ours2.sorted || { echo "bench: restore differs" >&2; exit 1; }

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
verdict() { awk -v r="$1" -v t="$2" 'BEGIN { print (r <= t) ? "met" : "MISSED" }'; }
r_apply=$(ratio "$t_ours_apply" "$t_ipvsadm_apply")
r_dump=$(ratio "$t_ours_dump" "$t_ipvsadm_dump")

printf '\nIPVS benchmark: %d services x %d real servers (%d operations), User-Mode Linux %s\n\n' \
	"$NSVC" "$NDEST" "$want" "$(uname -r)"
printf '| %-26s | %-10s | %-10s | %-7s | %-6s | %-6s |\n' what ipvsagent ipvsadm ratio target result
printf '|%s|%s|%s|%s|%s|%s|\n' ---------------------------- ------------ ------------ --------- -------- --------
printf '| %-26s | %8ss | %8ss | %7s | %6s | %-6s |\n' \
	"apply (restore vs -R)" "$t_ours_apply" "$t_ipvsadm_apply" "$r_apply" 0.10 "$(verdict "$r_apply" 0.10)" \
	"dump (save vs -Sn)" "$t_ours_dump" "$t_ipvsadm_dump" "$r_dump" 0.25 "$(verdict "$r_dump" 0.25)"
echo
[ "$(verdict "$r_apply" 0.10)" = met ] && [ "$(verdict "$r_dump" 0.25)" = met ]
