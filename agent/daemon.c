/*
 * agent/daemon.c - start-up, the change path, and shutdown.
 *
 * Start adopts what the kernel has (a dump) and diffs; it never flushes.
 * SIGTERM and SIGINT stop the loop and leave the kernel as it is, so
 * traffic keeps flowing while the agent is replaced.  Only --cleanup
 * removes what the agent owns.
 */
#include "daemon.h"

#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "agent.h"
#include "log.h"
#include "metrics_agent.h"
#include "netlink/sysctl.h"
#include "node_primary.h"
#include "web.h"

/* --- the change path: store -> desired -> sync ---------------------------- */

static int node_addresses(struct agent *a);

static void touch_key(void *arg, const struct ipvs_service_key *k)
{
	agent_sync_touch(arg, k);
}

static void update_dirty(void *arg, const char *ns, const char *name)
{
	struct agent *a = arg;

	if (agent_desired_update(&a->desired, a->store, ns, name) == -ENOMEM)
		agent_log(AGENT_LOG_ERROR, "Service %s/%s: out of memory", ns, name);
	agent_programming_note(&a->prog, a->store, ns, name);
}

/* The Node may have come with a new zone: topology hints then change
 * every Service's choice of endpoints. */
static void node_changed(struct agent *a)
{
	const struct k8s_node *n = k8s_store_node(a->store);
	const char *zone = n ? n->zone : NULL;

	/* The pointer moves with the Node object: refresh it always. */
	a->desired.conf.node_zone = zone;
	if ((!zone && !a->zone) || (zone && a->zone && !strcmp(zone, a->zone)))
		return;
	free(a->zone);
	a->zone = zone ? strdup(zone) : NULL;
	agent_log(AGENT_LOG_INFO, "node %s: zone %s", a->opt->hostname,
		  zone ? zone : "(none)");
	k8s_store_mark_all_dirty(a->store);
}

static void file_loaded(void *arg, struct k8s_store *next)
{
	struct agent *a = arg;
	double t0 = ev_time();
	size_t n;

	agent_metrics_count_file_changes(a->store, next);
	if (k8s_store_replace_all(a->store, next))
		agent_log(AGENT_LOG_ERROR, "store: out of memory; will retry");
	node_changed(a);
	n = k8s_store_take_dirty(a->store, update_dirty, a);
	/* Decoding a large file leaves a heap of freed JSON nodes: give the
	 * pages back, or they stay in our resident set for good. */
	malloc_trim(0);
	agent_logv(1, "file: %zu Services changed, translated in %.1fms", n,
		   (ev_time() - t0) * 1e3);
	/* Only now is an empty desired state a real one. */
	agent_sync_set_ready(&a->sync);
}

static void api_changed(void *arg, enum k8s_resource res)
{
	struct agent *a = arg;

	if (res == K8S_RES_NODE) {
		node_changed(a);
		if (a->have_vip && node_addresses(a) == 1)
			k8s_store_mark_all_dirty(a->store);
	}
	k8s_store_take_dirty(a->store, update_dirty, a);
}

static void api_ready(void *arg)
{
	struct agent *a = arg;

	agent_sync_set_ready(&a->sync);
}

static void before_batch(void *arg)
{
	struct agent *a = arg;

	if (a->have_vip && agent_vip_pending(&a->vip))
		agent_vip_sync(&a->vip);
	agent_programming_batch_start(&a->prog);
	agent_metrics_batch_started();
}

static void after_batch(void *arg)
{
	struct agent *a = arg;

	agent_programming_batch_done(&a->prog, ev_time());
	agent_metrics_batch_done();
}

static void programmed(void *arg, double seconds)
{
	(void)arg;
	agent_logv(2, "network programming: %.3fms", seconds * 1e3);
	agent_metrics_observe_programming(seconds);
}

/* --- the node ----------------------------------------------------------- */

