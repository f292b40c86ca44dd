#!/bin/bash
# test/bench/agent_bench.sh - the agent against ipvsadm (`make bench`), in
# one User-Mode Linux boot, from a generated file of NSVC Services with
# NDEST endpoints each.  Only ratios mean anything under UML.
#
#   cold sync (empty kernel -> full state) vs ipvsadm -R   target <= 0.10
#   verification finding nothing vs ipvsadm -Sn            target <= 0.25
#     (best of three of each: a dump is short, and noise is not speed)
#   resident memory of the agent, after /metrics scrapes   target < 64 MiB
set -eu
[ "${UML_RUN:-}" = 1 ] || { echo "agent_bench.sh: only inside UML (make bench)" >&2; exit 2; }

NSVC=${NSVC:-10000}
NDEST=${NDEST:-10}
agent=$PWD/ipvsagent
dir=/run/agent-bench
mkdir -p "$dir"

# Each side in its own network namespace (see ipvs_bench.sh for why).
netns() {
	ip netns add "$1"
	ip -n "$1" link set lo up
	ip -n "$1" link add bench0 type dummy
	ip -n "$1" link set bench0 up
	ip -n "$1" addr add 10.128.0.1/9 dev bench0
}
netns ref
netns ours

python3 - "$dir/objects.json" "$NSVC" "$NDEST" <<'PY'
import json, sys
out, ns, nd = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
items = []
for i in range(ns):
    name, vip = f"svc-{i}", f"10.96.{i // 250}.{1 + i % 250}"
    items.append({"apiVersion": "v1", "kind": "Service",
        "metadata": {"name": name, "namespace": "bench", "resourceVersion": "1"},
        "spec": {"type": "ClusterIP", "clusterIP": vip, "clusterIPs": [vip],
                 "ports": [{"name": "http", "port": 80, "protocol": "TCP", "targetPort": 8080}]}})
    eps = []
    for j in range(nd):
        k = i * nd + j
        eps.append({"addresses": [f"10.{128 + k // 62500}.{k // 250 % 250}.{1 + k % 250}"],
                    "conditions": {"ready": True, "serving": True, "terminating": False},
                    "nodeName": "node1"})
    items.append({"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
        "metadata": {"name": name + "-abcde", "namespace": "bench", "resourceVersion": "1",
                     "labels": {"kubernetes.io/service-name": name}},
        "addressType": "IPv4", "endpoints": eps,
        "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}]})
json.dump({"apiVersion": "v1", "kind": "List", "items": items}, open(out, "w"))
PY

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

# The same rules for ipvsadm: what the agent would do, in its notation.
ip netns exec ref "$agent" --dry-run --services-file "$dir/objects.json" \
	--state-dir "$dir/ref-state" > "$dir/rules"
want=$((NSVC * (NDEST + 1)))
[ "$(wc -l < "$dir/rules")" -eq "$want" ] || { echo "bench: dry run gave $(wc -l < "$dir/rules") rules, want $want" >&2; exit 1; }
t0=$(now); ip netns exec ref ipvsadm -R < "$dir/rules"; t_restore=$(secs "$t0" "$(now)")
# Dumps are short and noisy: the best of three, for both tools.
t_save=
for _ in 1 2 3; do
	t0=$(now); ip netns exec ref ipvsadm -Sn > /dev/null; t=$(secs "$t0" "$(now)")
	t_save=$(awk -v a="$t" -v b="${t_save:-$t}" 'BEGIN { print (a < b) ? a : b }')
done
# The kernel keeps every namespace's services in one hash table, and a
# dump walks it all: empty ref, so the agent's dumps walk what ipvsadm's did.
ip netns exec ref ipvsadm -C

# The agent: cold start, then a verification that finds nothing to repair.
#
# Watching its log takes no process per look: under UML a fork costs some
# 40 ms of the one CPU, and a loop of grep and sleep every 0.1 s took ~40%
# of it from the agent it was timing (ipvsadm -R runs with no such loop).
# Builtins only: the log read on fd 3 as it grows, and a fifo nobody
# writes to as the clock (read -t).
: > "$dir/log"
mkfifo "$dir/tick"
exec 3< "$dir/log" 4<> "$dir/tick"
ip netns exec ours "$agent" --services-file "$dir/objects.json" \
	--hostname-override node1 --state-dir "$dir/state" \
	--ipvs-sync-period 3s --v 1 2>> "$dir/log" &
pid=$!
cold_done=0 verified=0 partial=
log_scan() {  # read the lines the log gained, counting what we wait for
	local line
	while IFS= read -r line <&3 || { partial+=$line; false; }; do
		line=$partial$line
		partial=
		case $line in
		*"initial sync"*) cold_done=1 ;;
		*"verify: 0 repairs"*) verified=$((verified + 1)) ;;
		esac
	done
}
wait_log() {  # wait_log CONDITION SECONDS [soft]
	local i
	for ((i = 0; i < $2 * 5; i++)); do
		log_scan
		eval "$1" && return 0
		read -r -t 0.2 -u 4 _ || true
	done
	[ -n "${3:-}" ] && return 0
	echo "bench: not seen in $2 s: $1; the agent's log:" >&2
	cat "$dir/log" >&2
	kill "$pid"
	exit 1
}
wait_log '((cold_done))' 300
wait_log '((verified >= 1))' 60
wait_log '((verified >= 3))' 20 soft  # three verifications that found nothing
# As an operator runs it: Prometheus scrapes /metrics (per-service
# traffic on, the default), here twice, before the memory is read.
for _ in 1 2; do
	ip netns exec ours curl -sf -o /dev/null http://127.0.0.1:10249/metrics ||
		{ echo "bench: /metrics failed" >&2; kill "$pid"; exit 1; }
