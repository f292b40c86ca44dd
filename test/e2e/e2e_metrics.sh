#!/bin/bash
# e2e_metrics.sh - the agent's HTTP endpoints, as Prometheus, kubelet's
# probes, on-call engineers and hostile clients see them:
#   /metrics passes `promtool check metrics`; a real Prometheus server
#   scrapes it every second and answers queries about it (traffic
#   through a Service included); /healthz and /livez give kube-proxy's
#   codes and JSON (503 when a change cannot be applied, /healthz also
#   when the Node is being deleted); garbage, long, unknown and
#   wrong-method requests get 4xx; hundreds of idle clients neither stall
#   a sync nor exhaust descriptors; `ipvsagent status` prints the table,
#   --json, --service, and exits 0, 1 and 2.
#
#   test/uml/uml-run -- test/e2e/e2e_metrics.sh
#
# E2E_ARTIFACTS=DIR (UML_PASSENV) keeps the status table and the /metrics
# text there.

set -u
# shellcheck source=test/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

A=10.244.1.2
B=10.244.2.2
M=127.0.0.1:10249
H=127.0.0.1:10256
PROM=127.0.0.1:9090
ART=${E2E_ARTIFACTS:-}

web_eps="$A,$B"
node=()
late=()
write_objects() {
	objects svc:default/web:10.96.0.10:80:portname=http \
		"eps:default/web/web-1:http=8080:$web_eps" \
		svc:kube-system/dns:10.96.0.53:53/UDP:portname=dns \
		"eps:kube-system/dns/dns-1:dns=5353/UDP:$A" \
		svc:default/local:10.96.0.20:80:itp=Local "eps:default/local/local-1:8080:$A" \
		"${late[@]}" "${node[@]}"
}

# code URL: the HTTP status of a GET.
code() {
	curl -s -o /dev/null -m 5 -w '%{http_code}' "$@"
}

# code_is CODE URL...: a GET answers CODE (a command for wait_until, which
# runs it anew every time).
code_is() {
	[ "$(code "${@:2}")" = "$1" ]
}

# body URL: the body of a GET (any status).
body() {
	curl -s -m 5 "$@"
}

# json_get PATH: a field of the JSON on stdin ("a.b.0.c").
json_get() {
	python3 -c '
import json, sys
v = json.load(sys.stdin)
for k in sys.argv[1].split("."):
    v = v[int(k)] if isinstance(v, list) else v[k]
print(json.dumps(v) if isinstance(v, (dict, list, bool)) or v is None else v)' "$1"
}

# prom_value QUERY: the first sample's value of an instant query, "" if
# none (or Prometheus does not answer yet).
prom_value() {
	curl -s -m 5 -G "http://$PROM/api/v1/query" --data-urlencode "query=$1" |
		python3 -c '
import json, sys
try:
    r = json.load(sys.stdin)["data"]["result"]
except ValueError:
    r = []
print(r[0]["value"][1] if r else "")'
}

# prom_at_least QUERY N: Prometheus has a sample of QUERY >= N.
prom_at_least() {
	local v

	v=$(prom_value "$1")
	[ -n "$v" ] && python3 -c 'import sys; sys.exit(float(sys.argv[1]) < float(sys.argv[2]))' "$v" "$2"
}

keep() {
	[ -z "$ART" ] || cat >"$ART/$1"
}

e2e_begin
# A read-only mount over the state directory below must not outlive us.
trap 'rc=$?; umount "$STATE" 2>/dev/null; (exit $rc); e2e_end' EXIT
pod_create pod-a $A
pod_create pod-b $B
pod_serve pod-a 8080
pod_serve pod-b 8080
write_objects
start_agent
wait_until 5 has_rule "-a -t 10.96.0.10:80 -r $A:8080 -m -w 1" \
	"-a -t 10.96.0.10:80 -r $B:8080 -m -w 1"
expect_pods tcp 10.96.0.10 80 6 "pod-a pod-b"

# --- /metrics: promtool, kube-proxy's names ---------------------------------
body "http://$M/metrics" >"$RUN/metrics.txt" || fail "GET /metrics"
curl -s -D - -o /dev/null "http://$M/metrics" |
	grep -qi '^Content-Type: text/plain; version=0.0.4' ||
	fail "/metrics: not the text exposition format's content type"
# promtool lints as well as parses.  Its one complaint is about a name
# kube-proxy itself exports (a gauge ending in _total), which is kept for
# dashboards' sake: anything else fails.
lint=$(promtool check metrics <"$RUN/metrics.txt" 2>&1)
rc=$?
others=$(grep -v '^kubeproxy_sync_proxy_rules_no_local_endpoints_total non-counter metrics should not have "_total" suffix$' <<<"$lint" | grep .)
if [ "$rc" -ne 0 ] && { [ "$rc" -ne 3 ] || [ -n "$others" ]; }; then
	fail "promtool check metrics (status $rc): $lint"
