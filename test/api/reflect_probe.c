/*
 * test/api/reflect_probe.c - k8s/reflector.h against a real server, for
 * test/api/test_reflector.py.
 *
 *   reflect_probe [--kubeconfig F] [--master URL] [--node NAME]
 *                 [--resource services|endpointslices|node|all]
 *                 [--page-size N] [--backoff MIN,MAX]
 *                 [--watch-timeout MIN,MAX] [--list-timeout S]
 *
 * Runs the reflectors (all three, or one) into one store and prints a
 * line per observable thing, flushed at once, with the time since start:
 *
 *   t=0.012 state services listing
 *   t=0.030 state services backoff retry_in=0.873
 *   t=0.031 synced services n=3 rv=12
 *   t=0.031 changed services dirty=ns/a,ns/b
 *   t=0.040 changed node zone=z1            (or: node=none)
 *   t=0.050 warn EndpointSlice ns/name: reason
 *
 * Commands on stdin, one per line:
 *   dump   every object of the store, one sorted line each, then "dump end":
 *            svc NS/NAME rv=RV ips=IP,.. ports=NAME:PORT/PROTO,..
 *            slice NS/NAME svc=SVC rv=RV af=4|6|0 eps=IP:R,..  (R: ready 1/0)
 *            node NAME rv=RV zone=ZONE
 *   stats  one line per reflector, then "stats end":
 *            stats RES state=.. synced=0|1 rv=.. added=.. ... error="..."
 *   stop RES / start RES
 *   quit   (or end of input): free everything and exit 0
 *
 * Exit status: 0 after quit, 1 on a usage or configuration error.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "k8s/config.h"
#include "k8s/http.h"
#include "k8s/reflector.h"
#include "k8s/store.h"

struct probe {
	struct ev_loop *loop;
	struct k8s_config cfg;
	struct k8s_http *http;
	struct k8s_store *store;
	struct k8s_reflector *refl[K8S_RES_COUNT]; /* NULL when not run */
	struct k8s_decode_log log;
	ev_io in;                 /* commands on stdin */
	char line[4096];          /* a command being read */
	size_t len;
	double t0;                /* ev_time() at start */
};

