/*
 * test/kernel/kt_sync.c - agent_sync on the real kernel, a large batch in
 * chunks.
 *
 * A batch of more than s->chunk_ops operations goes to the kernel a chunk
 * at a time, each chunk diffed afresh from the desired state and the cache
 * once the previous one's ACKs are in.  Here a chunk is 7 operations, so
 * 60 services x 5 real servers take dozens of chunks.  The loop, netlink
 * handle, ownership record and options are set up as agent/daemon.c does;
 * the desired state is built directly.  Every result is checked with
 * ipvsadm -Sn: the kernel equals the desired state, a foreign service (one
 * ipvsadm made, which the desired state also names) is never touched,
 * every service of every chunk is recorded as ours, removed TCP real
 * servers drain, and an op the kernel refuses leaves the others applied
 * and its key waiting for a retry.
 */
#include <ev.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/options.h"
#include "agent/owner.h"
#include "agent/sync.h"
#include "ipvs/parse.h"
#include "ipvs/state.h"
#include "kt.h"

#define NSVC 60           /* services of the cold start */
#define NDEST 5           /* real servers of each */
#define CHUNK 7           /* ops per chunk: about two services */
#define NADD 10           /* services the full diff adds */
#define DEL_FROM 40       /* the full diff removes services 40..59 */
#define FOREIGN "-t 10.4.9.1:80"
#define BAD "-t 10.4.8.1:80"  /* test 3: a scheduler the kernel lacks */
#define TIMEOUT 10.0      /* seconds any one wait may take */

struct kt_sync {
	struct ev_loop *loop;
	struct nl_ipvs *nl;
	struct agent_options opt;
	struct agent_owner owner;
	struct ipvs_state *want;
	struct agent_sync s;
	char dir[32];             /* the state directory (mkdtemp) */
	struct ipvs_service_key foreign;
	struct kt_lines foreign_lines;  /* ipvsadm -Sn before the agent ran */
	int touch;                /* want_line() also calls agent_sync_touch */
	ev_timer safety;
	int timed_out;
	unsigned batches;         /* after_batch calls */
	unsigned until;           /* run_batches: wait for this many */
	size_t first_ops;         /* the latest batch's first chunk, in ops */
	size_t first_todo;        /* its services left for later chunks */
};

/* --- lines ---------------------------------------------------------------- */

static void lines_push(struct kt_lines *l, const char *s)
{
	char *dup = strdup(s);

	l->v = realloc(l->v, (l->n + 1) * sizeof(*l->v));
	ck_assert_ptr_nonnull(l->v);
	ck_assert_ptr_nonnull(dup);
	l->v[l->n++] = dup;
}

static int lines_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void lines_sort(struct kt_lines *l)
{
	qsort(l->v, l->n, sizeof(*l->v), lines_cmp);
}

struct state_fmt {
	struct kt_lines *out;
	const struct ipvs_service *svc;
	const struct ipvs_service_key *skip[2];   /* keys left out, or NULL */
};

static int fmt_dest(struct ipvs_state_dest *sd, void *arg)
{
	struct state_fmt *sf = arg;
	char line[IPVS_FMT_MAX];

	lines_push(sf->out,
		   ipvs_dest_fmt(sf->svc, &sd->conf, line, sizeof(line)));
	return 0;
}

static int fmt_service(struct ipvs_state_service *ss, void *arg)
{
	struct state_fmt *sf = arg;
	char line[IPVS_FMT_MAX];
	int i;

	sf->svc = ipvs_state_service_conf(ss);
	for (i = 0; i < 2; i++)
		if (sf->skip[i] &&
		    ipvs_service_key_cmp(&sf->svc->key, sf->skip[i]) == 0)
			return 0;
	lines_push(sf->out, ipvs_service_fmt(sf->svc, line, sizeof(line)));
	return ipvs_state_dest_foreach(ss, fmt_dest, sf);
}

/* @st in ipvsadm -Sn notation, appended to @out, without the keys
 * @skip and @skip2 (either may be NULL). */
