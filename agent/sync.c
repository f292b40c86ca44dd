/*
 * agent/sync.c - diff, batch, acknowledge, verify, drain.
 *
 * The loop never waits for the kernel: a batch is started from the
 * ev_prepare hook and finished from the netlink socket's io watcher.  One
 * batch is in flight at a time; changes that arrive meanwhile collect in
 * the pending set and go in the next one.  The verification dump is the
 * one blocking call (tens of milliseconds at 10,000 services on real
 * hardware); it runs from a timer.
 */
#include "sync.h"

#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "heap.h"
#include "log.h"

#define RETRY_MIN 1.0
#define RETRY_MAX 60.0
#define DRAIN_TICK 1.0

/* --- which keys we may touch -------------------------------------------- */

/* --ipvs-exclude-cidrs: never touched.  Fwmark services have no address. */
static int excluded(const struct agent_sync *s, const struct ipvs_service_key *k)
{
	size_t i;

	for (i = 0; !k->fwmark && i < s->nexcludes; i++)
		if (nl_addr_cidr_contains(&s->excludes[i], k->af, &k->addr))
			return 1;
	return 0;
}

/* The ownership rule: a key the kernel has and we did not create is not
 * ours, whatever we want; excluded CIDRs are nobody's business. */
static int keep(const struct ipvs_service_key *k, void *arg)
{
	struct agent_sync *s = arg;

	if (excluded(s, k))
		return 0;
	if (ipvs_state_find(s->have, k) && !agent_owner_has(s->owner, k)) {
		if (ipvs_state_find(s->want, k))
			s->stats.foreign_conflicts++;
		return 0;
	}
	return 1;
}

/* --- graceful termination ----------------------------------------------- */

static struct agent_drain *drain_find(struct agent_sync *s,
				      const struct ipvs_service_key *k,
				      const struct ipvs_dest *d)
{
	size_t i;

	for (i = 0; i < s->ndrains; i++)
		if (ipvs_service_key_cmp(&s->drains[i].key, k) == 0 &&
		    ipvs_dest_key_cmp(&s->drains[i].dest, d) == 0)
			return &s->drains[i];
	return NULL;
}

static void drain_remove(struct agent_sync *s, struct agent_drain *d)
{
	*d = s->drains[--s->ndrains];
}

static struct agent_drain *drain_add(struct agent_sync *s, const struct ipvs_op *op)
{
	struct agent_drain *p;

	if (s->ndrains == s->cap_drains) {
		s->cap_drains = s->cap_drains ? s->cap_drains * 2 : 16;
		p = realloc(s->drains, s->cap_drains * sizeof(*p));
		if (!p)
			return NULL;
		s->drains = p;
	}
	p = &s->drains[s->ndrains++];
	p->key = op->svc.key;
	p->dest = op->dest;
	p->deadline = ev_now(s->loop) + s->opt->graceful_period;
	p->idle = 0;
	return p;
}

/*
 * A TCP real server the diff wants gone keeps its connections: give it
 * weight 0 instead, and let drain_tick() delete it once fresh counts show
 * it idle, or its time is up.  The cached counts are not used here: they
 * are as old as the last dump, and a connection opened since would be cut.
 * Returns 0 to keep @op as it is, 1 to drop it.
 */
static int drain_rewrite(struct agent_sync *s, struct ipvs_op *op)
{
	struct ipvs_state_service *hs;
	struct ipvs_state_dest *hd;
	struct agent_drain *d;

	if (op->kind != IPVS_OP_DEL_DEST || op->svc.key.protocol != IPVS_PROTO_TCP ||
	    s->opt->graceful_period <= 0)
		return 0;
	hs = ipvs_state_find(s->have, &op->svc.key);
	hd = hs ? ipvs_state_dest_find(hs, &op->dest) : NULL;
	if (!hd)
		return 0;
	d = drain_find(s, &op->svc.key, &op->dest);
	if (d && (d->idle || ev_now(s->loop) >= d->deadline)) {
		drain_remove(s, d);
		return 0;
	}
	if (!d && !drain_add(s, op))
		return 0;
	if (hd->conf.weight == 0)
		return 1;
	op->kind = IPVS_OP_EDIT_DEST;
	op->dest = hd->conf;
	op->dest.weight = 0;
	return 0;
}

