/*
 * test/unit/test_metrics.c - agent/metrics.c (the registry and the text
 * exposition format), agent/buf.c's number and time formats, and the
 * agent's metrics (metrics_agent.c) and health (health.c) on a fixture
 * agent: names, help texts, labels and buckets as kube-proxy's.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/health.h"
#include "agent/metrics.h"
#include "agent/metrics_agent.h"
#include "agent/version.h"
#include "agent_fixture.h"
#include "suites.h"

static struct agent_metrics *m;
static struct agent_buf out;

static void setup(void)
{
	m = agent_metrics_new();
	ck_assert_ptr_nonnull(m);
	agent_buf_init(&out);
}

static void teardown(void)
{
	agent_metrics_free(m);
	agent_buf_fini(&out);
}

/* The exposition as one string. */
static const char *expose(void)
{
	agent_buf_fini(&out);
	agent_metrics_expose(m, &out);
	ck_assert(!out.oom);
	return out.p ? out.p : "";
}

/* --- numbers and times ------------------------------------------------------ */

START_TEST(doubles)
{
	static const struct { double v; const char *text; } cases[] = {
		{ 0, "0" }, { 1, "1" }, { -3, "-3" }, { 0.1, "0.1" },
		{ 0.25, "0.25" }, { 16.384, "16.384" }, { 1e-06, "1e-06" },
		{ 1048576, "1048576" }, { 1e21, "1e+21" },
		{ 1.8446744073709552e+19, "1.8446744073709552e+19" },
		{ 0.0029082298278808594, "0.0029082298278808594" },
		{ 1795297526.456428, "1795297526.456428" },
	};
	char buf[64];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_str_eq(agent_fmt_double(cases[i].v, buf, sizeof(buf)),
				 cases[i].text);
	ck_assert_str_eq(agent_fmt_double(NAN, buf, sizeof(buf)), "NaN");
	ck_assert_str_eq(agent_fmt_double(INFINITY, buf, sizeof(buf)), "+Inf");
	ck_assert_str_eq(agent_fmt_double(-INFINITY, buf, sizeof(buf)), "-Inf");
}
END_TEST

START_TEST(times)
{
	char buf[64];

	ck_assert_str_eq(agent_fmt_time(1795299001, buf, sizeof(buf)),
			 "2026-11-21T22:10:01Z");
	ck_assert_str_eq(agent_fmt_time(1795299001.25, buf, sizeof(buf)),
			 "2026-11-21T22:10:01.25Z");
	ck_assert_str_eq(agent_fmt_time(1795299001.123456, buf, sizeof(buf)),
			 "2026-11-21T22:10:01.123456Z");
	ck_assert_str_eq(agent_fmt_time(1795299001.9999999, buf, sizeof(buf)),
			 "2026-11-21T22:10:02Z");
	ck_assert_str_eq(agent_fmt_time(0, buf, sizeof(buf)),
			 "0001-01-01T00:00:00Z");
}
END_TEST

START_TEST(json_strings)
{
	struct agent_buf b;

	agent_buf_init(&b);
	agent_buf_json_str(&b, "a\"b\\c\nd\te\001f/é");
	agent_buf_putc(&b, ' ');
	agent_buf_json_str(&b, NULL);
	agent_buf_putc(&b, ' ');
	agent_buf_json_num(&b, NAN);
	agent_buf_putc(&b, ' ');
	agent_buf_json_num(&b, 2.5);
	ck_assert_str_eq(b.p, "\"a\\\"b\\\\c\\nd\\te\\u0001f/é\" null null 2.5");
	agent_buf_fini(&b);
}
END_TEST

/* --- the exposition format -------------------------------------------------- */