/* kube-proxy's sysctls for ipvs mode. */
static void set_sysctls(const struct agent_options *opt)
{
	static const struct { const char *name; int value; } want[] = {
		{ "net.ipv4.vs.conntrack", 1 },
		{ "net.ipv4.vs.expire_nodest_conn", 1 },
		{ "net.ipv4.vs.expire_quiescent_template", 1 },
		{ "net.ipv4.ip_forward", 1 },
	};
	size_t i;

	for (i = 0; i < sizeof(want) / sizeof(*want); i++)
		if (sysctl_set_int(want[i].name, want[i].value) < 0)
			agent_log(AGENT_LOG_WARN, "%s", sysctl_last_error());
	if (opt->strict_arp &&
	    (sysctl_set_int("net.ipv4.conf.all.arp_ignore", 1) < 0 ||
	     sysctl_set_int("net.ipv4.conf.all.arp_announce", 2) < 0))
		agent_log(AGENT_LOG_WARN, "strict ARP sysctls failed");
}

static void set_timeouts(struct agent *a)
{
	const struct agent_options *o = a->opt;
	struct nl_ipvs_timeouts t = {
		(uint32_t)o->tcp_timeout, (uint32_t)o->tcpfin_timeout,
		(uint32_t)o->udp_timeout,
	};

	if ((t.tcp || t.tcp_fin || t.udp) && nl_ipvs_set_timeouts(a->nl, &t))
		agent_log(AGENT_LOG_WARN, "%s", nl_ipvs_last_error(a->nl));
}

static int same_addrs(const struct agent_node_addr *a, size_t na,
		      const struct agent_node_addr *b, size_t nb)
{
	return na == nb && (!na || memcmp(a, b, na * sizeof(*a)) == 0);
}

/* The addresses node ports listen on: every local one but the dummy's
 * and loopback, or those in --nodeport-addresses.  Returns 1 when they
 * changed since the last call. */
static int node_addresses(struct agent *a)
{
	struct nl_addr_cidr cidrs[AGENT_MAX_LIST];
	struct nl_addr_filter f = { .family = AF_UNSPEC };
	struct agent_node_addr *v = NULL;
	struct nl_addr_locals l;
	size_t i, n = 0;
	int r;

	for (i = 0; i < a->opt->nnodeport_addrs && n < AGENT_MAX_LIST; i++) {
		if (!strcmp(a->opt->nodeport_addrs[i], "primary")) {
			/* The Node's own IPs: none until the Node is known. */
			n += agent_node_primary(k8s_store_node(a->store),
						cidrs + n, AGENT_MAX_LIST - n);
			continue;
		}
		if (nl_addr_cidr_parse(a->opt->nodeport_addrs[i], &cidrs[n])) {
			agent_log(AGENT_LOG_ERROR, "--nodeport-addresses: bad CIDR %s",
				  a->opt->nodeport_addrs[i]);
			return -EINVAL;
		}
		n++;
	}
	f.cidrs = n ? cidrs : NULL;
	f.ncidrs = n;
	f.exclude_ifindex = a->vip.link.ifindex;
	nl_addr_locals_init(&l);
	/* A list that matches nothing yet (only "primary", no Node) means
	 * no node port addresses, not all of them. */
	if (a->opt->nnodeport_addrs && !n)
		r = 0;
	else if ((r = nl_addr_list_local(a->vip.nr, &f, &l)) == 0 && l.n &&
		 !(v = calloc(l.n, sizeof(*v))))
		r = -ENOMEM;
	for (i = 0; !r && i < l.n; i++) {
		v[i].af = l.v[i].family;
		v[i].addr = l.v[i].addr;
	}
	if (!r && !same_addrs(v, l.n, a->node_addrs, a->desired.conf.nnode_addrs)) {
		free(a->node_addrs);
		a->node_addrs = v;
		a->desired.conf.node_addrs = v;
		a->desired.conf.nnode_addrs = l.n;
		v = NULL;
		r = 1;
	}
	free(v);
	nl_addr_locals_fini(&l);
	return r;
}

/* Verification: what else can drift besides IPVS - the dummy and its
 * addresses, and the node's own addresses (for NodePorts). */
static void on_verify(void *arg)
{
	struct agent *a = arg;

	if (!a->have_vip)
		return;
	agent_vip_recheck(&a->vip, a->opt->dummy_interface);
	if (node_addresses(a) == 1) {
		agent_log(AGENT_LOG_INFO, "node addresses changed: %zu now",
			  a->desired.conf.nnode_addrs);
		k8s_store_mark_all_dirty(a->store);
		k8s_store_take_dirty(a->store, update_dirty, a);
	}
}

/* --- modes ------------------------------------------------------------- */

