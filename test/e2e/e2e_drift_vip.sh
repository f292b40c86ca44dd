#!/bin/bash
# e2e_drift_vip.sh - the node side of drift: a service address removed
# from kube-ipvs0, or kube-ipvs0 itself deleted, behind the agent's back is
# restored within one sync period (kube-proxy re-ensures both every sync),
# and the Service answers again.
#
#   test/uml/uml-run -- test/e2e/e2e_drift_vip.sh

set -u
# shellcheck source=test/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

A=10.244.1.2
REPAIR_SECS=3

e2e_begin
pod_create pod-a $A
pod_serve pod-a 8080
objects \
	svc:default/web:10.96.0.10:80 "eps:default/web/web-1:8080:$A" \
	svc:default/api:10.96.0.20:80 "eps:default/api/api-1:8080:$A"
start_agent
wait_until 5 has_rule "-a -t 10.96.0.10:80 -r $A:8080 -m -w 1" \
	"-a -t 10.96.0.20:80 -r $A:8080 -m -w 1"
wait_until 2 vip_bound 10.96.0.10
expect_pods tcp 10.96.0.10 80 2 "pod-a"

must ip addr del 10.96.0.10/32 dev kube-ipvs0
t0=$EPOCHREALTIME
wait_until $REPAIR_SECS vip_bound 10.96.0.10
ok "a deleted service address is bound again in $(elapsed_ms "$t0") ms"
expect_pods tcp 10.96.0.10 80 2 "pod-a"

must ip link del kube-ipvs0
t0=$EPOCHREALTIME
wait_until $REPAIR_SECS vip_bound 10.96.0.20
wait_until 1 vip_bound 10.96.0.10
ok "a deleted kube-ipvs0 is back with its addresses in $(elapsed_ms "$t0") ms"
expect_pods tcp 10.96.0.20 80 2 "pod-a"
echo PASS
