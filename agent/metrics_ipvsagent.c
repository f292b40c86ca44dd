/*
 * agent/metrics_ipvsagent.c - ipvsagent's own metrics: the IPVS state it
 * owns, netlink operations, verifications and repairs, the API watches,
 * rejected objects, the file source, per-virtual-server traffic, build
 * info.  Every value is read at scrape time from counters kept anyway;
 * only the verification histogram is observed (metrics_agent.c).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "agent.h"
#include "metrics_int.h"
#include "version.h"

static const char *const op_names[6] = {
	"add_service", "edit_service", "delete_service",
	"add_real_server", "edit_real_server", "delete_real_server",
};

static void c_value(struct agent_metrics_out *out, void *arg)
{
	agent_metrics_emit(out, NULL, *(const double *)arg);
}

static void c_build_info(struct agent_metrics_out *out, void *arg)
{
	const char *v[1] = { IPVSAGENT_VERSION };

	(void)arg;
	agent_metrics_emit(out, v, 1);
}

static void c_ops(struct agent_metrics_out *out, void *arg)
{
	const struct agent_sync_stats *st = &((struct agent *)arg)->sync.stats;
	const char *v[2];
	size_t k;

	for (k = 0; k < 6; k++) {
		v[0] = op_names[k];
		v[1] = "ok";
		agent_metrics_emit(out, v, (double)st->ops[k]);
		v[1] = "error";
		agent_metrics_emit(out, v, (double)st->op_failures[k]);
	}
}

static void c_repairs(struct agent_metrics_out *out, void *arg)
{
	const struct agent_sync_stats *st = &((struct agent *)arg)->sync.stats;
	size_t k;

	for (k = 0; k < 6; k++)
		agent_metrics_emit(out, &op_names[k], (double)st->repairs[k]);
}

/* --- the API watches -------------------------------------------------------- */

/* The reflector of @res, when the API source runs it. */
static const struct k8s_reflector *refl(const struct agent *a,
					enum k8s_resource res)
{
	return a->use_api ? a->api.refl[res] : NULL;
}

static void c_api_events(struct agent_metrics_out *out, void *arg)
{
	const struct k8s_reflector_stats *st;
	const struct k8s_reflector *r;
	const char *v[2];
	int res;

	for (res = 0; res < K8S_RES_COUNT; res++) {
		if (!(r = refl(arg, res)))
			continue;
		st = k8s_reflector_stats(r);
		v[0] = k8s_resource_name(res);
		v[1] = "added";
		agent_metrics_emit(out, v, (double)st->added);
		v[1] = "modified";
		agent_metrics_emit(out, v, (double)st->modified);
		v[1] = "deleted";
		agent_metrics_emit(out, v, (double)st->deleted);
		v[1] = "bookmark";
		agent_metrics_emit(out, v, (double)st->bookmarks);
	}
}

/* One reflector counter by resource: the offset of the field in
 * struct k8s_reflector_stats is the collector's argument. */
struct api_field {
	struct agent *a;    /* whose reflectors */
	size_t off;         /* offsetof(struct k8s_reflector_stats, ...) */
};

static void c_api_field(struct agent_metrics_out *out, void *arg)
{
	const struct api_field *f = arg;
	const struct k8s_reflector *r;
	const char *name;
	int res;

	for (res = 0; res < K8S_RES_COUNT; res++) {
		if (!(r = refl(f->a, res)))
			continue;
		name = k8s_resource_name(res);
		agent_metrics_emit(out, &name, (double)*(const unsigned long *)
			((const char *)k8s_reflector_stats(r) + f->off));
	}
}

static void c_api_state(struct agent_metrics_out *out, void *arg)
{
	static const enum k8s_reflector_state states[] = {
		K8S_REFLECTOR_LISTING, K8S_REFLECTOR_WATCHING,
		K8S_REFLECTOR_BACKOFF, K8S_REFLECTOR_STOPPED,
	};
	const struct k8s_reflector *r;
	const char *v[2];
	size_t i;
	int res;

	for (res = 0; res < K8S_RES_COUNT; res++) {
		if (!(r = refl(arg, res)))
			continue;
		v[0] = k8s_resource_name(res);
		for (i = 0; i < sizeof(states) / sizeof(*states); i++) {
			v[1] = k8s_reflector_state_name(states[i]);
			agent_metrics_emit(out, v, k8s_reflector_state(r) == states[i]);
		}
	}
}

