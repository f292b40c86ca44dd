/*
 * agent/status.c - the /status document: health, sync, node, source,
 * counts, errors.  The Services are status_services.c.
 */
#include "status.h"

#include <sys/socket.h>

#include "agent.h"
#include "health.h"
#include "log.h"
#include "status_int.h"
#include "version.h"

/* "name": value pairs, each after a comma unless first. */
static void key(struct agent_buf *b, int *first, const char *name)
{
	agent_buf_printf(b, "%s\"%s\":", *first ? "" : ",", name);
	*first = 0;
}

static void num(struct agent_buf *b, int *first, const char *name, double v)
{
	key(b, first, name);
	agent_buf_json_num(b, v);
}

/* A time, or null when it never happened (0). */
static void when(struct agent_buf *b, int *first, const char *name, double t)
{
	key(b, first, name);
	if (t > 0)
		agent_buf_json_num(b, t);
	else
		agent_buf_puts(b, "null");
}

static void boolean(struct agent_buf *b, int *first, const char *name, int v)
{
	key(b, first, name);
	agent_buf_puts(b, v ? "true" : "false");
}

static void str(struct agent_buf *b, int *first, const char *name,
		const char *s)
{
	key(b, first, name);
	agent_buf_json_str(b, s);
}

static void sync_part(struct agent_buf *b, const struct agent *a,
		      const struct agent_health *h)
{
	const struct agent_sync *s = &a->sync;
	const struct agent_sync_stats *st = &s->stats;
	uint64_t repairs = 0;
	int first = 1;
	size_t k;

	for (k = 0; k < 6; k++)
		repairs += st->repairs[k];
	agent_buf_puts(b, ",\"sync\":{");
	boolean(b, &first, "healthy", h->healthy);
	boolean(b, &first, "ready", s->ready);
	boolean(b, &first, "busy", s->busy);
	num(b, &first, "timeoutSeconds", h->timeout);
	when(b, &first, "oldestUnappliedChange", h->oldest_unapplied);
	when(b, &first, "lastApplied", st->last_applied);
	when(b, &first, "lastSync", st->last_sync);
	num(b, &first, "lastSyncDurationSeconds", st->last_sync_duration);
	when(b, &first, "lastVerify", st->last_verify);
	num(b, &first, "lastVerifyDurationSeconds", st->last_verify_duration);
	num(b, &first, "syncs", (double)st->syncs);
	num(b, &first, "verifications", (double)st->verifies);
	num(b, &first, "operationErrors", (double)st->op_errors);
	num(b, &first, "repairs", (double)repairs);
	num(b, &first, "pendingKeys",
	    s->pending ? (double)ipvs_state_nservices(s->pending) : 0);
	num(b, &first, "retryKeys",
	    s->retry ? (double)ipvs_state_nservices(s->retry) : 0);
	agent_buf_putc(b, '}');
}

static void node_part(struct agent_buf *b, const struct agent *a,
		      const struct agent_health *h)
{
	const struct k8s_node *n = a->store ? k8s_store_node(a->store) : NULL;
	int first = 1;

	agent_buf_puts(b, ",\"nodeStatus\":{");
	str(b, &first, "name", a->opt->hostname);
	boolean(b, &first, "known", n != NULL);
	boolean(b, &first, "eligible", h->node_eligible);
	boolean(b, &first, "deleting", n && n->meta.deleting);
	boolean(b, &first, "toBeDeleted", n && n->to_be_deleted);
	str(b, &first, "zone", n ? n->zone : NULL);
	agent_buf_putc(b, '}');
}

static void file_part(struct agent_buf *b, const struct agent *a)
{
	int first = 1;

	agent_buf_puts(b, ",\"source\":{");
	str(b, &first, "kind", "file");
	str(b, &first, "path", a->opt->services_file);
	num(b, &first, "reads", (double)a->file.loads);
	num(b, &first, "readErrors", (double)a->file.errors);
	num(b, &first, "rejected", (double)a->file.rejected);
	agent_buf_putc(b, '}');
}

