#!/bin/bash
# selftest.sh - prove the UML harness: IPVS is loaded, ipvsadm talks to it,
# and real TCP connections to an IPVS NAT service reach two pods in turn.
#
#   test/uml/uml-run -- test/uml/selftest.sh

set -u
# shellcheck source=test/uml/lib.sh
. "$(dirname "$0")/lib.sh"

VIP=10.0.0.1
POD_A=10.244.1.2
POD_B=10.244.2.2

ok() {
	echo "ok: $*"
}

[ -e /proc/net/ip_vs ] || fail "ip_vs is not loaded (no /proc/net/ip_vs)"
ok "ip_vs loaded"

pod_create pod-a $POD_A
pod_create pod-b $POD_B
pod_serve pod-a 8080
pod_serve pod-b 8080
# Reach each pod directly first, so a plumbing fault is not blamed on IPVS.
[ "$(tcp_get $POD_A 8080)" = pod-a ] || fail "no answer from pod-a at $POD_A"
[ "$(tcp_get $POD_B 8080)" = pod-b ] || fail "no answer from pod-b at $POD_B"
ok "pods answer directly"

node_vip_add $VIP
must ipvsadm -A -t $VIP:80 -s wrr
must ipvsadm -a -t $VIP:80 -r $POD_A:8080 -m -w 1
rules=$(ipvsadm -Sn)
for line in "-A -t $VIP:80 -s wrr" "-a -t $VIP:80 -r $POD_A:8080 -m -w 1"; do
	grep -Fqx -- "$line" <<<"$rules" ||
		fail "ipvsadm -Sn lacks '$line'; it says: $rules"
done
ok "ipvsadm -Sn shows the service"

must ipvsadm -a -t $VIP:80 -r $POD_B:8080 -m -w 1
# Equal weights: wrr must alternate, whichever pod comes first.
replies=""
for _ in 1 2 3 4; do
	replies="$replies $(tcp_get $VIP 80)"
done
case $replies in
" pod-a pod-b pod-a pod-b" | " pod-b pod-a pod-b pod-a") ;;
*) fail "connections to $VIP:80 did not alternate between the pods:$replies" ;;
esac
ok "round robin through IPVS NAT:$replies"

must ipvsadm -D -t $VIP:80
pods_destroy
echo PASS
