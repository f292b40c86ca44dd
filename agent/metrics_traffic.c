/*
 * agent/metrics_traffic.c - per-virtual-server traffic from the kernel's
 * IPVS counters: connections, packets and bytes in and out, labelled with
 * the Service (namespace, service, port_name) and the virtual server
 * (vip, port, protocol).  --metrics-service-traffic=false turns it off
 * for clusters where 10,000 Services x 5 series is too much to scrape.
 *
 * Where the numbers come from: the cache of the kernel (sync's `have`)
 * keeps each service's counters; a verification's dump refreshes them
 * every --ipvs-sync-period.  A scrape refreshes them too, with a
 * services-only dump (nl_ipvs_dump_services: one request, no real
 * server), when they are older than AGENT_METRICS_TRAFFIC_MAX_AGE and the
 * netlink socket is idle.  Only the counters are written into `have`,
 * never a configuration, so the sync's view is not disturbed.
 *
 * Cost of that dump, which blocks the loop while it runs: the kernel
 * sends ~130 services per 32 KiB read and restarts its walk for every
 * chunk, so 10,000 services are ~80 reads and ~10,000 messages parsed:
 * measured 45-100 ms under User-Mode Linux (whose system calls are slow;
 * the ipvsagent_service_traffic_read_seconds gauge shows it live).  Hence
 * the age limit: a 1 s scrape interval costs at most one dump per 5 s.
 * While a batch is in flight the socket is busy and the cached counters
 * are served.  The series themselves: 5 per virtual server, 7.2 MB of
 * text and ~0.25 s of the loop per scrape at 10,000 virtual servers
 * under UML (10 kB and ~8 ms with the flag off).
 */
#include <stdio.h>
#include <string.h>

#include "agent.h"
#include "metrics_agent.h"
#include "metrics_int.h"

void agent_metrics_traffic_refresh(struct agent *a, struct agent_metrics_traffic *t)
{
	struct ipvs_state_service *ss;
	struct ipvs_table tab;
	double now = ev_time(), t0;
	size_t i;

	if (!a->opt->metrics_service_traffic || !a->nl || a->sync.busy ||
	    now - t->read_at < AGENT_METRICS_TRAFFIC_MAX_AGE ||
	    now - a->sync.stats.last_verify < AGENT_METRICS_TRAFFIC_MAX_AGE)
		return;
	t0 = now;
	ipvs_table_init(&tab);
	if (nl_ipvs_dump_services(a->nl, &tab) == 0)
		for (i = 0; i < tab.nsvcs; i++)
			if ((ss = ipvs_state_find(a->sync.have, &tab.svcs[i].conf.key)))
				*ipvs_state_service_stats(ss) = tab.svcs[i].stats;
	ipvs_table_fini(&tab);
	t->read_at = ev_time();
	t->read_seconds = t->read_at - t0;
}

/* The labels of one virtual server, and which counter to emit. */
struct traffic_walk {
	struct agent *a;               /* whose state is read */
	struct agent_metrics_out *out; /* where the samples go */
	int what;                      /* 0 connections, 1 packets, 2 bytes */
};

static void emit_vs(struct traffic_walk *w, const struct agent_contrib *c,
		    const struct agent_contrib_vs *vs, const struct ipvs_stats *st)
{
	char vip[64], port[8];
	const char *v[7] = { c->ns, c->name, vs->port_name ? vs->port_name : "",
			     vip, port, ipvs_proto_name(vs->key.protocol), "in" };

	ipvs_addr_fmt(vs->key.af, &vs->key.addr, vip, sizeof(vip));
	snprintf(port, sizeof(port), "%u", vs->key.port);
	if (w->what == 0) {
		agent_metrics_emit(w->out, v, (double)st->conns);
		return;
	}
	agent_metrics_emit(w->out, v, (double)(w->what == 1 ? st->inpkts : st->inbytes));
	v[6] = "out";
	agent_metrics_emit(w->out, v, (double)(w->what == 1 ? st->outpkts : st->outbytes));
}

/* Every virtual server a Service holds that the kernel has and we own. */
static void walk_contrib(const char *key, void *value, void *arg)
{
	struct traffic_walk *w = arg;
	const struct agent_contrib *c = value;
	struct ipvs_state_service *ss;
	size_t i;

	(void)key;
	for (i = 0; i < c->n; i++) {
		ss = ipvs_state_find(w->a->sync.have, &c->vs[i].key);
		if (ss && agent_owner_has(&w->a->owner, &c->vs[i].key))
			emit_vs(w, c, &c->vs[i], ipvs_state_service_stats(ss));
	}
}

static void collect(struct agent_metrics_out *out, struct agent *a, int what)
{
	struct traffic_walk w = { a, out, what };

	if (a->opt->metrics_service_traffic && a->sync.have)
		strmap_foreach(&a->desired.contribs, walk_contrib, &w);
}

void agent_metrics_traffic_conns(struct agent_metrics_out *out, void *arg)
{
	collect(out, arg, 0);
}

void agent_metrics_traffic_packets(struct agent_metrics_out *out, void *arg)
{
	collect(out, arg, 1);
}

void agent_metrics_traffic_bytes(struct agent_metrics_out *out, void *arg)
{
	collect(out, arg, 2);
}
