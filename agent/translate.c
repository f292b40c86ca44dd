/*
 * agent/translate.c - Services and EndpointSlices to IPVS virtual services.
 *
 * Cost: O(E log E) per service port and family for E endpoints (sorted
 * once to merge slices and drop duplicates).  Called for the Services that
 * changed only, so a sync costs in proportion to the change.
 */
#include "translate.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static const char *const schedulers[] = {
	"rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq",
	"fo", "ovf", "mh", "twos",
};

int agent_scheduler_known(const char *name)
{
	size_t i;

	for (i = 0; name && i < sizeof(schedulers) / sizeof(*schedulers); i++)
		if (strcmp(name, schedulers[i]) == 0)
			return 1;
	return 0;
}

int agent_service_skipped(const struct k8s_service *svc)
{
	return svc->headless || svc->type == K8S_SVC_EXTERNAL_NAME ||
	       k8s_kvs_get(&svc->meta.labels,
			   "service.kubernetes.io/service-proxy-name") != NULL;
}

void agent_translation_init(struct agent_translation *t)
{
	memset(t, 0, sizeof(*t));
}

void agent_translation_clear(struct agent_translation *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->v[i].dests);
	t->n = 0;
}

void agent_translation_fini(struct agent_translation *t)
{
	agent_translation_clear(t);
	free(t->v);
	agent_translation_init(t);
}

/* --- endpoints --------------------------------------------------------- */

/* An endpoint of one service port, with what CategorizeEndpoints needs. */
struct cand {
	struct ipvs_dest dest;
	const struct k8s_endpoint *ep;
	int local;
};

struct cands {
	struct cand *v;
	size_t n, cap;
};

static int cands_push(struct cands *c, const struct cand *x)
{
	struct cand *p;

	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 16;
		p = realloc(c->v, c->cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		c->v = p;
	}
	c->v[c->n++] = *x;
	return 0;
}

static const struct k8s_endpoint_port *
slice_port(const struct k8s_endpointslice *es, const struct k8s_service_port *sp)
{
	size_t i;

	for (i = 0; i < es->nports; i++)
		if (es->ports[i].protocol == sp->protocol &&
		    strcmp(es->ports[i].name, sp->name) == 0)
			return es->ports[i].port ? &es->ports[i] : NULL;
	return NULL;
}

static int cand_cmp(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	return ipvs_dest_key_cmp(&x->dest, &y->dest);
}

/* Every endpoint of @sp in family @af, merged over slices, deduplicated
 * by IP:port (a ready copy wins over a not-ready one). */
static int collect(const struct agent_translate_conf *conf, int af,
		   const struct k8s_service_port *sp,
		   const struct k8s_endpointslice *const *slices, size_t nslices,
		   struct cands *out)
{
	const struct k8s_endpoint_port *ep_port;
	const struct k8s_endpoint *ep;
	struct cand c;
	size_t i, j, k;
	int eaf;

	for (i = 0; i < nslices; i++) {
		if (slices[i]->af != af || !(ep_port = slice_port(slices[i], sp)))
			continue;
		for (j = 0; j < slices[i]->nendpoints; j++) {
			ep = &slices[i]->endpoints[j];
			memset(&c, 0, sizeof(c));
			ipvs_dest_init(&c.dest);
			/* kube-proxy uses the first address only. */
			if (!ep->naddresses ||
			    ipvs_addr_parse(ep->addresses[0], &eaf, &c.dest.addr) ||
			    eaf != af)
				continue;
			c.dest.af = (uint16_t)af;
			c.dest.port = ep_port->port;
			c.ep = ep;
			c.local = ep->node_name && conf->node_name &&
				  strcmp(ep->node_name, conf->node_name) == 0;
			if (cands_push(out, &c))
				return -ENOMEM;
		}
	}
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(*out->v), cand_cmp);
	for (i = 0, k = 0; i < out->n; i++) {
		if (k && cand_cmp(&out->v[k - 1], &out->v[i]) == 0) {
			if (out->v[i].ep->ready && !out->v[k - 1].ep->ready)
				out->v[k - 1] = out->v[i];
			continue;
		}
		out->v[k++] = out->v[i];
	}
	out->n = k;
	return 0;
}