done
rss_kb=$(awk '/^VmRSS/ { print $2 }' "/proc/$pid/status")
hwm_kb=$(awk '/^VmHWM/ { print $2 }' "/proc/$pid/status")
kill "$pid"
wait "$pid" || true
t_cold=$(grep -o 'applied [0-9.]*ms after start' "$dir/log" | awk '{ printf "%.3f", $2 / 1000 }')
# For information: the part spent binding the VIPs to kube-ipvs0, work
# that ipvsadm -R does not do (the kernel walks the device's address list
# for every address added).
t_vips=$(grep -o '([0-9.]*ms of it binding addresses)' "$dir/log" | tr -d '(' | awk '{ printf "%.3f", $1 / 1000 }')
t_ipvs=$(awk -v a="$t_cold" -v b="$t_vips" 'BEGIN { printf "%.3f", a - b }')
t_verify=$(grep -o 'verify: 0 repairs; dump [0-9.]*ms, diff [0-9.]*ms' "$dir/log" | head -3 |
	awk '{ gsub("ms,?", ""); t = ($5 + $7) / 1000; if (!n++ || t < best) best = t }
	     END { printf "%.3f", best }')
[ "$(ip netns exec ours ipvsadm -Sn | wc -l)" -eq "$want" ] || { echo "bench: agent applied an incomplete state" >&2; exit 1; }
grep -E 'initial sync|verify:' "$dir/log" | head -5

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
verdict() { awk -v r="$1" -v t="$2" 'BEGIN { print (r <= t) ? "met" : "MISSED" }'; }
r_cold=$(ratio "$t_cold" "$t_restore")
r_verify=$(ratio "$t_verify" "$t_save")
rss_mib=$(awk -v k="$rss_kb" 'BEGIN { printf "%.1f", k / 1024 }')
hwm_mib=$(awk -v k="$hwm_kb" 'BEGIN { printf "%.1f", k / 1024 }')

printf '\nAgent benchmark: %d Services x %d endpoints (%d IPVS objects), User-Mode Linux %s\n\n' \
	"$NSVC" "$NDEST" "$want" "$(uname -r)"
printf '| %-40s | %-10s | %-10s | %-7s | %-6s | %-6s |\n' what ipvsagent reference ratio target result
printf '|%s|%s|%s|%s|%s|%s|\n' ------------------------------------------ ------------ ------------ --------- -------- --------
printf '| %-40s | %8ss | %8ss | %7s | %6s | %-6s |\n' \
	"cold sync (file -> kernel) vs ipvsadm -R" "$t_cold" "$t_restore" "$r_cold" 0.10 "$(verdict "$r_cold" 0.10)" \
	"verification (no drift) vs ipvsadm -Sn" "$t_verify" "$t_save" "$r_verify" 0.25 "$(verdict "$r_verify" 0.25)"
printf '| %-40s | %8ss | %8ss | %7s | %6s | %-6s |\n' \
	"  cold sync less the VIP binding" "$t_ipvs" "$t_restore" "$(ratio "$t_ipvs" "$t_restore")" - "info"
printf '| %-40s | %7sMiB | %10s | %7s | %6s | %-6s |\n' "resident memory (after 2 scrapes)" "$rss_mib" - - "<64" \
	"$(awk -v m="$rss_mib" 'BEGIN { print (m < 64) ? "met" : "MISSED" }')" \
	"  peak resident memory" "$hwm_mib" - - - info
echo
[ "$(verdict "$r_cold" 0.10)" = met ] && [ "$(verdict "$r_verify" 0.25)" = met ] &&
	awk -v m="$rss_mib" 'BEGIN { exit !(m < 64) }'