START_TEST(counter_and_gauge)
{
	struct agent_metrics_family *c, *g;

	c = agent_metrics_add(m, "things_total", "Things done.", AGENT_METRIC_COUNTER, NULL);
	g = agent_metrics_add(m, "temperature", "Now.", AGENT_METRIC_GAUGE, "");
	ck_assert_ptr_nonnull(c);
	ck_assert_ptr_nonnull(g);
	/* Families without samples are left out, as client_golang does. */
	ck_assert_str_eq(expose(), "");
	agent_metrics_inc(agent_metrics_with(c), 2);
	agent_metrics_inc(agent_metrics_with(c), 1);
	agent_metrics_set(agent_metrics_with(g), -1.5);
	ck_assert_str_eq(expose(),
			 "# HELP things_total Things done.\n"
			 "# TYPE things_total counter\n"
			 "things_total 3\n"
			 "# HELP temperature Now.\n"
			 "# TYPE temperature gauge\n"
			 "temperature -1.5\n");
}
END_TEST

START_TEST(escaping)
{
	struct agent_metrics_family *f;

	f = agent_metrics_add(m, "odd", "Back\\slash and\nnewline \"quoted\".",
			      AGENT_METRIC_GAUGE, "path");
	agent_metrics_set(agent_metrics_with(f, "C:\\dir \"x\"\nnext"), 1);
	ck_assert_str_eq(expose(),
			 "# HELP odd Back\\\\slash and\\nnewline \"quoted\".\n"
			 "# TYPE odd gauge\n"
			 "odd{path=\"C:\\\\dir \\\"x\\\"\\nnext\"} 1\n");
}
END_TEST

/* Label pairs by name, series by their label values, whatever the order
 * of declaration and creation. */
START_TEST(label_order)
{
	struct agent_metrics_family *f;

	f = agent_metrics_add(m, "x_total", "X.", AGENT_METRIC_COUNTER, "zeta,alpha,mid");
	agent_metrics_inc(agent_metrics_with(f, "z2", "a1", "m"), 1);
	agent_metrics_inc(agent_metrics_with(f, "z1", "a2", "m"), 2);
	agent_metrics_inc(agent_metrics_with(f, "z1", "a1", "m"), 3);
	agent_metrics_inc(agent_metrics_with(f, "z1", "a1", "m"), 4); /* same one */
	ck_assert_str_eq(expose(),
			 "# HELP x_total X.\n"
			 "# TYPE x_total counter\n"
			 "x_total{alpha=\"a1\",mid=\"m\",zeta=\"z1\"} 7\n"
			 "x_total{alpha=\"a1\",mid=\"m\",zeta=\"z2\"} 1\n"
			 "x_total{alpha=\"a2\",mid=\"m\",zeta=\"z1\"} 2\n");
}
END_TEST

START_TEST(histogram)
{
	static const double b[] = { 0.1, 0.5, 1 };
	struct agent_metrics_family *f;
	struct agent_metrics_series *s;

	f = agent_metrics_add_histogram(m, "lat_seconds", "Latency.", "op", b, 3);
	ck_assert_ptr_nonnull(f);
	s = agent_metrics_with(f, "get");
	agent_metrics_observe(s, 0.05);
	agent_metrics_observe(s, 0.1);   /* on a bound: in that bucket */
	agent_metrics_observe(s, 0.7);
	agent_metrics_observe(s, 3);     /* above all: only in +Inf */
	ck_assert_uint_eq(agent_metrics_hist_count(s), 4);
	ck_assert_str_eq(expose(),
			 "# HELP lat_seconds Latency.\n"
			 "# TYPE lat_seconds histogram\n"
			 "lat_seconds_bucket{op=\"get\",le=\"0.1\"} 2\n"
			 "lat_seconds_bucket{op=\"get\",le=\"0.5\"} 2\n"
			 "lat_seconds_bucket{op=\"get\",le=\"1\"} 3\n"
			 "lat_seconds_bucket{op=\"get\",le=\"+Inf\"} 4\n"
			 "lat_seconds_sum{op=\"get\"} 3.85\n"
			 "lat_seconds_count{op=\"get\"} 4\n");
}
END_TEST

