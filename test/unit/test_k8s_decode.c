/*
 * test/unit/test_k8s_decode.c - k8s/decode*.c: Services, EndpointSlices,
 * Nodes and whole Lists, as the API server and kubectl print them, and
 * every rule for bad input (each rejects only its unit, reported once).
 *
 * Fixtures are written with ' for " (see J()), so they stay readable.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "k8s/decode.h"
#include "suites.h"

/* ---- helpers ------------------------------------------------------------ */

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* A copy of @s with every ' turned into ". */
static char *jtext(const char *s)
{
	char *t = strdup(s), *p;

	ck_assert_ptr_nonnull(t);
	for (p = t; *p; p++) {
		if (*p == '\'')
			*p = '"';
	}
	return t;
}

/* Parse a fixture (the test fails if it is not JSON). */
static cJSON *J(const char *s)
{
	char *t = jtext(s);
	cJSON *j = cJSON_Parse(t);

	ck_assert_msg(j != NULL, "fixture is not JSON: %s", t);
	free(t);
	return j;
}

/* printf into a fresh fixture. */
static cJSON *Jf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static cJSON *Jf(const char *fmt, ...)
{
	char *s;
	va_list ap;
	cJSON *j;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	ck_assert_int_ge(n, 0);
	j = J(s);
	free(s);
	return j;
}

/* Every warning, one "kind ns/name: reason" line each. */
struct wlog {
	int n;
	char last_kind[32];
	char last_ns[64];
	char last_name[128];
	char last[256];
	char all[8192];
};

static void wlog_warn(void *arg, const char *kind, const char *ns,
		      const char *name, const char *reason)
{
	struct wlog *w = arg;
	size_t len = strlen(w->all);

	w->n++;
	snprintf(w->last_kind, sizeof(w->last_kind), "%s", kind);
	snprintf(w->last_ns, sizeof(w->last_ns), "%s", ns);
	snprintf(w->last_name, sizeof(w->last_name), "%s", name);
	snprintf(w->last, sizeof(w->last), "%s", reason);
	snprintf(w->all + len, sizeof(w->all) - len, "%s %s/%s: %s\n", kind,
		 ns, name, reason);
}

static struct wlog wl;
static struct k8s_decode_log wlog = { wlog_warn, &wl };

static void wlog_reset(void)
{
	memset(&wl, 0, sizeof(wl));
}

/* Exactly one warning, about @kind @ns/@name, containing @want. */
static void wlog_one(const char *kind, const char *ns, const char *name,
		     const char *want)
{
	ck_assert_msg(wl.n == 1, "want 1 warning, got %d:\n%s", wl.n, wl.all);
	ck_assert_str_eq(wl.last_kind, kind);
	ck_assert_str_eq(wl.last_ns, ns);
	ck_assert_str_eq(wl.last_name, name);
	ck_assert_msg(strstr(wl.last, want), "warning '%s' lacks '%s'", wl.last,
		      want);
}

static void wlog_none(void)
{
	ck_assert_msg(wl.n == 0, "unexpected warnings:\n%s", wl.all);
}

/* ---- fixtures: objects as `kubectl get -o json` prints them ------------ */

/* A ClusterIP Service with everything the API server adds. */
static const char svc_kube_dns[] =
"{"
"  'apiVersion': 'v1',"
"  'kind': 'Service',"
"  'metadata': {"
"    'annotations': {"
"      'prometheus.io/scrape': 'true',"
"      'prometheus.io/port': '9153'"
"    },"
"    'creationTimestamp': '2024-05-02T09:14:11Z',"
"    'labels': {"
"      'kubernetes.io/name': 'CoreDNS',"
"      'k8s-app': 'kube-dns',"
"      'kubernetes.io/cluster-service': 'true'"
"    },"
"    'managedFields': ["
"      {"
"        'apiVersion': 'v1',"
"        'fieldsType': 'FieldsV1',"
"        'fieldsV1': {"
"          'f:metadata': {"
"            'f:annotations': { '.': {}, 'f:prometheus.io/port': {}, 'f:prometheus.io/scrape': {} },"
"            'f:labels': { '.': {}, 'f:k8s-app': {}, 'f:kubernetes.io/cluster-service': {}, 'f:kubernetes.io/name': {} }"
"          },"
"          'f:spec': {"
"            'f:clusterIP': {},"
"            'f:internalTrafficPolicy': {},"
"            'f:ports': {"
"              '.': {},"
"              'k:{\\'port\\':53,\\'protocol\\':\\'TCP\\'}': { '.': {}, 'f:name': {}, 'f:port': {}, 'f:protocol': {}, 'f:targetPort': {} },"
"              'k:{\\'port\\':53,\\'protocol\\':\\'UDP\\'}': { '.': {}, 'f:name': {}, 'f:port': {}, 'f:protocol': {}, 'f:targetPort': {} },"
"              'k:{\\'port\\':9153,\\'protocol\\':\\'TCP\\'}': { '.': {}, 'f:name': {}, 'f:port': {}, 'f:protocol': {}, 'f:targetPort': {} }"
"            },"
"            'f:selector': {},"
"            'f:sessionAffinity': {},"
"            'f:type': {}"
"          }"
"        },"
"        'manager': 'kubeadm',"
"        'operation': 'Update',"
"        'time': '2024-05-02T09:14:11Z'"
"      }"
"    ],"
"    'name': 'kube-dns',"
"    'namespace': 'kube-system',"
"    'resourceVersion': '234',"
"    'uid': '5b1d2b33-8f0e-4c6e-9f0a-2a4c1e7d9b10'"
"  },"
"  'spec': {"
"    'clusterIP': '10.96.0.10',"
"    'clusterIPs': [ '10.96.0.10' ],"
"    'internalTrafficPolicy': 'Cluster',"
"    'ipFamilies': [ 'IPv4' ],"
"    'ipFamilyPolicy': 'SingleStack',"
"    'ports': ["
"      { 'name': 'dns', 'port': 53, 'protocol': 'UDP', 'targetPort': 53 },"
"      { 'name': 'dns-tcp', 'port': 53, 'protocol': 'TCP', 'targetPort': 53 },"
"      { 'name': 'metrics', 'port': 9153, 'protocol': 'TCP', 'targetPort': 9153 }"
"    ],"
"    'selector': { 'k8s-app': 'kube-dns' },"
"    'sessionAffinity': 'None',"
"    'type': 'ClusterIP'"
"  },"
"  'status': { 'loadBalancer': {} }"
"}";

/* A dual-stack LoadBalancer with a Proxy-mode ingress and a hostname one. */
static const char svc_lb[] =
"{"
"  'apiVersion': 'v1',"
"  'kind': 'Service',"
"  'metadata': {"
"    'creationTimestamp': '2024-06-11T17:02:45Z',"
"    'finalizers': [ 'service.kubernetes.io/load-balancer-cleanup' ],"
"    'name': 'front',"
"    'namespace': 'shop',"
"    'resourceVersion': '981223',"
"    'uid': '0f5c8a7e-1d2b-4f3a-8c9d-6e5f4a3b2c1d'"
"  },"
"  'spec': {"
"    'allocateLoadBalancerNodePorts': true,"
"    'clusterIP': '10.96.44.7',"
"    'clusterIPs': [ '10.96.44.7', 'FD00:10:96:0:0:0:0:2C' ],"
"    'externalIPs': [ '192.0.2.50' ],"
"    'externalTrafficPolicy': 'Local',"
"    'healthCheckNodePort': 31999,"
"    'internalTrafficPolicy': 'Local',"
"    'ipFamilies': [ 'IPv4', 'IPv6' ],"
"    'ipFamilyPolicy': 'PreferDualStack',"
"    'ports': ["
"      { 'name': 'https', 'nodePort': 30443, 'port': 443, 'protocol': 'TCP', 'targetPort': 'https' },"
"      { 'name': 'quic', 'nodePort': 30444, 'port': 443, 'protocol': 'UDP', 'targetPort': 8443 },"
"      { 'name': 'sig', 'nodePort': 30445, 'port': 7000, 'protocol': 'SCTP', 'targetPort': 7000 }"
"    ],"
"    'selector': { 'app': 'front' },"
"    'sessionAffinity': 'ClientIP',"
"    'sessionAffinityConfig': { 'clientIP': { 'timeoutSeconds': 3600 } },"
"    'type': 'LoadBalancer'"
"  },"
"  'status': {"
"    'loadBalancer': {"
"      'ingress': ["
"        { 'ip': '203.0.113.10', 'ipMode': 'VIP' },"
"        { 'ip': '203.0.113.11', 'ipMode': 'Proxy' },"
"        { 'hostname': 'a1b2c3.elb.eu-west-1.amazonaws.com' },"
"        { 'ip': '2001:db8::10', 'ports': [ { 'port': 443, 'protocol': 'TCP' } ] }"
"      ]"
"    }"
"  }"
"}";

static const char svc_headless[] =
"{ 'apiVersion': 'v1', 'kind': 'Service',"
"  'metadata': { 'labels': { 'app': 'db' }, 'name': 'db', 'namespace': 'shop',"
"                'resourceVersion': '77', 'uid': 'a3c9' },"
"  'spec': { 'clusterIP': 'None', 'clusterIPs': [ 'None' ],"
"            'ipFamilies': [ 'IPv4' ], 'ipFamilyPolicy': 'SingleStack',"
"            'ports': [ { 'name': 'pg', 'port': 5432, 'protocol': 'TCP', 'targetPort': 5432 } ],"
"            'publishNotReadyAddresses': true, 'selector': { 'app': 'db' },"
"            'sessionAffinity': 'None', 'type': 'ClusterIP' },"
"  'status': { 'loadBalancer': {} } }";

static const char svc_external_name[] =
"{ 'apiVersion': 'v1', 'kind': 'Service',"
"  'metadata': { 'name': 'search', 'namespace': 'shop', 'resourceVersion': '91',"
"                'uid': 'e7d1' },"
"  'spec': { 'externalName': 'search.example.com', 'sessionAffinity': 'None',"
"            'type': 'ExternalName' },"
"  'status': { 'loadBalancer': {} } }";

/* ---- Services ---------------------------------------------------------- */

START_TEST(svc_cluster_ip_as_kubectl_prints_it)
{
	cJSON *j = J(svc_kube_dns);
	struct k8s_service s;

	wlog_reset();
	ck_assert_int_eq(k8s_decode_service(j, &s, &wlog), 0);
	wlog_none();
	ck_assert_str_eq(s.meta.ns, "kube-system");
	ck_assert_str_eq(s.meta.name, "kube-dns");
	ck_assert_str_eq(s.meta.uid, "5b1d2b33-8f0e-4c6e-9f0a-2a4c1e7d9b10");
	ck_assert_str_eq(s.meta.resource_version, "234");
	ck_assert_int_eq(s.meta.deleting, 0);
	/* Sorted by key. */
	ck_assert_uint_eq(s.meta.labels.n, 3);
	ck_assert_str_eq(s.meta.labels.v[0].key, "k8s-app");
	ck_assert_str_eq(s.meta.labels.v[1].key, "kubernetes.io/cluster-service");
	ck_assert_str_eq(s.meta.labels.v[2].key, "kubernetes.io/name");
	ck_assert_str_eq(k8s_kvs_get(&s.meta.labels, "kubernetes.io/name"),
			 "CoreDNS");
	ck_assert_ptr_null(k8s_kvs_get(&s.meta.labels, "nope"));
	ck_assert_uint_eq(s.meta.annotations.n, 2);
	ck_assert_str_eq(s.meta.annotations.v[0].key, "prometheus.io/port");
	ck_assert_int_eq(s.type, K8S_SVC_CLUSTER_IP);
	ck_assert_int_eq(s.headless, 0);
	ck_assert_uint_eq(s.ncluster_ips, 1);
	ck_assert_str_eq(s.cluster_ips[0], "10.96.0.10");
	ck_assert_uint_eq(s.nexternal_ips, 0);
	ck_assert_uint_eq(s.nlb_ips, 0);
	ck_assert_uint_eq(s.nports, 3);
	ck_assert_str_eq(s.ports[0].name, "dns");
	ck_assert_int_eq(s.ports[0].protocol, K8S_PROTO_UDP);
	ck_assert_uint_eq(s.ports[0].port, 53);
	ck_assert_uint_eq(s.ports[0].node_port, 0);
	ck_assert_str_eq(s.ports[1].name, "dns-tcp");
	ck_assert_int_eq(s.ports[1].protocol, K8S_PROTO_TCP);
	ck_assert_str_eq(s.ports[2].name, "metrics");
	ck_assert_uint_eq(s.ports[2].port, 9153);
	ck_assert_int_eq(s.affinity_client_ip, 0);
	ck_assert_uint_eq(s.affinity_timeout, K8S_AFFINITY_TIMEOUT_DEFAULT);
	ck_assert_int_eq(s.external_local, 0);
	ck_assert_int_eq(s.internal_local, 0);
	ck_assert_uint_eq(s.health_check_node_port, 0);
	k8s_service_fini(&s);
	k8s_service_fini(&s); /* twice is fine */
	cJSON_Delete(j);
}
END_TEST

