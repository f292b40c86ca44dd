/*
 * k8s/store.h - the objects the agent translates from: Services and
 * EndpointSlices by namespace/name, the slices of each Service, this
 * node's Node, and which Services changed since the agent last looked.
 *
 * Both sources feed it: the API reflectors object by object
 * (put/del per watch event), a file reload all at once (replace_all).
 *
 * Costs: hash tables keyed by (namespace, name), so lookups, puts and
 * deletes are O(1) on average whatever the cluster size (20,000 Services
 * and 40,000 slices are the design point).  The slices of one Service are
 * kept sorted by slice name, so a slice put or delete also costs
 * O(slices of that Service) pointer moves - a few dozen at most.
 *
 * Dirty keys: every put and delete marks the Service key (namespace,
 * name) whose translation it may change - for a slice, the Service it
 * belonged to and the one it belongs to now (label
 * kubernetes.io/service-name).  A key may name a Service that is not, or
 * no longer, in the store: translating it then removes its state.
 *
 * Ownership: put functions take the heap object they are given (even when
 * they fail) and free the object they replace.  Pointers returned by
 * lookups stay valid until that object is replaced or deleted.
 * Failure is -ENOMEM only (or -EINVAL for an object without namespace or
 * name); after it the store is still consistent, possibly with extra
 * dirty keys, which cost a needless translation and nothing else.
 * Not thread-safe: one event loop owns a store.
 */
#ifndef K8S_STORE_H
#define K8S_STORE_H

#include <stddef.h>

#include "objects.h"

struct k8s_store;
struct k8s_nsmap;

/* NULL when out of memory. */
struct k8s_store *k8s_store_new(void);
/* Frees every object too; NULL is fine. */
void k8s_store_free(struct k8s_store *st);

/* Insert or replace the Service with @s's namespace/name; marks it dirty. */
int k8s_store_put_service(struct k8s_store *st, struct k8s_service *s);
/* 0, -ENOENT (nothing marked) or -ENOMEM. */
int k8s_store_del_service(struct k8s_store *st, const char *ns,
			  const char *name);
const struct k8s_service *k8s_store_service(const struct k8s_store *st,
					    const char *ns, const char *name);

/* Insert or replace the slice with @e's namespace/name, moving it in the
 * Service index if its service-name label changed.  A slice without the
 * label is stored but belongs to no Service. */
int k8s_store_put_slice(struct k8s_store *st, struct k8s_endpointslice *e);
int k8s_store_del_slice(struct k8s_store *st, const char *ns,
			const char *name);
const struct k8s_endpointslice *k8s_store_slice(const struct k8s_store *st,
						const char *ns,
						const char *name);

/*
 * The slices of Service @ns/@svc_name, sorted by slice name: up to @max
 * of them into @out.  Returns how many there are (like snprintf, so
 * max = 0 asks for the count).  The Service itself need not exist.
 */
size_t k8s_store_slices_of(const struct k8s_store *st, const char *ns,
			   const char *svc_name,
			   const struct k8s_endpointslice **out, size_t max);

/*
 * After a relist: delete every Service (slice) whose namespace/name is
 * not a key of @keep (what the list named; values are not looked at),
 * marking what del_service (del_slice) marks.  Returns the number
 * deleted, or -ENOMEM after deleting only some (the rest goes at the next
 * relist).  O(objects in the store).
 */
int k8s_store_retain_services(struct k8s_store *st,
			      const struct k8s_nsmap *keep);
int k8s_store_retain_slices(struct k8s_store *st,
			    const struct k8s_nsmap *keep);

/* This node's Node (replacing and freeing the previous one; NULL clears).
 * Marks nothing: a new zone changes every Service with hints, which is
 * for the caller to judge (see k8s_store_mark_all_dirty). */
void k8s_store_set_node(struct k8s_store *st, struct k8s_node *n);
const struct k8s_node *k8s_store_node(const struct k8s_store *st);

/* Call @fn on every Service / slice, in no particular order, until it
 * returns non-zero (returned).  @fn must not change the store. */
int k8s_store_foreach_service(const struct k8s_store *st,
			      int (*fn)(void *arg, const struct k8s_service *s),
			      void *arg);
int k8s_store_foreach_slice(const struct k8s_store *st,
			    int (*fn)(void *arg,
				      const struct k8s_endpointslice *e),
			    void *arg);

size_t k8s_store_nservices(const struct k8s_store *st);
size_t k8s_store_nslices(const struct k8s_store *st);
size_t k8s_store_ndirty(const struct k8s_store *st);

/*
 * Call @fn (may be NULL) once per dirty key, in no particular order, and
 * clear the set; returns the number of keys.  The set is detached first,
 * so @fn may read and even change the store (new marks are kept for the
 * next call).
 */
size_t k8s_store_take_dirty(struct k8s_store *st,
			    void (*fn)(void *arg, const char *ns,
				       const char *name),
			    void *arg);

/* Mark every Service and every Service that has slices: for a full
 * resync, or when this node's zone changed.  0 or -ENOMEM. */
int k8s_store_mark_all_dirty(struct k8s_store *st);

/*
 * Make @st hold exactly the Services and slices of @next (and @next's
 * Node, if it has one; else @st's Node stays), marking dirty only what
 * changed: objects only in one of the two, and objects that differ by
 * k8s_*_equal() - by content, not resourceVersion, because a hand-edited
 * file keeps the resourceVersion kubectl printed.  An unchanged object is
 * still swapped for @next's copy (same content, newer metadata) without a
 * mark.  Costs O(objects + their size), about what decoding them did.
 *
 * Consumes @next.  The sequence for a file reload:
 *   next = k8s_store_new();
 *   rc = k8s_decode_list(text, len, &cb_that_puts_into_next, ...);
 *   if (rc < 0) k8s_store_free(next);   -- keep the last good state
 *   else        k8s_store_replace_all(st, next);
 * On -ENOMEM @st is a consistent mix of old and new, every change made
 * so far marked; reloading again finishes the job.
 */
int k8s_store_replace_all(struct k8s_store *st, struct k8s_store *next);

#endif
