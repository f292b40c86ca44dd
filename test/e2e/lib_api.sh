# shellcheck shell=bash
# test/e2e/lib_api.sh - the fake API server as the agent's source, for the
# e2e tests that go through the Kubernetes API client.  Source it after
# lib.sh.
#
#   api_start               test/fakeapi/fakeapi.py over TLS with a token on
#                           127.0.0.1:6443, a kubeconfig for it in
#                           $KUBECONFIG_FILE, and AGENT_SOURCE pointing there
#   api_apply SPEC...       create or replace objects (objects.py's specs)
#   api_delete KIND NS NAME
#   fakectl ARGS...         test/fakeapi/fakectl.py against it
#
# Node objects: api_node NAME [ZONE] [ADDR].

FAKEAPI_DIR=$TOP/test/fakeapi
KUBECONFIG_FILE=$RUN/kubeconfig
API_TOKEN=e2e-token
export FAKEAPI_URL=https://127.0.0.1:6443

api_start() {
	local line

	must "$FAKEAPI_DIR/mkcerts.sh" "$RUN/pki"
	# --watch-timeout: watches end every few seconds, so the agent's
	# re-watch from its resourceVersion runs during the tests too.
	python3 "$FAKEAPI_DIR/fakeapi.py" --port 6443 --tls \
		--cert "$RUN/pki/server.crt" --key "$RUN/pki/server.key" \
		--token "$API_TOKEN" --watch-timeout 5,10 --bookmark-interval 2 \
		>"$RUN/fakeapi.out" 2>"$RUN/fakeapi.err" &
	track $!
	wait_until 10 grep -q "listening on" "$RUN/fakeapi.out"
	cat >"$KUBECONFIG_FILE" <<KC
apiVersion: v1
kind: Config
clusters:
- name: e2e
  cluster:
    server: $FAKEAPI_URL
    certificate-authority: $RUN/pki/ca.crt
users:
- name: agent
  user:
    token: $API_TOKEN
contexts:
- name: e2e
  context:
    cluster: e2e
    user: agent
current-context: e2e
KC
	AGENT_SOURCE=(--kubeconfig "$KUBECONFIG_FILE")
}

fakectl() {
	python3 "$FAKEAPI_DIR/fakectl.py" "$@"
}

api_apply() {
	"$E2E_DIR/objects.py" "$RUN/apply.json" "$@" || fail "objects.py $*"
	fakectl --stamp apply "$RUN/apply.json" >/dev/null || fail "fakectl apply $*"
}

api_delete() {
	fakectl delete "$@" >/dev/null || fail "fakectl delete $*"
}

# api_node NAME [ZONE] [ADDR]: create or replace the Node NAME.
api_node() {
	local labels="" addrs=""

	[ -n "${2:-}" ] &&
		labels=", \"labels\": {\"topology.kubernetes.io/zone\": \"$2\"}"
	[ -n "${3:-}" ] &&
		addrs="\"addresses\": [{\"type\": \"InternalIP\", \"address\": \"$3\"}]"
	printf '{"apiVersion": "v1", "kind": "Node", "metadata": {"name": "%s"%s}, "status": {%s}}\n' \
		"$1" "$labels" "$addrs" | fakectl apply - >/dev/null ||
		fail "api_node $*"
}
