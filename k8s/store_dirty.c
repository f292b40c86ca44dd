/*
 * k8s/store_dirty.c - handing the dirty Service keys to the translator.
 */
#include "store_int.h"

struct dirty_walk {
	void (*fn)(void *arg, const char *ns, const char *name);
	void *arg;
};

static int dirty_call(void *arg, struct k8s_nsmap_entry *e)
{
	struct dirty_walk *w = arg;

	w->fn(w->arg, e->ns, e->name);
	return 0;
}

size_t k8s_store_take_dirty(struct k8s_store *st,
			    void (*fn)(void *arg, const char *ns,
				       const char *name),
			    void *arg)
{
	struct dirty_walk w = { .fn = fn, .arg = arg };
	struct k8s_nsmap taken = st->dirty;
	size_t n = taken.count;

	/* Detach first: @fn may change the store and so mark new keys. */
	k8s_nsmap_init(&st->dirty);
	if (fn)
		k8s_nsmap_foreach(&taken, dirty_call, &w);
	k8s_nsmap_fini(&taken, NULL);
	return n;
}

static int dirty_mark_entry(void *arg, struct k8s_nsmap_entry *e)
{
	struct k8s_store *st = arg;

	return k8s_nsmap_put(&st->dirty, e->ns, e->name, NULL, NULL);
}

int k8s_store_mark_all_dirty(struct k8s_store *st)
{
	int rc = k8s_nsmap_foreach(&st->services, dirty_mark_entry, st);

	/* Service keys that have slices but no Service (yet). */
	return rc ? rc : k8s_nsmap_foreach(&st->groups, dirty_mark_entry, st);
}
