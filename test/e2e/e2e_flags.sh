#!/bin/bash
# e2e_flags.sh - kube-proxy's flags do what kube-proxy's do: exclude CIDRs
# are never touched, strict ARP and the IPVS timeouts are set, the minimum
# sync period spaces syncs out, and --dry-run prints and changes nothing.
#
#   test/uml/uml-run -- test/e2e/e2e_flags.sh

set -u
# shellcheck source=test/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

A=10.244.1.2
B=10.244.2.2

e2e_begin
pod_create pod-a $A
pod_serve pod-a 8080

# --dry-run: the operations in ipvsadm notation, and the kernel untouched.
objects svc:default/web:10.96.0.10:80 eps:default/web/web-1:8080:$A@$NODE
plan=$("$AGENT" --dry-run --services-file "$OBJECTS" --state-dir "$STATE") ||
	fail "--dry-run failed"
[ "$plan" = "-A -t 10.96.0.10:80 -s rr
-a -t 10.96.0.10:80 -r $A:8080 -m -w 1" ] || fail "--dry-run printed: $plan"
[ -z "$(ipvsadm -Sn)" ] || fail "--dry-run changed the kernel: $(ipvsadm -Sn)"
ok "--dry-run prints the operations and changes nothing"

# Strict ARP and the timeouts.
start_agent --ipvs-strict-arp --ipvs-tcp-timeout 15m1s --ipvs-tcpfin-timeout 2m1s \
	--ipvs-udp-timeout 5m1s
wait_until 5 has_rule "-a -t 10.96.0.10:80 -r $A:8080 -m -w 1"
[ "$(sysctl -n net.ipv4.conf.all.arp_ignore)" = 1 ] || fail "arp_ignore not 1"
[ "$(sysctl -n net.ipv4.conf.all.arp_announce)" = 2 ] || fail "arp_announce not 2"
[ "$(ipvsadm -Ln --timeout)" = "Timeout (tcp tcpfin udp): 901 121 301" ] ||
	fail "timeouts: $(ipvsadm -Ln --timeout)"
ok "--ipvs-strict-arp and the --ipvs-*-timeout flags are applied"
stop_agent

# --ipvs-exclude-cidrs: an owned service inside them outlives its Service.
objects svc:default/other:10.97.0.10:80 eps:default/other/other-1:8080:$A@$NODE
start_agent --ipvs-exclude-cidrs 10.96.0.0/24,fd00:96::/64
wait_until 5 has_rule "-A -t 10.97.0.10:80 -s rr"
snooze 1
has_rule "-A -t 10.96.0.10:80 -s rr" ||
	fail "a service in --ipvs-exclude-cidrs was deleted"
stop_agent
"$AGENT" --cleanup --state-dir "$STATE" --ipvs-exclude-cidrs 10.96.0.0/24 ||
	fail "--cleanup failed"
has_rule "-A -t 10.96.0.10:80 -s rr" || fail "--cleanup removed an excluded service"
lacks_rule "-A -t 10.97.0.10:80 -s rr" || fail "--cleanup left an owned service"
ok "--ipvs-exclude-cidrs: never touched, not even by --cleanup"
must ipvsadm -C

# --ipvs-min-sync-period: a second change waits for the period to pass.
pod_create pod-b $B
objects svc:default/web:10.96.0.10:80 eps:default/web/web-1:8080:$A@$NODE
start_agent --ipvs-min-sync-period 3s
wait_until 5 has_rule "-a -t 10.96.0.10:80 -r $A:8080 -m -w 1"
t0=$EPOCHREALTIME
objects svc:default/web:10.96.0.10:80 eps:default/web/web-1:8080:$A@$NODE,$B@$NODE
wait_until 8 has_rule "-a -t 10.96.0.10:80 -r $B:8080 -m -w 1"
ms=$(elapsed_ms "$t0")
[ "$ms" -ge 1500 ] || fail "--ipvs-min-sync-period 3s: applied after $ms ms"
ok "--ipvs-min-sync-period spaces syncs (second change after $ms ms)"
stop_agent
echo PASS
