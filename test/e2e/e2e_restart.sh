#!/bin/bash
# e2e_restart.sh - kill -9 and restart the agent under a steady client:
# no request fails, nothing is flushed (the kernel's connection counters of
# the service and its real servers never drop), and a change made to the
# file while the agent was dead is applied once it is back.  A start
# without a readable file changes nothing.
#
#   test/uml/uml-run -- test/e2e/e2e_restart.sh

set -u
# shellcheck source=test/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

A=10.244.1.2
B=10.244.2.2
VS=10.96.0.10:80

# dest_conns VIP:PORT RIP:RPORT: the real server's connection counter.
dest_conns() {
	ipvsadm -Ln --stats --exact -t "$1" |
		awk -v rs="$2" '$1 == "->" && $2 == rs { print $3; exit }'
}

# counters: "service A-conns B-conns" for $VS.
counters() {
	echo "$(service_conns tcp $VS) $(dest_conns $VS $A:8080) $(dest_conns $VS $B:8080)"
}

# not_below OLD NEW WHEN: no counter in NEW is below its value in OLD.
not_below() {
	local -a old new
	local i

	read -ra old <<<"$1"
	read -ra new <<<"$2"
	[ ${#new[@]} = 3 ] || fail "$3: counters missing: '$2'"
	for i in 0 1 2; do
		[ "${new[i]}" -ge "${old[i]}" ] ||
			fail "$3: connection counters dropped from ($1) to ($2): flushed?"
	done
}

# counted N: the service and its real servers together have counted N
# connections.  The kernel folds its per-CPU counters into these totals
# every 2 s, so they lag.
counted() {
	local -a c

	read -ra c <<<"$(counters)"
	[ "${c[0]}" -ge "$1" ] && [ $((c[1] + c[2])) -ge "$1" ]
}

client_count() {
	[ "$(wc -l <"$RUN/client.out")" -ge "$1" ]
}

e2e_begin
pod_create pod-a $A
pod_create pod-b $B
pod_serve pod-a 8080
pod_serve pod-b 8080
objects \
	svc:default/web:10.96.0.10:80 "eps:default/web/web-1:8080:$A,$B" \
	svc:default/api:10.96.0.20:80 "eps:default/api/api-1:8080:$A" \
	svc:default/old:10.96.0.30:80 "eps:default/old/old-1:8080:$B"
start_agent
wait_until 5 has_rule "-a -t $VS -r $A:8080 -m -w 1" \
	"-a -t $VS -r $B:8080 -m -w 1" "-a -t 10.96.0.20:80 -r $A:8080 -m -w 1" \
	"-a -t 10.96.0.30:80 -r $B:8080 -m -w 1"
rules_before=$(sorted_rules)

# One connection every 50 ms until $RUN/stop appears.
rm -f "$RUN/stop"
: >"$RUN/client.out"
"$E2E_DIR/client.py" tcp 10.96.0.10 80 -i 0.05 -t 2 --until "$RUN/stop" \
	>"$RUN/client.out" 2>&1 &
client=$!
track $client
wait_until 10 client_count 10
wait_until 5 counted 5
c0=$(counters)

stop_agent KILL
rules_are "$rules_before" || fail "kill -9 changed the rules: $(rules)"
# While the agent is dead: traffic flows, a Service changes, one goes.
objects \
	svc:default/web:10.96.0.10:80 "eps:default/web/web-1:8080:$A,$B" \
	svc:default/api:10.96.0.20:80 "eps:default/api/api-1:8080:$A,$B"
n=$(wc -l <"$RUN/client.out")
wait_until 10 client_count $((n + 10))
c1=$(counters)
not_below "$c0" "$c1" "with the agent dead"
ok "killed with -9: the rules and the traffic stay ($c0 -> $c1)"

start_agent
wait_until 5 has_rule "-a -t 10.96.0.20:80 -r $B:8080 -m -w 1"
wait_until 5 no_rule_matches "10\.96\.0\.30:80"
wait_until 2 no_vip_matches "^10\.96\.0\.30/"
ok "the changes made while the agent was dead are applied"
# Let one verification pass run under traffic, then stop the client.
snooze 2.5
n=$(wc -l <"$RUN/client.out")
wait_until 10 client_count $((n + 5))
c2=$(counters)
not_below "$c1" "$c2" "after the restart"
touch "$RUN/stop"
wait "$client" || fail "client.py failed: $(tail -n 3 "$RUN/client.out")"

total=$(wc -l <"$RUN/client.out")
errors=$(grep -c '^ERROR' "$RUN/client.out")
[ "$errors" = 0 ] ||
	fail "$errors of $total requests failed around the restart: $(grep -m3 '^ERROR' "$RUN/client.out")"
got=$(grep -v '^ERROR' "$RUN/client.out" | LC_ALL=C sort -u | paste -sd' ')
[ "$got" = "pod-a pod-b" ] || fail "the client reached [$got], want [pod-a pod-b]"
# A flush or a re-created service would have lost the counts from before.
poll_until 5 counted "$total" ||
	fail "the kernel counted ($(counters)) connections, the client made $total: flushed?"
want=$(printf '%s\n%s\n' "$rules_before" "-a -t 10.96.0.20:80 -r $B:8080 -m -w 1" |
	grep -v 10.96.0.30: | LC_ALL=C sort)
rules_are "$want" || fail "after the restart, want: $want; ipvsadm -Sn says: $(rules)"
ok "$total requests across kill -9 and restart, none failed; counters ($c0) -> ($c2)"

# A start without a readable file is not an empty state: nothing changes
# until the file is good again.
for bad in missing broken; do
	stop_agent KILL
	rm -f "$OBJECTS"
	[ $bad = broken ] && echo '{"items": [' >"$OBJECTS"
	start_agent
	snooze 2.5
	rules_are "$want" || fail "a start with a $bad file changed the rules: $(rules)"
	vip_bound 10.96.0.10 || fail "a start with a $bad file unbound 10.96.0.10"
done
objects svc:default/web:10.96.0.10:80 "eps:default/web/web-1:8080:$A"
wait_until 5 no_rule_matches "10\.96\.0\.20:|-r $B:8080 -m -w 1"
ok "a start with a missing or broken file keeps the rules until the file is good"
echo PASS