fi
for line in \
	'# TYPE kubeproxy_sync_proxy_rules_duration_seconds histogram' \
	'kubeproxy_sync_proxy_rules_no_local_endpoints_total{ip_family="IPv4",traffic_policy="internal"} 1' \
	'kubeproxy_sync_proxy_rules_service_changes_total 3' \
	'kubeproxy_sync_proxy_rules_endpoint_changes_total 3' \
	'ipvsagent_ipvs_virtual_servers 3' \
	'ipvsagent_ipvs_real_servers 3'; do
	grep -Fqx -- "$line" "$RUN/metrics.txt" || fail "/metrics lacks: $line"
done
grep -q '^process_resident_memory_bytes [0-9]' "$RUN/metrics.txt" ||
	fail "/metrics: no process_resident_memory_bytes"
ok "/metrics: promtool check metrics passes (but for kube-proxy's own _total gauge); kube-proxy's names"

# --- a real Prometheus scrapes the agent every second -------------------------
mkdir -p "$RUN/prom"
cat >"$RUN/prom/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: ipvsagent
    static_configs:
      - targets: ['$M']
EOF
prometheus --config.file="$RUN/prom/prometheus.yml" \
	--storage.tsdb.path="$RUN/prom/data" --web.listen-address="$PROM" \
	>"$RUN/prom/log" 2>&1 &
track $!
wait_until 60 prom_at_least 'ipvsagent_ipvs_virtual_servers' 3
wait_until 10 prom_at_least 'up{job="ipvsagent"}' 1
# Traffic through the Service, read back through Prometheus: the kernel's
# counters are re-read at most every 5 s (and at every verification).
expect_pods tcp 10.96.0.10 80 10 "pod-a pod-b"
wait_until 30 prom_at_least \
	'ipvsagent_service_connections_total{namespace="default",service="web",port_name="http",vip="10.96.0.10",protocol="TCP"}' 16
wait_until 10 prom_at_least 'kubeproxy_sync_proxy_rules_duration_seconds_count{ip_family="IPv4"}' 1
ok "Prometheus scrapes the agent every 1s: up, $(prom_value 'ipvsagent_ipvs_virtual_servers') virtual servers, $(prom_value 'ipvsagent_service_connections_total{service="web"}') connections through default/web"

