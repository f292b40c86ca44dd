/*
 * agent/health.c - kube-proxy's health model and its JSON body.
 */
#include "health.h"

#include <sys/socket.h>

#include "agent.h"

void agent_health_get(const struct agent *a, double now, struct agent_health *h)
{
	const struct agent_sync_stats *st = &a->sync.stats;
	const struct k8s_node *n = a->store ? k8s_store_node(a->store) : NULL;
	double start = a->started ? a->started : a->sync.started;

	h->now = now;
	h->timeout = 2 * a->opt->sync_period;
	h->oldest_unapplied = st->oldest_unapplied;
	/* kube-proxy counts its start as an update. */
	h->last_updated = st->last_applied > start ? st->last_applied : start;
	h->healthy = !h->oldest_unapplied ||
		     now - h->oldest_unapplied < h->timeout;
	if (n)
		h->node_eligible = !n->meta.deleting && !n->to_be_deleted;
	else
		h->node_eligible = !a->use_api;
}

struct fam_scan {
	int v4, v6;    /* seen */
};

static int scan_one(struct ipvs_state_service *ss, void *arg)
{
	struct fam_scan *f = arg;

	if (ipvs_state_service_conf(ss)->key.af == AF_INET6)
		f->v6 = 1;
	else
		f->v4 = 1;
	return f->v4 && f->v6;   /* both seen: stop */
}

size_t agent_ip_families(const struct agent *a, const char *out[2])
{
	struct fam_scan f = { 0, 0 };
	size_t n = 0;

	if (a->desired.want)
		ipvs_state_foreach(a->desired.want, scan_one, &f);
	if (f.v4 || !f.v6)
		out[n++] = "IPv4";
	if (f.v6)
		out[n++] = "IPv6";
	return n;
}

int agent_health_json(const struct agent_health *h, const char *const *fams,
		      size_t nfams, int with_node, struct agent_buf *b)
{
	int ok = h->healthy && (!with_node || h->node_eligible);
	char t[64];
	size_t i;

	agent_buf_printf(b, "{\"lastUpdated\":\"%s\",",
			 agent_fmt_time(ok ? h->now : h->last_updated, t, sizeof(t)));
	agent_buf_printf(b, "\"currentTime\":\"%s\",",
			 agent_fmt_time(h->now, t, sizeof(t)));
	if (with_node)
		agent_buf_printf(b, "\"nodeEligible\":%s,",
				 h->node_eligible ? "true" : "false");
	agent_buf_printf(b, "\"healthy\":%s", h->healthy ? "true" : "false");
	if (nfams)
		agent_buf_puts(b, ",\"status\":{");
	for (i = 0; i < nfams; i++)
		agent_buf_printf(b, "%s\"%s\":{\"lastUpdated\":\"%s\",\"healthy\":%s}",
				 i ? "," : "", fams[i],
				 agent_fmt_time(h->last_updated, t, sizeof(t)),
				 h->healthy ? "true" : "false");
	agent_buf_puts(b, nfams ? "}}" : "}");
	return ok ? 200 : 503;
}
