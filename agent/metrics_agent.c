/*
 * agent/metrics_agent.c - the agent's registry: kube-proxy's metrics, the
 * observation calls, and a snapshot of the agent taken once per scrape.
 *
 * kube-proxy's names, help texts, labels and buckets are those of
 * kubernetes' pkg/proxy/metrics/metrics.go (ip_family labels as since
 * 1.28); component-base prefixes ALPHA metrics' help with "[ALPHA] ".
 */
#include "metrics_agent.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "agent.h"
#include "health.h"
#include "metrics_int.h"
#include "status_int.h"

static struct {
	struct agent_metrics *reg;                 /* NULL: not initialised */
	struct agent *a;                           /* read at each scrape */
	int failed;                                /* a registration failed */
	struct agent_metrics_family *sync_seconds; /* histograms and counters */
	struct agent_metrics_family *programming;  /* observed as they happen */
	struct agent_metrics_family *verify_seconds;
	struct agent_metrics_family *healthz;
	struct agent_metrics_family *livez;
	const char *fams[2];                       /* ip_family values */
	size_t nfams;
	uint64_t verifies_seen;                    /* at the last batch end */
	uint64_t file_changes[2];                  /* service, endpoint */
	double changes_at_start[2];                /* totals at batch start */
	struct agent_metrics_traffic traffic;      /* counters' freshness */
	struct agent_metrics_snapshot snap;        /* what collectors read */
} g;

#define ALPHA "[ALPHA] "

/* --- counting changes ----------------------------------------------------- */

static double reflector_changes(enum k8s_resource res)
{
	const struct k8s_reflector_stats *st;

	if (!g.a->use_api || !g.a->api.refl[res])
		return 0;
	st = k8s_reflector_stats(g.a->api.refl[res]);
	return (double)(st->added + st->modified + st->deleted);
}

/* kube-proxy counts informer events: watch events here, and for a file
 * reload the objects that differ. */
static void change_totals(double t[2])
{
	t[0] = (double)g.file_changes[0] + reflector_changes(K8S_RES_SERVICES);
	t[1] = (double)g.file_changes[1] + reflector_changes(K8S_RES_SLICES);
}

struct file_diff {
	const struct k8s_store *other;   /* the store to compare with */
	uint64_t n;                      /* objects that differ */
	int only_missing;                /* count only those not in @other */
};

static int diff_service(void *arg, const struct k8s_service *s)
{
	struct file_diff *d = arg;
	const struct k8s_service *o =
		k8s_store_service(d->other, s->meta.ns, s->meta.name);

	d->n += d->only_missing ? !o : (!o || !k8s_service_equal(o, s));
	return 0;
}

static int diff_slice(void *arg, const struct k8s_endpointslice *e)
{
	struct file_diff *d = arg;
	const struct k8s_endpointslice *o =
		k8s_store_slice(d->other, e->meta.ns, e->meta.name);

	d->n += d->only_missing ? !o : (!o || !k8s_endpointslice_equal(o, e));
	return 0;
}

void agent_metrics_count_file_changes(const struct k8s_store *old,
				      const struct k8s_store *next)
{
	struct file_diff d = { old, 0, 0 };

	if (!g.reg)
		return;
	k8s_store_foreach_service(next, diff_service, &d);   /* new, changed */
	d = (struct file_diff){ next, d.n, 1 };
	k8s_store_foreach_service(old, diff_service, &d);    /* gone */
	g.file_changes[0] += d.n;
	d = (struct file_diff){ old, 0, 0 };
	k8s_store_foreach_slice(next, diff_slice, &d);
	d = (struct file_diff){ next, d.n, 1 };
	k8s_store_foreach_slice(old, diff_slice, &d);
	g.file_changes[1] += d.n;
}

/* --- observations ---------------------------------------------------------- */

static void families(void)
{
	g.nfams = agent_ip_families(g.a, g.fams);
}

void agent_metrics_batch_started(void)
{
	if (g.reg)
		change_totals(g.changes_at_start);
}

void agent_metrics_batch_done(void)
{
	const struct agent_sync *s;
	double d;
	size_t i;

	if (!g.reg)
		return;
	s = &g.a->sync;
	d = ev_time() - s->batch_start;
	if (s->stats.verifies != g.verifies_seen) {
		/* This batch followed a verification: its dump is part of it. */
		g.verifies_seen = s->stats.verifies;
		agent_metrics_observe(agent_metrics_with(g.verify_seconds),
				      s->stats.last_verify_duration);
		d += s->stats.last_verify_duration;
	}
	if (!g.nfams)
		families();
	for (i = 0; i < g.nfams; i++)
		agent_metrics_observe(agent_metrics_with(g.sync_seconds, g.fams[i]), d);
}

void agent_metrics_observe_programming(double seconds)
{
	if (!g.reg)
		return;
	if (!g.nfams)
		families();
	agent_metrics_observe(agent_metrics_with(g.programming, g.fams[0]), seconds);
}

void agent_metrics_healthz(int code)
{
	if (g.reg)
		agent_metrics_inc(agent_metrics_with(g.healthz,
						     code == 200 ? "200" : "503"), 1);
}