START_TEST(histogram_without_labels)
{
	static const double b[] = { 1 };
	struct agent_metrics_family *f;

	f = agent_metrics_add_histogram(m, "h", "H.", NULL, b, 1);
	agent_metrics_observe(agent_metrics_with(f), 2);
	ck_assert_str_eq(expose(),
			 "# HELP h H.\n# TYPE h histogram\n"
			 "h_bucket{le=\"1\"} 0\nh_bucket{le=\"+Inf\"} 1\n"
			 "h_sum 2\nh_count 1\n");
}
END_TEST

static void collect_two(struct agent_metrics_out *o, void *arg)
{
	const char *v[2] = { "b", "a" };

	ck_assert_str_eq(arg, "arg");
	agent_metrics_emit(o, v, 1);
	v[0] = "c";
	agent_metrics_emit(o, v, 2.5);
}

static void collect_none(struct agent_metrics_out *o, void *arg)
{
	(void)o;
	(void)arg;
}

START_TEST(collectors)
{
	struct agent_metrics_family *f;

	f = agent_metrics_add(m, "none", "Never.", AGENT_METRIC_GAUGE, NULL);
	agent_metrics_set_collector(f, collect_none, NULL);
	f = agent_metrics_add(m, "two", "Two.", AGENT_METRIC_GAUGE, "y,x");
	agent_metrics_set_collector(f, collect_two, (void *)(uintptr_t)"arg");
	ck_assert_str_eq(expose(),
			 "# HELP two Two.\n# TYPE two gauge\n"
			 "two{x=\"a\",y=\"b\"} 1\n"
			 "two{x=\"a\",y=\"c\"} 2.5\n");
}
END_TEST

START_TEST(bad_names)
{
	static const double up[] = { 1, 2 }, down[] = { 2, 1 }, same[] = { 1, 1 };

	ck_assert_ptr_null(agent_metrics_add(m, "9lives", "x", AGENT_METRIC_GAUGE, NULL));
	ck_assert_ptr_null(agent_metrics_add(m, "a-b", "x", AGENT_METRIC_GAUGE, NULL));
	ck_assert_ptr_null(agent_metrics_add(m, "", "x", AGENT_METRIC_GAUGE, NULL));
	ck_assert_ptr_null(agent_metrics_add(m, "ok", "x", AGENT_METRIC_GAUGE, "__x"));
	ck_assert_ptr_null(agent_metrics_add(m, "ok", "x", AGENT_METRIC_GAUGE, "a:b"));
	ck_assert_ptr_null(agent_metrics_add(m, "ok", "x", AGENT_METRIC_GAUGE, "a,b,a"));
	ck_assert_ptr_null(agent_metrics_add(m, "ok", "x", AGENT_METRIC_HISTOGRAM, NULL));
	ck_assert_ptr_null(agent_metrics_add_histogram(m, "h", "x", "le", up, 2));
	ck_assert_ptr_null(agent_metrics_add_histogram(m, "h", "x", NULL, down, 2));
	ck_assert_ptr_null(agent_metrics_add_histogram(m, "h", "x", NULL, same, 2));
	ck_assert_ptr_nonnull(agent_metrics_add(m, "ns:sub_total", "x",
						AGENT_METRIC_COUNTER, "a,b,c"));
	/* NULL families and series are harmless (out of memory). */
	agent_metrics_inc(agent_metrics_with(NULL), 1);
	agent_metrics_observe(NULL, 1);
}
END_TEST

START_TEST(kube_proxy_buckets)
{
	double b[15];

	agent_metrics_exp_buckets(b, 0.001, 2, 15);
	agent_metrics_observe(agent_metrics_with(
		agent_metrics_add_histogram(m, "s", "S.", NULL, b, 15)), 1);
	ck_assert_ptr_nonnull(strstr(expose(),
		"s_bucket{le=\"0.001\"} 0\ns_bucket{le=\"0.002\"} 0\n"
		"s_bucket{le=\"0.004\"} 0\ns_bucket{le=\"0.008\"} 0\n"
		"s_bucket{le=\"0.016\"} 0\ns_bucket{le=\"0.032\"} 0\n"
		"s_bucket{le=\"0.064\"} 0\ns_bucket{le=\"0.128\"} 0\n"
		"s_bucket{le=\"0.256\"} 0\ns_bucket{le=\"0.512\"} 0\n"
		"s_bucket{le=\"1.024\"} 1\ns_bucket{le=\"2.048\"} 1\n"
		"s_bucket{le=\"4.096\"} 1\ns_bucket{le=\"8.192\"} 1\n"
		"s_bucket{le=\"16.384\"} 1\ns_bucket{le=\"+Inf\"} 1\n"));
}
END_TEST