START_TEST(svc_dual_stack_load_balancer)
{
	cJSON *j = J(svc_lb);
	struct k8s_service s;

	wlog_reset();
	ck_assert_int_eq(k8s_decode_service(j, &s, &wlog), 0);
	wlog_none();
	ck_assert_int_eq(s.type, K8S_SVC_LOAD_BALANCER);
	ck_assert_uint_eq(s.ncluster_ips, 2);
	ck_assert_str_eq(s.cluster_ips[0], "10.96.44.7");
	ck_assert_str_eq(s.cluster_ips[1], "fd00:10:96::2c"); /* canonical */
	ck_assert_uint_eq(s.nexternal_ips, 1);
	ck_assert_str_eq(s.external_ips[0], "192.0.2.50");
	/* Proxy-mode and hostname-only ingresses are not VIPs here. */
	ck_assert_uint_eq(s.nlb_ips, 2);
	ck_assert_str_eq(s.lb_ips[0], "203.0.113.10");
	ck_assert_str_eq(s.lb_ips[1], "2001:db8::10");
	ck_assert_uint_eq(s.nports, 3);
	ck_assert_uint_eq(s.ports[0].node_port, 30443);
	ck_assert_int_eq(s.ports[1].protocol, K8S_PROTO_UDP);
	ck_assert_uint_eq(s.ports[1].node_port, 30444);
	ck_assert_int_eq(s.ports[2].protocol, K8S_PROTO_SCTP);
	ck_assert_uint_eq(s.ports[2].port, 7000);
	ck_assert_int_eq(s.affinity_client_ip, 1);
	ck_assert_uint_eq(s.affinity_timeout, 3600);
	ck_assert_int_eq(s.external_local, 1);
	ck_assert_int_eq(s.internal_local, 1);
	ck_assert_uint_eq(s.health_check_node_port, 31999);
	k8s_service_fini(&s);
	cJSON_Delete(j);
}
END_TEST

START_TEST(svc_headless_has_no_ips)
{
	cJSON *j = J(svc_headless);
	struct k8s_service s;

	wlog_reset();
	ck_assert_int_eq(k8s_decode_service(j, &s, &wlog), 0);
	wlog_none();
	ck_assert_int_eq(s.headless, 1);
	ck_assert_uint_eq(s.ncluster_ips, 0);
	ck_assert_uint_eq(s.nports, 1);
	k8s_service_fini(&s);
	cJSON_Delete(j);

	/* Only clusterIP, as older servers and hand-written files have it. */
	j = J("{'metadata':{'name':'h','namespace':'n'},'spec':{'clusterIP':'None'}}");
	ck_assert_int_eq(k8s_decode_service(j, &s, &wlog), 0);
	ck_assert_int_eq(s.headless, 1);
	ck_assert_uint_eq(s.ncluster_ips, 0);
	wlog_none();
	k8s_service_fini(&s);
	cJSON_Delete(j);
}
END_TEST

START_TEST(svc_external_name_is_recognised)
{
	cJSON *j = J(svc_external_name);
	struct k8s_service s;

	wlog_reset();
	ck_assert_int_eq(k8s_decode_service(j, &s, &wlog), 0);
	wlog_none();
	ck_assert_int_eq(s.type, K8S_SVC_EXTERNAL_NAME);
	ck_assert_int_eq(s.headless, 0);
	ck_assert_uint_eq(s.ncluster_ips, 0);
	ck_assert_uint_eq(s.nports, 0);
	k8s_service_fini(&s);
	cJSON_Delete(j);
}
END_TEST

START_TEST(svc_defaults)
{
	cJSON *j = J("{'metadata':{'name':'x'},"
		     " 'spec':{'clusterIP':'10.0.0.1','ports':[{'port':80}]}}");
	struct k8s_service s;

	wlog_reset();
	ck_assert_int_eq(k8s_decode_service(j, &s, &wlog), 0);
	wlog_none();
	ck_assert_str_eq(s.meta.ns, "default");
	ck_assert_ptr_null(s.meta.uid);
	ck_assert_ptr_null(s.meta.resource_version);
	ck_assert_uint_eq(s.meta.labels.n, 0);
	ck_assert_int_eq(s.type, K8S_SVC_CLUSTER_IP);
	ck_assert_uint_eq(s.ncluster_ips, 1);
	ck_assert_uint_eq(s.nports, 1);
	ck_assert_str_eq(s.ports[0].name, "");
	ck_assert_int_eq(s.ports[0].protocol, K8S_PROTO_TCP);
	ck_assert_uint_eq(s.affinity_timeout, K8S_AFFINITY_TIMEOUT_DEFAULT);
	k8s_service_fini(&s);
	cJSON_Delete(j);

	/* No spec at all: nothing to serve, but not an error. */
	j = J("{'kind':'Service','metadata':{'name':'y','namespace':'z'}}");
	ck_assert_int_eq(k8s_decode_service(j, &s, NULL), 0);
	ck_assert_uint_eq(s.nports, 0);
	k8s_service_fini(&s);
	cJSON_Delete(j);
}
END_TEST

START_TEST(svc_deletion_timestamp_and_repeated_label)
{
	cJSON *j = J("{'metadata':{'name':'x','namespace':'n',"
		     "  'deletionTimestamp':'2024-07-01T10:00:00Z',"
		     "  'labels':{'b':'2','a':'1','b':'3'}},"
		     " 'spec':{'clusterIP':'10.0.0.1'}}");
	struct k8s_service s;

	wlog_reset();
	ck_assert_int_eq(k8s_decode_service(j, &s, &wlog), 0);
	wlog_one("Service", "n", "x", "metadata.labels[\"b\"]: repeated key");
	ck_assert_int_eq(s.meta.deleting, 1);
	ck_assert_uint_eq(s.meta.labels.n, 2);
	ck_assert_str_eq(k8s_kvs_get(&s.meta.labels, "b"), "2"); /* the first */
	k8s_service_fini(&s);
	cJSON_Delete(j);
}
END_TEST

/*
 * One bad unit each: the rest of the Service decodes, the unit is left
 * out (or set to its default), and exactly one warning names it.
 */
struct svc_bad {
	const char *spec;     /* the value of "spec" */
	const char *status;   /* the value of "status" */
	size_t nports, ncluster, nexternal, nlb;
	const char *warning;  /* part of the one warning */
};

static const struct svc_bad svc_bads[] = {
	{ "{'clusterIP':'10.0.0.1','ports':[{'port':80},{'port':70000}]}", "{}",
	  1, 1, 0, 0, "spec.ports[1].port: 70000 is out of range 1..65535" },
	{ "{'clusterIP':'10.0.0.1','ports':[{'port':0},{'port':80}]}", "{}",
	  1, 1, 0, 0, "spec.ports[0].port: 0 is out of range" },
	{ "{'clusterIP':'10.0.0.1','ports':[{'port':'80'},{'port':81}]}", "{}",
	  1, 1, 0, 0, "spec.ports[0].port: expected an integer, got a string" },
	{ "{'clusterIP':'10.0.0.1','ports':[{'port':80.5},{'port':81}]}", "{}",
	  1, 1, 0, 0, "spec.ports[0].port: 80.5 is not an integer" },
	{ "{'clusterIP':'10.0.0.1','ports':[{'name':'a'},{'port':81}]}", "{}",
	  1, 1, 0, 0, "spec.ports[0].port: missing" },
	{ "{'clusterIP':'10.0.0.1','ports':[{'port':80,'protocol':'ICMP'},{'port':81}]}", "{}",
	  1, 1, 0, 0, "spec.ports[0].protocol: unknown protocol \"ICMP\"" },
	{ "{'clusterIP':'10.0.0.1','ports':[{'port':80,'protocol':6},{'port':81}]}", "{}",
	  1, 1, 0, 0, "spec.ports[0].protocol: expected a string, got a number" },
	{ "{'clusterIP':'10.0.0.1','type':'NodePort','ports':[{'port':80,'nodePort':70000},{'port':81,'nodePort':30081}]}", "{}",
	  1, 1, 0, 0, "spec.ports[0].nodePort: 70000 is out of range 0..65535" },
	{ "{'clusterIP':'10.0.0.1','ports':[{'port':80,'nodePort':-1},{'port':81}]}", "{}",
	  1, 1, 0, 0, "spec.ports[0].nodePort: -1 is out of range" },
	{ "{'clusterIP':'10.0.0.1','ports':[{'port':80,'name':5},{'port':81}]}", "{}",
	  1, 1, 0, 0, "spec.ports[0].name: expected a string, got a number" },
	{ "{'clusterIP':'10.0.0.1','ports':['80',{'port':81}]}", "{}",
	  1, 1, 0, 0, "spec.ports[0]: expected an object, got a string" },
	{ "{'clusterIP':'10.0.0.1','ports':{'port':80}}", "{}",
	  0, 1, 0, 0, "spec.ports: expected an array, got an object" },
	{ "{'clusterIPs':['10.0.0.300','fd00::1'],'ports':[{'port':80}]}", "{}",
	  1, 1, 0, 0, "spec.clusterIPs[0]: \"10.0.0.300\" is not an IP address" },
	{ "{'clusterIPs':['10.0.0.1',6],'ports':[{'port':80}]}", "{}",
	  1, 1, 0, 0, "spec.clusterIPs[1]: expected a string, got a number" },
	{ "{'clusterIP':'bogus','ports':[{'port':80}]}", "{}",
	  1, 0, 0, 0, "spec.clusterIP: \"bogus\" is not an IP address" },
	{ "{'clusterIP':'10.0.0.1','clusterIPs':'10.0.0.1','ports':[{'port':80}]}", "{}",
	  1, 1, 0, 0, "spec.clusterIPs: expected an array, got a string" },
	{ "{'clusterIP':'10.0.0.1','externalIPs':['1.2.3','192.0.2.1'],'ports':[{'port':80}]}", "{}",
	  1, 1, 1, 0, "spec.externalIPs[0]: \"1.2.3\" is not an IP address" },
	{ "{'clusterIP':'10.0.0.1','ports':[{'port':80}],'type':'LoadBalancer'}",
	  "{'loadBalancer':{'ingress':[{'ip':'203.0.113.999'},{'ip':'203.0.113.1'}]}}",
	  1, 1, 0, 1, "status.loadBalancer.ingress[0].ip: \"203.0.113.999\" is not an IP address" },
	{ "{'clusterIP':'10.0.0.1','ports':[{'port':80}]}",
	  "{'loadBalancer':{'ingress':['203.0.113.1',{'ip':'203.0.113.2'}]}}",
	  1, 1, 0, 1, "status.loadBalancer.ingress[0]: expected an object" },
	{ "{'clusterIP':'10.0.0.1','ports':[{'port':80}]}",
	  "{'loadBalancer':{'ingress':{'ip':'203.0.113.2'}}}",
	  1, 1, 0, 0, "status.loadBalancer.ingress: expected an array" },
	{ "{'clusterIP':'10.0.0.1','ports':[{'port':80}],'sessionAffinity':'ClientIP',"
	  "'sessionAffinityConfig':{'clientIP':{'timeoutSeconds':0}}}", "{}",
	  1, 1, 0, 0, "spec.sessionAffinityConfig.clientIP.timeoutSeconds: 0 is out of range 1..86400" },
	{ "{'clusterIP':'10.0.0.1','ports':[{'port':80}],'sessionAffinity':'ClientIP',"
	  "'sessionAffinityConfig':{'clientIP':{'timeoutSeconds':86401}}}", "{}",
	  1, 1, 0, 0, "timeoutSeconds: 86401 is out of range 1..86400" },
	{ "{'clusterIP':'10.0.0.1','ports':[{'port':80}],'sessionAffinity':'ClientIP',"
	  "'sessionAffinityConfig':{'clientIP':{'timeoutSeconds':'60'}}}", "{}",
	  1, 1, 0, 0, "timeoutSeconds: expected an integer, got a string" },
	{ "{'clusterIP':'10.0.0.1','ports':[{'port':80}],'type':'Bogus'}", "{}",
	  1, 1, 0, 0, "spec.type: unknown type \"Bogus\", using ClusterIP" },
	{ "{'clusterIP':'10.0.0.1','ports':[{'port':80}],'sessionAffinity':'Sticky'}", "{}",
	  1, 1, 0, 0, "spec.sessionAffinity: unknown value \"Sticky\"" },
	{ "{'clusterIP':'10.0.0.1','ports':[{'port':80}],'externalTrafficPolicy':'Nearby'}", "{}",
	  1, 1, 0, 0, "spec.externalTrafficPolicy: unknown value \"Nearby\", using Cluster" },
	{ "{'clusterIP':'10.0.0.1','ports':[{'port':80}],'healthCheckNodePort':99999}", "{}",
	  1, 1, 0, 0, "spec.healthCheckNodePort: 99999 is out of range 0..65535" },
	{ "{'clusterIP':'10.0.0.1','ports':[{'port':80}]}", "[]",
	  1, 1, 0, 0, "status: expected an object, got an array" },
};

