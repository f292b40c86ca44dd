# shellcheck shell=bash
# lib.sh - pods and a node for kernel tests under User-Mode Linux.
#
# Source it from a test that test/uml/uml-run runs.  A pod is a network
# namespace joined to the root namespace (the node) by a veth pair:
#
#   node: v-NAME, 169.254.1.1/32, route IP/32 dev v-NAME
#   pod:  eth0, IP/32, default via 169.254.1.1
#
# Every node-side veth carries the same link-local gateway address, as with
# Calico, so pods need no subnet of their own.  pod_serve starts a server that
# answers every TCP connection with the pod's name, so a client sees which pod
# the balancer picked.  Traffic only ever goes to these pods or to loopback.

# This creates namespaces, links and IPVS services: never on a real host.
if [ "${UML_RUN:-}" != 1 ]; then
	echo "lib.sh: refusing to run outside User-Mode Linux (use test/uml/uml-run)" >&2
	exit 1
fi

POD_GATEWAY=169.254.1.1
POD_NAMES=""		# pods made by pod_create, for pods_destroy
POD_SERVER_PIDS=""	# servers started by pod_serve

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# must COMMAND...: run COMMAND, fail the test naming it if it fails.
must() {
	"$@" || fail "$*"
}

# pod_create NAME IP: a namespace NAME reachable from the node at IP.
pod_create() {
	local name=$1 ip=$2 veth=v-$1

	[ ${#veth} -le 15 ] || fail "pod name '$name' too long for a link name"
	must ip netns add "$name"
	POD_NAMES="$POD_NAMES $name"
	must ip link add "$veth" type veth peer name eth0 netns "$name"
	must ip link set "$veth" up
	must ip addr add "$POD_GATEWAY/32" dev "$veth"
	must ip route add "$ip/32" dev "$veth"
	must pod_exec "$name" ip link set lo up
	must pod_exec "$name" ip link set eth0 up
	must pod_exec "$name" ip addr add "$ip/32" dev eth0
	must pod_exec "$name" ip route add "$POD_GATEWAY" dev eth0 scope link
	must pod_exec "$name" ip route add default via "$POD_GATEWAY" dev eth0
}

# pod_exec NAME COMMAND...: run COMMAND inside pod NAME.
pod_exec() {
	local name=$1

	shift
	ip netns exec "$name" "$@"
}

# pod_serve NAME PORT: answer each TCP connection on PORT with NAME, then
# close.  busybox nc -ll forks one "echo" per connection, so there is no gap
# between connections; returns once the port listens.
pod_serve() {
	local name=$1 port=$2

	# Not through pod_exec: $! must be the server, not a subshell.
	ip netns exec "$name" busybox nc -ll -p "$port" -e echo "$name" \
		</dev/null >/dev/null 2>&1 &
	POD_SERVER_PIDS="$POD_SERVER_PIDS $!"
	for _ in $(seq 50); do
		[ -n "$(pod_exec "$name" ss -Hltn "sport = :$port")" ] && return 0
		sleep 0.1
	done
	fail "pod $name: nothing listens on port $port after 5 s"
}

# pods_destroy: stop the servers and remove the pods (and their veths).
pods_destroy() {
	local pid name

	for pid in $POD_SERVER_PIDS; do
		kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	done
	for name in $POD_NAMES; do
		ip netns del "$name"
	done
	POD_SERVER_PIDS=""
	POD_NAMES=""
}

# node_vip_add IP: make IP a local address of the node, as kube-proxy does
# with kube-ipvs0, so that connections to a virtual service get routed.
node_vip_add() {
	local ip=$1

	# Left down, like kube-ipvs0: local addresses work on a down link.
	ip link show ipvs0 >/dev/null 2>&1 || must ip link add ipvs0 type dummy
	must ip addr add "$ip/32" dev ipvs0
}

# tcp_get IP PORT: connect from the node, print what the server says.
tcp_get() {
	# shellcheck disable=SC2016 # $0 and $1 belong to the inner bash.
	timeout 5 bash -c 'cat </dev/tcp/$0/$1' "$1" "$2"
}