static int dry_run(struct agent *a)
{
	struct ipvs_ops ops;
	char line[IPVS_FMT_MAX];
	size_t i;
	int r;

	ipvs_ops_init(&ops);
	r = agent_sync_plan(&a->sync, &ops);
	if (r)
		agent_log(AGENT_LOG_ERROR, "dry run: %s", nl_ipvs_last_error(a->nl));
	for (i = 0; !r && i < ops.n; i++)
		printf("%s\n", ipvs_op_fmt(&ops.v[i], line, sizeof(line)));
	ipvs_ops_fini(&ops);
	return r ? 1 : 0;
}

static void dry_ready(void *arg)
{
	struct agent *a = arg;

	ev_break(a->loop, EVBREAK_ALL);
}

static void dry_timeout(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)w;
	(void)revents;
	ev_break(loop, EVBREAK_ALL);
}

/* --dry-run from the API server: list, then print what a sync would do. */
static int dry_run_api(struct agent *a)
{
	ev_timer timeout;

	a->api.changed = api_changed;
	a->api.ready_cb = dry_ready;
	a->api.arg = a;
	a->use_api = 1;
	if (agent_api_source_start(&a->api, a->loop, a->opt->kubeconfig,
				   a->opt->master, a->opt->hostname, a->store))
		return 1;
	ev_timer_init(&timeout, dry_timeout, 60, 0);
	ev_timer_start(a->loop, &timeout);
	ev_run(a->loop, 0);
	ev_timer_stop(a->loop, &timeout);
	if (!a->api.ready) {
		agent_log(AGENT_LOG_ERROR, "dry run: the API server did not list "
			  "Services and EndpointSlices within 60s");
		return 1;
	}
	return dry_run(a);
}

/* Remove every service we own (and only those), our VIPs and our dummy. */
static int cleanup(struct agent *a)
{
	struct ipvs_ops ops;
	char msg[IPVS_FMT_MAX + 64];
	size_t i, failed = 0;
	int r;

	ipvs_ops_init(&ops);
	if ((r = agent_sync_load_kernel(&a->sync)) == 0) {
		ipvs_state_clear(a->desired.want);
		r = agent_sync_plan(&a->sync, &ops);
	}
	if (!r && ops.n)
		r = nl_ipvs_apply(a->nl, ops.v, ops.n) < 0;
	for (i = 0; i < ops.n; i++) {
		if (ops.v[i].err && ops.v[i].err != ESRCH) {
			failed++;
			agent_log(AGENT_LOG_WARN, "cleanup: %s",
				  ipvs_op_strerror(&ops.v[i], msg, sizeof(msg)));
		} else if (ops.v[i].kind == IPVS_OP_DEL_SERVICE) {
			agent_owner_del(&a->owner, &ops.v[i].svc.key);
		}
	}
	agent_owner_save(&a->owner);
	if (a->have_vip && agent_vip_cleanup(&a->vip))
		failed++;
	agent_log(AGENT_LOG_INFO, "cleanup: removed %zu services%s", ops.n - failed,
		  failed ? ", some failed" : "");
	ipvs_ops_fini(&ops);
	return r || failed ? 1 : 0;
}

static void stop_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	(void)revents;
	agent_log(AGENT_LOG_INFO, "signal %d: stopping; IPVS rules stay in place",
		  w->signum);
	ev_break(loop, EVBREAK_ALL);
}

/* --- assembly ----------------------------------------------------------- */