/* Read the real servers of @key afresh into the cache. */
static void refresh_counts(struct agent_sync *s, struct ipvs_state_service *hs)
{
	struct ipvs_table_service ts;
	struct ipvs_state_dest *hd;
	size_t j;

	memset(&ts, 0, sizeof(ts));
	ts.conf = *ipvs_state_service_conf(hs);
	if (nl_ipvs_dump_dests(s->nl, &ts) == 0)
		for (j = 0; j < ts.ndests; j++)
			if ((hd = ipvs_state_dest_find(hs, &ts.dests[j].conf))) {
				hd->conns.active = ts.dests[j].state.activeconns;
				hd->conns.inactive = ts.dests[j].state.inactconns;
			}
	free(ts.dests);
}

/* Once a second: fresh counts for draining real servers (one dump per
 * service, however many of its real servers drain); the idle and the
 * expired are touched, so the next batch deletes them. */
static void drain_tick(struct agent_sync *s)
{
	struct ipvs_state_service *ws, *hs;
	struct ipvs_state_dest *hd;
	struct agent_drain *d;
	size_t i, j;

	for (i = 0; i < s->ndrains;) {
		d = &s->drains[i];
		ws = ipvs_state_find(s->want, &d->key);
		hs = ipvs_state_find(s->have, &d->key);
		if (!hs || (ws && ipvs_state_dest_find(ws, &d->dest))) {
			drain_remove(s, d);   /* gone with its service, or back */
			continue;
		}
		for (j = 0; j < i; j++)
			if (ipvs_service_key_cmp(&s->drains[j].key, &d->key) == 0)
				break;
		if (j == i)
			refresh_counts(s, hs);
		hd = ipvs_state_dest_find(hs, &d->dest);
		d->idle = !hd || hd->conns.active + hd->conns.inactive == 0;
		if (d->idle || ev_now(s->loop) >= d->deadline)
			agent_sync_touch(s, &d->key);
		i++;
	}
}

/* --- batches ------------------------------------------------------------- */

/* Remember @k for a later chunk. */
static int todo_add(struct agent_sync *s, const struct ipvs_service_key *k)
{
	struct ipvs_service_key *v;
	size_t cap;

	if (s->ntodo == s->cap_todo) {
		cap = s->cap_todo ? s->cap_todo * 2 : 256;
		if (!(v = realloc(s->todo, cap * sizeof(*v))))
			return -ENOMEM;
		s->todo = v;
		s->cap_todo = cap;
	}
	s->todo[s->ntodo++] = *k;
	return 0;
}

static void todo_clear(struct agent_sync *s)
{
	free(s->todo);
	s->todo = NULL;
	s->ntodo = s->cap_todo = s->todo_next = 0;
}

static int todo_left(const struct agent_sync *s)
{
	return s->todo_next < s->ntodo;
}

/* One service of a batch: its ops into the batch while it has room; past
 * that, only its key, if it needs any op (diffed into scratch), for a
 * later chunk. */
static int full_one(struct agent_sync *s, const struct ipvs_state_service *ws,
		    const struct ipvs_state_service *hs,
		    const struct ipvs_service_key *k)
{
	int r;

	if (s->ops.n < s->chunk_ops)
		return ipvs_diff_service(ws, hs, &s->ops);
	ipvs_ops_clear(&s->scratch);
	if ((r = ipvs_diff_service(ws, hs, &s->scratch)) || !s->scratch.n)
		return r;
	return todo_add(s, k);
}

/* A touched key. */
static int touch_one(struct ipvs_state_service *ps, void *arg)
{
	struct agent_sync *s = arg;
	const struct ipvs_service_key *k = &ipvs_state_service_conf(ps)->key;

	if (!keep(k, s))
		return 0;
	return full_one(s, ipvs_state_find(s->want, k),
			ipvs_state_find(s->have, k), k);
}

/* Over have: services we own that want lacks (ipvs_diff's first walk). */
static int full_del(struct ipvs_state_service *hs, void *arg)
{
	struct agent_sync *s = arg;
	const struct ipvs_service_key *k = &ipvs_state_service_conf(hs)->key;

	if (!keep(k, s) || ipvs_state_find(s->want, k))
		return 0;
	return full_one(s, NULL, hs, k);
}

/* Over want: every service, against the kernel's (the second walk). */
static int full_rest(struct ipvs_state_service *ws, void *arg)
{
	struct agent_sync *s = arg;
	const struct ipvs_service_key *k = &ipvs_state_service_conf(ws)->key;

	if (!keep(k, s))
		return 0;
	return full_one(s, ws, ipvs_state_find(s->have, k), k);
}