static void state_lines(const struct ipvs_state *st,
			const struct ipvs_service_key *skip,
			const struct ipvs_service_key *skip2,
			struct kt_lines *out)
{
	struct state_fmt sf = { out, NULL, { skip, skip2 } };

	ipvs_state_foreach(st, fmt_service, &sf);
}

/* What ipvsadm must show: the desired state but the key @absent (may be
 * NULL) and the foreign key, whose lines are as they were before the
 * agent ran, and the line @extra (may be NULL). */
static void expected_lines(struct kt_sync *f,
			   const struct ipvs_service_key *absent,
			   const char *extra, struct kt_lines *out)
{
	size_t i;

	memset(out, 0, sizeof(*out));
	state_lines(f->want, &f->foreign, absent, out);
	for (i = 0; i < f->foreign_lines.n; i++)
		lines_push(out, f->foreign_lines.v[i]);
	if (extra)
		lines_push(out, extra);
	lines_sort(out);
}

/* The kernel, as ipvsadm sees it, is @want; so is the agent's cache. */
static void assert_kernel(struct kt_sync *f, const struct kt_lines *want)
{
	struct kt_lines theirs, cache;

	kt_capture(&theirs, "ipvsadm -Sn");
	kt_assert_same(want, &theirs);
	memset(&cache, 0, sizeof(cache));
	state_lines(f->s.have, NULL, NULL, &cache);
	lines_sort(&cache);
	kt_assert_same(&cache, &theirs);
	kt_lines_free(&cache);
	kt_lines_free(&theirs);
}

/* --- the desired state ---------------------------------------------------- */

/* Change the desired state by one ipvsadm command (-A -E -D -a -e -d). */
static void want_line(struct kt_sync *f, const char *line)
{
	struct ipvs_op op;

	kt_op(&op, line);
	ck_assert_int_eq(ipvs_state_apply_op(f->want, &op), 0);
	if (f->touch)
		agent_sync_touch(&f->s, &op.svc.key);
}

static void svc_key(int i, char *buf, size_t len)
{
	snprintf(buf, len, "-%c 10.4.%d.%d:%d", i % 3 == 2 ? 'u' : 't', i / 200,
		 1 + i % 200, i % 3 == 2 ? 53 : 80);
}

static void svc_key_parse(int i, struct ipvs_service_key *k)
{
	char key[64], line[IPVS_FMT_MAX];
	struct ipvs_op op;

	svc_key(i, key, sizeof(key));
	snprintf(line, sizeof(line), "-D %s", key);
	kt_op(&op, line);
	*k = op.svc.key;
}

/* Service @i: TCP, or UDP every third; service 7 persistent.  Its lines,
 * canonical as ipvsadm -Sn prints them, also go to @lit if not NULL. */
static void want_service(struct kt_sync *f, int i, struct kt_lines *lit)
{
	char key[64], line[IPVS_FMT_MAX];
	int j;

	svc_key(i, key, sizeof(key));
	snprintf(line, sizeof(line), "-A %s -s rr%s", key,
		 i == 7 ? " -p 300" : "");
	want_line(f, line);
	if (lit)
		lines_push(lit, line);
	for (j = 0; j < NDEST; j++) {
		snprintf(line, sizeof(line),
			 "-a %s -r 10.1.%d.%d:8080 -m -w %d", key, 10 + i,
			 1 + j, 1 + j);
		want_line(f, line);
		if (lit)
			lines_push(lit, line);
	}
}

/* The cold start's services, with the foreign key among them after
 * service 30 and, if @bad, a service the kernel refuses after 45: both
 * in later chunks. */