static int setup(struct agent *a)
{
	const struct agent_options *o = a->opt;
	int r;

	if ((r = agent_owner_load(&a->owner, o->state_dir))) {
		agent_log(AGENT_LOG_ERROR, "%s: %s", o->state_dir, strerror(-r));
		return r;
	}
	if ((r = nl_ipvs_open(&a->nl))) {
		agent_log(AGENT_LOG_ERROR, "IPVS: %s%s", strerror(-r),
			  r == -ENOENT ? " (is the ip_vs module loaded?)" : "");
		return r;
	}
	if ((r = agent_desired_init(&a->desired)))
		return r;
	a->desired.conf.node_name = o->hostname;
	a->desired.conf.scheduler = o->scheduler;
	if (!agent_scheduler_known(o->scheduler)) {
		agent_log(AGENT_LOG_ERROR, "--ipvs-scheduler: unknown scheduler %s",
			  o->scheduler);
		return -EINVAL;
	}
	if (!o->dry_run) {
		if ((r = agent_vip_init(&a->vip, o->dummy_interface, &a->owner)))
			return r;
		a->have_vip = 1;
		a->desired.vip = &a->vip;
		if ((r = node_addresses(a)) < 0)
			return r;
	}
	if ((r = agent_sync_init(&a->sync, a->loop, a->nl, a->desired.want,
				 &a->owner, o)))
		return r;
	a->desired.touch = touch_key;
	a->desired.touch_arg = &a->sync;
	a->sync.before_batch = before_batch;
	a->sync.after_batch = after_batch;
	a->prog.observe = programmed;
	a->prog.arg = a;
	a->sync.on_verify = on_verify;
	a->sync.hook_arg = a;
	return (a->store = k8s_store_new()) ? 0 : -ENOMEM;
}

static void teardown(struct agent *a)
{
	if (a->file.loop)
		agent_file_source_stop(&a->file);
	if (a->use_api)
		agent_api_source_stop(&a->api);
	agent_sync_fini(&a->sync);
	agent_desired_fini(&a->desired);
	agent_programming_fini(&a->prog);
	k8s_store_free(a->store);
	if (a->have_vip)
		agent_vip_fini(&a->vip);
	free(a->node_addrs);
	free(a->zone);
	nl_ipvs_close(a->nl);
	agent_owner_fini(&a->owner);
}

static int serve(struct agent *a)
{
	const struct agent_options *o = a->opt;

	set_sysctls(o);
	set_timeouts(a);
	if (!a->started)
		a->started = ev_time();
	/* Before the sources start, so their first objects count as changes. */
	if (agent_metrics_init(a) || agent_web_start(a))
		agent_log(AGENT_LOG_ERROR, "metrics: out of memory; no HTTP endpoints");
	if (o->services_file) {
		a->file.path = o->services_file;
		a->file.node_name = o->hostname;
		a->file.loaded = file_loaded;
		a->file.arg = a;
		/* A start without a good file is still a start: nothing is
		 * applied (the kernel keeps what it has) until a reading
		 * succeeds. */
		agent_file_source_start(&a->file, a->loop);
	} else {
		a->api.changed = api_changed;
		a->api.ready_cb = api_ready;
		a->api.arg = a;
		a->use_api = 1;
		if (agent_api_source_start(&a->api, a->loop, o->kubeconfig,
					   o->master, o->hostname, a->store))
			return 1;
	}
	ev_signal_init(&a->sigterm, stop_cb, SIGTERM);
	ev_signal_init(&a->sigint, stop_cb, SIGINT);
	ev_signal_start(a->loop, &a->sigterm);
	ev_signal_start(a->loop, &a->sigint);
	agent_sync_start(&a->sync);
	agent_log(AGENT_LOG_INFO, "ipvsagent running on node %s; source %s",
		  o->hostname, o->services_file ? o->services_file :
		  a->api.config.server);
	ev_run(a->loop, 0);
	agent_web_stop(a);
	agent_metrics_fini();
	agent_sync_stop(&a->sync);
	return 0;
}

int agent_daemon_run(const struct agent_options *opt)
{
	struct agent a;
	int r, status;

	/* Large arrays (a cold start's operations, hash tables) get pages of
	 * their own and return them when freed; glibc's default would raise
	 * the threshold after the first such free and leave them in the heap. */
	mallopt(M_MMAP_THRESHOLD, 256 * 1024);
	memset(&a, 0, sizeof(a));
	agent_programming_init(&a.prog);
	a.opt = opt;
	a.loop = EV_DEFAULT;
	agent_log_verbosity = opt->verbosity;
	if ((r = setup(&a))) {
		teardown(&a);
		return 1;
	}
	if (opt->cleanup) {
		status = cleanup(&a);
	} else if (opt->dry_run && opt->services_file) {
		a.file.path = opt->services_file;
		a.file.node_name = opt->hostname;
		a.file.loaded = file_loaded;
		a.file.arg = &a;
		status = agent_file_source_read(&a.file) ? 1 : dry_run(&a);
	} else if (opt->dry_run) {
		status = dry_run_api(&a);
	} else {
		status = serve(&a);
	}
	teardown(&a);
	return status;
}
