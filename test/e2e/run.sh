#!/bin/bash
# test/e2e/run.sh - every end-to-end test (test/e2e/e2e_*.sh), in order, in
# one User-Mode Linux boot, with the node cleaned between them.  The last
# line says "N passed, M failed"; the status is non-zero if any failed.
#
#   make e2e                      (test/uml/uml-run -- test/e2e/run.sh)
#   test/e2e/run.sh [TEST...]     boots UML itself when run outside it
#
# E2E_TEST_TIMEOUT (seconds, default 240) bounds each test.

set -u
here=$(cd "$(dirname "$0")" && pwd)
top=${here%/test/e2e}

if [ "${UML_RUN:-}" != 1 ]; then
	exec "$top/test/uml/uml-run" --timeout 900 -- "$here/run.sh" "$@"
fi

RUN=/run/e2e
limit=${E2E_TEST_TIMEOUT:-240}

# clean_node: what a test may leave behind, even one that was killed:
# its processes (recorded in $RUN/pids, or living in a pod's namespace),
# the pods, IPVS services, the agent's dummy, the node's links, /run/e2e.
clean_node() {
	local pid ns

	if [ -f "$RUN/pids" ]; then
		while read -r pid; do
			kill -9 "$pid" 2>/dev/null
		done <"$RUN/pids"
	fi
	for ns in $(ip netns list | awk '{ print $1 }'); do
		for pid in $(ip netns pids "$ns"); do
			kill -9 "$pid" 2>/dev/null
		done
		ip netns del "$ns"
	done
	ipvsadm -C
	for link in kube-ipvs0 node0 ipvs0; do
		ip link del "$link" 2>/dev/null
	done
	rm -rf "$RUN"
}

if [ $# -gt 0 ]; then
	tests=("$@")
else
	tests=("$here"/e2e_*.sh)
fi
passed=0
failed=0
failures=""
t_all=$EPOCHREALTIME
for t in "${tests[@]}"; do
	name=${t##*/}
	t0=${EPOCHREALTIME/./}
	clean_node
	if timeout -k 5 "$limit" bash "$t"; then
		result=PASS
		passed=$((passed + 1))
	else
		result=FAIL
		failed=$((failed + 1))
		failures="$failures $name"
	fi
	t1=${EPOCHREALTIME/./}
	printf '=== %s %s (%d.%01d s)\n' "$result" "$name" \
		$(((t1 - t0) / 1000000)) $(((t1 - t0) / 100000 % 10))
done
clean_node
t_all=$(( (${EPOCHREALTIME/./} - ${t_all/./}) / 1000000 ))
[ -z "$failures" ] || echo "failed:$failures"
echo "e2e: all tests took ${t_all} s"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