/* ipvs_diff() in the same order, the first chunk of it in s->ops and
 * the keys of the rest in s->todo. */
static int full_diff(struct agent_sync *s)
{
	int r = ipvs_state_foreach(s->have, full_del, s);

	return r ? r : ipvs_state_foreach(s->want, full_rest, s);
}

/* Graceful termination rewrites or drops some deletes: those from
 * @from on, each op once. */
static void drain_filter(struct agent_sync *s, size_t from)
{
	size_t i, k;

	for (i = k = from; i < s->ops.n; i++)
		if (!drain_rewrite(s, &s->ops.v[i]))
			s->ops.v[k++] = s->ops.v[i];
	s->ops.n = k;
}

/* The next chunk of a large batch: its remaining keys diffed afresh (the
 * desired state may have moved meanwhile; what moved is also pending). */
static int build_chunk(struct agent_sync *s)
{
	const struct ipvs_service_key *k;
	size_t from;
	int r;

	ipvs_ops_clear(&s->ops);
	while (todo_left(s) && s->ops.n < s->chunk_ops) {
		k = &s->todo[s->todo_next++];
		from = s->ops.n;
		if (keep(k, s) &&
		    (r = ipvs_diff_service(ipvs_state_find(s->want, k),
					   ipvs_state_find(s->have, k), &s->ops)))
			return r;
		drain_filter(s, from);
	}
	return 0;
}

static int build_batch(struct agent_sync *s)
{
	int r;

	ipvs_ops_clear(&s->ops);
	todo_clear(s);
	if (s->all_pending)
		r = full_diff(s);
	else
		r = ipvs_state_foreach(s->pending, touch_one, s);
	s->all_pending = 0;
	ipvs_state_clear(s->pending);
	ipvs_ops_fini(&s->scratch);
	if (!r)
		drain_filter(s, 0);
	/* Graceful termination may have left nothing of the first chunk. */
	while (!r && !s->ops.n && todo_left(s))
		r = build_chunk(s);
	if (r)
		todo_clear(s);
	return r;
}

/* Record new services as ours on disk before the kernel sees them: those
 * of this batch, and at a chunked batch's start those of its later
 * chunks too (one write of the record, not one per chunk). */
static int claim(struct agent_sync *s)
{
	const struct ipvs_service_key *k;
	size_t i;
	int r;

	for (i = 0; i < s->ops.n; i++)
		if (s->ops.v[i].kind == IPVS_OP_ADD_SERVICE &&
		    (r = agent_owner_add(s->owner, &s->ops.v[i].svc.key)))
			return r;
	for (i = s->todo_next; i < s->ntodo; i++) {
		k = &s->todo[i];
		if (ipvs_state_find(s->want, k) && !ipvs_state_find(s->have, k) &&
		    (r = agent_owner_add(s->owner, k)))
			return r;
	}
	return agent_owner_save(s->owner);
}

static void key_set_add(struct ipvs_state *set, const struct ipvs_service_key *k)
{
	struct ipvs_service svc;

	ipvs_service_init(&svc);
	svc.key = *k;
	ipvs_state_put(set, &svc);
}

static void retry_later(struct agent_sync *s)
{
	if (ev_is_active(&s->retry_timer))
		return;
	s->retry_backoff = s->retry_backoff ? s->retry_backoff * 2 : RETRY_MIN;
	if (s->retry_backoff > RETRY_MAX)
		s->retry_backoff = RETRY_MAX;
	ev_timer_set(&s->retry_timer, s->retry_backoff, 0);
	ev_timer_start(s->loop, &s->retry_timer);
}

/* A batch ended.  Nothing refused (and nothing waiting for a retry):
 * every change queued before it began is in the kernel, so the oldest
 * one still out is the first that came while it ran (for /healthz). */
static void batch_applied(struct agent_sync *s, int ok)
{
	if (!ok || ipvs_state_nservices(s->retry))
		return;
	s->stats.last_applied = ev_now(s->loop);
	s->stats.oldest_unapplied = s->next_oldest;
}

/* The batch (or its next chunk) could not even start: its keys are gone
 * from the pending set, so they wait in the retry set, with backoff (not
 * at once: the cause, a read-only state directory say, is likely still
 * there); so do the keys of the chunks not sent. */
static void retry_ops(struct agent_sync *s)
{
	size_t i;

	for (i = 0; i < s->ops.n; i++)
		key_set_add(s->retry, &s->ops.v[i].svc.key);
	for (i = s->todo_next; i < s->ntodo; i++)
		key_set_add(s->retry, &s->todo[i]);
	ipvs_ops_clear(&s->ops);
	todo_clear(s);
	retry_later(s);
}