/* --- the agent's metrics -------------------------------------------------------- */

#define WEB_LIST \
	"{'apiVersion':'v1','kind':'List','items':[" \
	" {'apiVersion':'v1','kind':'Service','metadata':{'namespace':'default','name':'web'}," \
	"  'spec':{'type':'ClusterIP','clusterIP':'10.96.0.10','clusterIPs':['10.96.0.10']," \
	"   'ports':[{'name':'http','port':80,'protocol':'TCP','targetPort':8080}]}}," \
	" {'apiVersion':'discovery.k8s.io/v1','kind':'EndpointSlice'," \
	"  'metadata':{'namespace':'default','name':'web-1'," \
	"   'labels':{'kubernetes.io/service-name':'web'}},'addressType':'IPv4'," \
	"  'ports':[{'name':'http','port':8080,'protocol':'TCP'}]," \
	"  'endpoints':[{'addresses':['10.244.1.2'],'conditions':{'ready':true}}," \
	"   {'addresses':['10.244.2.2'],'conditions':{'ready':true}}]}," \
	" {'apiVersion':'v1','kind':'Service','metadata':{'namespace':'default','name':'local'}," \
	"  'spec':{'type':'ClusterIP','clusterIP':'10.96.0.20','internalTrafficPolicy':'Local'," \
	"   'ports':[{'port':53,'protocol':'UDP'}]}}" \
	"]}"

static struct fx_agent fx;

static void agent_setup(void)
{
	fx_agent_init(&fx, WEB_LIST);
	ck_assert_int_eq(agent_metrics_init(&fx.a), 0);
	agent_buf_init(&out);
}

static void agent_teardown(void)
{
	agent_metrics_fini();
	fx_agent_fini(&fx);
	agent_buf_fini(&out);
}

static const char *render(void)
{
	agent_buf_fini(&out);
	agent_metrics_render(&out);
	ck_assert(!out.oom && out.p);
	return out.p;
}

/* Has the line exactly. */
static int has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	const char *p;

	for (p = text; (p = strstr(p, line)); p += n)
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return 1;
	return 0;
}

START_TEST(kube_proxy_families)
{
	static const char *const lines[] = {
		"# HELP kubeproxy_sync_proxy_rules_last_queued_timestamp_seconds "
		"[ALPHA] The last time a sync of proxy rules was queued",
		"# TYPE kubeproxy_sync_proxy_rules_endpoint_changes_pending gauge",
		"# HELP kubeproxy_sync_proxy_rules_endpoint_changes_total [ALPHA] "
		"Cumulative proxy rules Endpoint changes",
		"# TYPE kubeproxy_sync_proxy_rules_service_changes_total counter",
		"# HELP kubeproxy_sync_proxy_rules_no_local_endpoints_total [ALPHA] "
		"Number of services with a Local traffic policy and no endpoints",
		"kubeproxy_sync_proxy_rules_no_local_endpoints_total{ip_family=\"IPv4\","
		"traffic_policy=\"internal\"} 1",
		"kubeproxy_sync_proxy_rules_no_local_endpoints_total{ip_family=\"IPv4\","
		"traffic_policy=\"external\"} 0",
		"kubeproxy_sync_proxy_rules_last_queued_timestamp_seconds{ip_family=\"IPv4\"} 1795297000",
		"ipvsagent_build_info{version=\"" IPVSAGENT_VERSION "\"} 1",
		"ipvsagent_ipvs_virtual_servers 2",
		"ipvsagent_ipvs_real_servers 2",
		"ipvsagent_ipvs_foreign_virtual_servers 0",
		"ipvsagent_netlink_operations_total{operation=\"delete_real_server\","
		"result=\"error\"} 0",
		"ipvsagent_objects_rejected_total{reason=\"translate\"} 0",
		"# TYPE process_cpu_seconds_total counter",
		"# HELP process_start_time_seconds Start time of the process since "
		"unix epoch in seconds.",
	};
	const char *text;
	size_t i;

	fx_agent_apply_all(&fx);
	text = render();
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		ck_assert_msg(has_line(text, lines[i]), "no line: %s", lines[i]);
	/* No sync yet: no sync histogram, no last sync time. */
	ck_assert_ptr_null(strstr(text, "kubeproxy_sync_proxy_rules_duration_seconds"));
	ck_assert_ptr_null(strstr(text, "kubeproxy_sync_proxy_rules_last_timestamp"));
}
END_TEST

