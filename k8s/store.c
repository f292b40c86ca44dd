/*
 * k8s/store.c - Services, EndpointSlices, the Service -> slices index and
 * the dirty set, one object at a time.
 *
 * Every change allocates what it needs (dirty mark, index room, map
 * entry) before it touches anything, so a failure leaves the store as it
 * was, plus perhaps a harmless extra dirty mark.
 */
#include "store_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct k8s_store *k8s_store_new(void)
{
	return calloc(1, sizeof(struct k8s_store));
}

static void store_free_service(void *v)
{
	k8s_service_free(v);
}

static void store_free_slice(void *v)
{
	k8s_endpointslice_free(v);
}

static void store_free_group(void *v)
{
	struct k8s_store_group *g = v;

	free(g->v);
	free(g);
}

void k8s_store_free(struct k8s_store *st)
{
	if (!st)
		return;
	k8s_nsmap_fini(&st->services, store_free_service);
	k8s_nsmap_fini(&st->slices, store_free_slice);
	k8s_nsmap_fini(&st->groups, store_free_group);
	k8s_nsmap_fini(&st->dirty, NULL);
	k8s_node_free(st->node);
	free(st);
}

/* Mark Service key (ns, name) dirty; NULL name (no service) is a no-op. */
static int store_mark(struct k8s_store *st, const char *ns, const char *name)
{
	if (!name)
		return 0;
	return k8s_nsmap_put(&st->dirty, ns, name, NULL, NULL);
}

/* ---- Services ---------------------------------------------------------- */

int k8s_store_put_service_mark(struct k8s_store *st, struct k8s_service *s,
			       int mark)
{
	void *old = NULL;
	int rc;

	if (!s)
		return -EINVAL;
	if (!s->meta.ns || !s->meta.name) {
		k8s_service_free(s);
		return -EINVAL;
	}
	rc = mark ? store_mark(st, s->meta.ns, s->meta.name) : 0;
	if (!rc)
		rc = k8s_nsmap_put(&st->services, s->meta.ns, s->meta.name, s,
				   &old);
	if (rc)
		k8s_service_free(s);
	k8s_service_free(old);
	return rc;
}

int k8s_store_put_service(struct k8s_store *st, struct k8s_service *s)
{
	return k8s_store_put_service_mark(st, s, 1);
}

int k8s_store_del_service(struct k8s_store *st, const char *ns,
			  const char *name)
{
	int rc;

	if (!k8s_nsmap_find(&st->services, ns, name))
		return -ENOENT;
	rc = store_mark(st, ns, name);
	if (rc)
		return rc;
	k8s_service_free(k8s_nsmap_del(&st->services, ns, name));
	return 0;
}

const struct k8s_service *k8s_store_service(const struct k8s_store *st,
					    const char *ns, const char *name)
{
	return k8s_nsmap_get(&st->services, ns, name);
}

/* ---- the Service -> slices index --------------------------------------- */

