#!/bin/bash
# e2e_nodeport_addrs.sh - node ports follow the node's addresses: one added
# after the agent started gets them within a sync period, one removed loses
# them (kube-proxy lists the local addresses on every sync).
#
#   test/uml/uml-run -- test/e2e/e2e_nodeport_addrs.sh

set -u
# shellcheck source=test/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

A=10.244.1.2
REPAIR_SECS=3

e2e_begin
pod_create pod-a $A
pod_serve pod-a 8080
node_address_add 192.168.50.10/24
objects svc:default/np:10.96.0.12:80:type=NodePort,nodePort=30080 \
	"eps:default/np/np-1:8080:$A"
start_agent
wait_until 5 has_rule "-a -t 192.168.50.10:30080 -r $A:8080 -m -w 1"
expect_pods tcp 192.168.50.10 30080 2 "pod-a"

must ip addr add 192.168.60.10/24 dev node0
t0=$EPOCHREALTIME
poll_until $REPAIR_SECS has_rule "-a -t 192.168.60.10:30080 -r $A:8080 -m -w 1" ||
	fail "no node port on 192.168.60.10, an address added after the agent started: $(rules)"
ok "an added node address gets the node port in $(elapsed_ms "$t0") ms"
expect_pods tcp 192.168.60.10 30080 2 "pod-a"

must ip addr del 192.168.50.10/24 dev node0
t0=$EPOCHREALTIME
poll_until $REPAIR_SECS no_rule_matches "^-A -t 192\.168\.50\.10:30080 " ||
	fail "the node port stays on 192.168.50.10, an address the node no longer has: $(rules)"
ok "a removed node address loses the node port in $(elapsed_ms "$t0") ms"
echo PASS
