#!/bin/bash
# e2e_drift.sh - changes made behind the agent's back (ipvsadm -D, -d, -e,
# -E) are repaired within one sync period; foreign services, added before
# and after the agent starts (one at a Service's own address and port),
# survive syncs, a restart and --cleanup, which removes the agent's own
# services, addresses and kube-ipvs0.
#
#   test/uml/uml-run -- test/e2e/e2e_drift.sh

set -u
# shellcheck source=test/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

A=10.244.1.2
B=10.244.2.2
# The sync period is 2 s; a second more for polling under UML.
REPAIR_SECS=3

# repaired WHAT: the rules come back to $want within one sync period.
repaired() {
	local t0=$EPOCHREALTIME

	wait_until $REPAIR_SECS rules_are "$want"
	ok "$1 repaired in $(elapsed_ms "$t0") ms"
}

e2e_begin
pod_create pod-a $A
pod_create pod-b $B
pod_serve pod-a 8080
pod_serve pod-b 8080

# Foreign services from before the agent's time (keepalived, an
# operator); one of them has the address and port of a Service.
must ipvsadm -A -t 10.99.0.1:80 -s wlc
must ipvsadm -a -t 10.99.0.1:80 -r $A:8080 -m -w 3
must ipvsadm -A -t 10.96.0.30:80 -s lc
must ipvsadm -a -t 10.96.0.30:80 -r $B:8080 -m -w 4
foreign_before=$(ipvsadm -Sn | grep -F -e 10.99.0.1:80 -e 10.96.0.30:80)

objects \
	svc:default/web:10.96.0.10:80 "eps:default/web/web-1:8080:$A,$B" \
	svc:default/api:10.96.0.20:80 "eps:default/api/api-1:8080:$A,$B" \
	svc:default/clash:10.96.0.30:80 "eps:default/clash/clash-1:8080:$A"
start_agent
wait_until 5 has_rule "-a -t 10.96.0.20:80 -r $B:8080 -m -w 1" \
	"-a -t 10.96.0.10:80 -r $B:8080 -m -w 1"

# A foreign service that appears while the agent runs.
must ipvsadm -A -u 10.99.0.2:53 -s sh
must ipvsadm -a -u 10.99.0.2:53 -r $B:5353 -m -w 2
foreign_after=$(ipvsadm -Sn | grep -F 10.99.0.2:53)
want=$(sorted_rules)
ours=$(grep -v -e 10.99.0. -e 10.96.0.30: <<<"$want")
[ "$(grep -c '^-A' <<<"$ours")" = 2 ] ||
	fail "expected 2 services of the agent's: $(rules)"

must ipvsadm -D -t 10.96.0.10:80
repaired "ipvsadm -D (service deleted)"
expect_pods tcp 10.96.0.10 80 4 "pod-a pod-b"

must ipvsadm -d -t 10.96.0.20:80 -r $A:8080
repaired "ipvsadm -d (real server deleted)"

must ipvsadm -e -t 10.96.0.20:80 -r $B:8080 -m -w 7
repaired "ipvsadm -e (real server weight)"

must ipvsadm -E -t 10.96.0.10:80 -s wlc
repaired "ipvsadm -E (service scheduler)"
expect_pods tcp 10.96.0.20 80 4 "pod-a pod-b"

# Two more sync periods: nothing moves, the foreign services least of all
# (not the one at the Service's address either).
snooze 4.5
rules_are "$want" || fail "the rules moved with no change: $(rules)"
has_rule "-A -t 10.96.0.30:80 -s lc" "-a -t 10.96.0.30:80 -r $B:8080 -m -w 4" ||
	fail "the foreign service at a Service's address was changed: $(rules)"

# A restart (SIGTERM leaves everything in place) adopts what is there.
stop_agent TERM
rules_are "$want" || fail "SIGTERM changed the rules: $(rules)"
start_agent
snooze 4.5
rules_are "$want" || fail "a restart changed the rules: $(rules)"
ok "foreign services survive syncs and a restart"

# --cleanup: the agent's services, VIPs and dummy go; foreign ones stay.
stop_agent TERM
"$AGENT" --cleanup --state-dir "$STATE" 2>>"$AGENT_LOG" ||
	fail "ipvsagent --cleanup failed"
foreign=$(printf '%s\n%s\n' "$foreign_before" "$foreign_after" | LC_ALL=C sort)
rules_are "$foreign" ||
	fail "after --cleanup, want only the foreign services; ipvsadm -Sn says: $(rules)"
! ip link show kube-ipvs0 >/dev/null 2>&1 ||
	fail "--cleanup left kube-ipvs0: $(ip addr show kube-ipvs0)"
! ip -4 -o addr | grep -q '10\.96\.0\.' ||
	fail "--cleanup left service addresses: $(ip -4 -o addr)"
ok "--cleanup removed the agent's services, VIPs and kube-ipvs0 only"
echo PASS