START_TEST(svc_bad_unit_is_left_out_and_reported_once)
{
	const struct svc_bad *b = &svc_bads[_i];
	cJSON *j = Jf("{'apiVersion':'v1','kind':'Service',"
		      " 'metadata':{'name':'web','namespace':'shop','uid':'u1',"
		      "   'resourceVersion':'5','labels':{'app':'web','tier':'front'},"
		      "   'managedFields':[{'manager':'kubectl','operation':'Update',"
		      "     'fieldsType':'FieldsV1','fieldsV1':{'f:spec':{'f:ports':{}}}}]},"
		      " 'spec':%s,'status':%s}",
		      b->spec, b->status);
	struct k8s_service s;

	wlog_reset();
	ck_assert_int_eq(k8s_decode_service(j, &s, &wlog), 0);
	wlog_one("Service", "shop", "web", b->warning);
	ck_assert_uint_eq(s.nports, b->nports);
	ck_assert_uint_eq(s.ncluster_ips, b->ncluster);
	ck_assert_uint_eq(s.nexternal_ips, b->nexternal);
	ck_assert_uint_eq(s.nlb_ips, b->nlb);
	ck_assert_uint_eq(s.meta.labels.n, 2);
	ck_assert_uint_eq(s.affinity_timeout, K8S_AFFINITY_TIMEOUT_DEFAULT);
	ck_assert_int_eq(s.type == K8S_SVC_CLUSTER_IP ||
				 s.type == K8S_SVC_NODE_PORT ||
				 s.type == K8S_SVC_LOAD_BALANCER,
			 1);
	k8s_service_fini(&s);
	cJSON_Delete(j);
}
END_TEST

START_TEST(svc_bad_label_value_leaves_out_the_label)
{
	cJSON *j = J("{'metadata':{'name':'x','namespace':'n',"
		     "  'labels':{'a':'1','b':2,'c':'3'}},"
		     " 'spec':{'clusterIP':'10.0.0.1'}}");
	struct k8s_service s;

	wlog_reset();
	ck_assert_int_eq(k8s_decode_service(j, &s, &wlog), 0);
	wlog_one("Service", "n", "x",
		 "metadata.labels[\"b\"]: expected a string, got a number");
	ck_assert_uint_eq(s.meta.labels.n, 2);
	ck_assert_str_eq(k8s_kvs_get(&s.meta.labels, "c"), "3");
	k8s_service_fini(&s);
	cJSON_Delete(j);
}
END_TEST

/* Objects too broken to use: -EINVAL, one warning, nothing owned. */
struct obj_bad {
	const char *json;
	const char *ns, *name; /* as far as known when it failed */
	const char *warning;
};

static const struct obj_bad svc_obj_bads[] = {
	{ "[]", "", "", "expected an object, got an array" },
	{ "{'kind':'Pod','metadata':{'name':'p','namespace':'n'}}", "", "",
	  "kind is \"Pod\", not Service" },
	{ "{'kind':7,'metadata':{'name':'p','namespace':'n'}}", "", "",
	  "kind: expected a string, got a number" },
	{ "{'kind':'Service','spec':{}}", "", "", "metadata: missing" },
	{ "{'kind':'Service','metadata':'x'}", "", "",
	  "metadata: expected an object, got a string" },
	{ "{'kind':'Service','metadata':{'namespace':'n'}}", "n", "",
	  "metadata.name: missing" },
	{ "{'kind':'Service','metadata':{'namespace':'n','name':''}}", "n", "",
	  "metadata.name: missing" },
	{ "{'kind':'Service','metadata':{'namespace':'n','name':5}}", "n", "",
	  "metadata.name: expected a string, got a number" },
	{ "{'kind':'Service','metadata':{'namespace':[],'name':'x'}}", "", "",
	  "metadata.namespace: expected a string, got an array" },
	{ "{'kind':'Service','metadata':{'namespace':'n','name':'x'},'spec':'x'}",
	  "n", "x", "spec: expected an object, got a string" },
};

START_TEST(svc_unusable_object_is_einval)
{
	const struct obj_bad *b = &svc_obj_bads[_i];
	cJSON *j = J(b->json);
	struct k8s_service s;

	wlog_reset();
	memset(&s, 0xa5, sizeof(s));
	ck_assert_int_eq(k8s_decode_service(j, &s, &wlog), -EINVAL);
	wlog_one("Service", b->ns, b->name, b->warning);
	ck_assert_ptr_null(s.meta.name);
	ck_assert_ptr_null(s.ports);
	k8s_service_fini(&s);
	cJSON_Delete(j);
}
END_TEST

START_TEST(svc_null_input_and_null_log)
{
	struct k8s_service s;
	cJSON *j = J("{'metadata':{'name':'x'},'spec':{'ports':[{'port':0}]}}");

	ck_assert_int_eq(k8s_decode_service(NULL, &s, NULL), -EINVAL);
	ck_assert_int_eq(k8s_decode_service(j, &s, NULL), 0);
	ck_assert_uint_eq(s.nports, 0);
	k8s_service_fini(&s);
	cJSON_Delete(j);
}
END_TEST

/* ---- EndpointSlices ---------------------------------------------------- */

static const char slice_kube_dns[] =
"{"
"  'addressType': 'IPv4',"
"  'apiVersion': 'discovery.k8s.io/v1',"
"  'endpoints': ["
"    {"
"      'addresses': [ '10.244.0.3' ],"
"      'conditions': { 'ready': true, 'serving': true, 'terminating': false },"
"      'hints': { 'forZones': [ { 'name': 'eu-west-1a' } ] },"
"      'nodeName': 'node-a',"
"      'targetRef': { 'kind': 'Pod', 'name': 'coredns-5d78c9869d-8xkqz',"
"                     'namespace': 'kube-system', 'uid': '9a0c' },"
"      'zone': 'eu-west-1a'"
"    },"
"    {"
"      'addresses': [ '10.244.1.7' ],"
"      'conditions': { 'ready': false, 'serving': true, 'terminating': true },"
"      'hints': { 'forZones': [ { 'name': 'eu-west-1b' }, { 'name': 'eu-west-1c' } ] },"
"      'nodeName': 'node-b',"
"      'targetRef': { 'kind': 'Pod', 'name': 'coredns-5d78c9869d-q2wlp',"
"                     'namespace': 'kube-system', 'uid': '1b7e' },"
"      'zone': 'eu-west-1b'"
"    }"
"  ],"
"  'kind': 'EndpointSlice',"
"  'metadata': {"
"    'annotations': { 'endpoints.kubernetes.io/last-change-trigger-time': '2024-05-02T09:15:02Z' },"
"    'creationTimestamp': '2024-05-02T09:14:24Z',"
"    'generateName': 'kube-dns-',"
"    'generation': 7,"
"    'labels': {"
"      'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',"
"      'k8s-app': 'kube-dns',"
"      'kubernetes.io/service-name': 'kube-dns'"
"    },"
"    'managedFields': [ { 'apiVersion': 'discovery.k8s.io/v1', 'fieldsType': 'FieldsV1',"
"      'fieldsV1': { 'f:addressType': {}, 'f:endpoints': {}, 'f:metadata': { 'f:labels': {"
"        '.': {}, 'f:kubernetes.io/service-name': {} }, 'f:ownerReferences': {"
"        'k:{\\'uid\\':\\'5b1d\\'}': {} } }, 'f:ports': {} },"
"      'manager': 'kube-controller-manager', 'operation': 'Update',"
"      'time': '2024-05-02T09:15:02Z' } ],"
"    'name': 'kube-dns-7xq2m',"
"    'namespace': 'kube-system',"
"    'ownerReferences': [ { 'apiVersion': 'v1', 'blockOwnerDeletion': true,"
"      'controller': true, 'kind': 'Service', 'name': 'kube-dns', 'uid': '5b1d' } ],"
"    'resourceVersion': '1187',"
"    'uid': 'c2d8e4f1'"
"  },"
"  'ports': ["
"    { 'name': 'dns-tcp', 'port': 53, 'protocol': 'TCP' },"
"    { 'name': 'dns', 'port': 53, 'protocol': 'UDP' },"
"    { 'name': 'metrics', 'port': 9153, 'protocol': 'TCP' }"
"  ]"
"}";

START_TEST(slice_as_kubectl_prints_it)
{
	cJSON *j = J(slice_kube_dns);
	struct k8s_endpointslice e;
	const struct k8s_endpoint *ep;

	wlog_reset();
	ck_assert_int_eq(k8s_decode_endpointslice(j, &e, &wlog), 0);
	wlog_none();
	ck_assert_str_eq(e.meta.ns, "kube-system");
	ck_assert_str_eq(e.meta.name, "kube-dns-7xq2m");
	ck_assert_str_eq(e.meta.resource_version, "1187");
	ck_assert_str_eq(e.service_name, "kube-dns");
	ck_assert_int_eq(e.af, AF_INET);
	ck_assert_uint_eq(e.nports, 3);
	ck_assert_str_eq(e.ports[0].name, "dns-tcp");
	ck_assert_int_eq(e.ports[1].protocol, K8S_PROTO_UDP);
	ck_assert_uint_eq(e.ports[2].port, 9153);
	ck_assert_uint_eq(e.nendpoints, 2);
	ep = &e.endpoints[0];
	ck_assert_uint_eq(ep->naddresses, 1);
	ck_assert_str_eq(ep->addresses[0], "10.244.0.3");
	ck_assert_int_eq(ep->ready, 1);
	ck_assert_int_eq(ep->serving, 1);
	ck_assert_int_eq(ep->terminating, 0);
	ck_assert_str_eq(ep->node_name, "node-a");
	ck_assert_str_eq(ep->zone, "eu-west-1a");
	ck_assert_int_eq(ep->has_hints, 1);
	ck_assert_uint_eq(ep->nhint_zones, 1);
	ck_assert_str_eq(ep->hint_zones[0], "eu-west-1a");
	ep = &e.endpoints[1];
	ck_assert_int_eq(ep->ready, 0);
	ck_assert_int_eq(ep->serving, 1);
	ck_assert_int_eq(ep->terminating, 1);
	ck_assert_uint_eq(ep->nhint_zones, 2);
	ck_assert_str_eq(ep->hint_zones[1], "eu-west-1c");
	k8s_endpointslice_fini(&e);
	k8s_endpointslice_fini(&e);
	cJSON_Delete(j);
}
END_TEST

/* What the endpoint controller writes for a Service with no pods yet:
 * null endpoints, null ports. */
START_TEST(slice_null_and_absent_endpoints_and_ports)
{
	static const char *const docs[] = {
		"{'addressType':'IPv4','apiVersion':'discovery.k8s.io/v1','endpoints':null,"
		" 'kind':'EndpointSlice','metadata':{'labels':{'kubernetes.io/service-name':'web'},"
		" 'name':'web-abcde','namespace':'shop','resourceVersion':'9'},'ports':null}",
		"{'addressType':'IPv4','kind':'EndpointSlice',"
		" 'metadata':{'labels':{'kubernetes.io/service-name':'web'},"
		" 'name':'web-abcde','namespace':'shop'}}",
		"{'addressType':'IPv4','endpoints':[],'ports':[],"
		" 'metadata':{'labels':{'kubernetes.io/service-name':'web'},"
		" 'name':'web-abcde','namespace':'shop'}}",
	};
	struct k8s_endpointslice e;
	size_t i;

	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		cJSON *j = J(docs[i]);

		wlog_reset();
		ck_assert_int_eq(k8s_decode_endpointslice(j, &e, &wlog), 0);
		wlog_none();
		ck_assert_str_eq(e.service_name, "web");
		ck_assert_uint_eq(e.nendpoints, 0);
		ck_assert_uint_eq(e.nports, 0);
		k8s_endpointslice_fini(&e);
		cJSON_Delete(j);
	}
}
END_TEST