static int has_zone(const struct k8s_endpoint *ep, const char *zone)
{
	size_t i;

	for (i = 0; i < ep->nhint_zones; i++)
		if (strcmp(ep->hint_zones[i], zone) == 0)
			return 1;
	return 0;
}

/* Topology hints apply when this node has a zone, every ready endpoint
 * has hints, and at least one of them is for our zone. */
static int use_topology(const struct agent_translate_conf *conf,
			const struct cands *c)
{
	size_t i, ready = 0, mine = 0;

	if (!conf->node_zone || !conf->node_zone[0])
		return 0;
	for (i = 0; i < c->n; i++) {
		if (!c->v[i].ep->ready)
			continue;
		/* kube-proxy: an empty forZones counts as no hints. */
		if (!c->v[i].ep->nhint_zones)
			return 0;
		ready++;
		mine += has_zone(c->v[i].ep, conf->node_zone);
	}
	return ready && mine;
}

enum pick {
	PICK_CLUSTER,
	PICK_LOCAL,
};

/* Does endpoint @x belong in the set, in the pass that takes ready ones
 * (@ready) or the fallback pass (serving and terminating)? */
static int wanted(const struct cand *x, int ready, enum pick pick, int topo,
		  const char *zone)
{
	const struct k8s_endpoint *ep = x->ep;

	if (pick == PICK_LOCAL && !x->local)
		return 0;
	if (!ready)
		return ep->serving && ep->terminating;
	if (!ep->ready)
		return 0;
	return !topo || has_zone(ep, zone);
}

/* CategorizeEndpoints: the ready set, else serving-and-terminating. */
static int pick_dests(const struct agent_translate_conf *conf,
		      const struct cands *c, enum pick pick,
		      struct ipvs_dest **out, size_t *n)
{
	int topo = pick == PICK_CLUSTER && use_topology(conf, c);
	int pass;
	size_t i;

	*out = NULL;
	*n = 0;
	if (!c->n)
		return 0;
	*out = malloc(c->n * sizeof(**out));
	if (!*out)
		return -ENOMEM;
	for (pass = 1; pass >= 0 && *n == 0; pass--)
		for (i = 0; i < c->n; i++)
			if (wanted(&c->v[i], pass, pick, topo, conf->node_zone))
				(*out)[(*n)++] = c->v[i].dest;
	return 0;
}

/* --- virtual services -------------------------------------------------- */

struct vs_ctx {
	const struct agent_translate_conf *conf;
	const struct k8s_service *svc;
	const struct k8s_service_port *sp;
	const char *sched;
	struct agent_translation *out;
	const struct cands *cands;   /* this port's endpoints, this family */
};

static struct agent_vs *vs_push(struct agent_translation *t)
{
	struct agent_vs *p;

	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 8;
		p = realloc(t->v, t->cap * sizeof(*p));
		if (!p)
			return NULL;
		t->v = p;
	}
	p = &t->v[t->n++];
	memset(p, 0, sizeof(*p));
	return p;
}

static int vs_add(struct vs_ctx *x, int af, const union ipvs_addr *addr,
		  uint16_t port, enum agent_vs_kind kind, int local_policy)
{
	struct agent_vs *vs = vs_push(x->out);
	struct ipvs_service *s;

	if (!vs)
		return -ENOMEM;
	s = &vs->conf;
	ipvs_service_init(s);
	ipvs_service_key_init(&s->key, af, x->sp->protocol, addr, port);
	snprintf(s->sched, sizeof(s->sched), "%s", x->sched);
	s->netmask = af == AF_INET6 ? 128 : 0xffffffff;
	if (x->svc->affinity_client_ip) {
		s->flags |= IPVS_SVC_F_PERSISTENT;
		s->timeout = x->svc->affinity_timeout;
	}
	vs->kind = kind;
	vs->bind = kind != AGENT_VS_NODE_PORT;
	vs->port_name = x->sp->name;
	if (pick_dests(x->conf, x->cands, local_policy ? PICK_LOCAL : PICK_CLUSTER,
		       &vs->dests, &vs->ndests))
		return -ENOMEM;
	vs->local_only = local_policy && vs->ndests == 0;
	return 0;
}

