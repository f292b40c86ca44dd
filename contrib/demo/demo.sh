#!/bin/bash
# contrib/demo/demo.sh - `make demo`: inside User-Mode Linux, three pods
# behind one IPVS virtual service programmed by ipvsagent, real traffic
# showing the balancing, then a real server drained and removed.
set -u
here=$(dirname "$0")
# shellcheck source=test/uml/lib.sh
. "$here/../../test/uml/lib.sh"
agent=$PWD/ipvsagent
VIP=10.96.0.10

say() { printf '\n== %s\n' "$*"; }
traffic() {  # six connections to the VIP, one line
	local out=""
	for _ in 1 2 3 4 5 6; do out="$out $(tcp_get $VIP 80)"; done
	echo "  replies:$out"
}

say "three pods, each answering with its name"
pod_create pod-a 10.244.1.2
pod_create pod-b 10.244.2.2
pod_create pod-c 10.244.3.2
for p in a b c; do pod_serve pod-$p 8080; done
node_vip_add $VIP

say "ipvsagent restore < contrib/demo/demo.rules"
must "$agent" restore < "$here/demo.rules"
"$agent" save

say "traffic to $VIP:80 (round robin over the three pods)"
traffic

say "drain pod-c: weight 0, no new connections"
echo "-e -t $VIP:80 -r 10.244.3.2:8080 -m -w 0" | must "$agent" restore
traffic

say "remove pod-c, and show what the kernel holds"
echo "-d -t $VIP:80 -r 10.244.3.2:8080" | must "$agent" restore
traffic
sleep 2 # the kernel folds its counters every two seconds
ipvsadm -Ln --stats

say "a bad rule is refused on its own; the good one beside it applies"
printf '%s\n' "-a -t $VIP:80 -r 10.244.3.2:8080 -m -w 1" \
	"-a -t 10.96.0.99:80 -r 10.244.3.2:8080 -m" | "$agent" restore
"$agent" save
pods_destroy