START_TEST(slice_unnamed_ports_and_defaults)
{
	cJSON *j = J("{'addressType':'IPv4',"
		     " 'endpoints':[{'addresses':['10.1.0.5']},"
		     "              {'addresses':['10.1.0.6'],'conditions':{}},"
		     "              {'addresses':['10.1.0.7'],'conditions':{'ready':false}},"
		     "              {'addresses':['10.1.0.8'],'conditions':{'ready':null,'serving':false}}],"
		     " 'metadata':{'name':'s','namespace':'n'},"
		     " 'ports':[{'name':'','port':8080,'protocol':'TCP'},{'port':9090},{'name':'x'}]}");
	struct k8s_endpointslice e;
	size_t i;

	wlog_reset();
	ck_assert_int_eq(k8s_decode_endpointslice(j, &e, &wlog), 0);
	wlog_none();
	ck_assert_ptr_null(e.service_name); /* no label: joins no Service */
	ck_assert_uint_eq(e.nports, 3);
	ck_assert_str_eq(e.ports[0].name, "");
	ck_assert_str_eq(e.ports[1].name, "");
	ck_assert_int_eq(e.ports[1].protocol, K8S_PROTO_TCP);
	ck_assert_uint_eq(e.ports[1].port, 9090);
	ck_assert_uint_eq(e.ports[2].port, 0); /* absent: unusable, kept */
	ck_assert_uint_eq(e.nendpoints, 4);
	for (i = 0; i < 2; i++) {
		ck_assert_int_eq(e.endpoints[i].ready, 1);
		ck_assert_int_eq(e.endpoints[i].serving, 1);
		ck_assert_int_eq(e.endpoints[i].terminating, 0);
		ck_assert_ptr_null(e.endpoints[i].node_name);
		ck_assert_ptr_null(e.endpoints[i].zone);
		ck_assert_int_eq(e.endpoints[i].has_hints, 0);
	}
	/* serving defaults to ready, not to true */
	ck_assert_int_eq(e.endpoints[2].ready, 0);
	ck_assert_int_eq(e.endpoints[2].serving, 0);
	ck_assert_int_eq(e.endpoints[3].ready, 1);
	ck_assert_int_eq(e.endpoints[3].serving, 0);
	k8s_endpointslice_fini(&e);
	cJSON_Delete(j);
}
END_TEST

START_TEST(slice_ipv6_and_fqdn)
{
	cJSON *j = J("{'addressType':'IPv6','apiVersion':'discovery.k8s.io/v1',"
		     " 'endpoints':[{'addresses':['FD00:10:244:0:0:0:0:3'],"
		     "   'conditions':{'ready':true},'hints':{},'nodeName':'n1'}],"
		     " 'kind':'EndpointSlice','metadata':{'labels':{'kubernetes.io/service-name':'web'},"
		     "   'name':'web-v6','namespace':'shop'},"
		     " 'ports':[{'name':'http','port':80,'protocol':'TCP'}]}");
	struct k8s_endpointslice e;

	wlog_reset();
	ck_assert_int_eq(k8s_decode_endpointslice(j, &e, &wlog), 0);
	wlog_none();
	ck_assert_int_eq(e.af, AF_INET6);
	ck_assert_uint_eq(e.nendpoints, 1);
	ck_assert_str_eq(e.endpoints[0].addresses[0], "fd00:10:244::3");
	ck_assert_int_eq(e.endpoints[0].has_hints, 1); /* present, no zones */
	ck_assert_uint_eq(e.endpoints[0].nhint_zones, 0);
	k8s_endpointslice_fini(&e);
	cJSON_Delete(j);

	/* FQDN: kept as a slice (af 0, ignored), endpoints not decoded. */
	j = J("{'addressType':'FQDN','endpoints':[{'addresses':['db.example.com'],"
	      "  'conditions':{'ready':true}}],"
	      " 'kind':'EndpointSlice','metadata':{'labels':{'kubernetes.io/service-name':'ext'},"
	      "   'name':'ext-1','namespace':'shop'},"
	      " 'ports':[{'name':'pg','port':5432,'protocol':'TCP'}]}");
	wlog_reset();
	ck_assert_int_eq(k8s_decode_endpointslice(j, &e, &wlog), 0);
	wlog_none();
	ck_assert_int_eq(e.af, 0);
	ck_assert_uint_eq(e.nendpoints, 0);
	ck_assert_uint_eq(e.nports, 1);
	ck_assert_str_eq(e.service_name, "ext");
	k8s_endpointslice_fini(&e);
	cJSON_Delete(j);
}
END_TEST

struct slice_bad {
	const char *endpoints; /* value of "endpoints"; the first is bad */
	const char *ports;     /* value of "ports" */
	size_t nendpoints, nports;
	const char *warning;
};

#define GOOD_EP "{'addresses':['10.1.0.9'],'conditions':{'ready':true}}"
#define GOOD_PORTS "[{'name':'http','port':80,'protocol':'TCP'}]"

static const struct slice_bad slice_bads[] = {
	{ "[{'addresses':['10.1.0.300']}," GOOD_EP "]", GOOD_PORTS, 1, 1,
	  "endpoints[0].addresses[0]: \"10.1.0.300\" is not an IPv4 address" },
	/* Only the canonical dotted quad: the decoder keeps IPv4 text as
	 * it is, so leading zeros (octal to some parsers), three parts or
	 * blanks must never pass as an address. */
	{ "[{'addresses':['10.1.0.09']}," GOOD_EP "]", GOOD_PORTS, 1, 1,
	  "endpoints[0].addresses[0]: \"10.1.0.09\" is not an IPv4 address" },
	{ "[{'addresses':['10.1.0']}," GOOD_EP "]", GOOD_PORTS, 1, 1,
	  "endpoints[0].addresses[0]: \"10.1.0\" is not an IPv4 address" },
	{ "[{'addresses':[' 10.1.0.1']}," GOOD_EP "]", GOOD_PORTS, 1, 1,
	  "endpoints[0].addresses[0]: \" 10.1.0.1\" is not an IPv4 address" },
	{ "[{'addresses':['fd00::1']}," GOOD_EP "]", GOOD_PORTS, 1, 1,
	  "endpoints[0].addresses[0]: \"fd00::1\" is not an IPv4 address" },
	{ "[{'addresses':['10.1.0.1','x']}," GOOD_EP "]", GOOD_PORTS, 1, 1,
	  "endpoints[0].addresses[1]: \"x\" is not an IPv4 address" },
	{ "[{'addresses':[]}," GOOD_EP "]", GOOD_PORTS, 1, 1,
	  "endpoints[0].addresses: missing or empty" },
	{ "[{'conditions':{'ready':true}}," GOOD_EP "]", GOOD_PORTS, 1, 1,
	  "endpoints[0].addresses: missing or empty" },
	{ "[{'addresses':'10.1.0.1'}," GOOD_EP "]", GOOD_PORTS, 1, 1,
	  "endpoints[0].addresses: expected an array, got a string" },
	{ "[{'addresses':[10]}," GOOD_EP "]", GOOD_PORTS, 1, 1,
	  "endpoints[0].addresses[0]: expected a string, got a number" },
	{ "[{'addresses':['10.1.0.1'],'conditions':{'ready':'true'}}," GOOD_EP "]",
	  GOOD_PORTS, 1, 1,
	  "endpoints[0].conditions.ready: expected a boolean, got a string" },
	{ "[{'addresses':['10.1.0.1'],'conditions':{'serving':1}}," GOOD_EP "]",
	  GOOD_PORTS, 1, 1,
	  "endpoints[0].conditions.serving: expected a boolean, got a number" },
	{ "[{'addresses':['10.1.0.1'],'conditions':{'terminating':'no'}}," GOOD_EP "]",
	  GOOD_PORTS, 1, 1, "endpoints[0].conditions.terminating: expected a boolean" },
	{ "[{'addresses':['10.1.0.1'],'conditions':true}," GOOD_EP "]",
	  GOOD_PORTS, 1, 1, "endpoints[0].conditions: expected an object, got a boolean" },
	{ "[{'addresses':['10.1.0.1'],'nodeName':5}," GOOD_EP "]", GOOD_PORTS,
	  1, 1, "endpoints[0].nodeName: expected a string, got a number" },
	{ "[{'addresses':['10.1.0.1'],'zone':[]}," GOOD_EP "]", GOOD_PORTS, 1, 1,
	  "endpoints[0].zone: expected a string, got an array" },
	{ "[{'addresses':['10.1.0.1'],'hints':[]}," GOOD_EP "]", GOOD_PORTS, 1, 1,
	  "endpoints[0].hints: expected an object, got an array" },
	{ "[{'addresses':['10.1.0.1'],'hints':{'forZones':'a'}}," GOOD_EP "]",
	  GOOD_PORTS, 1, 1, "endpoints[0].hints.forZones: expected an array" },
	{ "[{'addresses':['10.1.0.1'],'hints':{'forZones':[{'name':'a'},{}]}}," GOOD_EP "]",
	  GOOD_PORTS, 1, 1, "endpoints[0].hints.forZones[1].name: missing" },
	{ "[{'addresses':['10.1.0.1'],'hints':{'forZones':['a']}}," GOOD_EP "]",
	  GOOD_PORTS, 1, 1, "endpoints[0].hints.forZones[0]: expected an object" },
	{ "['10.1.0.1'," GOOD_EP "]", GOOD_PORTS, 1, 1,
	  "endpoints[0]: expected an object, got a string" },
	{ "{'addresses':['10.1.0.1']}", GOOD_PORTS, 0, 1,
	  "endpoints: expected an array, got an object" },
	{ "[" GOOD_EP "]", "[{'name':'http','port':70000}," "{'name':'b','port':81}]",
	  1, 1, "ports[0].port: 70000 is out of range 1..65535" },
	{ "[" GOOD_EP "]", "[{'name':'http','port':'80'},{'name':'b','port':81}]",
	  1, 1, "ports[0].port: expected an integer, got a string" },
	{ "[" GOOD_EP "]", "[{'name':'http','port':80,'protocol':'ICMP'},{'port':81}]",
	  1, 1, "ports[0].protocol: unknown protocol \"ICMP\"" },
	{ "[" GOOD_EP "]", "[{'name':3,'port':80},{'port':81}]", 1, 1,
	  "ports[0].name: expected a string, got a number" },
	{ "[" GOOD_EP "]", "[80,{'port':81}]", 1, 1,
	  "ports[0]: expected an object, got a number" },
	{ "[" GOOD_EP "]", "'http'", 1, 0,
	  "ports: expected an array, got a string" },
};

START_TEST(slice_bad_unit_is_left_out_and_reported_once)
{
	const struct slice_bad *b = &slice_bads[_i];
	cJSON *j = Jf("{'addressType':'IPv4','apiVersion':'discovery.k8s.io/v1',"
		      " 'endpoints':%s,'kind':'EndpointSlice',"
		      " 'metadata':{'generateName':'web-','generation':3,"
		      "   'labels':{'kubernetes.io/service-name':'web'},"
		      "   'name':'web-x7k2p','namespace':'shop','resourceVersion':'44'},"
		      " 'ports':%s}",
		      b->endpoints, b->ports);
	struct k8s_endpointslice e;

	wlog_reset();
	ck_assert_int_eq(k8s_decode_endpointslice(j, &e, &wlog), 0);
	wlog_one("EndpointSlice", "shop", "web-x7k2p", b->warning);
	ck_assert_uint_eq(e.nendpoints, b->nendpoints);
	ck_assert_uint_eq(e.nports, b->nports);
	if (b->nendpoints) {
		ck_assert_str_eq(e.endpoints[0].addresses[0], "10.1.0.9");
		ck_assert_uint_eq(e.endpoints[0].naddresses, 1);
	}
	k8s_endpointslice_fini(&e);
	cJSON_Delete(j);
}
END_TEST

static const struct obj_bad slice_obj_bads[] = {
	{ "{'kind':'EndpointSlice','metadata':{'name':'s','namespace':'n'}}",
	  "n", "s", "addressType: missing" },
	{ "{'addressType':'IPX','metadata':{'name':'s','namespace':'n'}}",
	  "n", "s", "addressType: unknown type \"IPX\"" },
	{ "{'addressType':4,'metadata':{'name':'s','namespace':'n'}}",
	  "n", "s", "addressType: expected a string, got a number" },
	{ "{'kind':'Endpoints','addressType':'IPv4','metadata':{'name':'s'}}",
	  "", "", "kind is \"Endpoints\", not EndpointSlice" },
	{ "{'addressType':'IPv4','metadata':{'namespace':'n'}}", "n", "",
	  "metadata.name: missing" },
	{ "'x'", "", "", "expected an object, got a string" },
};