/* Where slice @name is, or would go, in @g. */
static size_t group_pos(const struct k8s_store_group *g, const char *name)
{
	size_t lo = 0, hi = g->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strcmp(g->v[mid]->meta.name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Drop group (ns, svc) if it holds nothing. */
static void group_drop_if_empty(struct k8s_store *st, const char *ns,
				const char *svc)
{
	struct k8s_store_group *g = k8s_nsmap_get(&st->groups, ns, svc);

	if (g && !g->n)
		store_free_group(k8s_nsmap_del(&st->groups, ns, svc));
}

/* The group of (ns, svc), created if needed, with room for one more. */
static struct k8s_store_group *group_reserve(struct k8s_store *st,
					     const char *ns, const char *svc)
{
	struct k8s_store_group *g = k8s_nsmap_get(&st->groups, ns, svc);
	size_t cap;
	void *v;

	if (!g) {
		g = calloc(1, sizeof(*g));
		if (!g || k8s_nsmap_put(&st->groups, ns, svc, g, NULL)) {
			free(g);
			return NULL;
		}
	}
	if (g->n < g->cap)
		return g;
	cap = g->cap ? g->cap * 2 : 4;
	v = realloc(g->v, cap * sizeof(*g->v));
	if (!v) {
		group_drop_if_empty(st, ns, svc);
		return NULL;
	}
	g->v = v;
	g->cap = cap;
	return g;
}

/* Insert into a group with room (group_reserve). */
static void group_insert(struct k8s_store_group *g, struct k8s_endpointslice *e)
{
	size_t i = group_pos(g, e->meta.name);

	memmove(&g->v[i + 1], &g->v[i], (g->n - i) * sizeof(*g->v));
	g->v[i] = e;
	g->n++;
}

/* Take @e out of the group of (ns, svc); the group may be left empty. */
static void group_remove(struct k8s_store *st, const char *ns,
			 const char *svc, const struct k8s_endpointslice *e)
{
	struct k8s_store_group *g = k8s_nsmap_get(&st->groups, ns, svc);
	size_t i;

	if (!g)
		return;
	i = group_pos(g, e->meta.name);
	if (i == g->n || g->v[i] != e)
		return;
	memmove(&g->v[i], &g->v[i + 1], (g->n - i - 1) * sizeof(*g->v));
	g->n--;
}

/* ---- slices ------------------------------------------------------------ */

/* Everything that can fail: marks, index room, the map entry. */
static int slice_prepare(struct k8s_store *st, struct k8s_endpointslice *e,
			 const struct k8s_endpointslice *old, int mark)
{
	const char *ns = e->meta.ns;
	int rc = 0;

	if (mark && old)
		rc = store_mark(st, ns, old->service_name);
	if (!rc && mark)
		rc = store_mark(st, ns, e->service_name);
	if (!rc && e->service_name && !group_reserve(st, ns, e->service_name))
		rc = -ENOMEM;
	if (!rc && !old)
		rc = k8s_nsmap_put(&st->slices, ns, e->meta.name, e, NULL);
	if (rc && e->service_name)
		group_drop_if_empty(st, ns, e->service_name);
	return rc;
}

int k8s_store_put_slice_mark(struct k8s_store *st,
			     struct k8s_endpointslice *e, int mark)
{
	struct k8s_endpointslice *old;
	const char *ns;
	int rc;

	if (!e)
		return -EINVAL;
	if (!e->meta.ns || !e->meta.name) {
		k8s_endpointslice_free(e);
		return -EINVAL;
	}
	ns = e->meta.ns;
	old = k8s_nsmap_get(&st->slices, ns, e->meta.name);
	rc = slice_prepare(st, e, old, mark);
	if (rc) {
		k8s_endpointslice_free(e);
		return rc;
	}
	/* From here nothing can fail. */
	if (old) {
		k8s_nsmap_put(&st->slices, ns, e->meta.name, e, NULL);
		if (old->service_name)
			group_remove(st, ns, old->service_name, old);
	}
	if (e->service_name)
		group_insert(k8s_nsmap_get(&st->groups, ns, e->service_name), e);
	if (old && old->service_name)
		group_drop_if_empty(st, ns, old->service_name);
	k8s_endpointslice_free(old);
	return 0;
}

int k8s_store_put_slice(struct k8s_store *st, struct k8s_endpointslice *e)
{
	return k8s_store_put_slice_mark(st, e, 1);
}

int k8s_store_del_slice(struct k8s_store *st, const char *ns,
			const char *name)
{
	struct k8s_endpointslice *e = k8s_nsmap_get(&st->slices, ns, name);
	int rc;

	if (!e)
		return -ENOENT;
	/* The caller's strings may be the map's own key, freed by the
	 * delete (k8s_store_replace_all passes those): use the slice's. */
	ns = e->meta.ns;
	rc = store_mark(st, ns, e->service_name);
	if (rc)
		return rc;
	k8s_nsmap_del(&st->slices, ns, e->meta.name);
	if (e->service_name) {
		group_remove(st, ns, e->service_name, e);
		group_drop_if_empty(st, ns, e->service_name);
	}
	k8s_endpointslice_free(e);
	return 0;
}

const struct k8s_endpointslice *k8s_store_slice(const struct k8s_store *st,
						const char *ns,
						const char *name)
{
	return k8s_nsmap_get(&st->slices, ns, name);
}

size_t k8s_store_slices_of(const struct k8s_store *st, const char *ns,
			   const char *svc_name,
			   const struct k8s_endpointslice **out, size_t max)
{
	const struct k8s_store_group *g;
	size_t i;

	g = k8s_nsmap_get(&st->groups, ns, svc_name);
	if (!g)
		return 0;
	for (i = 0; i < g->n && i < max; i++)
		out[i] = g->v[i];
	return g->n;
}

/* ---- the node, walks, counts ------------------------------------------- */

void k8s_store_set_node(struct k8s_store *st, struct k8s_node *n)
{
	k8s_node_free(st->node);
	st->node = n;
}

const struct k8s_node *k8s_store_node(const struct k8s_store *st)
{
	return st->node;
}

struct store_walk {
	int (*svc_fn)(void *arg, const struct k8s_service *s);
	int (*slice_fn)(void *arg, const struct k8s_endpointslice *e);
	void *arg;
};

static int store_walk_service(void *arg, struct k8s_nsmap_entry *e)
{
	struct store_walk *w = arg;

	return w->svc_fn(w->arg, e->val);
}

static int store_walk_slice(void *arg, struct k8s_nsmap_entry *e)
{
	struct store_walk *w = arg;

	return w->slice_fn(w->arg, e->val);
}

int k8s_store_foreach_service(const struct k8s_store *st,
			      int (*fn)(void *arg, const struct k8s_service *s),
			      void *arg)
{
	struct store_walk w = { .svc_fn = fn, .arg = arg };

	return k8s_nsmap_foreach(&st->services, store_walk_service, &w);
}

int k8s_store_foreach_slice(const struct k8s_store *st,
			    int (*fn)(void *arg,
				      const struct k8s_endpointslice *e),
			    void *arg)
{
	struct store_walk w = { .slice_fn = fn, .arg = arg };

	return k8s_nsmap_foreach(&st->slices, store_walk_slice, &w);
}

size_t k8s_store_nservices(const struct k8s_store *st)
{
	return st->services.count;
}

size_t k8s_store_nslices(const struct k8s_store *st)
{
	return st->slices.count;
}

size_t k8s_store_ndirty(const struct k8s_store *st)
{
	return st->dirty.count;
}