/* --- rejected objects, the file source ---------------------------------------- */

static double refl_sum(const struct agent *a, size_t off)
{
	const struct k8s_reflector *r;
	double n = 0;
	int res;

	for (res = 0; res < K8S_RES_COUNT; res++)
		if ((r = refl(a, res)))
			n += (double)*(const unsigned long *)
				((const char *)k8s_reflector_stats(r) + off);
	return n;
}

static void c_rejected(struct agent_metrics_out *out, void *arg)
{
	const struct agent *a = arg;
	const char *v[1];

	v[0] = "decode";
	agent_metrics_emit(out, v, (double)a->file.rejected +
			   refl_sum(a, offsetof(struct k8s_reflector_stats, rejected)));
	v[0] = "bad_line";
	agent_metrics_emit(out, v, refl_sum(a, offsetof(struct k8s_reflector_stats,
							bad_lines)));
	v[0] = "oversized";
	agent_metrics_emit(out, v, refl_sum(a, offsetof(struct k8s_reflector_stats,
							oversized)));
	v[0] = "translate";
	agent_metrics_emit(out, v, (double)a->desired.rejected);
	v[0] = "conflict";
	agent_metrics_emit(out, v, (double)a->desired.conflicts);
}

static void c_file_reads(struct agent_metrics_out *out, void *arg)
{
	const struct agent *a = arg;
	const char *v[1];

	if (a->use_api || !a->opt->services_file)
		return;
	v[0] = "ok";
	agent_metrics_emit(out, v, (double)a->file.loads);
	v[0] = "error";
	agent_metrics_emit(out, v, (double)a->file.errors);
}

/* --- registration -------------------------------------------------------------- */

struct own {
	struct agent_metrics *reg;  /* where the families go */
	int failed;                 /* a registration failed (out of memory) */
};

static struct agent_metrics_family *add(struct own *o, const char *name,
					const char *help,
					enum agent_metric_type type,
					const char *labels,
					agent_metrics_collect_fn fn,
					const void *arg)
{
	struct agent_metrics_family *f =
		agent_metrics_add(o->reg, name, help, type, labels);

	if (!f)
		o->failed = 1;
	agent_metrics_set_collector(f, fn, (void *)(uintptr_t)arg);
	return f;
}

static void add_ipvs(struct own *o, struct agent *a,
		     const struct agent_metrics_snapshot *sn)
{
	add(o, "ipvsagent_build_info",
	    "A metric with a constant '1' value labeled by the version "
	    "ipvsagent was built from.", AGENT_METRIC_GAUGE, "version",
	    c_build_info, NULL);
	add(o, "ipvsagent_ipvs_virtual_servers",
	    "IPVS virtual servers the agent owns in the kernel.",
	    AGENT_METRIC_GAUGE, NULL, c_value, &sn->vs_owned);
	add(o, "ipvsagent_ipvs_real_servers",
	    "Real servers of the IPVS virtual servers the agent owns.",
	    AGENT_METRIC_GAUGE, NULL, c_value, &sn->rs_owned);
	add(o, "ipvsagent_ipvs_real_servers_draining",
	    "Real servers draining: weight 0 until their connections end or "
	    "--ipvs-graceful-period passes.", AGENT_METRIC_GAUGE, NULL, c_value,
	    &sn->draining);
	add(o, "ipvsagent_ipvs_foreign_virtual_servers",
	    "IPVS virtual servers in the kernel that the agent does not own "
	    "and never changes.", AGENT_METRIC_GAUGE, NULL, c_value,
	    &sn->vs_foreign);
	add(o, "ipvsagent_netlink_operations_total",
	    "IPVS changes sent over netlink, by operation and result (error: "
	    "the kernel refused it).", AGENT_METRIC_COUNTER,
	    "operation,result", c_ops, a);
	add(o, "ipvsagent_netlink_requests_total",
	    "Netlink requests sent to IPVS, changes and dumps.",
	    AGENT_METRIC_COUNTER, NULL, c_value, &sn->nl_requests);
	add(o, "ipvsagent_verifications_total",
	    "Verifications: the kernel's IPVS table dumped and compared with "
	    "the desired state.", AGENT_METRIC_COUNTER, NULL, c_value,
	    &sn->verifies);
	add(o, "ipvsagent_repairs_total",
	    "Operations verifications applied to repair drift, by operation.",
	    AGENT_METRIC_COUNTER, "operation", c_repairs, a);
}