# --- health ---------------------------------------------------------------------
[ "$(code "http://$H/healthz")" = 200 ] || fail "/healthz: $(body "http://$H/healthz")"
[ "$(code "http://$H/livez")" = 200 ] || fail "/livez: $(body "http://$H/livez")"
hz=$(body "http://$H/healthz")
[ "$(json_get healthy <<<"$hz")" = true ] && [ "$(json_get nodeEligible <<<"$hz")" = true ] &&
	[ "$(json_get status.IPv4.healthy <<<"$hz")" = true ] ||
	fail "/healthz body: $hz"
[[ $(json_get currentTime <<<"$hz") =~ ^20[0-9-]+T[0-9:.]+Z$ ]] || fail "/healthz time: $hz"
body "http://$H/livez" | grep -q '"nodeEligible"' && fail "/livez has nodeEligible"
[ "$(body "http://$M/healthz")" = ok ] || fail "metrics port /healthz"
[ "$(body "http://$M/proxyMode")" = ipvs ] || fail "/proxyMode"
ok "/healthz, /livez: 200 with kube-proxy's JSON; /proxyMode ipvs"

# The Node is being deleted, then drained by the autoscaler: /healthz
# fails (load balancers take the node out), /livez does not.
node=(node:$NODE:deleting)
write_objects
wait_until 5 code_is 503 "http://$H/healthz"
[ "$(json_get nodeEligible <<<"$(body "http://$H/healthz")")" = false ] ||
	fail "/healthz 503 without nodeEligible false"
[ "$(code "http://$H/livez")" = 200 ] || fail "/livez failed for a leaving node"
node=(node:$NODE:tobedeleted)
write_objects
snooze 1
[ "$(code "http://$H/healthz")" = 503 ] || fail "/healthz 200 with ToBeDeletedByClusterAutoscaler"
node=(node:$NODE)
write_objects
wait_until 5 code_is 200 "http://$H/healthz"
ok "/healthz 503 while the Node is deleted or tainted ToBeDeletedByClusterAutoscaler; /livez 200"

# A change the agent cannot apply (its state directory turned read-only,
# so it may not record what it would create) makes both fail after 2 x
# the sync period (2 s here), and `ipvsagent status` exit 1; then recover.
must mount -t tmpfs -o ro,size=1m tmpfs "$STATE"
late=(svc:default/late:10.96.0.30:80 "eps:default/late/late-1:8080:$B")
write_objects
poll_until 15 code_is 503 "http://$H/livez" ||
	fail "/livez not 503 with a late change: $(body "http://$H/livez"); sync: $(body "http://$M/status" | json_get sync)"
[ "$(code "http://$H/healthz")" = 503 ] || fail "/healthz not 503 with a late change"
[ "$(json_get healthy <<<"$(body "http://$H/livez")")" = false ] || fail "/livez body"
"$AGENT" status >"$RUN/status.unhealthy" 2>&1
rc=$?
[ "$rc" = 1 ] || fail "ipvsagent status exited $rc for an unhealthy agent"
grep -q 'UNHEALTHY' "$RUN/status.unhealthy" || fail "status: $(cat "$RUN/status.unhealthy")"
grep -q 'default .*late .*pending' "$RUN/status.unhealthy" ||
	fail "status does not show default/late pending: $(cat "$RUN/status.unhealthy")"
must umount "$STATE"
wait_until 15 has_rule "-a -t 10.96.0.30:80 -r $B:8080 -m -w 1"
wait_until 5 code_is 200 "http://$H/livez"
[ "$(code "http://$H/healthz")" = 200 ] || fail "/healthz after recovery"
wait_until 5 prom_at_least 'kubeproxy_proxy_livez_total{code="503"}' 1
ok "a change that cannot be applied: /healthz, /livez 503 after 2 x sync period, status exits 1; recovered"

# --- bad requests ------------------------------------------------------------------
[ "$(code "http://$M/nope")" = 404 ] || fail "unknown path"
[ "$(code "http://$H/metrics")" = 404 ] || fail "/metrics on the healthz port"
[ "$(code -X POST -d x=1 "http://$M/metrics")" = 405 ] || fail "POST /metrics"
[ "$(code -X DELETE "http://$H/healthz")" = 405 ] || fail "DELETE /healthz"
curl -s -D - -o /dev/null -X PUT "http://$M/status" | grep -qi '^Allow: GET, HEAD' ||
	fail "405 without Allow"
[ "$(code "http://$M/metrics?$(printf 'a%.0s' $(seq 40000))")" = 414 ] || fail "a 40 kB URL"
[ "$(code -H "X-Big: $(printf 'b%.0s' $(seq 40000))" "http://$M/metrics")" = 431 ] ||
	fail "a 40 kB header"
garbage=$(python3 - <<'EOF'
import socket
out = []
for req in (b"\x01\x02 \xff\xfe garbage\r\n\r\n", b"GET /metrics HTTP/1.1\r\nno colon\r\n\r\n",
            b"GET /metrics HTTP/7.0\r\n\r\n", b"\x00" * 100 + b"\r\n\r\n"):
    s = socket.create_connection(("127.0.0.1", 10249), timeout=5)
    s.sendall(req)
    data = b""
    try:
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    except OSError:
        pass
    out.append(data.split(b"\r\n")[0].decode(errors="replace") or "(closed)")
    s.close()
print(" | ".join(out))
EOF
)
[[ $garbage == "HTTP/1.1 400 Bad Request | HTTP/1.1 400 Bad Request | HTTP/1.1 505 HTTP Version Not Supported | "* ]] ||
	fail "garbage requests: $garbage"
[ "$(code "http://$M/healthz")" = 200 ] || fail "not answering after bad requests"
ok "404, 405 with Allow, 414 (40 kB URL), 431 (40 kB header), 400/505 for garbage ($garbage)"

# --- hundreds of slow clients ----------------------------------------------------------
# 200 idle clients on the metrics port (below its limit of 256 open
# connections) and 300 on the health port (above it): a change is still
# applied at once, the metrics port answers, descriptors stay bounded (the
# 44 over the limit wait in the kernel's listen queue), idle connections
# are closed after 10 s, and then the health port answers again.
fds_before=$(ls /proc/"$AGENT_PID"/fd | wc -l)
"$E2E_DIR/slow_clients.py" 127.0.0.1 10249 200 --hold 14 --report "$RUN/slow200" &
track $!
"$E2E_DIR/slow_clients.py" 127.0.0.1 10256 300 --hold 14 --report "$RUN/slow300" &
track $!
wait_until 10 grep -qs '^refused' "$RUN/slow200"
wait_until 10 grep -qs '^refused' "$RUN/slow300"
t0=$EPOCHREALTIME
web_eps="$A"
write_objects
wait_until 5 lacks_rule "-a -t 10.96.0.10:80 -r $B:8080 -m -w 1"
applied=$(elapsed_ms "$t0")
[ "$(code "http://$M/metrics")" = 200 ] || fail "/metrics with 200 idle clients"
[ "$(code "http://$M/healthz")" = 200 ] || fail "/healthz (metrics port) with idle clients"
fds=$(ls /proc/"$AGENT_PID"/fd | wc -l)
[ "$fds" -le $((fds_before + 200 + 256 + 8)) ] ||
	fail "$fds descriptors open with 500 idle clients (at most 256 per port)"
expect_pods tcp 10.96.0.10 80 3 "pod-a"
t0=$EPOCHREALTIME
wait_until 15 code_is 200 "http://$H/livez"
waited=$(elapsed_ms "$t0")
wait_until 20 grep -q '^closed' "$RUN/slow200"
wait_until 5 grep -q '^closed' "$RUN/slow300"
grep -Eq '^closed 200 of 200 after (9|1[0-3])\.' "$RUN/slow200" ||
	fail "idle clients: $(cat "$RUN/slow200")"
grep -Eq '^closed (25[6-9]|2[6-9][0-9]|300) of 300 after' "$RUN/slow300" ||
	fail "idle clients over the limit: $(cat "$RUN/slow300")"
ok "500 idle clients: a change applied in ${applied} ms, the metrics port answers, $fds descriptors (from $fds_before), idle ones closed after 10 s ($(cat "$RUN/slow300" | tail -n1)); the flooded health port answered again after ${waited} ms"

# --- ipvsagent status -----------------------------------------------------------------
"$AGENT" status >"$RUN/status.txt" 2>&1 || fail "status exited $?: $(cat "$RUN/status.txt")"
grep -q 'on node node1: healthy' "$RUN/status.txt" || fail "status: $(cat "$RUN/status.txt")"
grep -Eq '^default +web +ClusterIP +TCP 10\.96\.0\.10:80 \(http\) +rr +10\.244\.1\.2:8080 +1 ' \
	"$RUN/status.txt" || fail "status table: $(cat "$RUN/status.txt")"
grep -Eq '^ +10\.244\.2\.2:8080 +0 +[0-9]+ +[0-9]+ +draining$' "$RUN/status.txt" ||
	fail "status table: no draining real server: $(cat "$RUN/status.txt")"
grep -Eq '^kube-system +dns +ClusterIP +UDP 10\.96\.0\.53:53 \(dns\)' "$RUN/status.txt" ||
	fail "status table lacks kube-system/dns: $(cat "$RUN/status.txt")"
grep -q $'\033' "$RUN/status.txt" && fail "colour when stdout is not a terminal"
keep status.txt <"$RUN/status.txt"
"$AGENT" status --json >"$RUN/status.json" || fail "status --json"
[ "$(json_get services.0.name <"$RUN/status.json")" = late ] ||
	fail "status --json: $(head -c 300 "$RUN/status.json")"
[ "$(json_get counts.virtualServers <"$RUN/status.json")" = 4 ] || fail "status --json counts"
"$AGENT" status --service default/web >"$RUN/status.web" || fail "status --service"
[ "$(grep -c 'default ' "$RUN/status.web")" = 1 ] || fail "--service: $(cat "$RUN/status.web")"
"$AGENT" status --service default/nope >/dev/null 2>&1
[ $? = 1 ] || fail "status --service of an unknown Service did not exit 1"
out=$("$AGENT" status --address 127.0.0.1:1 2>&1)
rc=$?
[ "$rc" = 2 ] && [[ $out == *"cannot reach the agent at http://127.0.0.1:1/status"* ]] ||
	fail "nothing listening: status $rc: $out"
ok "ipvsagent status: the table, --json, --service, exit 0/1/2"
sed 's/^/  | /' "$RUN/status.txt"
body "http://$M/metrics" | keep metrics.txt
body "http://$M/metrics" | grep -E '^(kubeproxy_sync_proxy_rules_(duration_seconds_count|last_timestamp_seconds|endpoint_changes_total|service_changes_total)|kubeproxy_proxy_healthz_total|ipvsagent_(ipvs_virtual_servers|ipvs_real_servers|verifications_total)|ipvsagent_service_connections_total\{[^}]*service="web"|ipvsagent_netlink_operations_total\{operation="add_real_server",result="ok"|process_resident_memory_bytes)' |
	sed 's/^/  | /'

stop_agent
out=$("$AGENT" status 2>&1)
rc=$?
[ "$rc" = 2 ] || fail "status of a stopped agent exited $rc: $out"
ok "a stopped agent: status exits 2 ($out)"
echo PASS