void agent_metrics_livez(int code)
{
	if (g.reg)
		agent_metrics_inc(agent_metrics_with(g.livez,
						     code == 200 ? "200" : "503"), 1);
}

/* --- collectors ------------------------------------------------------------ */

/* A label-less value of the snapshot (arg points at it). */
static void c_value(struct agent_metrics_out *out, void *arg)
{
	agent_metrics_emit(out, NULL, *(const double *)arg);
}

/* A snapshot value for each ip_family; nothing while it is 0 (never). */
static void c_per_family(struct agent_metrics_out *out, void *arg)
{
	double v = *(const double *)arg;
	size_t i;

	for (i = 0; v > 0 && i < g.nfams; i++)
		agent_metrics_emit(out, &g.fams[i], v);
}

/* Distinct service ports whose Local policy found no local endpoint, by
 * policy (internal: the clusterIP; external: the others) and family. */
struct no_local {
	double n[2][2];              /* [family][policy] */
};

static void no_local_one(const char *key, void *value, void *arg)
{
	const struct agent_contrib *c = value;
	struct no_local *nl = arg;
	size_t i, j;
	int pol, fam;

	(void)key;
	for (i = 0; i < c->n; i++) {
		if (!c->vs[i].local_only)
			continue;
		pol = c->vs[i].kind != AGENT_VS_CLUSTER_IP;
		fam = c->vs[i].key.af == AF_INET6;
		for (j = 0; j < i; j++)   /* once per port, policy and family */
			if (c->vs[j].local_only &&
			    (c->vs[j].kind != AGENT_VS_CLUSTER_IP) == pol &&
			    (c->vs[j].key.af == AF_INET6) == fam &&
			    !strcmp(c->vs[j].port_name, c->vs[i].port_name))
				break;
		if (j == i)
			nl->n[fam][pol]++;
	}
}

static void c_no_local(struct agent_metrics_out *out, void *arg)
{
	struct no_local nl = { { { 0, 0 }, { 0, 0 } } };
	const char *v[2];
	size_t i;

	(void)arg;
	strmap_foreach(&g.a->desired.contribs, no_local_one, &nl);
	for (i = 0; i < g.nfams; i++) {
		v[0] = g.fams[i];
		v[1] = "internal";
		agent_metrics_emit(out, v, nl.n[strcmp(v[0], "IPv6") == 0][0]);
		v[1] = "external";
		agent_metrics_emit(out, v, nl.n[strcmp(v[0], "IPv6") == 0][1]);
	}
}

/* --- registration ----------------------------------------------------------- */

static struct agent_metrics_family *add(const char *name, const char *help,
					enum agent_metric_type type,
					const char *labels,
					agent_metrics_collect_fn fn, void *arg)
{
	struct agent_metrics_family *f =
		agent_metrics_add(g.reg, name, help, type, labels);

	if (!f)
		g.failed = 1;
	agent_metrics_set_collector(f, fn, arg);
	return f;
}

static struct agent_metrics_family *add_hist(const char *name,
					     const char *help,
					     const char *labels,
					     const double *b, size_t n)
{
	struct agent_metrics_family *f =
		agent_metrics_add_histogram(g.reg, name, help, labels, b, n);

	if (!f)
		g.failed = 1;
	return f;
}

/* kube-proxy's NetworkProgrammingLatency buckets: MergeBuckets starts
 * with a 0, then 0.25 s, 0.5 s, 1..59 s, 60..115 s by 5, 2..5 min by 30 s. */
static size_t programming_buckets(double *b)
{
	size_t n = 1;

	b[0] = 0;
	agent_metrics_lin_buckets(b + n, 0.25, 0.25, 2);
	n += 2;
	agent_metrics_lin_buckets(b + n, 1, 1, 59);
	n += 59;
	agent_metrics_lin_buckets(b + n, 60, 5, 12);
	n += 12;
	agent_metrics_lin_buckets(b + n, 120, 30, 7);
	return n + 7;
}

