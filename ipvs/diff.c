/*
 * ipvs/diff.c - (want, have) -> the ordered operations between them, in
 * the order diff.h gives.  Each side is walked once per pass and each key
 * looked up in the other side's hash: O(services + real servers).
 */
#include "diff.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void ipvs_ops_init(struct ipvs_ops *ops)
{
	memset(ops, 0, sizeof(*ops));
}

void ipvs_ops_fini(struct ipvs_ops *ops)
{
	free(ops->v);
	ipvs_ops_init(ops);
}

void ipvs_ops_clear(struct ipvs_ops *ops)
{
	ops->n = 0;
}

/* Doubling: a cold sync of 110,000 ops reallocs 11 times. */
struct ipvs_op *ipvs_ops_push(struct ipvs_ops *ops, enum ipvs_op_kind kind,
			      const struct ipvs_service *svc,
			      const struct ipvs_dest *dest)
{
	struct ipvs_op *op;
	size_t cap;
	void *p;

	if (ops->n == ops->cap) {
		cap = ops->cap ? ops->cap * 2 : 64;
		p = realloc(ops->v, cap * sizeof(*ops->v));
		if (!p)
			return NULL;
		ops->v = p;
		ops->cap = cap;
	}
	op = &ops->v[ops->n++];
	memset(op, 0, sizeof(*op));
	op->kind = kind;
	op->svc = *svc;
	if (dest)
		op->dest = *dest;
	return op;
}

/* What a real-server walk needs: the other side and where ops go. */
struct diff_walk {
	const struct ipvs_state_service *other; /* where to look keys up */
	const struct ipvs_service *svc;          /* want's conf, for every op */
	struct ipvs_ops *out;
	int edits;                               /* EDIT_DESTs due */
};

static int push(struct diff_walk *w, enum ipvs_op_kind kind,
		const struct ipvs_dest *d)
{
	return ipvs_ops_push(w->out, kind, w->svc, d) ? 0 : -ENOMEM;
}

/* Over @have: real servers @want lacks. */
static int walk_dels(struct ipvs_state_dest *hd, void *arg)
{
	struct diff_walk *w = arg;

	if (w->other && ipvs_state_dest_find(w->other, &hd->conf))
		return 0;
	return push(w, IPVS_OP_DEL_DEST, &hd->conf);
}

/* Over @want: real servers @have lacks; counts the ones that differ. */
static int walk_adds(struct ipvs_state_dest *wd, void *arg)
{
	struct diff_walk *w = arg;
	struct ipvs_state_dest *hd = NULL;

	if (w->other)
		hd = ipvs_state_dest_find(w->other, &wd->conf);
	if (!hd)
		return push(w, IPVS_OP_ADD_DEST, &wd->conf);
	if (!ipvs_dest_conf_equal(&wd->conf, &hd->conf))
		w->edits++;
	return 0;
}

/* Over @want: real servers whose configuration differs. */
static int walk_edits(struct ipvs_state_dest *wd, void *arg)
{
	struct diff_walk *w = arg;
	struct ipvs_state_dest *hd = ipvs_state_dest_find(w->other, &wd->conf);

	if (!hd || ipvs_dest_conf_equal(&wd->conf, &hd->conf))
		return 0;
	return push(w, IPVS_OP_EDIT_DEST, &wd->conf);
}

/* Both present: edit in place, then DEL, ADD, EDIT of real servers. */
static int diff_both(const struct ipvs_state_service *want,
		     const struct ipvs_state_service *have,
		     struct ipvs_ops *out)
{
	struct diff_walk w = { have, ipvs_state_service_conf(want), out, 0 };
	int r;

	if (!ipvs_service_conf_equal(w.svc, ipvs_state_service_conf(have)) &&
	    push(&w, IPVS_OP_EDIT_SERVICE, NULL))
		return -ENOMEM;
	w.other = want;
	if ((r = ipvs_state_dest_foreach(have, walk_dels, &w)))
		return r;
	w.other = have;
	if ((r = ipvs_state_dest_foreach(want, walk_adds, &w)))
		return r;
	/* Most syncs change no weights: skip the third walk then. */
	return w.edits ? ipvs_state_dest_foreach(want, walk_edits, &w) : 0;
}

int ipvs_diff_service(const struct ipvs_state_service *want,
		      const struct ipvs_state_service *have,
		      struct ipvs_ops *out)
{
	struct diff_walk w = { NULL, NULL, out, 0 };
	size_t mark = out->n;
	int r = 0;

	if (want && have) {
		r = diff_both(want, have, out);
	} else if (want) {
		w.svc = ipvs_state_service_conf(want);
		r = push(&w, IPVS_OP_ADD_SERVICE, NULL);
		if (!r)
			r = ipvs_state_dest_foreach(want, walk_adds, &w);
	} else if (have) {
		/* The kernel removes the real servers with their service. */
		w.svc = ipvs_state_service_conf(have);
		r = push(&w, IPVS_OP_DEL_SERVICE, NULL);
	}
	if (r)
		out->n = mark;   /* all or nothing */
	return r;
}

/* What a service walk needs. */
struct diff_all {
	const struct ipvs_state *other;   /* the side to look the key up in */
	int (*keep)(const struct ipvs_service_key *k, void *arg);
	void *arg;
	struct ipvs_ops *out;
};

static int kept(const struct diff_all *d, const struct ipvs_service_key *k)
{
	return !d->keep || d->keep(k, d->arg);
}

/* Over @have: services @want lacks. */
static int walk_svc_dels(struct ipvs_state_service *hs, void *arg)
{
	struct diff_all *d = arg;
	const struct ipvs_service_key *k = &ipvs_state_service_conf(hs)->key;

	if (!kept(d, k) || (d->other && ipvs_state_find(d->other, k)))
		return 0;
	return ipvs_diff_service(NULL, hs, d->out);
}

/* Over @want: every service, against its counterpart in @have if any. */
static int walk_svc_rest(struct ipvs_state_service *ws, void *arg)
{
	struct diff_all *d = arg;
	const struct ipvs_service_key *k = &ipvs_state_service_conf(ws)->key;

	if (!kept(d, k))
		return 0;
	return ipvs_diff_service(ws, d->other ? ipvs_state_find(d->other, k)
					      : NULL,
				 d->out);
}

/* A NULL state is an empty one.  Two walks, one lookup per service each. */
int ipvs_diff(const struct ipvs_state *want, const struct ipvs_state *have,
	      int (*keep)(const struct ipvs_service_key *k, void *arg),
	      void *arg, struct ipvs_ops *out)
{
	struct diff_all d = { want, keep, arg, out };
	size_t mark = out->n;
	int r = 0;

	if (have)
		r = ipvs_state_foreach(have, walk_svc_dels, &d);
	d.other = have;
	if (!r && want)
		r = ipvs_state_foreach(want, walk_svc_rest, &d);
	if (r)
		out->n = mark;
	return r;
}
