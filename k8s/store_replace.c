/*
 * k8s/store_replace.c - swap in a whole new set of objects (a reloaded
 * file), marking dirty only the Services whose translation may change;
 * and after a relist, drop what the list no longer named.
 *
 * Why by content and not by resourceVersion: a file written by
 * `kubectl get -o json` and then edited by hand keeps the old
 * resourceVersion, and a change must never be missed.  Comparing decoded
 * objects is linear in their size, the same order as decoding them.
 */
#include "store_int.h"

#include <errno.h>

/* Delete from @st what @next does not have. */
static int replace_drop_service(void *arg, struct k8s_nsmap_entry *e)
{
	struct k8s_store **both = arg; /* { st, next } */

	if (k8s_nsmap_find(&both[1]->services, e->ns, e->name))
		return 0;
	return k8s_store_del_service(both[0], e->ns, e->name);
}

static int replace_drop_slice(void *arg, struct k8s_nsmap_entry *e)
{
	struct k8s_store **both = arg;

	if (k8s_nsmap_find(&both[1]->slices, e->ns, e->name))
		return 0;
	return k8s_store_del_slice(both[0], e->ns, e->name);
}

/* Move one object of @next into @st; an equal one replaces silently. */
static int replace_take_service(void *arg, struct k8s_nsmap_entry *e)
{
	struct k8s_store *st = arg;
	struct k8s_service *s = e->val;
	const struct k8s_service *old;

	e->val = NULL; /* @st owns it now, whatever happens */
	old = k8s_nsmap_get(&st->services, e->ns, e->name);
	return k8s_store_put_service_mark(st, s,
					  !old || !k8s_service_equal(old, s));
}

static int replace_take_slice(void *arg, struct k8s_nsmap_entry *e)
{
	struct k8s_store *st = arg;
	struct k8s_endpointslice *s = e->val;
	const struct k8s_endpointslice *old;

	e->val = NULL;
	old = k8s_nsmap_get(&st->slices, e->ns, e->name);
	return k8s_store_put_slice_mark(st, s,
					!old || !k8s_endpointslice_equal(old, s));
}

/* Nothing to compare with (the first reading): take @next's maps whole,
 * its dirty set included - it marked every Service and every slice's
 * Service as it was filled, which is what taking each object would mark
 * (a file that names one slice twice, under two Services, marks both:
 * one translation more).  No allocation, no walk: at 10,000 Services
 * that is ~4 MB of map entries not built twice. */
static int replace_into_empty(struct k8s_store *st, struct k8s_store *next)
{
	if (st->services.count || st->slices.count || st->groups.count ||
	    st->dirty.count)
		return 0;
	k8s_nsmap_fini(&st->services, NULL);
	k8s_nsmap_fini(&st->slices, NULL);
	k8s_nsmap_fini(&st->groups, NULL);
	k8s_nsmap_fini(&st->dirty, NULL);
	st->services = next->services;
	st->slices = next->slices;
	st->groups = next->groups;
	st->dirty = next->dirty;
	k8s_nsmap_init(&next->services);
	k8s_nsmap_init(&next->slices);
	k8s_nsmap_init(&next->groups);
	k8s_nsmap_init(&next->dirty);
	return 1;
}

int k8s_store_replace_all(struct k8s_store *st, struct k8s_store *next)
{
	struct k8s_store *both[2] = { st, next };
	int rc = 0;

	if (replace_into_empty(st, next))
		goto node;
	/* Deletes first: the old objects go before the new ones come. */
	rc = k8s_nsmap_foreach(&st->services, replace_drop_service, both);
	if (!rc)
		rc = k8s_nsmap_foreach(&st->slices, replace_drop_slice, both);
	if (!rc)
		rc = k8s_nsmap_foreach(&next->services, replace_take_service, st);
	if (!rc)
		rc = k8s_nsmap_foreach(&next->slices, replace_take_slice, st);
node:
	if (next->node) {
		k8s_store_set_node(st, next->node);
		next->node = NULL;
	}
	k8s_store_free(next);
	return rc;
}

/* ---- a relist: keep what the list named -------------------------------- */

struct retain_walk {
	struct k8s_store *st;
	const struct k8s_nsmap *keep;
	int deleted;
};

static int retain_service(void *arg, struct k8s_nsmap_entry *e)
{
	struct retain_walk *w = arg;
	int rc;

	if (k8s_nsmap_find(w->keep, e->ns, e->name))
		return 0;
	rc = k8s_store_del_service(w->st, e->ns, e->name);
	w->deleted += !rc;
	return rc;
}

static int retain_slice(void *arg, struct k8s_nsmap_entry *e)
{
	struct retain_walk *w = arg;
	int rc;

	if (k8s_nsmap_find(w->keep, e->ns, e->name))
		return 0;
	rc = k8s_store_del_slice(w->st, e->ns, e->name);
	w->deleted += !rc;
	return rc;
}

int k8s_store_retain_services(struct k8s_store *st,
			      const struct k8s_nsmap *keep)
{
	struct retain_walk w = { .st = st, .keep = keep };
	int rc = k8s_nsmap_foreach(&st->services, retain_service, &w);

	return rc ? rc : w.deleted;
}

int k8s_store_retain_slices(struct k8s_store *st,
			    const struct k8s_nsmap *keep)
{
	struct retain_walk w = { .st = st, .keep = keep };
	int rc = k8s_nsmap_foreach(&st->slices, retain_slice, &w);

	return rc ? rc : w.deleted;
}