static void add_kube_proxy(void)
{
	double sync_b[15], prog_b[81];
	size_t nprog = programming_buckets(prog_b);

	agent_metrics_exp_buckets(sync_b, 0.001, 2, 15);
	g.sync_seconds = add_hist("kubeproxy_sync_proxy_rules_duration_seconds",
				  ALPHA "SyncProxyRules latency in seconds",
				  "ip_family", sync_b, 15);
	add("kubeproxy_sync_proxy_rules_last_timestamp_seconds",
	    ALPHA "The last time proxy rules were successfully synced",
	    AGENT_METRIC_GAUGE, "ip_family", c_per_family, &g.snap.last_applied);
	g.programming = add_hist("kubeproxy_network_programming_duration_seconds",
				 ALPHA "In Cluster Network Programming Latency in seconds",
				 "ip_family", prog_b, nprog);
	add("kubeproxy_sync_proxy_rules_endpoint_changes_pending",
	    ALPHA "Pending proxy rules Endpoint changes", AGENT_METRIC_GAUGE,
	    NULL, c_value, &g.snap.pending[1]);
	add("kubeproxy_sync_proxy_rules_endpoint_changes_total",
	    ALPHA "Cumulative proxy rules Endpoint changes", AGENT_METRIC_COUNTER,
	    NULL, c_value, &g.snap.changes[1]);
	add("kubeproxy_sync_proxy_rules_service_changes_pending",
	    ALPHA "Pending proxy rules Service changes", AGENT_METRIC_GAUGE,
	    NULL, c_value, &g.snap.pending[0]);
	add("kubeproxy_sync_proxy_rules_service_changes_total",
	    ALPHA "Cumulative proxy rules Service changes", AGENT_METRIC_COUNTER,
	    NULL, c_value, &g.snap.changes[0]);
	g.healthz = add("kubeproxy_proxy_healthz_total",
			ALPHA "Cumulative proxy healthz HTTP status",
			AGENT_METRIC_COUNTER, "code", NULL, NULL);
	g.livez = add("kubeproxy_proxy_livez_total",
		      ALPHA "Cumulative proxy livez HTTP status",
		      AGENT_METRIC_COUNTER, "code", NULL, NULL);
	add("kubeproxy_sync_proxy_rules_last_queued_timestamp_seconds",
	    ALPHA "The last time a sync of proxy rules was queued",
	    AGENT_METRIC_GAUGE, "ip_family", c_per_family, &g.snap.last_queued);
	add("kubeproxy_sync_proxy_rules_no_local_endpoints_total",
	    ALPHA "Number of services with a Local traffic policy and no endpoints",
	    AGENT_METRIC_GAUGE, "ip_family,traffic_policy", c_no_local, NULL);
}

static void add_process(void)
{
	struct agent_proc_stats *p = &g.snap.proc;

	add("process_cpu_seconds_total",
	    "Total user and system CPU time spent in seconds.",
	    AGENT_METRIC_COUNTER, NULL, c_value, &p->cpu_seconds);
	add("process_max_fds", "Maximum number of open file descriptors.",
	    AGENT_METRIC_GAUGE, NULL, c_value, &p->max_fds);
	add("process_open_fds", "Number of open file descriptors.",
	    AGENT_METRIC_GAUGE, NULL, c_value, &p->open_fds);
	add("process_resident_memory_bytes", "Resident memory size in bytes.",
	    AGENT_METRIC_GAUGE, NULL, c_value, &p->resident_bytes);
	add("process_start_time_seconds",
	    "Start time of the process since unix epoch in seconds.",
	    AGENT_METRIC_GAUGE, NULL, c_value, &p->start_time);
	add("process_virtual_memory_bytes", "Virtual memory size in bytes.",
	    AGENT_METRIC_GAUGE, NULL, c_value, &p->virtual_bytes);
	add("process_virtual_memory_max_bytes",
	    "Maximum amount of virtual memory available in bytes.",
	    AGENT_METRIC_GAUGE, NULL, c_value, &p->virtual_max_bytes);
}

int agent_metrics_init(struct agent *a)
{
	memset(&g, 0, sizeof(g));
	if (!(g.reg = agent_metrics_new()))
		return -ENOMEM;
	g.a = a;
	add_kube_proxy();
	if (agent_metrics_add_own(g.reg, a, &g.snap, &g.traffic,
				  &g.verify_seconds))
		g.failed = 1;
	add_process();
	if (g.failed) {
		agent_metrics_fini();
		return -ENOMEM;
	}
	return 0;
}

void agent_metrics_fini(void)
{
	agent_metrics_free(g.reg);
	memset(&g, 0, sizeof(g));
}

/* --- scrape ---------------------------------------------------------------- */

/* Everything the collectors read, at once: O(services in the kernel). */
static void snapshot(struct agent_metrics_snapshot *sn)
{
	const struct agent *a = g.a;
	const struct agent_sync_stats *st = &a->sync.stats;
	double start = a->started ? a->started : a->sync.started;
	struct agent_status_counts c;

	memset(sn, 0, sizeof(*sn));
	agent_status_count(a, &c);
	sn->vs_owned = c.vs_owned;
	sn->rs_owned = c.rs_owned;
	sn->vs_foreign = c.vs_foreign;
	sn->draining = (double)a->sync.ndrains;
	change_totals(sn->changes);
	sn->pending[0] = sn->changes[0] - g.changes_at_start[0];
	sn->pending[1] = sn->changes[1] - g.changes_at_start[1];
	sn->last_applied = st->last_applied;
	sn->last_queued = st->last_touch > start ? st->last_touch : start;
	sn->nl_requests = a->nl ? (double)nl_ipvs_counters(a->nl)->requests : 0;
	sn->verifies = (double)st->verifies;
	agent_proc_stats_read(&sn->proc);
}

void agent_metrics_render(struct agent_buf *b)
{
	if (!g.reg)
		return;
	families();
	agent_metrics_traffic_refresh(g.a, &g.traffic);
	snapshot(&g.snap);
	agent_metrics_expose(g.reg, b);
}