START_TEST(sync_and_programming_observed)
{
	const char *text;

	fx.a.sync.batch_start = ev_time() - 0.003;
	fx.a.sync.stats.verifies = 1;
	fx.a.sync.stats.last_verify_duration = 0.5;
	agent_metrics_batch_done();   /* 0.5 s dump + 3 ms batch */
	agent_metrics_observe_programming(1.5);
	agent_metrics_healthz(200);
	agent_metrics_healthz(503);
	agent_metrics_healthz(200);
	agent_metrics_livez(200);
	text = render();
	ck_assert(has_line(text, "# HELP kubeproxy_sync_proxy_rules_duration_seconds "
			   "[ALPHA] SyncProxyRules latency in seconds"));
	ck_assert(has_line(text, "kubeproxy_sync_proxy_rules_duration_seconds_bucket"
			   "{ip_family=\"IPv4\",le=\"0.256\"} 0"));
	ck_assert(has_line(text, "kubeproxy_sync_proxy_rules_duration_seconds_bucket"
			   "{ip_family=\"IPv4\",le=\"0.512\"} 1"));
	ck_assert(has_line(text, "kubeproxy_sync_proxy_rules_duration_seconds_count"
			   "{ip_family=\"IPv4\"} 1"));
	ck_assert(has_line(text, "ipvsagent_verification_duration_seconds_count 1"));
	/* kube-proxy's programming buckets: a 0, 0.25, 0.5, 1..59, ... 300. */
	ck_assert(has_line(text, "kubeproxy_network_programming_duration_seconds_bucket"
			   "{ip_family=\"IPv4\",le=\"0\"} 0"));
	ck_assert(has_line(text, "kubeproxy_network_programming_duration_seconds_bucket"
			   "{ip_family=\"IPv4\",le=\"1\"} 0"));
	ck_assert(has_line(text, "kubeproxy_network_programming_duration_seconds_bucket"
			   "{ip_family=\"IPv4\",le=\"2\"} 1"));
	ck_assert(has_line(text, "kubeproxy_network_programming_duration_seconds_bucket"
			   "{ip_family=\"IPv4\",le=\"115\"} 1"));
	ck_assert(has_line(text, "kubeproxy_network_programming_duration_seconds_bucket"
			   "{ip_family=\"IPv4\",le=\"300\"} 1"));
	ck_assert_ptr_null(strstr(text, "le=\"330\""));
	ck_assert(has_line(text, "kubeproxy_proxy_healthz_total{code=\"200\"} 2"));
	ck_assert(has_line(text, "kubeproxy_proxy_healthz_total{code=\"503\"} 1"));
	ck_assert(has_line(text, "kubeproxy_proxy_livez_total{code=\"200\"} 1"));
}
END_TEST

/* Traffic series for the virtual servers we own that the kernel has;
 * none with --metrics-service-traffic=false. */