static void add_api(struct own *o, struct agent *a)
{
	static struct api_field lists, relists, errors;

	lists = (struct api_field){ a, offsetof(struct k8s_reflector_stats, lists) };
	relists = (struct api_field){ a, offsetof(struct k8s_reflector_stats, relists) };
	errors = (struct api_field){ a, offsetof(struct k8s_reflector_stats, errors) };
	add(o, "ipvsagent_api_watch_events_total",
	    "Watch events from the API server, by resource and type.",
	    AGENT_METRIC_COUNTER, "resource,type", c_api_events, a);
	add(o, "ipvsagent_api_lists_total",
	    "Complete lists from the API server, by resource (the first and "
	    "every relist).", AGENT_METRIC_COUNTER, "resource", c_api_field,
	    &lists);
	add(o, "ipvsagent_api_relists_total",
	    "Lists after the first, by resource: the watch expired (410) or "
	    "failed.", AGENT_METRIC_COUNTER, "resource", c_api_field, &relists);
	add(o, "ipvsagent_api_errors_total",
	    "Failed API requests and broken watch streams, by resource.",
	    AGENT_METRIC_COUNTER, "resource", c_api_field, &errors);
	add(o, "ipvsagent_api_watch_state",
	    "1 for the state each resource's list and watch is in.",
	    AGENT_METRIC_GAUGE, "resource,state", c_api_state, a);
	add(o, "ipvsagent_objects_rejected_total",
	    "Objects or parts left out, by reason: decode (the decoder refused "
	    "an object), bad_line (a watch line that is no event), oversized "
	    "(a watch line too long), translate (a Service left out whole), "
	    "conflict (a virtual server another Service holds).",
	    AGENT_METRIC_COUNTER, "reason", c_rejected, a);
	add(o, "ipvsagent_file_reads_total",
	    "Reads of --services-file, by result (error: the last good state "
	    "stays).", AGENT_METRIC_COUNTER, "result", c_file_reads, a);
}

#define VS_LABELS "namespace,service,port_name,vip,port,protocol"

static void add_traffic(struct own *o, struct agent *a,
			const struct agent_metrics_traffic *t)
{
	add(o, "ipvsagent_service_connections_total",
	    "Connections IPVS scheduled to the virtual server since it was "
	    "created.", AGENT_METRIC_COUNTER, VS_LABELS,
	    agent_metrics_traffic_conns, a);
	add(o, "ipvsagent_service_packets_total",
	    "Packets through the virtual server since it was created, by "
	    "direction.", AGENT_METRIC_COUNTER, VS_LABELS ",direction",
	    agent_metrics_traffic_packets, a);
	add(o, "ipvsagent_service_bytes_total",
	    "Bytes through the virtual server since it was created, by "
	    "direction.", AGENT_METRIC_COUNTER, VS_LABELS ",direction",
	    agent_metrics_traffic_bytes, a);
	add(o, "ipvsagent_service_traffic_read_seconds",
	    "How long the last read of the IPVS traffic counters took (at most "
	    "one read per 5 s; verifications refresh them too).",
	    AGENT_METRIC_GAUGE, NULL, c_value, &t->read_seconds);
}

int agent_metrics_add_own(struct agent_metrics *reg, struct agent *a,
			  const struct agent_metrics_snapshot *snap,
			  const struct agent_metrics_traffic *t,
			  struct agent_metrics_family **verify_seconds)
{
	struct own o = { reg, 0 };
	double b[15];

	add_ipvs(&o, a, snap);
	agent_metrics_exp_buckets(b, 0.001, 2, 15);
	*verify_seconds = agent_metrics_add_histogram(
		reg, "ipvsagent_verification_duration_seconds",
		"Time a verification took to dump the kernel's IPVS table and "
		"compare it with the desired state.", NULL, b, 15);
	if (!*verify_seconds)
		o.failed = 1;
	add_api(&o, a);
	add_traffic(&o, a, t);
	return o.failed ? -1 : 0;
}
