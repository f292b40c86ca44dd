#!/bin/bash
# e2e_traffic.sh - real traffic through the Services the agent programs:
# every ready pod is reached, a removed endpoint gets no new connections,
# ClientIP affinity, a NodePort on the node's own address, UDP, not-ready
# and terminating endpoints, the scheduler annotation, and bad input (a
# broken file, bad objects) that must not disturb what works.
#
#   test/uml/uml-run -- test/e2e/e2e_traffic.sh

set -u
# shellcheck source=test/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

A=10.244.1.2
B=10.244.2.2
C=10.244.3.2
NODE_IP=192.168.50.10

# The objects file; the variables are the parts that change.
web_eps="$A@$NODE,$B@$NODE,$C@$NODE"
term_eps="$A~,$B!,$C"
extra=()
write_objects() {
	objects \
		svc:default/web:10.96.0.10:80 "eps:default/web/web-1:8080:$web_eps" \
		svc:default/sticky:10.96.0.11:80:affinity=ClientIP \
		"eps:default/sticky/sticky-1:8080:$A,$B,$C" \
		svc:default/np:10.96.0.12:80:type=NodePort,nodePort=30080 \
		"eps:default/np/np-1:8080:$A,$B" \
		svc:default/dns:10.96.0.13:53/UDP "eps:default/dns/dns-1:5353/UDP:$A,$B" \
		svc:default/notready:10.96.0.14:80 "eps:default/notready/nr-1:8080:$A,$B!" \
		svc:default/term:10.96.0.15:80 "eps:default/term/term-1:8080:$term_eps" \
		svc:default/sched:10.96.0.16:80:scheduler=wrr \
		"eps:default/sched/sched-1:8080:$A,$B" \
		"${extra[@]}"
}

e2e_begin
pod_create pod-a $A
pod_create pod-b $B
pod_create pod-c $C
pod_serve pod-a 8080
pod_serve pod-b 8080
pod_serve pod-c 8080
pod_serve_py pod-a udp 5353
pod_serve_py pod-b udp 5353
# Node ports listen on the node's addresses: give it one of its own.
node_address_add $NODE_IP/24

write_objects
start_agent
wait_until 5 has_rule "-A -t 10.96.0.10:80 -s rr" \
	"-a -t 10.96.0.10:80 -r $A:8080 -m -w 1" \
	"-a -t 10.96.0.10:80 -r $B:8080 -m -w 1" \
	"-a -t 10.96.0.10:80 -r $C:8080 -m -w 1"

# --- a clusterIP reaches every ready pod
expect_pods tcp 10.96.0.10 80 9 "pod-a pod-b pod-c"
ok "clusterIP 10.96.0.10:80 reaches pod-a, pod-b and pod-c"

# --- ClientIP affinity: one client, one pod
has_rule "-A -t 10.96.0.11:80 -s rr -p 10800" ||
	fail "no persistent service for ClientIP affinity: $(rules)"
out=$(replies tcp 10.96.0.11 80 10)
if [ "$(sort -u <<<"$out" | wc -l)" != 1 ] || [[ $out != pod-* ]]; then
	fail "ClientIP affinity: 10 connections reached: $(sort -u <<<"$out" | paste -sd' ')"
fi
ok "ClientIP affinity: 10 connections all reached $(head -n1 <<<"$out")"

# --- NodePort: on the node's own address, not on kube-ipvs0's or loopback
has_rule "-A -t $NODE_IP:30080 -s rr" ||
	fail "no node port on $NODE_IP:30080: $(rules)"
no_rule_matches '^-A -t (127\.0\.0\.1|10\.96\.[0-9.]+):30080 ' ||
	fail "a node port on loopback or a kube-ipvs0 address: $(rules)"
expect_pods tcp $NODE_IP 30080 6 "pod-a pod-b"
expect_pods tcp 10.96.0.12 80 4 "pod-a pod-b"
ok "NodePort $NODE_IP:30080 and its clusterIP reach pod-a and pod-b"

# --- UDP
has_rule "-A -u 10.96.0.13:53 -s rr" || fail "no UDP service: $(rules)"
expect_pods udp 10.96.0.13 53 6 "pod-a pod-b"
ok "UDP 10.96.0.13:53 reaches pod-a and pod-b"