/* The acknowledgements of one chunk: into the cache, the counters and
 * the ownership record. */
static void apply_chunk(struct agent_sync *s)
{
	char msg[IPVS_FMT_MAX + 64];
	struct ipvs_op *op;
	size_t i;

	for (i = 0; i < s->ops.n; i++) {
		op = &s->ops.v[i];
		if (op->err) {
			s->run_failed++;
			s->stats.op_errors++;
			s->stats.op_failures[op->kind]++;
			agent_log(AGENT_LOG_WARN, "sync: %s",
				  ipvs_op_strerror(op, msg, sizeof(msg)));
			key_set_add(s->retry, &op->svc.key);
			continue;
		}
		ipvs_state_apply_op(s->have, op);
		s->stats.ops[op->kind]++;
		if (s->in_verify && s->stats.syncs)   /* not the cold start */
			s->stats.repairs[op->kind]++;
		if (op->kind == IPVS_OP_DEL_SERVICE)
			agent_owner_del(s->owner, &op->svc.key);
	}
	s->run_ops += s->ops.n;
	agent_owner_save(s->owner);
}

/* Start the next chunk of a large batch: 1, 0 when none is left, or
 * -errno (its keys and the rest then wait in the retry set). */
static int next_chunk(struct agent_sync *s)
{
	int r;

	r = build_chunk(s);
	if (!r && !s->ops.n)
		return 0;
	if (r || (r = claim(s)) ||
	    (r = nl_ipvs_batch_start(s->nl, s->ops.v, s->ops.n))) {
		agent_log(AGENT_LOG_ERROR, "sync: cannot go on with the batch: "
			  "%s", r == -ENOMEM ? strerror(-r) :
			  nl_ipvs_last_error(s->nl));
		retry_ops(s);
		return r;
	}
	return 1;
}

/* The whole batch is in (every chunk of it). */
static void finish_batch(struct agent_sync *s, int r)
{
	s->busy = 0;
	if (s->stats.syncs == 0)
		agent_log(AGENT_LOG_INFO, "initial sync: %zu operations applied "
			  "%.1fms after start (%.1fms of it binding addresses)",
			  s->run_ops, (ev_time() - s->started) * 1e3,
			  s->stats.last_hook_duration * 1e3);
	s->stats.syncs++;
	s->stats.last_sync = ev_now(s->loop);
	s->stats.last_sync_duration = ev_time() - s->batch_start;
	if (s->in_verify && s->stats.syncs > 1)   /* not the cold start */
		agent_logv(1, "verify: %zu repairs (%zu failed); dump %.1fms, "
			   "diff and repair %.1fms", s->run_ops, s->run_failed,
			   s->stats.last_verify_duration * 1e3,
			   s->stats.last_sync_duration * 1e3);
	else
		agent_logv(2, "sync: %zu operations, %zu failed, %.1fms", s->run_ops,
			   s->run_failed, s->stats.last_sync_duration * 1e3);
	/* A chunk that could not start left its keys in the retry set with
	 * the backoff grown: only a batch that leaves nothing to retry
	 * resets it. */
	if (s->run_failed)
		retry_later(s);
	else if (!ipvs_state_nservices(s->retry))
		s->retry_backoff = 0;
	s->in_verify = 0;
	batch_applied(s, !s->run_failed && r >= 0);
	if (s->after_batch)
		s->after_batch(s->hook_arg);
	/* A full diff needs room for a chunk; steady state, a few ops.
	 * Give the big array's pages back to the system. */
	todo_clear(s);
	if (s->ops.cap > 4096) {
		ipvs_ops_fini(&s->ops);
		ipvs_ops_init(&s->ops);
		malloc_trim(0);
	}
	agent_heap_release();   /* a first reading's room (agent/heap.h) */
}

/* Drive the batch in flight, chunk after chunk, until the socket would
 * block (the io watcher calls again) or the last ACK is in. */
static void step(struct agent_sync *s)
{
	int r;

	for (;;) {
		r = nl_ipvs_batch_run(s->nl);
		if (r == -EAGAIN) {
			ev_io_start(s->loop, &s->io);
			return;
		}
		ev_io_stop(s->loop, &s->io);
		if (r < 0)
			agent_log(AGENT_LOG_ERROR, "sync: %s",
				  nl_ipvs_last_error(s->nl));
		apply_chunk(s);
		if (r < 0 && todo_left(s))
			retry_ops(s);   /* the socket failed: the rest later */
		if (r < 0 || !todo_left(s) || next_chunk(s) <= 0)
			break;
	}
	finish_batch(s, r);
}