START_TEST(slice_unusable_object_is_einval)
{
	const struct obj_bad *b = &slice_obj_bads[_i];
	cJSON *j = J(b->json);
	struct k8s_endpointslice e;

	wlog_reset();
	ck_assert_int_eq(k8s_decode_endpointslice(j, &e, &wlog), -EINVAL);
	wlog_one("EndpointSlice", b->ns, b->name, b->warning);
	ck_assert_ptr_null(e.meta.name);
	ck_assert_ptr_null(e.service_name);
	cJSON_Delete(j);
}
END_TEST

/* ---- Nodes ------------------------------------------------------------- */

static const char node_a[] =
"{"
"  'apiVersion': 'v1',"
"  'kind': 'Node',"
"  'metadata': {"
"    'annotations': { 'node.alpha.kubernetes.io/ttl': '0',"
"                     'volumes.kubernetes.io/controller-managed-attach-detach': 'true' },"
"    'creationTimestamp': '2024-05-02T09:13:40Z',"
"    'labels': {"
"      'beta.kubernetes.io/arch': 'amd64',"
"      'kubernetes.io/hostname': 'node-a',"
"      'node-role.kubernetes.io/control-plane': '',"
"      'topology.kubernetes.io/region': 'eu-west-1',"
"      'topology.kubernetes.io/zone': 'eu-west-1a'"
"    },"
"    'managedFields': [ { 'manager': 'kubelet', 'operation': 'Update',"
"      'fieldsType': 'FieldsV1', 'fieldsV1': { 'f:status': { 'f:conditions': {} } },"
"      'subresource': 'status' } ],"
"    'name': 'node-a',"
"    'resourceVersion': '88123',"
"    'uid': '3e3f0c39'"
"  },"
"  'spec': { 'podCIDR': '10.244.0.0/24', 'podCIDRs': [ '10.244.0.0/24', 'fd00:10:244::/64' ],"
"            'taints': [ { 'effect': 'NoSchedule', 'key': 'node-role.kubernetes.io/control-plane' } ] },"
"  'status': {"
"    'addresses': ["
"      { 'address': '172.18.0.2', 'type': 'InternalIP' },"
"      { 'address': 'FC00:F853:CCD:E793::2', 'type': 'InternalIP' },"
"      { 'address': 'node-a', 'type': 'Hostname' }"
"    ],"
"    'allocatable': { 'cpu': '8', 'memory': '32Gi', 'pods': '110' },"
"    'conditions': [ { 'status': 'True', 'type': 'Ready', 'reason': 'KubeletReady' } ],"
"    'nodeInfo': { 'kubeProxyVersion': 'v1.30.0', 'kubeletVersion': 'v1.30.0' }"
"  }"
"}";

START_TEST(node_as_kubectl_prints_it)
{
	cJSON *j = J(node_a);
	struct k8s_node n;

	wlog_reset();
	ck_assert_int_eq(k8s_decode_node(j, &n, &wlog), 0);
	wlog_none();
	ck_assert_str_eq(n.meta.ns, "");
	ck_assert_str_eq(n.meta.name, "node-a");
	ck_assert_str_eq(n.zone, "eu-west-1a");
	ck_assert_uint_eq(n.naddresses, 3);
	ck_assert_str_eq(n.addresses[0].type, "InternalIP");
	ck_assert_str_eq(n.addresses[0].address, "172.18.0.2");
	ck_assert_str_eq(n.addresses[1].address, "fc00:f853:ccd:e793::2");
	ck_assert_str_eq(n.addresses[2].type, "Hostname");
	ck_assert_str_eq(n.addresses[2].address, "node-a");
	ck_assert_int_eq(n.to_be_deleted, 0);
	ck_assert_int_eq(n.meta.deleting, 0);
	k8s_node_fini(&n);
	k8s_node_fini(&n);
	cJSON_Delete(j);
}
END_TEST

START_TEST(node_being_removed)
{
	cJSON *j = J("{'apiVersion':'v1','kind':'Node',"
		     " 'metadata':{'deletionTimestamp':'2024-07-01T10:00:00Z',"
		     "   'finalizers':['x'],'name':'node-c'},"
		     " 'spec':{'taints':[{'effect':'NoSchedule','key':'node.kubernetes.io/unschedulable'},"
		     "   {'effect':'NoSchedule','key':'ToBeDeletedByClusterAutoscaler','value':'1719828000'}],"
		     "   'unschedulable':true},"
		     " 'status':{'addresses':[{'address':'10.0.0.300','type':'InternalIP'},"
		     "   {'address':'10.0.0.3','type':'InternalIP'}]}}");
	struct k8s_node n;

	wlog_reset();
	ck_assert_int_eq(k8s_decode_node(j, &n, &wlog), 0);
	wlog_one("Node", "", "node-c",
		 "status.addresses[0].address: \"10.0.0.300\" is not an IP address");
	ck_assert_int_eq(n.meta.deleting, 1);
	ck_assert_int_eq(n.to_be_deleted, 1);
	ck_assert_ptr_null(n.zone);
	ck_assert_uint_eq(n.naddresses, 1);
	ck_assert_str_eq(n.addresses[0].address, "10.0.0.3");
	k8s_node_fini(&n);
	cJSON_Delete(j);

	j = J("{'kind':'Service','metadata':{'name':'x'}}");
	wlog_reset();
	ck_assert_int_eq(k8s_decode_node(j, &n, &wlog), -EINVAL);
	wlog_one("Node", "", "", "kind is \"Service\", not Node");
	cJSON_Delete(j);
}
END_TEST

/* ---- Lists ------------------------------------------------------------- */

/* What the list callbacks received. */
struct got {
	int nsvc, nslice, nnode;
	char names[4096]; /* "S ns/name", "E ns/name", "N name" lines */
	int fail_at;      /* return -ECANCELED on this call (1-based), or 0 */
	int calls;
};

static int got_note(struct got *g, char tag, const struct k8s_meta *m)
{
	size_t len = strlen(g->names);

	snprintf(g->names + len, sizeof(g->names) - len, "%c %s/%s\n", tag,
		 m->ns, m->name);
	return ++g->calls == g->fail_at ? -ECANCELED : 0;
}

static int got_service(void *arg, struct k8s_service *s)
{
	struct got *g = arg;
	int rc;

	g->nsvc++;
	rc = got_note(g, 'S', &s->meta);
	k8s_service_free(s);
	return rc;
}

static int got_slice(void *arg, struct k8s_endpointslice *e)
{
	struct got *g = arg;
	int rc;

	g->nslice++;
	rc = got_note(g, 'E', &e->meta);
	k8s_endpointslice_free(e);
	return rc;
}

static int got_node(void *arg, struct k8s_node *n)
{
	struct got *g = arg;
	int rc;

	g->nnode++;
	rc = got_note(g, 'N', &n->meta);
	k8s_node_free(n);
	return rc;
}

/* `kubectl get services,endpointslices -A -o json` (trimmed), plus a Pod
 * and a Node to show dispatch by each item's own kind. */
static const char list_doc[] =
"{\n"
"    'apiVersion': 'v1',\n"
"    'items': [\n"
"        {\n"
"            'apiVersion': 'v1',\n"
"            'kind': 'Service',\n"
"            'metadata': {\n"
"                'creationTimestamp': '2024-05-02T09:13:55Z',\n"
"                'labels': { 'component': 'apiserver', 'provider': 'kubernetes' },\n"
"                'name': 'kubernetes',\n"
"                'namespace': 'default',\n"
"                'resourceVersion': '196',\n"
"                'uid': 'f5e0d1c2'\n"
"            },\n"
"            'spec': {\n"
"                'clusterIP': '10.96.0.1',\n"
"                'clusterIPs': [ '10.96.0.1' ],\n"
"                'internalTrafficPolicy': 'Cluster',\n"
"                'ipFamilies': [ 'IPv4' ],\n"
"                'ipFamilyPolicy': 'SingleStack',\n"
"                'ports': [ { 'name': 'https', 'port': 443, 'protocol': 'TCP', 'targetPort': 6443 } ],\n"
"                'sessionAffinity': 'None',\n"
"                'type': 'ClusterIP'\n"
"            },\n"
"            'status': { 'loadBalancer': {} }\n"
"        },\n"
"        {\n"
"            'apiVersion': 'v1',\n"
"            'kind': 'Service',\n"
"            'metadata': { 'name': 'web', 'namespace': 'shop', 'resourceVersion': '5001', 'uid': 'a1' },\n"
"            'spec': { 'clusterIP': '10.96.7.7', 'clusterIPs': [ '10.96.7.7' ],\n"
"                      'ports': [ { 'name': '', 'port': 80, 'protocol': 'TCP', 'targetPort': 8080 } ],\n"
"                      'sessionAffinity': 'None', 'type': 'ClusterIP' },\n"
"            'status': { 'loadBalancer': {} }\n"
"        },\n"
"        {\n"
"            'apiVersion': 'v1',\n"
"            'kind': 'Pod',\n"
"            'metadata': { 'name': 'web-7d4b9c-xk2p9', 'namespace': 'shop' },\n"
"            'spec': { 'containers': [ { 'image': 'nginx', 'name': 'nginx' } ] }\n"
"        },\n"
"        {\n"
"            'addressType': 'IPv4',\n"
"            'apiVersion': 'discovery.k8s.io/v1',\n"
"            'endpoints': [ { 'addresses': [ '172.18.0.2' ], 'conditions': { 'ready': true, 'serving': true, 'terminating': false } } ],\n"
"            'kind': 'EndpointSlice',\n"
"            'metadata': {\n"
"                'labels': { 'endpointslice.kubernetes.io/skip-mirror': 'true', 'kubernetes.io/service-name': 'kubernetes' },\n"
"                'name': 'kubernetes',\n"
"                'namespace': 'default',\n"
"                'resourceVersion': '198'\n"
"            },\n"
"            'ports': [ { 'name': 'https', 'port': 6443, 'protocol': 'TCP' } ]\n"
"        },\n"
"        {\n"
"            'addressType': 'IPv4',\n"
"            'apiVersion': 'discovery.k8s.io/v1',\n"
"            'endpoints': [ { 'addresses': [ '10.244.1.4' ], 'conditions': { 'ready': true }, 'nodeName': 'node-b' },\n"
"                           { 'addresses': [ '10.244.2.9' ], 'conditions': { 'ready': false, 'serving': true, 'terminating': true }, 'nodeName': 'node-c' } ],\n"
"            'kind': 'EndpointSlice',\n"
"            'metadata': { 'labels': { 'kubernetes.io/service-name': 'web' }, 'name': 'web-5qx8d', 'namespace': 'shop' },\n"
"            'ports': [ { 'name': '', 'port': 8080, 'protocol': 'TCP' } ]\n"
"        },\n"
"        {\n"
"            'addressType': 'IPv4',\n"
"            'apiVersion': 'discovery.k8s.io/v1',\n"
"            'endpoints': null,\n"
"            'kind': 'EndpointSlice',\n"
"            'metadata': { 'labels': { 'kubernetes.io/service-name': 'web' }, 'name': 'web-zzq1v', 'namespace': 'shop' },\n"
"            'ports': null\n"
"        },\n"
"        {\n"
"            'apiVersion': 'v1',\n"
"            'kind': 'Node',\n"
"            'metadata': { 'labels': { 'topology.kubernetes.io/zone': 'z1' }, 'name': 'node-a' },\n"
"            'status': { 'addresses': [ { 'address': '172.18.0.2', 'type': 'InternalIP' } ] }\n"
"        }\n"
"    ],\n"
"    'kind': 'List',\n"
"    'metadata': {\n"
"        'resourceVersion': ''\n"
"    }\n"
"}\n";

static int decode_text(const char *text, size_t len, struct got *g,
		       char *err, size_t errlen)
{
	struct k8s_list_cb cb = { got_service, got_slice, got_node, g };

	return k8s_decode_list(text, len, &cb, &wlog, err, errlen);
}

/* Decode a fixture written with '. */
static int decode_fixture(const char *doc, struct got *g, char *err,
			  size_t errlen)
{
	char *t = jtext(doc);
	int rc = decode_text(t, strlen(t), g, err, errlen);

	free(t);
	return rc;
}

