# shellcheck shell=bash
# test/e2e/lib.sh - the agent under test, its objects file, and traffic.
#
# Source it from an e2e_*.sh test that test/uml/uml-run runs (alone, or in
# one boot with the others through test/e2e/run.sh).  It adds to
# test/uml/lib.sh (pods, servers, fail, must):
#
#   e2e_begin               per-test setup; cleans up at exit, and on failure
#                           shows the end of the agent's log (all of it
#                           with E2E_VERBOSE=1: uml-run's UML_PASSENV)
#   objects SPEC...         write the objects file (test/e2e/objects.py)
#   start_agent [FLAG...]   run ./ipvsagent on it (node "node1", sync 2s);
#                           AGENT_SOURCE (an array) replaces the file
#   stop_agent [SIGNAL]     stop it (TERM by default) and wait for it
#   wait_until SECS CMD...  poll CMD every 0.1 s; fail after SECS
#   poll_until SECS CMD...  the same, but return 1 after SECS
#   snooze SECS             sleep, without a process
#   has_rule LINE...        ipvsadm -Sn has every LINE (exactly); also
#                           lacks_rule, no_rule_matches, rules_are
#   vip_bound IP            kube-ipvs0 has IP; also no_vip_matches
#   replies PROTO HOST PORT N
#                           N connections (test/e2e/client.py), a line each
#   expect_pods PROTO HOST PORT N "POD..."
#                           N connections; the set of pods that answered
#                           must be exactly POD...
#   pod_serve_py POD MODE PORT
#                           test/e2e/server.py in POD: udp or echo
#   node_address_add IP/LEN an address of the node's own (dummy node0)
#
# Everything lives under /run/e2e (a tmpfs inside UML).  Process creation
# costs ~40 ms under UML, so the helpers poll with builtins where they can.

E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=${E2E_DIR%/test/e2e}
# shellcheck source=test/uml/lib.sh
. "$TOP/test/uml/lib.sh"