START_TEST(service_traffic)
{
	struct ipvs_stats *st;

	fx_agent_apply(&fx, "-t 10.96.0.10:80", 1);
	st = ipvs_state_service_stats(fx_agent_find(fx.a.sync.have, "-t 10.96.0.10:80"));
	st->conns = 7;
	st->inpkts = 70;
	st->outbytes = 12345;
	ck_assert(has_line(render(),
			   "ipvsagent_service_connections_total{namespace=\"default\","
			   "port=\"80\",port_name=\"http\",protocol=\"TCP\",service=\"web\","
			   "vip=\"10.96.0.10\"} 7"));
	ck_assert(has_line(out.p, "ipvsagent_service_packets_total{direction=\"in\","
			   "namespace=\"default\",port=\"80\",port_name=\"http\","
			   "protocol=\"TCP\",service=\"web\",vip=\"10.96.0.10\"} 70"));
	ck_assert(has_line(out.p, "ipvsagent_service_bytes_total{direction=\"out\","
			   "namespace=\"default\",port=\"80\",port_name=\"http\","
			   "protocol=\"TCP\",service=\"web\",vip=\"10.96.0.10\"} 12345"));
	/* The Local Service is not in the kernel: no series. */
	ck_assert_ptr_null(strstr(out.p, "vip=\"10.96.0.20\""));
	fx.opt.metrics_service_traffic = 0;
	ck_assert_ptr_null(strstr(render(), "ipvsagent_service_connections_total{"));
}
END_TEST

/* A file reload's differences count as kube-proxy's changes; a batch
 * start empties pending. */
START_TEST(file_changes)
{
	struct k8s_store *empty = k8s_store_new();

	agent_metrics_count_file_changes(empty, fx.a.store);
	ck_assert(has_line(render(), "kubeproxy_sync_proxy_rules_service_changes_total 2"));
	ck_assert(has_line(out.p, "kubeproxy_sync_proxy_rules_endpoint_changes_total 1"));
	ck_assert(has_line(out.p, "kubeproxy_sync_proxy_rules_service_changes_pending 2"));
	agent_metrics_batch_started();
	ck_assert(has_line(render(), "kubeproxy_sync_proxy_rules_service_changes_pending 0"));
	agent_metrics_count_file_changes(fx.a.store, fx.a.store);   /* no change */
	agent_metrics_count_file_changes(fx.a.store, empty);       /* all gone */
	ck_assert(has_line(render(), "kubeproxy_sync_proxy_rules_service_changes_total 4"));
	ck_assert(has_line(out.p, "kubeproxy_sync_proxy_rules_endpoint_changes_pending 1"));
	k8s_store_free(empty);
}
END_TEST

/* --- health ------------------------------------------------------------------- */

START_TEST(health_model)
{
	const char *fams[2];
	struct agent_health h;
	struct agent_buf b;
	size_t n = agent_ip_families(&fx.a, fams);
	double now = 1795297100;

	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(fams[0], "IPv4");
	fx.a.sync.stats.last_applied = 1795297050;
	agent_health_get(&fx.a, now, &h);
	ck_assert(h.healthy && h.node_eligible);
	ck_assert(h.timeout == 60);
	agent_buf_init(&b);
	ck_assert_int_eq(agent_health_json(&h, fams, n, 1, &b), 200);
	ck_assert_str_eq(b.p, "{\"lastUpdated\":\"2026-11-21T21:38:20Z\","
			 "\"currentTime\":\"2026-11-21T21:38:20Z\",\"nodeEligible\":true,"
			 "\"healthy\":true,\"status\":{\"IPv4\":{\"lastUpdated\":"
			 "\"2026-11-21T21:37:30Z\",\"healthy\":true}}}");
	agent_buf_fini(&b);

	/* A change queued 59 s ago is not late; 60 s ago it is. */
	fx.a.sync.stats.oldest_unapplied = now - 59;
	agent_health_get(&fx.a, now, &h);
	ck_assert(h.healthy);
	fx.a.sync.stats.oldest_unapplied = now - 60;
	agent_health_get(&fx.a, now, &h);
	ck_assert(!h.healthy);
	ck_assert_int_eq(agent_health_json(&h, fams, n, 0, &b), 503);
	ck_assert_str_eq(b.p, "{\"lastUpdated\":\"2026-11-21T21:37:30Z\","
			 "\"currentTime\":\"2026-11-21T21:38:20Z\",\"healthy\":false,"
			 "\"status\":{\"IPv4\":{\"lastUpdated\":\"2026-11-21T21:37:30Z\","
			 "\"healthy\":false}}}");
	agent_buf_fini(&b);
}
END_TEST