static int start_batch(struct agent_sync *s)
{
	double t0;
	int r;

	s->batch_start = ev_time();
	s->next_oldest = 0;
	s->run_ops = s->run_failed = 0;
	if ((r = build_batch(s)))
		return r;
	if (s->before_batch) {
		t0 = ev_time();
		s->before_batch(s->hook_arg);
		s->stats.last_hook_duration = ev_time() - t0;
	}
	if (!s->ops.n && !todo_left(s)) {
		if (s->in_verify)
			agent_logv(1, "verify: 0 repairs; dump %.1fms, diff %.1fms",
				   s->stats.last_verify_duration * 1e3,
				   (ev_time() - s->batch_start) * 1e3);
		s->in_verify = 0;
		batch_applied(s, 1);
		if (s->after_batch)
			s->after_batch(s->hook_arg);
		agent_heap_release();
		return 0;
	}
	if ((r = claim(s))) {
		agent_log(AGENT_LOG_ERROR, "sync: cannot record ownership in %s (%s): "
			  "not changing the kernel", s->owner->path, strerror(-r));
		retry_ops(s);
		return 0;  /* reported; the retry timer tries again */
	}
	if ((r = nl_ipvs_batch_start(s->nl, s->ops.v, s->ops.n))) {
		retry_ops(s);
		return r;
	}
	s->busy = 1;
	step(s);
	return 0;
}

/* --- watchers ------------------------------------------------------------- */

static int have_work(struct agent_sync *s)
{
	return s->all_pending || ipvs_state_nservices(s->pending) > 0;
}

static void verify_now(struct agent_sync *s)
{
	double t0 = ev_time();

	if (agent_sync_load_kernel(s)) {
		agent_log(AGENT_LOG_ERROR, "verify: %s", nl_ipvs_last_error(s->nl));
		return;
	}
	if (s->on_verify)
		s->on_verify(s->hook_arg);
	s->stats.verifies++;
	s->stats.last_verify = ev_now(s->loop);
	s->stats.last_verify_duration = ev_time() - t0;
	s->all_pending = 1;
	s->in_verify = 1;
}

static void prepare_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
	struct agent_sync *s = w->data;
	double wait;

	(void)loop;
	(void)revents;
	if (s->busy || !s->ready)
		return;
	if (s->verify_pending) {
		s->verify_pending = 0;
		verify_now(s);
	}
	if (!have_work(s))
		return;
	wait = s->stats.last_sync + s->opt->min_sync_period - ev_now(s->loop);
	if (s->opt->min_sync_period > 0 && s->stats.syncs && wait > 0) {
		if (!ev_is_active(&s->rate_timer)) {
			ev_timer_set(&s->rate_timer, wait, 0);
			ev_timer_start(s->loop, &s->rate_timer);
		}
		return;
	}
	if (start_batch(s))
		agent_log(AGENT_LOG_ERROR, "sync: cannot start: %s",
			  nl_ipvs_last_error(s->nl));
}

static void io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop;
	(void)revents;
	step(w->data);
}

static void verify_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	((struct agent_sync *)w->data)->verify_pending = 1;
}

static int retry_one(struct ipvs_state_service *ss, void *arg)
{
	agent_sync_touch(arg, &ipvs_state_service_conf(ss)->key);
	return 0;
}

/* Failed keys wait here, so a refusal is retried with backoff, not in a
 * tight loop. */
static void retry_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct agent_sync *s = w->data;

	(void)loop;
	(void)revents;
	ipvs_state_foreach(s->retry, retry_one, s);
	ipvs_state_clear(s->retry);
}

static void wake_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	/* Nothing to do: waking the loop runs the prepare hook. */
	(void)loop;
	(void)w;
	(void)revents;
}

static void drain_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct agent_sync *s = w->data;

	(void)loop;
	(void)revents;
	if (!s->busy && s->ndrains)
		drain_tick(s);
}

/* --- interface ------------------------------------------------------------ */

int agent_sync_init(struct agent_sync *s, struct ev_loop *loop,
		    struct nl_ipvs *nl, struct ipvs_state *want,
		    struct agent_owner *owner, const struct agent_options *opt)
{
	size_t i;

