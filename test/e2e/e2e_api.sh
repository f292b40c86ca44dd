#!/bin/bash
# e2e_api.sh - the agent fed by the Kubernetes API (the fake API server over
# TLS with a bearer token): it programs the kernel from the first lists,
# follows endpoints scaled up and down while a client keeps sending (no
# request to an endpoint that stays ready fails), repairs nothing wrong
# during an API outage, never applies before both lists are in, and
# recovers from a 410 relist.
#
#   test/uml/uml-run -- test/e2e/e2e_api.sh

set -u
# shellcheck source=test/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=test/e2e/lib_api.sh
. "$(dirname "$0")/lib_api.sh"

A=10.244.1.2
B=10.244.2.2
C=10.244.3.2
D=10.244.4.2
VS=10.96.0.10:80

client_count() {
	[ "$(wc -l <"$RUN/client.out")" -ge "$1" ]
}

# more_requests N: wait until the client made N more requests.
more_requests() {
	local n

	n=$(wc -l <"$RUN/client.out")
	wait_until 20 client_count $((n + $1))
}

e2e_begin
for p in a:$A b:$B c:$C d:$D; do
	pod_create "pod-${p%%:*}" "${p#*:}"
	pod_serve "pod-${p%%:*}" 8080
done
api_start
api_node "$NODE" zone-a
api_apply svc:default/web:10.96.0.10:80 "eps:default/web/web-1:8080:$A,$B" \
	svc:default/api:10.96.0.20:80/UDP "eps:default/api/api-1:8080/UDP:$C"
start_agent
wait_until 10 has_rule "-a -t $VS -r $A:8080 -m -w 1" \
	"-a -t $VS -r $B:8080 -m -w 1" "-a -u 10.96.0.20:80 -r $C:8080 -m -w 1"
wait_until 5 vip_bound 10.96.0.10
expect_pods tcp 10.96.0.10 80 6 "pod-a pod-b"
ok "programmed from the API's lists"

# A steady client while endpoints come and go.
rm -f "$RUN/stop"
: >"$RUN/client.out"
"$E2E_DIR/client.py" tcp 10.96.0.10 80 -i 0.05 -t 2 --until "$RUN/stop" \
	>"$RUN/client.out" 2>&1 &
client=$!
track $client
wait_until 10 client_count 10

api_apply "eps:default/web/web-1:8080:$A,$B,$C,$D"
wait_until 5 has_rule "-a -t $VS -r $C:8080 -m -w 1" "-a -t $VS -r $D:8080 -m -w 1"
more_requests 20
ok "scaled up to 4 endpoints through a watch event"

# Scale down: C and D leave (gracefully: weight 0 first).
api_apply "eps:default/web/web-1:8080:$A,$B"
wait_until 5 lacks_rule "-a -t $VS -r $C:8080 -m -w 1" "-a -t $VS -r $D:8080 -m -w 1"
more_requests 20
# Endpoints split over two slices, one of them new, then moved back.
api_apply "eps:default/web/web-2:8080:$C"
wait_until 5 has_rule "-a -t $VS -r $C:8080 -m -w 1" "-a -t $VS -r $A:8080 -m -w 1"
api_delete EndpointSlice default web-2
wait_until 5 lacks_rule "-a -t $VS -r $C:8080 -m -w 1"
more_requests 20
ok "scaled down, split over two slices and back"

# An outage: every request fails; the rules stay as they are.
rules_before=$(sorted_rules)
fakectl fault status code=500 count=-1 >/dev/null
fakectl close-watches drop >/dev/null
snooze 5
rules_are "$rules_before" || fail "the rules changed during an API outage: $(rules)"
log_has "HTTP 500" || fail "the outage left no trace in the log"
fakectl faults --clear >/dev/null
more_requests 10
ok "an API outage changes nothing"

# A change made during the outage, with the watch history gone: 410, relist.
fakectl fault status code=500 count=-1 >/dev/null
fakectl close-watches drop >/dev/null
api_apply "eps:default/web/web-1:8080:$A,$B,$D"
api_delete Service default api
fakectl compact 0 >/dev/null
fakectl faults --clear >/dev/null
wait_until 40 has_rule "-a -t $VS -r $D:8080 -m -w 1"
wait_until 5 no_rule_matches "10\.96\.0\.20:80"
more_requests 10
ok "after the outage the agent relisted and caught up (deleted Service gone)"

touch "$RUN/stop"
wait "$client" || fail "client.py failed: $(tail -n 3 "$RUN/client.out")"
total=$(wc -l <"$RUN/client.out")
errors=$(grep -c '^ERROR' "$RUN/client.out")
[ "$errors" = 0 ] ||
	fail "$errors of $total requests failed: $(grep -m3 '^ERROR' "$RUN/client.out")"
ok "$total requests while endpoints scaled up and down, none failed"

# A restart while the API answers nothing: no list, so nothing is applied
# and nothing is deleted.
stop_agent KILL
rules_before=$(sorted_rules)
fakectl fault status code=503 count=-1 >/dev/null
fakectl close-watches drop >/dev/null
api_apply "eps:default/web/web-1:8080:$A"
start_agent
snooze 5
rules_are "$rules_before" || fail "a start without lists changed the rules: $(rules)"
fakectl faults --clear >/dev/null
wait_until 40 lacks_rule "-a -t $VS -r $B:8080 -m -w 1"
has_rule "-a -t $VS -r $A:8080 -m -w 1" || fail "A went missing: $(rules)"
ok "a start during an outage waits for both lists, then applies"
echo PASS