static void want_cluster(struct kt_sync *f, int bad, struct kt_lines *lit)
{
	char line[IPVS_FMT_MAX];
	int i, j;

	for (i = 0; i < NSVC; i++) {
		want_service(f, i, lit);
		if (i == 30) {
			want_line(f, "-A " FOREIGN " -s rr");
			want_line(f, "-a " FOREIGN " -r 10.1.201.1:80 -m -w 1");
		}
		if (i == 45 && bad) {
			want_line(f, "-A " BAD " -s nosuch");
			for (j = 0; j < NDEST; j++) {
				snprintf(line, sizeof(line), "-a " BAD
					 " -r 10.1.202.%d:80 -m -w 1", 1 + j);
				want_line(f, line);
			}
		}
	}
}

/* --- the agent ------------------------------------------------------------ */

static void before_batch(void *arg)
{
	struct kt_sync *f = arg;

	f->first_ops = f->s.ops.n;
	f->first_todo = f->s.ntodo;
}

static void after_batch(void *arg)
{
	struct kt_sync *f = arg;

	f->batches++;
	ev_break(f->loop, EVBREAK_ALL);
}

static void safety_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct kt_sync *f = w->data;

	(void)revents;
	f->timed_out = 1;
	ev_break(loop, EVBREAK_ALL);
}

/* An empty kernel but for one foreign service, and an agent for it with
 * the default options but --ipvs-sync-period @period and a fresh state
 * directory; not started. */
