#!/bin/bash
# e2e_graceful.sh - graceful termination.  A TCP connection to an endpoint
# that is removed keeps working (its real server drains with weight 0 and
# gets no new connections) until it closes; then the real server goes.  One
# that still has connections goes when --ipvs-graceful-period ends.  A
# removed UDP real server goes at once.
#
#   test/uml/uml-run -- test/e2e/e2e_graceful.sh
#
# IPVS counts a closed connection as inactive until its entry expires:
# TIME_WAIT lasts 120 s (ipvsadm --set cannot change it), CLOSE after a
# reset 10 s.  So the held connection here ends with a reset, and the
# deadline is shown with a connection left in TIME_WAIT.
#
# The sync period is kube-proxy's default, 30 s: the connections are made
# after the agent's last look at the kernel, as they mostly are in real life.

set -u
# shellcheck source=test/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

A=10.244.1.2
B=10.244.2.2
GRACE=24

hold_eps="$A,$B"
tw_eps="$A,$B"
dns_eps="$A,$B"
write_objects() {
	objects \
		svc:default/hold:10.96.0.40:80 "eps:default/hold/hold-1:9000:$hold_eps" \
		svc:default/tw:10.96.0.41:80 "eps:default/tw/tw-1:8080:$tw_eps" \
		svc:default/dns:10.96.0.42:53/UDP "eps:default/dns/dns-1:5353/UDP:$dns_eps"
}

# echo_line LINE: LINE comes back over the held connection (fd 3).
echo_line() {
	local got=

	echo "$1" >&3 || fail "held connection: cannot send '$1'"
	read -r -t 3 got <&3
	[ "$got" = "$1" ] || fail "held connection: sent '$1', got back '$got'"
}

e2e_begin
for p in a b; do
	ip=$A
	[ $p = b ] && ip=$B
	pod_create pod-$p $ip
	pod_serve pod-$p 8080
	pod_serve_py pod-$p echo 9000
	pod_serve_py pod-$p udp 5353
done
write_objects
start_agent --ipvs-graceful-period ${GRACE}s --ipvs-sync-period 30s
wait_until 5 has_rule "-a -t 10.96.0.40:80 -r $B:9000 -m -w 1" \
	"-a -t 10.96.0.41:80 -r $B:8080 -m -w 1" \
	"-a -u 10.96.0.42:53 -r $B:5353 -m -w 1"

# The long-lived connection; the pod that took it is X, the other Y.
exec 3<>/dev/tcp/10.96.0.40/80 || fail "cannot connect to 10.96.0.40:80"
read -r -t 3 x <&3 || fail "held connection: no greeting"
case $x in
pod-a) XIP=$A y=pod-b YIP=$B ;;
pod-b) XIP=$B y=pod-a YIP=$A ;;
*) fail "held connection: greeting '$x'" ;;
esac
echo_line hello
# Closed connections to both tw pods (TIME_WAIT), UDP traffic to both.
expect_pods tcp 10.96.0.41 80 2 "pod-a pod-b"
expect_pods udp 10.96.0.42 53 2 "pod-a pod-b"

hold_eps=$YIP
tw_eps=$B
dns_eps=$B
write_objects
t0=$EPOCHREALTIME
wait_until 5 lacks_rule "-a -t 10.96.0.40:80 -r $XIP:9000 -m -w 1" \
	"-a -t 10.96.0.41:80 -r $A:8080 -m -w 1"
has_rule "-a -t 10.96.0.40:80 -r $XIP:9000 -m -w 0" ||
	fail "real server $XIP:9000 was deleted at once, though it had an established connection: it must drain with weight 0"
has_rule "-a -t 10.96.0.41:80 -r $A:8080 -m -w 0" ||
	fail "real server $A:8080 was deleted at once, though it had a connection in TIME_WAIT: it must drain with weight 0"
no_rule_matches "^-a -u 10.96.0.42:53 -r $A:5353 " ||
	fail "the removed UDP real server is still there: $(rules)"
ok "removed: TCP real servers drain with weight 0, the UDP one is gone"
expect_pods udp 10.96.0.42 53 2 "pod-b"

echo_line "still there"
expect_pods tcp 10.96.0.40 80 4 "$y"
snooze 1.5
echo_line "still there later"
has_rule "-a -t 10.96.0.40:80 -r $XIP:9000 -m -w 0" ||
	fail "the draining real server $XIP:9000 went while in use: $(rules)"
ok "the held connection to $x works after its endpoint was removed"

# Close it with a reset (the CLOSE entry expires in 10 s, TIME_WAIT in 120).
echo rst >&3
read -r -t 3 _ <&3 2>/dev/null
exec 3<&-
t1=$EPOCHREALTIME
wait_until 15 no_rule_matches "^-a -t 10.96.0.40:80 -r $XIP:9000 "
[ "$(elapsed_ms "$t0")" -lt $((GRACE * 1000)) ] ||
	fail "the drained real server went only at the graceful period's end"
ok "closed: the drained real server is deleted $(elapsed_ms "$t1") ms later"

# tw's pod-a still has its TIME_WAIT entry: it stays until the deadline.
has_rule "-a -t 10.96.0.41:80 -r $A:8080 -m -w 0" ||
	fail "the real server with a TIME_WAIT connection went early: $(rules)"
wait_until $((GRACE + 5)) no_rule_matches "^-a -t 10.96.0.41:80 -r $A:8080 "
t=$(elapsed_ms "$t0")
[ "$t" -ge $(((GRACE - 1) * 1000)) ] ||
	fail "a real server with connections went after $t ms, before --ipvs-graceful-period ${GRACE}s"
ok "a real server that keeps a connection goes at the graceful period's end (${t} ms)"
echo PASS