	memset(s, 0, sizeof(*s));
	s->started = ev_time();
	s->loop = loop;
	s->nl = nl;
	s->opt = opt;
	s->want = want;
	s->owner = owner;
	ipvs_ops_init(&s->ops);
	ipvs_ops_init(&s->scratch);
	s->chunk_ops = AGENT_SYNC_CHUNK_OPS;
	for (i = 0; i < opt->nexclude_cidrs; i++) {
		if (nl_addr_cidr_parse(opt->exclude_cidrs[i], &s->excludes[i])) {
			agent_log(AGENT_LOG_ERROR, "--ipvs-exclude-cidrs: bad CIDR %s",
				  opt->exclude_cidrs[i]);
			return -EINVAL;
		}
		s->nexcludes++;
	}
	if (!(s->have = ipvs_state_new()) || !(s->pending = ipvs_state_new()) ||
	    !(s->retry = ipvs_state_new()))
		return -ENOMEM;
	ev_prepare_init(&s->prepare, prepare_cb);
	ev_io_init(&s->io, io_cb, nl_ipvs_fd(nl), EV_READ);
	ev_timer_init(&s->verify_timer, verify_cb, 0, opt->sync_period);
	ev_timer_init(&s->rate_timer, wake_cb, 0, 0);
	ev_timer_init(&s->retry_timer, retry_cb, 0, 0);
	ev_timer_init(&s->drain_timer, drain_cb, DRAIN_TICK, DRAIN_TICK);
	s->prepare.data = s->io.data = s->verify_timer.data = s;
	s->rate_timer.data = s->retry_timer.data = s->drain_timer.data = s;
	return 0;
}

void agent_sync_fini(struct agent_sync *s)
{
	ipvs_state_free(s->have);
	ipvs_state_free(s->pending);
	ipvs_state_free(s->retry);
	ipvs_ops_fini(&s->ops);
	ipvs_ops_fini(&s->scratch);
	todo_clear(s);
	free(s->drains);
}

void agent_sync_start(struct agent_sync *s)
{
	s->verify_pending = 1;
	ev_prepare_start(s->loop, &s->prepare);
	ev_timer_again(s->loop, &s->verify_timer);
	ev_timer_start(s->loop, &s->drain_timer);
}

void agent_sync_stop(struct agent_sync *s)
{
	ev_prepare_stop(s->loop, &s->prepare);
	ev_io_stop(s->loop, &s->io);
	ev_timer_stop(s->loop, &s->verify_timer);
	ev_timer_stop(s->loop, &s->rate_timer);
	ev_timer_stop(s->loop, &s->retry_timer);
	ev_timer_stop(s->loop, &s->drain_timer);
}

void agent_sync_set_ready(struct agent_sync *s)
{
	s->ready = 1;
}

void agent_sync_touch(struct agent_sync *s, const struct ipvs_service_key *k)
{
	struct ipvs_service svc;

	if (!have_work(s))
		s->stats.last_queued = ev_now(s->loop);
	s->stats.last_touch = ev_now(s->loop);
	if (!s->stats.oldest_unapplied)
		s->stats.oldest_unapplied = s->stats.last_touch;
	if (!s->next_oldest)
		s->next_oldest = s->stats.last_touch;
	/* A full diff is coming (the first one, or a verification): it will
	 * see this key; no need to remember it, 10,000 times at a cold start. */
	if (!s->ready || s->all_pending)
		return;
	ipvs_service_init(&svc);
	svc.key = *k;
	if (!ipvs_state_put(s->pending, &svc))
		s->all_pending = 1; /* out of memory: fall back to a full diff */
}

static int load_one(void *arg, struct ipvs_table_service *ts)
{
	return ipvs_state_load_service(arg, ts);
}

/* Each service into the cache as its real servers come: the dump's
 * table never holds them all (a verification every 30 s would make
 * 14 MB of new pages each time at 100,000 real servers). */
int agent_sync_load_kernel(struct agent_sync *s)
{
	struct ipvs_table t;
	int r;

	ipvs_table_init(&t);
	ipvs_state_load_begin(s->have);
	r = nl_ipvs_dump_each(s->nl, &t, load_one, s->have);
	if (!r)
		ipvs_state_load_end(s->have);
	ipvs_table_fini(&t);
	return r;
}

int agent_sync_plan(struct agent_sync *s, struct ipvs_ops *out)
{
	int r = agent_sync_load_kernel(s);

	return r ? r : ipvs_diff(s->want, s->have, keep, s, out);
}