START_TEST(list_dispatches_each_item_by_its_kind)
{
	struct got g = { 0 };
	char err[256];

	wlog_reset();
	ck_assert_int_eq(decode_fixture(list_doc, &g, err, sizeof(err)), 6);
	wlog_none(); /* the Pod is skipped silently */
	ck_assert_str_eq(err, "");
	ck_assert_int_eq(g.nsvc, 2);
	ck_assert_int_eq(g.nslice, 3);
	ck_assert_int_eq(g.nnode, 1);
	ck_assert_str_eq(g.names, "S default/kubernetes\nS shop/web\n"
				  "E default/kubernetes\nE shop/web-5qx8d\n"
				  "E shop/web-zzq1v\nN /node-a\n");
}
END_TEST

START_TEST(list_typed_lists_give_items_their_kind)
{
	/* The API server's own LIST answer: items carry no kind. */
	static const char svc_list[] =
		"{'apiVersion':'v1','items':[{'metadata':{'name':'a','namespace':'n',"
		"  'resourceVersion':'10'},'spec':{'clusterIP':'10.0.0.1',"
		"  'ports':[{'port':80,'protocol':'TCP'}]}}],"
		" 'kind':'ServiceList','metadata':{'resourceVersion':'12345'}}";
	static const char slice_list[] =
		"{'apiVersion':'discovery.k8s.io/v1','items':[{'addressType':'IPv4',"
		"  'endpoints':null,'metadata':{'name':'a-1','namespace':'n'},'ports':null},"
		"  {'addressType':'IPv4','metadata':{'name':'a-2','namespace':'n'}}],"
		" 'kind':'EndpointSliceList','metadata':{'resourceVersion':'12345'}}";
	static const char node_list[] =
		"{'apiVersion':'v1','items':[{'metadata':{'name':'n1'}}],'kind':'NodeList',"
		" 'metadata':{'resourceVersion':'1'}}";
	struct got g = { 0 };

	wlog_reset();
	ck_assert_int_eq(decode_fixture(svc_list, &g, NULL, 0), 1);
	ck_assert_int_eq(decode_fixture(slice_list, &g, NULL, 0), 2);
	ck_assert_int_eq(decode_fixture(node_list, &g, NULL, 0), 1);
	wlog_none();
	ck_assert_str_eq(g.names, "S n/a\nE n/a-1\nE n/a-2\nN /n1\n");
}
END_TEST

START_TEST(list_bad_items_are_skipped_and_reported)
{
	static const char doc[] =
		"{'kind':'List','items':["
		" 7,"
		" {'metadata':{'name':'nokind','namespace':'n'}},"
		" {'kind':3,'metadata':{'name':'numkind','namespace':'n'}},"
		" {'kind':'Service','metadata':{'namespace':'n'}},"
		" {'kind':'EndpointSlice','metadata':{'name':'s','namespace':'n'}},"
		" {'kind':'Service','metadata':{'name':'ok','namespace':'n'},"
		"  'spec':{'clusterIP':'10.0.0.1','ports':[{'port':80}]}},"
		" {'kind':'ConfigMap','metadata':{'name':'cm','namespace':'n'}}"
		"]}";
	struct got g = { 0 };

	wlog_reset();
	ck_assert_int_eq(decode_fixture(doc, &g, NULL, 0), 1);
	ck_assert_str_eq(g.names, "S n/ok\n");
	ck_assert_int_eq(wl.n, 5);
	ck_assert_str_eq(wl.all,
			 "List /: items[0]: not an object\n"
			 "List n/nokind: items[1]: no kind\n"
			 "List n/numkind: items[2]: no kind\n"
			 "Service n/: metadata.name: missing\n"
			 "EndpointSlice n/s: addressType: missing\n");
}
END_TEST

START_TEST(list_single_object_and_empty_lists)
{
	struct got g = { 0 };
	char err[256];

	wlog_reset();
	ck_assert_int_eq(decode_fixture(svc_kube_dns, &g, err, sizeof(err)), 1);
	ck_assert_int_eq(decode_fixture(slice_kube_dns, &g, err, sizeof(err)), 1);
	ck_assert_int_eq(decode_fixture(node_a, &g, err, sizeof(err)), 1);
	ck_assert_int_eq(decode_fixture("{'kind':'List','items':[]}", &g, err,
					sizeof(err)),
			 0);
	ck_assert_int_eq(decode_fixture("{'kind':'ServiceList','items':null}", &g,
					err, sizeof(err)),
			 0);
	ck_assert_int_eq(decode_fixture("  \r\n{'items':[]}\n\n", &g, err,
					sizeof(err)),
			 0);
	wlog_none();
	ck_assert_int_eq(g.calls, 3);
}
END_TEST

START_TEST(list_null_callbacks_skip_kinds)
{
	struct got g = { 0 };
	struct k8s_list_cb cb = { NULL, got_slice, NULL, &g };
	char *t = jtext(list_doc);

	wlog_reset();
	ck_assert_int_eq(k8s_decode_list(t, strlen(t), &cb, &wlog, NULL, 0), 3);
	ck_assert_int_eq(g.nslice, 3);
	ck_assert_int_eq(g.nsvc, 0);
	wlog_none();
	free(t);
}
END_TEST

START_TEST(list_callback_error_stops_the_walk)
{
	struct got g = { .fail_at = 2 };
	char err[256];

	wlog_reset();
	ck_assert_int_eq(decode_fixture(list_doc, &g, err, sizeof(err)),
			 -ECANCELED);
	ck_assert_int_eq(g.calls, 2);
	ck_assert_str_eq(g.names, "S default/kubernetes\nS shop/web\n");
	ck_assert_msg(strstr(err, "items[1]: stopped by the receiver"), "%s", err);
	/* ASan checks the rest of the tree was freed. */
}
END_TEST

/* Not a List: -EINVAL, no callback, a message. */
struct list_bad {
	const char *doc;
	const char *err;
};

static const struct list_bad list_bads[] = {
	{ "", "line 1, column 1: unexpected end of input" },
	{ "   \n  ", "line 2, column 3: unexpected end of input" },
	{ "not json", "line 1, column 2: unexpected 'o', expected true, false or null" },
	{ "{\n  'kind': 'List',\n  'items': [\n    {'kind': 'Service',}\n  ]\n}",
	  "line 4, column 24: unexpected '}', expected a string key" },
	{ "{'kind':'List','items':[1,]}",
	  "line 1, column 27: unexpected ']', expected a JSON value" },
	{ "{'kind':'List' 'items':[]}",
	  "line 1, column 16: unexpected '\"', expected ',' or '}'" },
	{ "{'kind':'List','items':[]} x",
	  "line 1, column 28: unexpected data after the JSON document" },
	{ "{'kind':'List','items':[]}{}",
	  "line 1, column 27: unexpected data after the JSON document" },
	{ "{'kind':'List','items':[{'kind':'Serv",
	  "line 1, column 38: unexpected end of input in a string" },
	{ "{'kind':'List',\n'items':[\n",
	  "line 3, column 1: unexpected end of input" },
	{ "{'kind':'Li\\qst'}", "line 1, column 13: unexpected 'q', expected an escape character" },
	{ "{'kind':'\\ud800x'}", "line 1, column 10: unpaired UTF-16 surrogate" },
	/* cJSON takes the raw tab and fails at the '}'; the first error is
	 * the tab. */
	{ "{'kind':'a\tb',}", "line 1, column 11: unexpected byte 0x09, expected '\"' (control" },
	{ "{'port':-x}", "line 1, column 10: unexpected 'x', expected a digit" },
	{ "{'port':1.,}", "line 1, column 11: unexpected ',', expected a digit" },
	{ "{'a':tru}", "line 1, column 9: unexpected '}', expected true, false or null" },
	{ "[1,2]", "the document is an array, not a Kubernetes List" },
	{ "'x'", "the document is a string, not a Kubernetes List" },
	{ "{'kind':'Pod','metadata':{'name':'p'}}",
	  "not a Kubernetes List: no items (kind \"Pod\")" },
	{ "{}", "not a Kubernetes List: no items (kind \"\")" },
	{ "{'kind':'List','items':{'kind':'Service'}}",
	  "items: expected an array, got an object" },
};

START_TEST(list_broken_document_is_einval_with_position)
{
	const struct list_bad *b = &list_bads[_i];
	struct got g = { 0 };
	char err[256];

	wlog_reset();
	ck_assert_int_eq(decode_fixture(b->doc, &g, err, sizeof(err)), -EINVAL);
	ck_assert_msg(!strncmp(err, b->err, strlen(b->err)),
		      "doc <%s>\n got <%s>\nwant <%s>", b->doc, err, b->err);
	ck_assert_int_eq(g.calls, 0);
	wlog_none();
}
END_TEST

/* Every cut of a real document fails cleanly, before any callback, and
 * points at the end of what is there. */
START_TEST(list_every_truncation_is_caught)
{
	char *t = jtext(list_doc);
	size_t len = strlen(t), cut, i;
	char err[256], want[64];
	unsigned long line, col;

	/* Stop before the closing brace: cut there, the text is whole. */
	for (cut = 0; cut < len - 2; cut++) {
		struct got g = { 0 };

		ck_assert_int_eq(decode_text(t, cut, &g, err, sizeof(err)), -EINVAL);
		ck_assert_int_eq(g.calls, 0);
		ck_assert_msg(strstr(err, "unexpected end of input"), "cut %zu: %s",
			      cut, err);
		line = 1;
		col = 1;
		for (i = 0; i < cut; i++) {
			col++;
			if (t[i] == '\n') {
				line++;
				col = 1;
			}
		}
		snprintf(want, sizeof(want), "line %lu, column %lu: ", line, col);
		ck_assert_msg(!strncmp(err, want, strlen(want)), "cut %zu: %s", cut,
			      err);
	}
	free(t);
}
END_TEST