static void reflector_part(struct agent_buf *b, enum k8s_resource res,
			   const struct k8s_reflector *r)
{
	const struct k8s_reflector_stats *st = k8s_reflector_stats(r);
	int first = 1;

	agent_buf_putc(b, '{');
	str(b, &first, "resource", k8s_resource_name(res));
	str(b, &first, "state", k8s_reflector_state_name(k8s_reflector_state(r)));
	boolean(b, &first, "synced", k8s_reflector_synced(r));
	str(b, &first, "resourceVersion", k8s_reflector_rv(r));
	str(b, &first, "lastError", k8s_reflector_last_error(r));
	when(b, &first, "lastEvent", k8s_reflector_last_event(r));
	num(b, &first, "events", (double)(st->added + st->modified + st->deleted));
	num(b, &first, "lists", (double)st->lists);
	num(b, &first, "relists", (double)st->relists);
	num(b, &first, "errors", (double)st->errors);
	agent_buf_putc(b, '}');
}

static void api_part(struct agent_buf *b, const struct agent *a)
{
	int first = 1, res, n = 0;

	agent_buf_puts(b, ",\"source\":{");
	str(b, &first, "kind", "api");
	boolean(b, &first, "ready", a->api.ready);
	num(b, &first, "rejected", (double)a->api.rejected);
	agent_buf_puts(b, ",\"resources\":[");
	for (res = 0; res < K8S_RES_COUNT; res++) {
		if (!a->api.refl[res])
			continue;
		if (n++)
			agent_buf_putc(b, ',');
		reflector_part(b, res, a->api.refl[res]);
	}
	agent_buf_puts(b, "]}");
}

static void counts_part(struct agent_buf *b, const struct agent *a)
{
	struct agent_status_counts c;
	int first = 1;

	agent_status_count(a, &c);
	agent_buf_puts(b, ",\"counts\":{");
	num(b, &first, "services", a->store ? (double)k8s_store_nservices(a->store) : 0);
	num(b, &first, "endpointSlices",
	    a->store ? (double)k8s_store_nslices(a->store) : 0);
	num(b, &first, "servicesProgrammed", (double)a->desired.contribs.n);
	num(b, &first, "virtualServers", c.vs_owned);
	num(b, &first, "realServers", c.rs_owned);
	num(b, &first, "draining", (double)a->sync.ndrains);
	num(b, &first, "foreignVirtualServers", c.vs_foreign);
	agent_buf_putc(b, '}');
}

struct errors_out {
	struct agent_buf *b; /* the document */
	int n;               /* entries written */
};

static void error_one(void *arg, const struct agent_log_entry *e)
{
	struct errors_out *o = arg;
	char level[2] = { e->level, '\0' };
	int first = 1;

	agent_buf_puts(o->b, o->n++ ? ",{" : "{");
	when(o->b, &first, "time", e->time);
	str(o->b, &first, "level", level);
	str(o->b, &first, "message", e->msg);
	agent_buf_putc(o->b, '}');
}

int agent_status_json(const struct agent *a, double now, const char *only,
		      struct agent_buf *b)
{
	struct errors_out eo = { b, 0 };
	struct agent_health h;
	int first = 1, r;

	agent_health_get(a, now, &h);
	agent_buf_putc(b, '{');
	str(b, &first, "version", IPVSAGENT_VERSION);
	str(b, &first, "node", a->opt->hostname);
	when(b, &first, "time", now);
	boolean(b, &first, "healthy", h.healthy);
	sync_part(b, a, &h);
	node_part(b, a, &h);
	if (a->use_api)
		api_part(b, a);
	else
		file_part(b, a);
	counts_part(b, a);
	r = agent_status_services(b, a, only);
	agent_buf_puts(b, ",\"errors\":[");
	agent_log_recent(error_one, &eo);
	agent_buf_puts(b, "]}\n");
	return r;
}
