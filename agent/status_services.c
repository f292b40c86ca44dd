/*
 * agent/status_services.c - the Services of /status, each with its
 * virtual servers and their real servers, sorted by namespace/name.
 */
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "status_int.h"

static const char *kind_name(enum agent_vs_kind k)
{
	switch (k) {
	case AGENT_VS_CLUSTER_IP: return "ClusterIP";
	case AGENT_VS_EXTERNAL_IP: return "ExternalIP";
	case AGENT_VS_LOAD_BALANCER: return "LoadBalancer";
	case AGENT_VS_NODE_PORT: return "NodePort";
	}
	return "?";
}

struct count_walk {
	const struct agent *a;            /* whose ownership record */
	struct agent_status_counts *c;    /* the counts being made */
};

static int count_one(struct ipvs_state_service *ss, void *arg)
{
	struct count_walk *w = arg;

	if (agent_owner_has(&w->a->owner, &ipvs_state_service_conf(ss)->key)) {
		w->c->vs_owned++;
		w->c->rs_owned += (double)ipvs_state_service_ndests(ss);
	} else {
		w->c->vs_foreign++;
	}
	return 0;
}

void agent_status_count(const struct agent *a, struct agent_status_counts *c)
{
	struct count_walk w = { a, c };

	memset(c, 0, sizeof(*c));
	if (a->sync.have)
		ipvs_state_foreach(a->sync.have, count_one, &w);
}

/* --- one virtual server -------------------------------------------------- */

/* A real server of ours with weight 0 that the sync is draining. */
static int draining(const struct agent_sync *s, const struct ipvs_service_key *k,
		    const struct ipvs_dest *d)
{
	size_t i;

	if (d->weight != 0)
		return 0;
	for (i = 0; i < s->ndrains; i++)
		if (!ipvs_service_key_cmp(&s->drains[i].key, k) &&
		    !ipvs_dest_key_cmp(&s->drains[i].dest, d))
			return 1;
	return 0;
}

struct rs_list {
	const struct ipvs_state_dest **v;   /* a virtual server's real servers */
	size_t n;                           /* how many */
};

static int rs_collect(struct ipvs_state_dest *sd, void *arg)
{
	struct rs_list *l = arg;

	l->v[l->n++] = sd;
	return 0;
}

static int rs_cmp(const void *x, const void *y)
{
	return ipvs_dest_key_cmp(&(*(const struct ipvs_state_dest *const *)x)->conf,
				 &(*(const struct ipvs_state_dest *const *)y)->conf);
}

static void rs_one(struct agent_buf *b, const struct agent_sync *s,
		   const struct ipvs_service_key *k,
		   const struct ipvs_state_dest *sd, int n)
{
	char ip[64];

	ipvs_addr_fmt(sd->conf.af, &sd->conf.addr, ip, sizeof(ip));
	agent_buf_puts(b, n ? ",{\"ip\":" : "{\"ip\":");
	agent_buf_json_str(b, ip);
	agent_buf_printf(b, ",\"port\":%u,\"weight\":%d,\"activeConns\":%u,"
			 "\"inactiveConns\":%u,\"draining\":%s}",
			 sd->conf.port, sd->conf.weight, sd->conns.active,
			 sd->conns.inactive,
			 draining(s, k, &sd->conf) ? "true" : "false");
}

/* The real servers of @ss by address, as a person looks for them. */
static void rs_all(struct agent_buf *b, const struct agent_sync *s,
		   const struct ipvs_service_key *k, struct ipvs_state_service *ss)
{
	struct rs_list l = { NULL, 0 };
	size_t i, n = ipvs_state_service_ndests(ss);

	if (!n)
		return;
	if (!(l.v = malloc(n * sizeof(*l.v)))) {
		b->oom = 1;
		return;
	}
	ipvs_state_dest_foreach(ss, rs_collect, &l);
	qsort(l.v, l.n, sizeof(*l.v), rs_cmp);
	for (i = 0; i < l.n; i++)
		rs_one(b, s, k, l.v[i], (int)i);
	free(l.v);
}

/* "applied", "pending" or "foreign"; the state whose real servers to
 * show goes to @show. */