/* /healthz fails while the Node leaves; /livez does not care. */
START_TEST(health_node)
{
	struct k8s_node *n = calloc(1, sizeof(*n));
	struct agent_health h;
	struct agent_buf b;
	const char *fams[1] = { "IPv4" };

	agent_buf_init(&b);
	fx.a.use_api = 1;            /* the API source, no Node yet */
	agent_health_get(&fx.a, 1795297100, &h);
	ck_assert(h.healthy && !h.node_eligible);
	fx.a.use_api = 0;
	n->meta.name = strdup("node1");
	n->to_be_deleted = 1;
	k8s_store_set_node(fx.a.store, n);
	agent_health_get(&fx.a, 1795297100, &h);
	ck_assert(h.healthy && !h.node_eligible);
	ck_assert_int_eq(agent_health_json(&h, fams, 1, 1, &b), 503);
	ck_assert_ptr_nonnull(strstr(b.p, "\"nodeEligible\":false,\"healthy\":true"));
	agent_buf_fini(&b);
	ck_assert_int_eq(agent_health_json(&h, fams, 1, 0, &b), 200);
	agent_buf_fini(&b);
	n->to_be_deleted = 0;
	n->meta.deleting = 1;
	agent_health_get(&fx.a, 1795297100, &h);
	ck_assert(!h.node_eligible);
	n->meta.deleting = 0;
	agent_health_get(&fx.a, 1795297100, &h);
	ck_assert(h.node_eligible);
}
END_TEST

/* --- process ------------------------------------------------------------------- */

START_TEST(process_stats)
{
	struct agent_proc_stats ps;

	ck_assert_int_eq(agent_proc_stats_read(&ps), 0);
	ck_assert(ps.resident_bytes > 0);
	ck_assert(ps.virtual_bytes >= ps.resident_bytes);
	ck_assert(ps.open_fds >= 3);
	ck_assert(ps.max_fds >= ps.open_fds);
	ck_assert(ps.cpu_seconds >= 0);
	ck_assert(ps.start_time > 1e9 && ps.start_time <= ev_time() + 1);
}
END_TEST

Suite *metrics_suite(void)
{
	Suite *s = suite_create("metrics");
	TCase *fmt = tcase_create("format");
	TCase *ag = tcase_create("agent");

	tcase_add_checked_fixture(fmt, setup, teardown);
	tcase_add_test(fmt, doubles);
	tcase_add_test(fmt, times);
	tcase_add_test(fmt, json_strings);
	tcase_add_test(fmt, counter_and_gauge);
	tcase_add_test(fmt, escaping);
	tcase_add_test(fmt, label_order);
	tcase_add_test(fmt, histogram);
	tcase_add_test(fmt, histogram_without_labels);
	tcase_add_test(fmt, collectors);
	tcase_add_test(fmt, bad_names);
	tcase_add_test(fmt, kube_proxy_buckets);
	tcase_add_test(fmt, process_stats);
	suite_add_tcase(s, fmt);

	tcase_add_checked_fixture(ag, agent_setup, agent_teardown);
	tcase_add_test(ag, kube_proxy_families);
	tcase_add_test(ag, sync_and_programming_observed);
	tcase_add_test(ag, service_traffic);
	tcase_add_test(ag, file_changes);
	tcase_add_test(ag, health_model);
	tcase_add_test(ag, health_node);
	suite_add_tcase(s, ag);
	return s;
}