static void kt_sync_setup(struct kt_sync *f, const char *period)
{
	char per[16];
	char *argv[] = { "kt", "--state-dir", f->dir, "--ipvs-sync-period",
			 per, NULL };
	struct ipvs_op op;

	memset(f, 0, sizeof(*f));
	snprintf(per, sizeof(per), "%s", period);
	f->nl = kt_open_clean();
	kt_run("ipvsadm -A " FOREIGN " -s wlc && "
	       "ipvsadm -a " FOREIGN " -r 10.1.200.1:80 -m -w 2");
	kt_capture(&f->foreign_lines, "ipvsadm -Sn");
	ck_assert_uint_eq(f->foreign_lines.n, 2);
	kt_op(&op, "-D " FOREIGN);
	f->foreign = op.svc.key;
	strcpy(f->dir, "/tmp/kt-sync-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(f->dir));
	ck_assert_int_eq(agent_options_parse(&f->opt, 5, argv), 0);
	ck_assert_int_eq(agent_owner_load(&f->owner, f->dir), 0);
	f->loop = ev_loop_new(EVFLAG_AUTO);
	f->want = ipvs_state_new();
	ck_assert_ptr_nonnull(f->loop);
	ck_assert_ptr_nonnull(f->want);
	ck_assert_int_eq(agent_sync_init(&f->s, f->loop, f->nl, f->want,
					 &f->owner, &f->opt), 0);
	f->s.chunk_ops = CHUNK;
	f->s.before_batch = before_batch;
	f->s.after_batch = after_batch;
	f->s.hook_arg = f;
	ev_timer_init(&f->safety, safety_cb, 0, 0);
	f->safety.data = f;
}

static void kt_sync_teardown(struct kt_sync *f)
{
	char path[64];

	agent_sync_stop(&f->s);
	agent_sync_fini(&f->s);
	ipvs_state_free(f->want);
	agent_owner_fini(&f->owner);
	ev_loop_destroy(f->loop);
	nl_ipvs_close(f->nl);
	kt_lines_free(&f->foreign_lines);
	snprintf(path, sizeof(path), "%s/owned", f->dir);
	unlink(path);
	rmdir(f->dir);
}

static int batches_done(struct kt_sync *f)
{
	return f->batches >= f->until;
}

/* Run the loop until @done says so (it is asked after each batch). */
static void run_until(struct kt_sync *f, int (*done)(struct kt_sync *f))
{
	f->timed_out = 0;
	ev_now_update(f->loop);
	ev_timer_set(&f->safety, TIMEOUT, 0);
	ev_timer_start(f->loop, &f->safety);
	while (!done(f) && !f->timed_out)
		ev_run(f->loop, 0);
	ev_timer_stop(f->loop, &f->safety);
	ck_assert_msg(!f->timed_out, "no result after %.0f s (%u batches)",
		      TIMEOUT, f->batches);
}

/* Run until @n more batches are in, every chunk of them. */
static void run_batches(struct kt_sync *f, unsigned n)
{
	f->until = f->batches + n;
	run_until(f, batches_done);
}

/* Start as the daemon does (the source is ready at once); the first
 * verification reads the kernel, and its full diff is the cold start. */
static void cold_start(struct kt_sync *f)
{
	agent_sync_set_ready(&f->s);
	agent_sync_start(&f->s);
	run_batches(f, 1);
}

/* --- checks --------------------------------------------------------------- */

static uint64_t ops_sum(const uint64_t *v)
{
	uint64_t n = 0;
	int k;

	for (k = IPVS_OP_ADD_SERVICE; k <= IPVS_OP_DEL_DEST; k++)
		n += v[k];
	return n;
}

struct owned_check {
	const struct agent_owner *o;
	const struct ipvs_service_key *foreign;
	size_t n;                 /* desired services but the foreign one */
};

static int owned_one(struct ipvs_state_service *ss, void *arg)
{
	struct owned_check *c = arg;
	const struct ipvs_service_key *k = &ipvs_state_service_conf(ss)->key;
	char key[IPVS_FMT_MAX];

	if (ipvs_service_key_cmp(k, c->foreign) == 0)
		return 0;
	ck_assert_msg(agent_owner_has(c->o, k), "%s: not recorded as ours",
		      ipvs_service_key_fmt(k, key, sizeof(key)));
	c->n++;
	return 0;
}

/* The record on disk, read afresh, holds the desired services and no
 * other: not the foreign one (which the desired state also names), not
 * those removed. */
static void assert_owned(struct kt_sync *f)
{
	struct agent_owner o;
	struct owned_check c = { &o, &f->foreign, 0 };

	ck_assert_int_eq(agent_owner_load(&o, f->dir), 0);
	ipvs_state_foreach(f->want, owned_one, &c);
	ck_assert_msg(!agent_owner_has(&o, &f->foreign), "the foreign service "
		      "is recorded as ours");
	ck_assert_uint_eq(c.n, ipvs_state_nservices(f->want) - 1);
	ck_assert_uint_eq(ipvs_state_nservices(o.svcs), c.n);
	agent_owner_fini(&o);
}

/* --- 1. a cold start ------------------------------------------------------ */

/*
 * 60 services x 5 real servers (360 ops, about 30 chunks) into a kernel
 * that has only the foreign service, which the desired state also names
 * (with another scheduler and real server).  ipvsadm then shows exactly
 * the lines we asked for plus the foreign service as it was.
 */
START_TEST(cold_start_in_chunks)
{
	struct kt_sync f;
	struct kt_lines want;
	size_t i;

	kt_sync_setup(&f, "30s");
	memset(&want, 0, sizeof(want));
	want_cluster(&f, 0, &want);
	for (i = 0; i < f.foreign_lines.n; i++)
		lines_push(&want, f.foreign_lines.v[i]);
	lines_sort(&want);
	cold_start(&f);

	/* It was chunked: the first chunk is about two services. */
	ck_assert_uint_le(f.first_ops, 2 * (NDEST + 1));
	ck_assert_uint_ge(f.first_todo, NSVC - 2);
	assert_kernel(&f, &want);
	assert_owned(&f);
	/* One batch, counted once, every op of it; the foreign key seen. */
	ck_assert_uint_eq(f.batches, 1);
	ck_assert_uint_eq(f.s.stats.syncs, 1);
	ck_assert_uint_eq(f.s.stats.verifies, 1);
	ck_assert_uint_eq(f.s.stats.ops[IPVS_OP_ADD_SERVICE], NSVC);
	ck_assert_uint_eq(f.s.stats.ops[IPVS_OP_ADD_DEST], NSVC * NDEST);
	ck_assert_uint_eq(ops_sum(f.s.stats.ops), NSVC * (NDEST + 1));
	ck_assert_uint_eq(ops_sum(f.s.stats.repairs), 0);
	ck_assert_uint_eq(f.s.stats.op_errors, 0);
	ck_assert_uint_ge(f.s.stats.foreign_conflicts, 1);
	ck_assert_uint_eq(ipvs_state_nservices(f.s.retry), 0);
	ck_assert_uint_eq(f.s.ntodo, 0);
	kt_lines_free(&want);
	kt_sync_teardown(&f);
}
END_TEST

/* --- 2. a full diff that removes and edits; the drain ends ---------------- */

#define DRAINED "-a -t 10.4.0.1:80 -r 10.1.10.5:8080 -m -w 0"

/* Remove services 40..59, a TCP real server of service 0 (it drains) and
 * a UDP one of service 2, change weights of 3..5 and the scheduler of
 * 6..8, add services 60..69.  91 ops; the foreign key is touched too. */
static void want_change(struct kt_sync *f)
{
	char key[64], line[IPVS_FMT_MAX];
	int i, j;

	for (i = DEL_FROM; i < NSVC; i++) {
		svc_key(i, key, sizeof(key));
		snprintf(line, sizeof(line), "-D %s", key);
		want_line(f, line);
	}
	want_line(f, "-d -t 10.4.0.1:80 -r 10.1.10.5:8080");
	want_line(f, "-d -u 10.4.0.3:53 -r 10.1.12.5:8080");
	for (i = 3; i <= 5; i++)
		for (j = 0; j < 2; j++) {
			svc_key(i, key, sizeof(key));
			snprintf(line, sizeof(line),
				 "-e %s -r 10.1.%d.%d:8080 -m -w 50", key,
				 10 + i, 1 + j);
			want_line(f, line);
		}
	for (i = 6; i <= 8; i++) {
		svc_key(i, key, sizeof(key));
		snprintf(line, sizeof(line), "-E %s -s wrr%s", key,
			 i == 7 ? " -p 300" : "");
		want_line(f, line);
	}
	for (i = NSVC; i < NSVC + NADD; i++)
		want_service(f, i, NULL);
	if (f->touch)
		agent_sync_touch(&f->s, &f->foreign);
}

static int drained(struct kt_sync *f)
{
	return f->s.ndrains == 0;
}

/*
 * _i == 0: the changes are found by a verification (--ipvs-sync-period
 * 300ms), a full diff (all_pending); _i == 1: each changed key is
 * touched, the pending path.  Both are larger than a chunk.
 */
START_TEST(full_diff_in_chunks)
{
	struct ipvs_service_key k;
	struct kt_sync f;
	struct kt_lines want;
	int i;

	kt_sync_setup(&f, _i == 0 ? "300ms" : "30s");
	want_cluster(&f, 0, NULL);
	cold_start(&f);
	f.touch = _i == 1;
	want_change(&f);
	run_batches(&f, 1);

	ck_assert_uint_le(f.first_ops, CHUNK + NDEST + 1);
	ck_assert_uint_gt(f.first_todo, 0);
	expected_lines(&f, NULL, DRAINED, &want);
	assert_kernel(&f, &want);
	kt_lines_free(&want);
	assert_owned(&f);
	for (i = DEL_FROM; i < NSVC; i++) {
		svc_key_parse(i, &k);
		ck_assert(!agent_owner_has(&f.owner, &k));
	}
	ck_assert_uint_eq(f.s.stats.syncs, 2);
	ck_assert_uint_eq(f.s.stats.verifies, _i == 0 ? 2 : 1);
	ck_assert_uint_eq(f.s.stats.ops[IPVS_OP_DEL_SERVICE], NSVC - DEL_FROM);
	ck_assert_uint_eq(f.s.stats.ops[IPVS_OP_EDIT_SERVICE], 3);
	ck_assert_uint_eq(f.s.stats.ops[IPVS_OP_EDIT_DEST], 6 + 1);
	ck_assert_uint_eq(f.s.stats.ops[IPVS_OP_DEL_DEST], 1);
	ck_assert_uint_eq(f.s.stats.ops[IPVS_OP_ADD_SERVICE], NSVC + NADD);
	ck_assert_uint_eq(f.s.stats.ops[IPVS_OP_ADD_DEST],
			  (NSVC + NADD) * NDEST);
	ck_assert_uint_eq(ops_sum(f.s.stats.repairs), _i == 0 ? 91 : 0);
	ck_assert_uint_eq(f.s.stats.op_errors, 0);
	ck_assert_uint_eq(f.s.ndrains, 1);

	/* No connections: the next drain tick (a second) finds it idle,
	 * and the batch after deletes it. */
	run_until(&f, drained);
	expected_lines(&f, NULL, NULL, &want);
	assert_kernel(&f, &want);
	kt_lines_free(&want);
	ck_assert_uint_eq(f.s.stats.ops[IPVS_OP_DEL_DEST], 2);
	ck_assert_uint_eq(f.s.stats.op_errors, 0);
	kt_sync_teardown(&f);
}
END_TEST

/* --- 3. an op the kernel refuses ------------------------------------------ */

static int retried(struct kt_sync *f)
{
	return f->batches >= f->until && ipvs_state_nservices(f->s.retry) == 0;
}

/*
 * A scheduler the kernel has no module for passes our checks; the kernel
 * refuses the service (ENOENT) and so its real servers (ESRCH).  The
 * other ops, those of its own chunk too, still apply; its key waits in
 * the retry set, and once the desired state names a real scheduler the
 * retry (a second later) puts it in.
 */
START_TEST(refused_op_in_a_chunk)
{
	struct kt_sync f;
	struct kt_lines want;
	struct ipvs_op bad;

	kt_sync_setup(&f, "30s");
	want_cluster(&f, 1, NULL);
	kt_op(&bad, "-D " BAD);
	cold_start(&f);

	ck_assert_uint_gt(f.first_todo, 0);
	ck_assert_uint_eq(f.s.stats.op_errors, NDEST + 1);
	ck_assert_uint_eq(f.s.stats.op_failures[IPVS_OP_ADD_SERVICE], 1);
	ck_assert_uint_eq(f.s.stats.op_failures[IPVS_OP_ADD_DEST], NDEST);
	ck_assert_uint_eq(f.s.stats.ops[IPVS_OP_ADD_SERVICE], NSVC);
	ck_assert_uint_eq(f.s.stats.ops[IPVS_OP_ADD_DEST], NSVC * NDEST);
	ck_assert_uint_eq(ipvs_state_nservices(f.s.retry), 1);
	ck_assert_ptr_nonnull(ipvs_state_find(f.s.retry, &bad.svc.key));
	ck_assert(ev_is_active(&f.s.retry_timer));
	/* The kernel has all the rest. */
	expected_lines(&f, &bad.svc.key, NULL, &want);
	assert_kernel(&f, &want);
	kt_lines_free(&want);

	want_line(&f, "-E " BAD " -s rr");   /* a known scheduler now */
	f.until = f.batches + 1;
	run_until(&f, retried);
	expected_lines(&f, NULL, NULL, &want);
	assert_kernel(&f, &want);
	kt_lines_free(&want);
	assert_owned(&f);
	ck_assert_uint_eq(f.s.stats.ops[IPVS_OP_ADD_SERVICE], NSVC + 1);
	ck_assert_uint_eq(f.s.stats.op_errors, NDEST + 1);
	kt_sync_teardown(&f);
}
END_TEST

Suite *kt_sync_suite(void)
{
	Suite *s = suite_create("kernel-sync");
	TCase *tc = tcase_create("chunks");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, cold_start_in_chunks);
	tcase_add_loop_test(tc, full_diff_in_chunks, 0, 2);
	tcase_add_test(tc, refused_op_in_a_chunk);
	suite_add_tcase(s, tc);
	return s;
}