AGENT=$TOP/ipvsagent
RUN=/run/e2e
OBJECTS=$RUN/objects.json
STATE=$RUN/state
AGENT_LOG=$RUN/agent.log
NODE=node1
SYNC_PERIOD=2s
AGENT_SOURCE=(--services-file "$OBJECTS")	# where start_agent's agent reads
AGENT_PID=		# the running agent, if any
E2E_PIDS=""		# other background processes started by the test
E2E_NAME=${0##*/}
SLEEP_FD=

ok() {
	echo "ok: $*"
}

# snooze SECS: sleep without a process (a read that times out on a fifo).
snooze() {
	read -r -t "$1" -u "$SLEEP_FD" _ || :
}

# e2e_begin: the per-test setup.  Cleans up at exit.
e2e_begin() {
	[ -x "$AGENT" ] || fail "$AGENT is missing (make ipvsagent)"
	mkdir -p "$RUN" "$STATE" || fail "mkdir $RUN"
	[ -p "$RUN/sleep.fifo" ] || must mkfifo "$RUN/sleep.fifo"
	exec {SLEEP_FD}<>"$RUN/sleep.fifo"
	: >"$AGENT_LOG"
	trap e2e_end EXIT
	echo "--- $E2E_NAME"
}

e2e_end() {
	local rc=$? pid

	if [ -n "$AGENT_PID" ] && ! agent_alive; then
		echo "FAIL: the agent (pid $AGENT_PID) had exited" >&2
		AGENT_PID=
		rc=1
	fi
	if [ "${E2E_VERBOSE:-0}" = 1 ] && [ -s "$AGENT_LOG" ]; then
		echo "--- $E2E_NAME: the agent's log:" >&2
		sed 's/^/  | /' "$AGENT_LOG" >&2
	elif [ "$rc" -ne 0 ] && [ -s "$AGENT_LOG" ]; then
		echo "--- $E2E_NAME failed; the agent's log ends:" >&2
		tail -n 25 "$AGENT_LOG" | sed 's/^/  | /' >&2
		echo "--- ipvsadm -Ln:" >&2
		ipvsadm -Ln 2>&1 | sed 's/^/  | /' >&2
	fi
	[ -z "$AGENT_PID" ] || stop_agent TERM
	for pid in $E2E_PIDS; do
		kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	done
	E2E_PIDS=""
	pods_destroy
	exit "$rc"
}

# track PID: a background process to stop at the end of the test.  Also
# listed in $RUN/pids, for run.sh to stop should the test itself be killed.
track() {
	E2E_PIDS="$E2E_PIDS $1"
	echo "$1" >>"$RUN/pids"
}

# objects SPEC...: write the objects file atomically; see objects.py.
objects() {
	"$E2E_DIR/objects.py" "$OBJECTS" "$@" || fail "objects.py $*"
}

# start_agent [FLAG...]: run the agent in the background on $OBJECTS and
# wait until it has read its source.
start_agent() {
	local from

	[ -z "$AGENT_PID" ] || fail "start_agent: agent $AGENT_PID still runs"
	from=$(wc -l <"$AGENT_LOG")
	"$AGENT" "${AGENT_SOURCE[@]}" --hostname-override "$NODE" \
		--state-dir "$STATE" --ipvs-sync-period "$SYNC_PERIOD" --v 2 \
		"$@" 2>>"$AGENT_LOG" &
	AGENT_PID=$!
	echo "$AGENT_PID" >>"$RUN/pids"
	wait_until 10 log_since "$from" "ipvsagent running"
}

# stop_agent [SIGNAL]: signal the agent (TERM), wait for it to exit.
stop_agent() {
	local sig=${1:-TERM} pid=$AGENT_PID

	[ -n "$pid" ] || fail "stop_agent: no agent runs"
	AGENT_PID=
	kill "-$sig" "$pid" 2>/dev/null || fail "agent $pid was not running"
	wait "$pid" 2>/dev/null
}

# agent_alive: the agent started last still runs.
agent_alive() {
	[ -n "$AGENT_PID" ] && kill -0 "$AGENT_PID" 2>/dev/null
}

# log_since LINE PATTERN: the agent's log after line LINE matches PATTERN.
log_since() {
	tail -n "+$(($1 + 1))" "$AGENT_LOG" | grep -q -- "$2"
}

# log_has PATTERN: the agent's log matches PATTERN (grep -E).
log_has() {
	grep -Eq -- "$1" "$AGENT_LOG"
}

# wait_until SECS CMD...: run CMD every 0.1 s until it succeeds; fail after
# SECS seconds, or at once if the agent started by start_agent died.
wait_until() {
	poll_until "$@" || fail "not after ${1}s: ${*:2}"
}

# poll_until SECS CMD...: wait_until, but return 1 on a timeout.
poll_until() {
	local secs=$1 now deadline

	shift
	now=${EPOCHREALTIME/./}
	deadline=$((now + ${secs%.*} * 1000000))
	while ! "$@"; do
		if [ -n "$AGENT_PID" ] && ! kill -0 "$AGENT_PID" 2>/dev/null; then
			AGENT_PID=
			fail "the agent exited while waiting for: $*"
		fi
		now=${EPOCHREALTIME/./}
		[ "$now" -lt "$deadline" ] || return 1
		snooze 0.1
	done
}

# elapsed_ms SINCE: milliseconds since SINCE (a copy of $EPOCHREALTIME).
elapsed_ms() {
	local now=${EPOCHREALTIME/./} then=${1/./}

	echo $(((now - then) / 1000))
}

# --- IPVS --------------------------------------------------------------------

rules() {
	ipvsadm -Sn
}

# has_rule LINE...: every LINE is a line of ipvsadm -Sn.
has_rule() {
	local r line

	r=$(ipvsadm -Sn) || return 1
	for line in "$@"; do
		grep -Fqx -- "$line" <<<"$r" || return 1
	done
}

# lacks_rule LINE...: no LINE is in ipvsadm -Sn.
lacks_rule() {
	local r line

	r=$(ipvsadm -Sn) || return 1
	for line in "$@"; do
		! grep -Fqx -- "$line" <<<"$r" || return 1
	done
}

# no_rule_matches REGEX: no line of ipvsadm -Sn matches REGEX (grep -E).
no_rule_matches() {
	! ipvsadm -Sn | grep -Eq -- "$1"
}

# sorted_rules: ipvsadm -Sn in a stable order (the kernel's is hash order,
# and a re-added real server goes to the end of its list).
sorted_rules() {
	ipvsadm -Sn | LC_ALL=C sort
}

# rules_are TEXT: sorted_rules is exactly TEXT.
rules_are() {
	[ "$(sorted_rules)" = "$1" ]
}

# service_conns PROTO VIP:PORT: the service's connection counter
# (ipvsadm -Ln --stats --exact), which only a flush or a delete resets.
service_conns() {
	local flag=-t

	[ "$1" = udp ] && flag=-u
	ipvsadm -Ln --stats --exact "$flag" "$2" |
		awk '$1 == "TCP" || $1 == "UDP" { print $3; exit }'
}

# vip_bound IP: IP (v4) is an address of kube-ipvs0.
vip_bound() {
	ip -4 -o addr show dev kube-ipvs0 2>/dev/null | grep -q " $1/32 "
}

# no_vip_matches REGEX: no address of kube-ipvs0 matches REGEX (grep -E).
no_vip_matches() {
	! ip -4 -o addr show dev kube-ipvs0 | awk '{ print $4 }' | grep -Eq -- "$1"
}

# --- traffic -----------------------------------------------------------------

# replies PROTO HOST PORT N [CLIENT-FLAG...]: N connections (or UDP
# exchanges) from the node; one line per attempt: the pod's name or ERROR.
replies() {
	local proto=$1 host=$2 port=$3 n=$4

	shift 4
	"$E2E_DIR/client.py" "$proto" "$host" "$port" -n "$n" "$@"
}

# expect_pods PROTO HOST PORT N "POD...": N connections all answered, and
# exactly the pods POD... answered them.
expect_pods() {
	local proto=$1 host=$2 port=$3 n=$4 want got out

	want=$(tr ' ' '\n' <<<"$5" | grep . | LC_ALL=C sort -u | paste -sd' ')
	out=$(replies "$proto" "$host" "$port" "$n")
	if grep -q '^ERROR' <<<"$out"; then
		fail "$proto $host:$port: $(grep -c '^ERROR' <<<"$out") of $n attempts failed: $(grep -m1 '^ERROR' <<<"$out")"
	fi
	got=$(LC_ALL=C sort -u <<<"$out" | paste -sd' ')
	[ "$got" = "$want" ] ||
		fail "$proto $host:$port: $n attempts reached [$got], want [$want]"
}

# pod_serve_py NAME MODE PORT: test/e2e/server.py in pod NAME (MODE udp: a
# datagram gets NAME back; echo: a TCP connection gets NAME, then its own
# lines back).  Returns once the port is bound.
pod_serve_py() {
	local name=$1 mode=$2 port=$3 flag=-Hltn

	[ "$mode" = udp ] && flag=-Hlun
	ip netns exec "$name" "$E2E_DIR/server.py" "$name" "$mode" "$port" \
		</dev/null >/dev/null 2>&1 &
	POD_SERVER_PIDS="$POD_SERVER_PIDS $!"
	for _ in $(seq 100); do
		[ -n "$(pod_exec "$name" ss "$flag" "sport = :$port")" ] && return 0
		snooze 0.1
	done
	fail "pod $name: server.py $mode not bound to port $port after 10 s"
}

# node_address_add IP/LEN: an address of the node on the dummy link node0
# (not kube-ipvs0), where node ports answer.
node_address_add() {
	ip link show node0 >/dev/null 2>&1 || must ip link add node0 type dummy
	must ip link set node0 up
	must ip addr add "$1" dev node0
}