# --- a not-ready endpoint gets nothing while a ready one exists
lacks_rule "-a -t 10.96.0.14:80 -r $B:8080 -m -w 1" ||
	fail "the not-ready endpoint $B is a real server: $(rules)"
expect_pods tcp 10.96.0.14 80 6 "pod-a"
ok "not-ready pod-b gets no traffic"

# --- serving+terminating endpoints only when nothing is ready
expect_pods tcp 10.96.0.15 80 6 "pod-c"
ok "terminating pod-a unused while pod-c is ready"

# --- the scheduler annotation
has_rule "-A -t 10.96.0.16:80 -s wrr" ||
	fail "the scheduler=wrr annotation is not in ipvsadm -Sn: $(rules)"
expect_pods tcp 10.96.0.16 80 4 "pod-a pod-b"
ok "scheduler annotation: 10.96.0.16:80 uses wrr"

# --- a removed endpoint gets no new connections; the last ready endpoint
# going makes the serving+terminating one take over.
web_eps="$A@$NODE,$B@$NODE"
term_eps="$A~,$B!,$C!"
write_objects
wait_until 5 lacks_rule "-a -t 10.96.0.10:80 -r $C:8080 -m -w 1" \
	"-a -t 10.96.0.15:80 -r $C:8080 -m -w 1"
expect_pods tcp 10.96.0.10 80 9 "pod-a pod-b"
ok "removed pod-c gets no new connections"
wait_until 5 has_rule "-a -t 10.96.0.15:80 -r $A:8080 -m -w 1"
expect_pods tcp 10.96.0.15 80 6 "pod-a"
ok "with no ready endpoint, terminating pod-a serves"

# --- an invalid file keeps the last good state
before=$(sorted_rules)
printf '{"apiVersion": "v1", "kind": "List",\n "items": [ {"kind": ' \
	>"$OBJECTS.tmp"
must mv "$OBJECTS.tmp" "$OBJECTS"
wait_until 5 log_has "$OBJECTS: .*line 2, column [0-9]+"
snooze 0.5
expect_pods tcp 10.96.0.10 80 6 "pod-a pod-b"
expect_pods udp 10.96.0.13 53 2 "pod-a pod-b"
[ "$(sorted_rules)" = "$before" ] ||
	fail "an invalid file changed the rules: $(rules)"
ok "invalid JSON: logged with line and column, traffic still flows"

# --- bad objects are left out; the rest (and a new Service) work
extra=(
	svc:default/badip:10.96.0.300:80 "eps:default/badip/badip-1:8080:$A"
	svc:default/badport:10.96.0.17:70000 "eps:default/badport/badport-1:8080:$A"
	"eps:default/web/web-bad:8080:10.244.9.999"
	"eps:default/web/web-badport:99999:$C"
	svc:default/late:10.96.0.18:80 "eps:default/late/late-1:8080:$B"
)
write_objects
wait_until 5 has_rule "-a -t 10.96.0.18:80 -r $B:8080 -m -w 1"
expect_pods tcp 10.96.0.18 80 3 "pod-b"
expect_pods tcp 10.96.0.10 80 6 "pod-a pod-b"
no_rule_matches '10\.96\.0\.17|10\.96\.0\.30|:70000|10\.244\.9\.|:99999' ||
	fail "a bad object made it into the kernel: $(rules)"
for who in default/badip default/badport; do
	log_has "$who.*left out" || fail "the log does not name $who as left out"
done
ok "bad IP and out-of-range ports left out (and logged); the rest works"

# --- a Service removed from the file: its virtual service and address go
objects svc:default/web:10.96.0.10:80 "eps:default/web/web-1:8080:$web_eps"
wait_until 5 no_rule_matches '10\.96\.0\.1[1-8]:'
wait_until 2 no_vip_matches '^10\.96\.0\.1[1-8]/'
expect_pods tcp 10.96.0.10 80 4 "pod-a pod-b"
ok "removed Services: their virtual services and addresses are gone"
echo PASS
