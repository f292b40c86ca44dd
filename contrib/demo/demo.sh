#!/bin/bash
# contrib/demo/demo.sh - `make demo`: inside User-Mode Linux, three pods
# (network namespaces) behind a Service; ipvsagent reads the Service and its
# EndpointSlice from a file, programs IPVS, and follows a change to the file.
set -u
here=$(dirname "$0")
# shellcheck source=test/uml/lib.sh
. "$here/../../test/uml/lib.sh"
agent=$PWD/ipvsagent
file=/run/demo/services.json
VIP=10.96.0.10

say() { printf '\n== %s\n' "$*"; }
traffic() {  # six connections to the VIP, one line
	local out=""
	for _ in 1 2 3 4 5 6; do out="$out $(tcp_get $VIP 80)"; done
	echo "  replies:$out"
}
wait_rules() {  # wait_rules N: until ipvsadm shows N real servers
	for _ in $(seq 50); do
		[ "$(ipvsadm -Ln | grep -c -- '->.*Masq')" -ge "$1" ] && return
		sleep 0.1
	done
}

say "three pods, each answering with its name"
pod_create pod-a 10.244.1.2
pod_create pod-b 10.244.2.2
pod_create pod-c 10.244.3.2
for p in a b c; do pod_serve pod-$p 8080; done

say "ipvsagent --services-file $file (contrib/demo/services.json)"
mkdir -p /run/demo
cp "$here/services.json" "$file"
"$agent" --services-file "$file" --hostname-override node1 \
	--state-dir /run/demo/state --ipvs-sync-period 5s --v 2 2> /run/demo/log &
pid=$!
wait_rules 3
sed 's/^/  /' /run/demo/log
ipvsadm -Ln
ip -o addr show dev kube-ipvs0 | awk '{ print "  kube-ipvs0:", $4 }'

say "traffic to $VIP:80 (round robin over the three pods)"
traffic

say "edit the file: pod-c leaves the EndpointSlice"
python3 - "$file" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for item in d["items"]:
    if item["kind"] == "EndpointSlice":
        item["endpoints"] = [e for e in item["endpoints"] if e["addresses"] != ["10.244.3.2"]]
json.dump(d, open(sys.argv[1] + ".new", "w"), indent=2)
PY
mv "$file.new" "$file"
sleep 2
ipvsadm -Ln
traffic

say "behind the agent's back: ipvsadm -D; the next verification repairs it"
ipvsadm -D -t $VIP:80
sleep 5.5
ipvsadm -Ln

say "SIGTERM: the agent stops, the rules stay"
kill "$pid"
wait "$pid"
traffic
tail -n 4 /run/demo/log | sed 's/^/  /'

say "ipvsagent --cleanup: what it owns goes, and only that"
"$agent" --cleanup --state-dir /run/demo/state
ipvsadm -Ln
pods_destroy