START_TEST(list_nesting_limit)
{
	size_t depth = 1001, i;
	char *t = malloc(depth * 2 + 1), err[256];
	struct got g = { 0 };

	for (i = 0; i < depth; i++) {
		t[i] = '[';
		t[depth + i] = ']';
	}
	ck_assert_int_eq(decode_text(t, depth * 2, &g, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "line 1, column 1001: nested deeper than 1000 levels");
	/* 1000 levels is JSON cJSON takes, but not a List. */
	ck_assert_int_eq(decode_text(t + 1, 2000, &g, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "the document is an array, not a Kubernetes List");
	free(t);
}
END_TEST

START_TEST(list_needs_no_nul_terminator)
{
	char *t = jtext("{'kind':'List','items':[]}");
	size_t len = strlen(t);
	struct got g = { 0 };
	char *buf = malloc(len);

	memcpy(buf, t, len); /* no NUL: ASan catches any read past the end */
	ck_assert_int_eq(decode_text(buf, len, &g, NULL, 0), 0);
	ck_assert_int_eq(decode_text(buf, len - 1, &g, NULL, 0), -EINVAL);
	ck_assert_int_eq(decode_text(NULL, 0, &g, NULL, 0), -EINVAL);
	/* No callbacks: a check of the document. */
	ck_assert_int_eq(k8s_decode_list(buf, len, NULL, NULL, NULL, 0), 0);
	free(buf);
	free(t);
}
END_TEST

/* ---- big objects ------------------------------------------------------- */

/* A string builder for multi-megabyte fixtures. */
struct sb {
	char *s;
	size_t len, cap;
};

static void sb_add(struct sb *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void sb_add(struct sb *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		ck_assert_int_ge(n, 0);
		if ((size_t)n < b->cap - b->len)
			break;
		b->cap = b->cap ? b->cap * 2 : 1 << 16;
		b->s = realloc(b->s, b->cap);
		ck_assert_ptr_nonnull(b->s);
	}
	b->len += (size_t)n;
}

/* A 5 MB EndpointSlice (40,000 endpoints) inside a List. */
START_TEST(big_slice_of_five_megabytes)
{
	struct sb b = { 0 };
	struct got g = { 0 };
	struct k8s_endpointslice e;
	cJSON *root;
	size_t i, n = 40000;

	sb_add(&b, "{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[{\"addressType\":\"IPv4\","
		   "\"kind\":\"EndpointSlice\",\"metadata\":{\"labels\":{\"kubernetes.io/service-name\":\"big\"},"
		   "\"name\":\"big-1\",\"namespace\":\"load\"},\"ports\":[{\"name\":\"\",\"port\":80}],"
		   "\"endpoints\":[");
	for (i = 0; i < n; i++)
		sb_add(&b, "%s{\"addresses\":[\"10.%zu.%zu.%zu\"],\"conditions\":{\"ready\":true,"
			   "\"serving\":true,\"terminating\":false},\"nodeName\":\"node-%05zu\","
			   "\"zone\":\"zone-%zu\",\"targetRef\":{\"kind\":\"Pod\",\"name\":\"p-%zu\"}}",
		       i ? "," : "", i >> 16, (i >> 8) & 255, i & 255, i % 1000,
		       i % 3, i);
	sb_add(&b, "]}]}");
	ck_assert_uint_ge(b.len, 5u << 20);
	wlog_reset();
	ck_assert_int_eq(decode_text(b.s, b.len, &g, NULL, 0), 1);
	wlog_none();

	/* And directly, to look inside. */
	root = cJSON_ParseWithLength(b.s, b.len);
	ck_assert_ptr_nonnull(root);
	ck_assert_int_eq(k8s_decode_endpointslice(
				 cJSON_GetArrayItem(cJSON_GetObjectItem(root, "items"), 0),
				 &e, &wlog),
			 0);
	ck_assert_uint_eq(e.nendpoints, n);
	ck_assert_str_eq(e.endpoints[n - 1].addresses[0], "10.0.156.63");
	ck_assert_str_eq(e.endpoints[n - 1].node_name, "node-00999");
	k8s_endpointslice_fini(&e);
	cJSON_Delete(root);
	free(b.s);
}
END_TEST

/* A 5 MB annotation (last-applied-configuration of a huge object). */
START_TEST(big_annotation_of_five_megabytes)
{
	struct sb b = { 0 };
	struct k8s_service s;
	size_t i, n = 5u << 20;
	cJSON *root;

	sb_add(&b, "{\"kind\":\"Service\",\"metadata\":{\"name\":\"x\",\"namespace\":\"y\","
		   "\"annotations\":{\"kubectl.kubernetes.io/last-applied-configuration\":\"");
	for (i = 0; i < n / 64; i++)
		sb_add(&b, "%s", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
	sb_add(&b, "\"}},\"spec\":{\"clusterIP\":\"10.0.0.1\",\"ports\":[{\"port\":80}]}}");
	root = cJSON_ParseWithLength(b.s, b.len);
	ck_assert_ptr_nonnull(root);
	wlog_reset();
	ck_assert_int_eq(k8s_decode_service(root, &s, &wlog), 0);
	wlog_none();
	ck_assert_uint_eq(strlen(s.meta.annotations.v[0].value), n);
	ck_assert_uint_eq(s.nports, 1);
	k8s_service_fini(&s);
	cJSON_Delete(root);
	free(b.s);
}
END_TEST

/* A long bad value is cut in the warning, which still has one line. */
START_TEST(warning_is_bounded_and_has_no_control_characters)
{
	struct sb b = { 0 };
	struct k8s_service s;
	cJSON *root;
	size_t i;

	sb_add(&b, "{\"metadata\":{\"name\":\"x\"},\"spec\":{\"clusterIP\":\"\\n");
	for (i = 0; i < 100000; i++)
		sb_add(&b, "a");
	sb_add(&b, "\"}}");
	root = cJSON_ParseWithLength(b.s, b.len);
	wlog_reset();
	ck_assert_int_eq(k8s_decode_service(root, &s, &wlog), 0);
	wlog_one("Service", "default", "x", "spec.clusterIP: \"?aaaa");
	ck_assert_uint_lt(strlen(wl.last), 200);
	k8s_service_fini(&s);
	cJSON_Delete(root);
	free(b.s);
}
END_TEST

/* ---- every value of every fixture, swapped for every JSON type --------- */

/* The @k-th node of a depth-first walk below @j, and its parent. */
static cJSON *nth_node(cJSON *j, size_t *k, cJSON **parent)
{
	cJSON *c, *hit;

	for (c = j->child; c; c = c->next) {
		if ((*k)-- == 0) {
			*parent = j;
			return c;
		}
		hit = nth_node(c, k, parent);
		if (hit)
			return hit;
	}
	return NULL;
}

static int decode_any(const cJSON *j, int which)
{
	struct k8s_service s;
	struct k8s_endpointslice e;
	struct k8s_node n;
	int rc;

	switch (which) {
	case 0:
		rc = k8s_decode_service(j, &s, &wlog);
		k8s_service_fini(&s);
		return rc;
	case 1:
		rc = k8s_decode_endpointslice(j, &e, &wlog);
		k8s_endpointslice_fini(&e);
		return rc;
	default:
		rc = k8s_decode_node(j, &n, &wlog);
		k8s_node_fini(&n);
		return rc;
	}
}

/* Wrong types anywhere: never a crash, at most one report per change. */
START_TEST(every_value_swapped_for_every_type)
{
	static const char *const fixtures[] = { svc_kube_dns, slice_kube_dns,
						node_a, svc_lb };
	static const int kinds[] = { 0, 1, 2, 0 };
	static const char *const repl[] = { "null", "-1", "70000", "\"x\"",
					    "\"None\"", "[]", "[1]", "{}",
					    "true", "1.5" };
	const char *fx = fixtures[_i];
	size_t k, r, tried = 0;
	int rc;

	for (k = 0;; k++) {
		for (r = 0; r < NELEM(repl); r++) {
			cJSON *j = J(fx), *parent = NULL, *node, *with;
			size_t left = k;

			node = nth_node(j, &left, &parent);
			if (!node) {
				cJSON_Delete(j);
				goto done;
			}
			with = cJSON_Parse(repl[r]);
			with->string = node->string; /* keep the member's key */
			node->string = NULL;
			ck_assert(cJSON_ReplaceItemViaPointer(parent, node, with));
			wlog_reset();
			rc = decode_any(j, kinds[_i]);
			ck_assert_msg(rc == 0 || rc == -EINVAL, "rc %d", rc);
			ck_assert_msg(wl.n <= 1, "node %zu -> %s: %d reports:\n%s",
				      k, repl[r], wl.n, wl.all);
			tried++;
			cJSON_Delete(j);
		}
	}
done:
	ck_assert_uint_gt(tried, 100);
}
END_TEST

/* Random byte damage to a real List: a clean error or a clean result. */
START_TEST(list_survives_random_damage)
{
	static const char alphabet[] = "{}[]\",:0-9.eE\\ u\ntfnx";
	char *t = jtext(list_doc), *c;
	size_t len = strlen(t), i, n;
	uint64_t x = 7;

	for (i = 0; i < 3000; i++) {
		struct got g = { 0 };
		char err[256];

		c = malloc(len);
		memcpy(c, t, len);
		for (n = 1 + i % 4; n; n--) {
			x = x * 6364136223846793005ULL + 1442695040888963407ULL;
			c[(x >> 33) % len] = alphabet[(x >> 17) % (sizeof(alphabet) - 1)];
		}
		wlog_reset();
		ck_assert_int_ge(decode_text(c, len, &g, err, sizeof(err)), -EINVAL);
		free(c);
	}
	free(t);
}
END_TEST

/* ---- a List read from a stream (the file source's way) ---------------- */

/* A stream over a text: @step bytes per read, or -EIO at byte @fail_at. */
struct chunks {
	const char *s;
	size_t len, pos, step, fail_at;
	int reads;
};

static ssize_t chunk_read(void *arg, char *buf, size_t len)
{
	struct chunks *c = arg;
	size_t n = c->len - c->pos;

	c->reads++;
	if (c->fail_at && c->pos >= c->fail_at)
		return -EIO;
	if (n > c->step)
		n = c->step;
	if (n > len)
		n = len;
	memcpy(buf, c->s + c->pos, n);
	c->pos += n;
	return (ssize_t)n;
}

static int stream_text(const char *text, size_t len, size_t step,
		       struct got *g, char *err, size_t errlen)
{
	struct chunks c = { .s = text, .len = len, .step = step };
	struct k8s_list_cb cb = { got_service, got_slice, got_node, g };

	return k8s_decode_list_read(chunk_read, &c, &cb, &wlog, err, errlen);
}

/* What the file source does: the stream, and when it says -EAGAIN, the
 * whole text, its receivers and warnings from before thrown away. */
static int stream_or_whole(const char *text, size_t len, size_t step,
			   struct got *g, char *err, size_t errlen)
{
	struct got fresh = { .fail_at = g->fail_at };
	struct wlog before = wl;
	int rc = stream_text(text, len, step, g, err, errlen);

	if (rc != -EAGAIN)
		return rc;
	*g = fresh;
	wl = before;
	return decode_text(text, len, g, err, errlen);
}

static const size_t steps[] = { 1, 2, 3, 7, 64, 4096, 1 << 20 };

/* The stream delivers what the whole text does: the same objects in the
 * same order, the same warnings; at any read size. */
static void stream_same_as_whole(const char *doc, int want)
{
	char *t = jtext(doc), err[256];
	size_t len = strlen(t), i;
	struct got whole = { 0 };
	struct wlog w;

	wlog_reset();
	ck_assert_int_eq(decode_text(t, len, &whole, err, sizeof(err)), want);
	w = wl;
	for (i = 0; i < NELEM(steps); i++) {
		struct got g = { 0 };

		wlog_reset();
		ck_assert_int_eq(stream_text(t, len, steps[i], &g, err, sizeof(err)),
				 want);
		ck_assert_str_eq(err, "");
		ck_assert_str_eq(g.names, whole.names);
		ck_assert_int_eq(wl.n, w.n);
		ck_assert_str_eq(wl.all, w.all);
	}
	free(t);
}

START_TEST(stream_reads_what_whole_reads)
{
	static const char kind_first[] =
		"{'kind':'ServiceList','apiVersion':'v1','metadata':{'resourceVersion':'9'},"
		" 'items':[{'metadata':{'name':'a','namespace':'n'},"
		"  'spec':{'clusterIP':'10.0.0.1','ports':[{'port':80}]}}]}";
	static const char bad_items[] =
		"{'kind':'List','items':["
		" 7, {'metadata':{'name':'nokind','namespace':'n'}},"
		" {'kind':3,'metadata':{'name':'numkind','namespace':'n'}},"
		" {'kind':'Service','metadata':{'namespace':'n'}},"
		" {'kind':'EndpointSlice','metadata':{'name':'s','namespace':'n'}},"
		" {'kind':'Service','metadata':{'name':'ok','namespace':'n'},"
		"  'spec':{'clusterIP':'10.0.0.1','ports':[{'port':80}]}},"
		" {'kind':'ConfigMap','metadata':{'name':'cm','namespace':'n'}}"
		"], 'kind':'ignored: the first kind counts'}";
	static const char twice[] =
		"{'items':[{'kind':'Node','metadata':{'name':'n1'}}],"
		" 'items':[{'kind':'Node','metadata':{'name':'n2'}}],"
		" 'x':[1,2.5e3,-0,true,false,null,{'y':'\\u00e9\\ud83d\\ude00'}]}";

	stream_same_as_whole(list_doc, 6);
	stream_same_as_whole(kind_first, 1);
	stream_same_as_whole(bad_items, 1);
	stream_same_as_whole(twice, 1);
	stream_same_as_whole("{'kind':'List','items':[]}", 0);
	stream_same_as_whole(" \n{ 'items' : [ ] }\r\n", 0);
}
END_TEST

/* What the stream leaves to the whole text: broken JSON, an unusual
 * shape, an item that needs the list's kind before it was read. */
START_TEST(stream_leaves_the_unusual_to_the_whole_path)
{
	static const char *const docs[] = {
		/* the API server's order: items, then kind */
		"{'apiVersion':'v1','items':[{'metadata':{'name':'a','namespace':'n'}}],"
		" 'kind':'ServiceList'}",
		"{'kind':'ServiceList','items':null}",
		"{'kind':'Service','metadata':{'name':'a'}}",
		"{}",
		/* cJSON would take these; RFC 8259 does not */
		"{'kind':'List','items':[{'kind':'Node','metadata':{'name':'a\tb'}}]}",
		"{'kind':'List','items':[{'kind':'Node',\x01'metadata':{'name':'a'}}]}",
		"\xef\xbb\xbf{'kind':'List','items':[]}",
		"{'kind':'List','items':[01]}",
	};
	char err[256];
	size_t i, j;

	for (i = 0; i < NELEM(docs); i++) {
		char *t = jtext(docs[i]);

		for (j = 0; j < NELEM(steps); j++) {
			struct got g = { 0 };

			wlog_reset();
			ck_assert_msg(stream_text(t, strlen(t), steps[j], &g, err,
						  sizeof(err)) == -EAGAIN,
				      "doc %zu step %zu", i, steps[j]);
		}
		free(t);
	}
	for (i = 0; i < NELEM(list_bads); i++) {
		char *t = jtext(list_bads[i].doc);
		struct got g = { 0 };

		ck_assert_int_eq(stream_text(t, strlen(t), 3, &g, err, sizeof(err)),
				 -EAGAIN);
		ck_assert_int_eq(stream_or_whole(t, strlen(t), 3, &g, err,
						 sizeof(err)),
				 -EINVAL);
		ck_assert_msg(!strncmp(err, list_bads[i].err, strlen(list_bads[i].err)),
			      "got <%s> want <%s>", err, list_bads[i].err);
		ck_assert_int_eq(g.calls, 0);
		free(t);
	}
}
END_TEST

/* A document cut anywhere is never a result of its own. */
START_TEST(stream_every_truncation_is_left_to_the_whole_path)
{
	char *t = jtext(list_doc), err[256];
	size_t len = strlen(t), cut;

	for (cut = 0; cut < len - 2; cut++) {
		struct got g = { 0 };

		ck_assert_int_eq(stream_text(t, cut, 1 + cut % 97, &g, err,
					     sizeof(err)),
				 -EAGAIN);
	}
	free(t);
}
END_TEST

/* Random damage: the stream, with the whole path behind it, says exactly
 * what the whole path alone says. */
START_TEST(stream_survives_random_damage_like_the_whole_path)
{
	static const char alphabet[] = "{}[]\",:0-9.eE\\ u\ntfnx\t";
	char *t = jtext(list_doc), *c;
	size_t len = strlen(t), i, n;
	uint64_t x = 11;

	for (i = 0; i < 3000; i++) {
		struct got a = { 0 }, b = { 0 };
		char ea[256], eb[256];
		struct wlog wa;
		int ra, rb;

		c = malloc(len);
		memcpy(c, t, len);
		for (n = 1 + i % 4; n; n--) {
			x = x * 6364136223846793005ULL + 1442695040888963407ULL;
			c[(x >> 33) % len] = alphabet[(x >> 17) % (sizeof(alphabet) - 1)];
		}
		wlog_reset();
		ra = decode_text(c, len, &a, ea, sizeof(ea));
		wa = wl;
		wlog_reset();
		rb = stream_or_whole(c, len, 1 + i % 300, &b, eb, sizeof(eb));
		ck_assert_int_eq(ra, rb);
		ck_assert_str_eq(ea, eb);
		ck_assert_str_eq(a.names, b.names);
		ck_assert_str_eq(wa.all, wl.all);
		free(c);
	}
	free(t);
}
END_TEST

START_TEST(stream_reader_and_receiver_errors)
{
	char *t = jtext(list_doc), err[256];
	struct chunks c = { .s = t, .len = strlen(t), .step = 100, .fail_at = 1000 };
	struct got g = { 0 };
	struct k8s_list_cb cb = { got_service, got_slice, got_node, &g };

	wlog_reset();
	ck_assert_int_eq(k8s_decode_list_read(chunk_read, &c, &cb, &wlog, err,
					      sizeof(err)),
			 -EIO);
	ck_assert_str_eq(err, strerror(EIO));
	memset(&g, 0, sizeof(g));
	g.fail_at = 2;
	ck_assert_int_eq(stream_text(t, strlen(t), 50, &g, err, sizeof(err)),
			 -ECANCELED);
	ck_assert_int_eq(g.calls, 2);
	ck_assert_msg(strstr(err, "items[1]: stopped by the receiver"), "%s", err);
	/* No callbacks: only a check. */
	c.pos = 0;
	c.fail_at = 0;
	ck_assert_int_eq(k8s_decode_list_read(chunk_read, &c, NULL, NULL, NULL, 0), 0);
	free(t);
}
END_TEST

/* An item larger than any buffer or block: read in one-byte pieces it is
 * still parsed once it is whole, in time linear in its size. */
START_TEST(stream_big_slice)
{
	struct sb b = { 0 };
	size_t i, n = 20000;

	sb_add(&b, "{\"kind\":\"List\",\"items\":[{\"addressType\":\"IPv4\","
		   "\"kind\":\"EndpointSlice\",\"metadata\":{\"name\":\"big-1\","
		   "\"namespace\":\"load\"},\"ports\":[{\"name\":\"\",\"port\":80}],"
		   "\"endpoints\":[");
	for (i = 0; i < n; i++)
		sb_add(&b, "%s{\"addresses\":[\"10.%zu.%zu.%zu\"],\"nodeName\":\"node-%05zu\"}",
		       i ? "," : "", i >> 16, (i >> 8) & 255, i & 255, i % 1000);
	sb_add(&b, "]},{\"kind\":\"Node\",\"metadata\":{\"name\":\"n\"}}]}");
	for (i = 0; i < 3; i++) {
		struct got g = { 0 };
		struct chunks c = { .s = b.s, .len = b.len, .step = i ? 4096 : 1 };
		struct k8s_list_cb cb = { got_service, got_slice, got_node, &g };

		wlog_reset();
		ck_assert_int_eq(k8s_decode_list_read(chunk_read, &c, &cb, &wlog,
						      NULL, 0),
				 2);
		ck_assert_str_eq(g.names, "E load/big-1\nN /n\n");
		wlog_none();
	}
	free(b.s);
}
END_TEST

/* ---- packed objects -------------------------------------------------------- */

static const char slice_packable[] =
"{'kind':'EndpointSlice','addressType':'IPv6','apiVersion':'discovery.k8s.io/v1',"
" 'metadata':{'name':'web-x','namespace':'shop','uid':'u-1','resourceVersion':'42',"
"  'labels':{'kubernetes.io/service-name':'web','b':'2','a':'1'},"
"  'annotations':{'note':'hello'}},"
" 'ports':[{'name':'http','port':8080,'protocol':'TCP'},{'port':53,'protocol':'UDP'}],"
" 'endpoints':["
"  {'addresses':['fd00::1','fd00::2'],'conditions':{'ready':true},'nodeName':'n1','zone':'z1',"
"   'hints':{'forZones':[{'name':'z1'},{'name':'z2'}]}},"
"  {'addresses':['fd00::3'],'conditions':{'ready':false,'serving':true,'terminating':true},"
"   'nodeName':'n1','zone':'z1'},"
"  {'addresses':['fd00::4'],'nodeName':'n2','hints':{}},"
"  {'addresses':['fd00::5']}]}";

static const char svc_packable[] =
"{'kind':'Service','metadata':{'name':'web','namespace':'shop','uid':'u-2',"
"  'annotations':{'ipvsagent.io/scheduler':'wrr'}},"
" 'spec':{'type':'LoadBalancer','clusterIP':'10.96.0.10','clusterIPs':['10.96.0.10','fd00::a'],"
"  'externalIPs':['192.0.2.1'],'sessionAffinity':'ClientIP',"
"  'ports':[{'name':'http','port':80,'nodePort':30080},{'name':'','port':81,'protocol':'UDP'}]},"
" 'status':{'loadBalancer':{'ingress':[{'ip':'198.51.100.7'},{'hostname':'x'}]}}}";

START_TEST(pack_keeps_everything)
{
	static const char *const slices[] = { slice_packable, slice_kube_dns,
					      "{'addressType':'FQDN','metadata':{'name':'f'}}" };
	struct k8s_endpointslice e1, e2;
	struct k8s_service s1, s2;
	size_t i, j;
	cJSON *j1;

	for (i = 0; i < NELEM(slices); i++) {
		j1 = J(slices[i]);
		wlog_reset();
		ck_assert_int_eq(k8s_decode_endpointslice(j1, &e1, &wlog), 0);
		ck_assert_int_eq(k8s_decode_endpointslice(j1, &e2, &wlog), 0);
		ck_assert_int_eq(k8s_endpointslice_pack(&e2), 0);
		ck_assert_ptr_nonnull(e2.meta.pack);
		ck_assert_int_eq(k8s_endpointslice_pack(&e2), 0); /* twice: no-op */
		ck_assert(k8s_endpointslice_equal(&e1, &e2));
		ck_assert_str_eq(e2.meta.uid ? e2.meta.uid : "-", e1.meta.uid ? e1.meta.uid : "-");
		ck_assert_str_eq(e2.meta.resource_version ? e2.meta.resource_version : "-",
				 e1.meta.resource_version ? e1.meta.resource_version : "-");
		ck_assert_str_eq(e2.service_name ? e2.service_name : "-",
				 e1.service_name ? e1.service_name : "-");
		for (j = 0; j < e2.nendpoints; j++)
			ck_assert_int_eq(e2.endpoints[j].has_hints,
					 e1.endpoints[j].has_hints);
		k8s_endpointslice_fini(&e1);
		k8s_endpointslice_fini(&e2); /* ASan: one block, nothing else */
		k8s_endpointslice_fini(&e2); /* twice is fine */
		cJSON_Delete(j1);
	}
	j1 = J(svc_packable);
	ck_assert_int_eq(k8s_decode_service(j1, &s1, &wlog), 0);
	ck_assert_int_eq(k8s_decode_service(j1, &s2, &wlog), 0);
	ck_assert_int_eq(k8s_service_pack(&s2), 0);
	ck_assert(k8s_service_equal(&s1, &s2));
	ck_assert_uint_eq(s2.ncluster_ips, 2);
	ck_assert_str_eq(s2.cluster_ips[1], "fd00::a");
	ck_assert_str_eq(s2.lb_ips[0], "198.51.100.7");
	ck_assert_str_eq(s2.ports[1].name, "");
	ck_assert_str_eq(s2.meta.uid, "u-2");
	k8s_service_fini(&s1);
	k8s_service_free(NULL);
	k8s_service_fini(&s2);
	cJSON_Delete(j1);
}
END_TEST

Suite *k8s_decode_suite(void)
{
	Suite *s = suite_create("k8s_decode");
	TCase *tc = tcase_create("decode");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, svc_cluster_ip_as_kubectl_prints_it);
	tcase_add_test(tc, svc_dual_stack_load_balancer);
	tcase_add_test(tc, svc_headless_has_no_ips);
	tcase_add_test(tc, svc_external_name_is_recognised);
	tcase_add_test(tc, svc_defaults);
	tcase_add_test(tc, svc_deletion_timestamp_and_repeated_label);
	tcase_add_loop_test(tc, svc_bad_unit_is_left_out_and_reported_once, 0,
			    NELEM(svc_bads));
	tcase_add_test(tc, svc_bad_label_value_leaves_out_the_label);
	tcase_add_loop_test(tc, svc_unusable_object_is_einval, 0,
			    NELEM(svc_obj_bads));
	tcase_add_test(tc, svc_null_input_and_null_log);
	tcase_add_test(tc, slice_as_kubectl_prints_it);
	tcase_add_test(tc, slice_null_and_absent_endpoints_and_ports);
	tcase_add_test(tc, slice_unnamed_ports_and_defaults);
	tcase_add_test(tc, slice_ipv6_and_fqdn);
	tcase_add_loop_test(tc, slice_bad_unit_is_left_out_and_reported_once, 0,
			    NELEM(slice_bads));
	tcase_add_loop_test(tc, slice_unusable_object_is_einval, 0,
			    NELEM(slice_obj_bads));
	tcase_add_test(tc, node_as_kubectl_prints_it);
	tcase_add_test(tc, node_being_removed);
	tcase_add_test(tc, list_dispatches_each_item_by_its_kind);
	tcase_add_test(tc, list_typed_lists_give_items_their_kind);
	tcase_add_test(tc, list_bad_items_are_skipped_and_reported);
	tcase_add_test(tc, list_single_object_and_empty_lists);
	tcase_add_test(tc, list_null_callbacks_skip_kinds);
	tcase_add_test(tc, list_callback_error_stops_the_walk);
	tcase_add_loop_test(tc, list_broken_document_is_einval_with_position, 0,
			    NELEM(list_bads));
	tcase_add_test(tc, list_every_truncation_is_caught);
	tcase_add_test(tc, list_nesting_limit);
	tcase_add_test(tc, list_needs_no_nul_terminator);
	tcase_add_test(tc, big_slice_of_five_megabytes);
	tcase_add_test(tc, big_annotation_of_five_megabytes);
	tcase_add_test(tc, warning_is_bounded_and_has_no_control_characters);
	tcase_add_loop_test(tc, every_value_swapped_for_every_type, 0, 4);
	tcase_add_test(tc, list_survives_random_damage);
	tcase_add_test(tc, stream_reads_what_whole_reads);
	tcase_add_test(tc, stream_leaves_the_unusual_to_the_whole_path);
	tcase_add_test(tc, stream_every_truncation_is_left_to_the_whole_path);
	tcase_add_test(tc, stream_survives_random_damage_like_the_whole_path);
	tcase_add_test(tc, stream_reader_and_receiver_errors);
	tcase_add_test(tc, stream_big_slice);
	tcase_add_test(tc, pack_keeps_everything);
	suite_add_tcase(s, tc);
	return s;
}