static const char *vs_state(const struct agent *a, const struct ipvs_service_key *k,
			    struct ipvs_state_service *ws,
			    struct ipvs_state_service **show)
{
	struct ipvs_state_service *hs = ipvs_state_find(a->sync.have, k);

	*show = ws;
	if (!hs)
		return "pending";
	if (!agent_owner_has(&a->owner, k))
		return "foreign";
	*show = hs;
	return ws && ipvs_service_conf_equal(ipvs_state_service_conf(hs),
					     ipvs_state_service_conf(ws))
		       ? "applied" : "pending";
}

static void vs_one(struct agent_buf *b, const struct agent *a,
		   const struct agent_contrib_vs *vs, int n)
{
	struct ipvs_state_service *ws = ipvs_state_find(a->desired.want, &vs->key);
	struct ipvs_state_service *show;
	const struct ipvs_service *conf;
	const char *state = vs_state(a, &vs->key, ws, &show);
	char vip[64];

	conf = ws ? ipvs_state_service_conf(ws) : NULL;
	ipvs_addr_fmt(vs->key.af, &vs->key.addr, vip, sizeof(vip));
	agent_buf_printf(b, "%s{\"kind\":\"%s\",\"protocol\":\"%s\",\"vip\":",
			 n ? "," : "", kind_name(vs->kind),
			 ipvs_proto_name(vs->key.protocol));
	agent_buf_json_str(b, vip);
	agent_buf_printf(b, ",\"port\":%u,\"portName\":", vs->key.port);
	agent_buf_json_str(b, vs->port_name ? vs->port_name : "");
	agent_buf_puts(b, ",\"scheduler\":");
	agent_buf_json_str(b, conf ? conf->sched : NULL);
	agent_buf_printf(b, ",\"persistenceSeconds\":%u,\"state\":\"%s\","
			 "\"localOnly\":%s,\"realServers\":[",
			 conf && (conf->flags & IPVS_SVC_F_PERSISTENT) ? conf->timeout : 0,
			 state, vs->local_only ? "true" : "false");
	if (show)
		rs_all(b, &a->sync, &vs->key, show);
	agent_buf_puts(b, "]}");
}

/* --- Services ------------------------------------------------------------- */

static void service_one(struct agent_buf *b, const struct agent *a,
			const struct agent_contrib *c, int n)
{
	size_t i;

	agent_buf_puts(b, n ? ",{\"namespace\":" : "{\"namespace\":");
	agent_buf_json_str(b, c->ns);
	agent_buf_puts(b, ",\"name\":");
	agent_buf_json_str(b, c->name);
	agent_buf_puts(b, ",\"virtualServers\":[");
	for (i = 0; i < c->n; i++)
		vs_one(b, a, &c->vs[i], (int)i);
	agent_buf_puts(b, "]}");
}

struct contrib_list {
	const struct agent_contrib **v;     /* every translated Service */
	size_t n;                           /* how many */
};

static void collect(const char *key, void *value, void *arg)
{
	struct contrib_list *l = arg;

	(void)key;
	l->v[l->n++] = value;
}

static int by_name(const void *x, const void *y)
{
	const struct agent_contrib *a = *(const struct agent_contrib *const *)x;
	const struct agent_contrib *b = *(const struct agent_contrib *const *)y;
	int c = strcmp(a->ns, b->ns);

	return c ? c : strcmp(a->name, b->name);
}

int agent_status_services(struct agent_buf *b, const struct agent *a,
			  const char *only)
{
	struct contrib_list l = { NULL, 0 };
	const struct agent_contrib *one;
	size_t i;

	agent_buf_puts(b, ",\"services\":[");
	if (only) {
		one = strmap_get(&a->desired.contribs, only);
		if (one)
			service_one(b, a, one, 0);
		agent_buf_putc(b, ']');
		return one ? 0 : 1;
	}
	l.v = malloc((a->desired.contribs.n ? a->desired.contribs.n : 1) *
		     sizeof(*l.v));
	if (!l.v) {
		b->oom = 1;
		return 0;
	}
	strmap_foreach(&a->desired.contribs, collect, &l);
	qsort(l.v, l.n, sizeof(*l.v), by_name);
	for (i = 0; i < l.n; i++)
		service_one(b, a, l.v[i], (int)i);
	free(l.v);
	agent_buf_putc(b, ']');
	return 0;
}