static void out(struct probe *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* One line on stdout, with the time, flushed. */
static void out(struct probe *p, const char *fmt, ...)
{
	va_list ap;

	printf("t=%.3f ", ev_time() - p->t0);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/* ---- sorted lines --------------------------------------------------------- */

struct lines {
	char **v;
	size_t n, cap;
};

static void lines_add(struct lines *l, char *s)
{
	if (!s)
		abort();
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->v = realloc(l->v, l->cap * sizeof(*l->v));
		if (!l->v)
			abort();
	}
	l->v[l->n++] = s;
}

static int lines_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Print each line, sorted, and free them. */
static void lines_flush(struct probe *p, struct lines *l)
{
	size_t i;

	if (l->n) /* qsort(NULL, 0, ...) is undefined */
		qsort(l->v, l->n, sizeof(*l->v), lines_cmp);
	for (i = 0; i < l->n; i++) {
		out(p, "%s", l->v[i]);
		free(l->v[i]);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* ---- hooks ---------------------------------------------------------------- */

static void probe_warn(void *arg, const char *kind, const char *ns,
		       const char *name, const char *reason)
{
	out(arg, "warn %s %s/%s: %s", kind, ns, name, reason);
}

static void dirty_add(void *arg, const char *ns, const char *name)
{
	char *s;

	if (asprintf(&s, "%s/%s", ns, name) < 0)
		abort();
	lines_add(arg, s);
}

static void probe_changed(void *arg, enum k8s_resource res)
{
	struct probe *p = arg;
	const struct k8s_node *n;
	struct lines l = { 0 };
	char buf[8192] = "";
	size_t i, len = 0;

	if (res == K8S_RES_NODE) {
		n = k8s_store_node(p->store);
		if (n)
			out(p, "changed node zone=%s", n->zone ? n->zone : "");
		else
			out(p, "changed node node=none");
		return;
	}
	k8s_store_take_dirty(p->store, dirty_add, &l);
	if (l.n)
		qsort(l.v, l.n, sizeof(*l.v), lines_cmp);
	for (i = 0; i < l.n; i++) {
		if (len < sizeof(buf))
			len += (size_t)snprintf(buf + len, sizeof(buf) - len,
						"%s%s", i ? "," : "", l.v[i]);
		free(l.v[i]);
	}
	free(l.v);
	out(p, "changed %s dirty=%s", k8s_resource_name(res), buf);
}

static void probe_synced(void *arg, enum k8s_resource res)
{
	struct probe *p = arg;
	size_t n = res == K8S_RES_SERVICES ? k8s_store_nservices(p->store) :
		   res == K8S_RES_SLICES   ? k8s_store_nslices(p->store) :
					     (k8s_store_node(p->store) != NULL);

	out(p, "synced %s n=%zu rv=%s", k8s_resource_name(res), n,
	    k8s_reflector_rv(p->refl[res]));
}

static void probe_state(void *arg, enum k8s_resource res,
			enum k8s_reflector_state st)
{
	struct probe *p = arg;

	if (st == K8S_REFLECTOR_BACKOFF)
		out(p, "state %s backoff retry_in=%.3f error=\"%s\"",
		    k8s_resource_name(res),
		    k8s_reflector_retry_in(p->refl[res]),
		    k8s_reflector_last_error(p->refl[res]));
	else
		out(p, "state %s %s", k8s_resource_name(res),
		    k8s_reflector_state_name(st));
}

/* ---- dump and stats ------------------------------------------------------- */

static const char *proto_name(int proto)
{
	return proto == 17 ? "UDP" : proto == 132 ? "SCTP" : "TCP";
}

static int dump_service(void *arg, const struct k8s_service *s)
{
	char ips[1024] = "", ports[1024] = "", *line;
	size_t i;

	for (i = 0; i < s->ncluster_ips; i++)
		snprintf(ips + strlen(ips), sizeof(ips) - strlen(ips), "%s%s",
			 i ? "," : "", s->cluster_ips[i]);
	for (i = 0; i < s->nports; i++)
		snprintf(ports + strlen(ports), sizeof(ports) - strlen(ports),
			 "%s%s:%u/%s", i ? "," : "", s->ports[i].name,
			 s->ports[i].port, proto_name(s->ports[i].protocol));
	if (asprintf(&line, "svc %s/%s rv=%s ips=%s ports=%s", s->meta.ns,
		     s->meta.name, s->meta.resource_version ?
				   s->meta.resource_version : "",
		     ips, ports) < 0)
		abort();
	lines_add(arg, line);
	return 0;
}

static int dump_slice(void *arg, const struct k8s_endpointslice *e)
{
	char eps[4096] = "", *line;
	size_t i, j;

	for (i = 0; i < e->nendpoints; i++)
		for (j = 0; j < e->endpoints[i].naddresses; j++)
			snprintf(eps + strlen(eps), sizeof(eps) - strlen(eps),
				 "%s%s:%d", *eps ? "," : "",
				 e->endpoints[i].addresses[j],
				 e->endpoints[i].ready);
	if (asprintf(&line, "slice %s/%s svc=%s rv=%s af=%d eps=%s",
		     e->meta.ns, e->meta.name,
		     e->service_name ? e->service_name : "",
		     e->meta.resource_version ? e->meta.resource_version : "",
		     e->af == AF_INET ? 4 : e->af == AF_INET6 ? 6 : 0, eps) < 0)
		abort();
	lines_add(arg, line);
	return 0;
}

static void probe_dump(struct probe *p)
{
	const struct k8s_node *n = k8s_store_node(p->store);
	struct lines l = { 0 };
	char *line;

	k8s_store_foreach_service(p->store, dump_service, &l);
	k8s_store_foreach_slice(p->store, dump_slice, &l);
	if (n) {
		if (asprintf(&line, "node %s rv=%s zone=%s", n->meta.name,
			     n->meta.resource_version ?
				     n->meta.resource_version : "",
			     n->zone ? n->zone : "") < 0)
			abort();
		lines_add(&l, line);
	}
	lines_flush(p, &l);
	out(p, "dump end");
}

static void probe_stats(struct probe *p)
{
	const struct k8s_reflector_stats *s;
	struct k8s_reflector *r;
	int i;

	for (i = 0; i < K8S_RES_COUNT; i++) {
		if (!(r = p->refl[i]))
			continue;
		s = k8s_reflector_stats(r);
		out(p, "stats %s state=%s synced=%d rv=%s added=%lu modified=%lu "
		    "deleted=%lu bookmarks=%lu lists=%lu relists=%lu expired=%lu "
		    "errors=%lu bad_lines=%lu rejected=%lu oversized=%lu "
		    "watches=%lu pages=%lu last_event=%d error=\"%s\"",
		    k8s_resource_name(i),
		    k8s_reflector_state_name(k8s_reflector_state(r)),
		    k8s_reflector_synced(r), k8s_reflector_rv(r), s->added,
		    s->modified, s->deleted, s->bookmarks, s->lists, s->relists,
		    s->expired, s->errors, s->bad_lines, s->rejected,
		    s->oversized, s->watches, s->pages,
		    k8s_reflector_last_event(r) > 0,
		    k8s_reflector_last_error(r));
	}
	out(p, "stats end");
}

/* ---- commands ------------------------------------------------------------- */

static int probe_res(const char *name)
{
	int i;

	for (i = 0; i < K8S_RES_COUNT; i++) {
		if (!strcmp(name, k8s_resource_name(i)))
			return i;
	}
	return -1;
}

/* One command; 1 means quit. */
static int probe_command(struct probe *p, const char *cmd)
{
	int res = -1;

	if (!strncmp(cmd, "stop ", 5) || !strncmp(cmd, "start ", 6))
		res = probe_res(strchr(cmd, ' ') + 1);
	if (!strcmp(cmd, "dump"))
		probe_dump(p);
	else if (!strcmp(cmd, "stats"))
		probe_stats(p);
	else if (!strcmp(cmd, "quit"))
		return 1;
	else if (res >= 0 && p->refl[res] && cmd[2] == 'o')
		k8s_reflector_stop(p->refl[res]);
	else if (res >= 0 && p->refl[res])
		k8s_reflector_start(p->refl[res]);
	else
		out(p, "error unknown command \"%s\"", cmd);
	return 0;
}

static void probe_stdin(struct ev_loop *loop, ev_io *w, int revents)
{
	struct probe *p = w->data;
	ssize_t n;
	char *nl;

	(void)revents;
	n = read(0, p->line + p->len, sizeof(p->line) - 1 - p->len);
	if (n <= 0) {
		ev_break(loop, EVBREAK_ALL);
		return;
	}
	p->len += (size_t)n;
	p->line[p->len] = 0;
	while ((nl = strchr(p->line, '\n'))) {
		*nl = 0;
		if (probe_command(p, p->line)) {
			ev_break(loop, EVBREAK_ALL);
			return;
		}
		p->len -= (size_t)(nl + 1 - p->line);
		memmove(p->line, nl + 1, p->len + 1);
	}
	if (p->len == sizeof(p->line) - 1)
		p->len = 0; /* a command that long is nonsense: drop it */
}

/* ---- setup ---------------------------------------------------------------- */

struct opts {
	const char *kubeconfig, *master, *node, *resource;
	unsigned int page_size;
	double bmin, bmax, list_timeout;
	unsigned int wmin, wmax;
};

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longs[] = {
		{ "kubeconfig", required_argument, NULL, 'k' },
		{ "master", required_argument, NULL, 'm' },
		{ "node", required_argument, NULL, 'n' },
		{ "resource", required_argument, NULL, 'r' },
		{ "page-size", required_argument, NULL, 'p' },
		{ "backoff", required_argument, NULL, 'b' },
		{ "watch-timeout", required_argument, NULL, 'w' },
		{ "list-timeout", required_argument, NULL, 'l' },
		{ 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->node = "node-a";
	o->resource = "all";
	while ((c = getopt_long(argc, argv, "", longs, NULL)) != -1) {
		if (c == 'k')
			o->kubeconfig = optarg;
		else if (c == 'm')
			o->master = optarg;
		else if (c == 'n')
			o->node = optarg;
		else if (c == 'r')
			o->resource = optarg;
		else if (c == 'p')
			o->page_size = (unsigned int)atoi(optarg);
		else if (c == 'b' && sscanf(optarg, "%lf,%lf", &o->bmin, &o->bmax) == 2)
			;
		else if (c == 'w' && sscanf(optarg, "%u,%u", &o->wmin, &o->wmax) == 2)
			;
		else if (c == 'l')
			o->list_timeout = atof(optarg);
		else
			return -1;
	}
	return 0;
}

static int probe_setup(struct probe *p, const struct opts *o)
{
	struct k8s_reflector_hooks hooks = {
		.changed = probe_changed, .synced = probe_synced,
		.log = &p->log, .arg = p, .state = probe_state,
	};
	char err[512];
	int i, want = strcmp(o->resource, "all") ? probe_res(o->resource) : -1;

	if (want < 0 && strcmp(o->resource, "all")) {
		fprintf(stderr, "reflect_probe: no resource %s\n", o->resource);
		return -1;
	}
	if (k8s_config_load(&p->cfg, o->kubeconfig, o->master, err, sizeof(err)) ||
	    !(p->http = k8s_http_new(p->loop, &p->cfg, err, sizeof(err)))) {
		fprintf(stderr, "reflect_probe: %s\n", err);
		return -1;
	}
	if (!(p->store = k8s_store_new()))
		return -1;
	for (i = 0; i < K8S_RES_COUNT; i++) {
		if (want >= 0 && i != want)
			continue;
		p->refl[i] = k8s_reflector_new(p->loop, p->http, i, o->node,
					       p->store, &hooks);
		if (!p->refl[i])
			return -1;
		if (o->page_size)
			k8s_reflector_set_page_size(p->refl[i], o->page_size);
		if (o->bmin > 0)
			k8s_reflector_set_backoff(p->refl[i], o->bmin, o->bmax);
		if (o->wmin)
			k8s_reflector_set_watch_timeout(p->refl[i], o->wmin, o->wmax);
		if (o->list_timeout > 0)
			k8s_reflector_set_list_timeout(p->refl[i], o->list_timeout);
	}
	return 0;
}

static void probe_fini(struct probe *p)
{
	int i;

	ev_io_stop(p->loop, &p->in);
	for (i = 0; i < K8S_RES_COUNT; i++)
		k8s_reflector_free(p->refl[i]);
	k8s_http_free(p->http);
	k8s_store_free(p->store);
	k8s_config_fini(&p->cfg);
}

int main(int argc, char **argv)
{
	struct probe p;
	struct opts o;
	int i, rc = 0;

	memset(&p, 0, sizeof(p));
	if (parse_opts(argc, argv, &o)) {
		fprintf(stderr, "usage: reflect_probe [--kubeconfig F] [--master URL] "
			"[--node NAME] [--resource R|all] [--page-size N] "
			"[--backoff MIN,MAX] [--watch-timeout MIN,MAX] "
			"[--list-timeout S]\n");
		return 1;
	}
	p.loop = ev_default_loop(0);
	p.t0 = ev_time();
	p.log.warn = probe_warn;
	p.log.arg = &p;
	if (probe_setup(&p, &o)) {
		rc = 1;
	} else {
		ev_io_init(&p.in, probe_stdin, 0, EV_READ);
		p.in.data = &p;
		ev_io_start(p.loop, &p.in);
		for (i = 0; i < K8S_RES_COUNT; i++) {
			if (p.refl[i])
				k8s_reflector_start(p.refl[i]);
		}
		ev_run(p.loop, 0);
		out(&p, "bye");
	}
	probe_fini(&p);
	ev_loop_destroy(p.loop);
	return rc;
}