/* The VIPs of one list (clusterIPs, externalIPs, LB IPs) in family @af. */
static int vs_add_ips(struct vs_ctx *x, int af, char *const *ips, size_t n,
		      enum agent_vs_kind kind, int local_policy)
{
	union ipvs_addr addr;
	size_t i;
	int iaf, r;

	for (i = 0; i < n; i++) {
		if (ipvs_addr_parse(ips[i], &iaf, &addr) || iaf != af)
			continue;
		if ((r = vs_add(x, af, &addr, x->sp->port, kind, local_policy)))
			return r;
	}
	return 0;
}

static int has_node_port(const struct k8s_service *svc,
			 const struct k8s_service_port *sp)
{
	return sp->node_port && (svc->type == K8S_SVC_NODE_PORT ||
				 svc->type == K8S_SVC_LOAD_BALANCER);
}

/* Every virtual service of one port in one family. */
static int translate_family(struct vs_ctx *x, int af)
{
	const struct k8s_service *svc = x->svc;
	const struct agent_translate_conf *conf = x->conf;
	size_t i;
	int r;

	if ((r = vs_add_ips(x, af, svc->cluster_ips, svc->ncluster_ips,
			    AGENT_VS_CLUSTER_IP, svc->internal_local)) ||
	    (r = vs_add_ips(x, af, svc->external_ips, svc->nexternal_ips,
			    AGENT_VS_EXTERNAL_IP, svc->external_local)) ||
	    (r = vs_add_ips(x, af, svc->lb_ips, svc->nlb_ips,
			    AGENT_VS_LOAD_BALANCER, svc->external_local)))
		return r;
	if (!has_node_port(svc, x->sp))
		return 0;
	for (i = 0; i < conf->nnode_addrs; i++)
		if (conf->node_addrs[i].af == af &&
		    (r = vs_add(x, af, &conf->node_addrs[i].addr,
				x->sp->node_port, AGENT_VS_NODE_PORT,
				svc->external_local)))
			return r;
	return 0;
}

/* kube-proxy runs one proxier per IP family, and each skips the Services
 * with no clusterIP of its family: a single-stack Service gets no node
 * ports, external or load-balancer IPs in the other family. */
static int has_family(const struct k8s_service *svc, int af)
{
	union ipvs_addr addr;
	size_t i;
	int iaf;

	for (i = 0; i < svc->ncluster_ips; i++)
		if (!ipvs_addr_parse(svc->cluster_ips[i], &iaf, &addr) && iaf == af)
			return 1;
	return 0;
}

static const char *pick_scheduler(const struct agent_translate_conf *conf,
				  const struct k8s_service *svc)
{
	const char *s = k8s_kvs_get(&svc->meta.annotations,
				    AGENT_ANNOTATION_SCHEDULER);

	if (!s)
		s = k8s_kvs_get(&svc->meta.annotations,
				AGENT_ANNOTATION_KUBE_ROUTER);
	return s ? s : conf->scheduler;
}

int agent_translate(const struct agent_translate_conf *conf,
		    const struct k8s_service *svc,
		    const struct k8s_endpointslice *const *slices, size_t nslices,
		    struct agent_translation *out,
		    const struct agent_translate_log *log)
{
	static const int families[] = { AF_INET, AF_INET6 };
	struct vs_ctx x = { .conf = conf, .svc = svc, .out = out };
	struct cands c = { 0 };
	char why[96];
	size_t i, f;
	int r = 0;

	if (agent_service_skipped(svc))
		return 0;
	x.sched = pick_scheduler(conf, svc);
	if (!agent_scheduler_known(x.sched)) {
		snprintf(why, sizeof(why), "unknown IPVS scheduler \"%.40s\"",
			 x.sched);
		if (log && log->warn)
			log->warn(log->arg, svc->meta.ns, svc->meta.name, why);
		return -EINVAL;
	}
	x.cands = &c;
	for (i = 0; i < svc->nports && !r; i++) {
		x.sp = &svc->ports[i];
		for (f = 0; f < 2 && !r; f++) {
			if (!has_family(svc, families[f]))
				continue;
			c.n = 0;
			r = collect(conf, families[f], x.sp, slices, nslices, &c);
			if (!r)
				r = translate_family(&x, families[f]);
		}
	}
	free(c.v);
	return r;
}
