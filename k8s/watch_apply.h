/*
 * k8s/watch_apply.h - one object from a list page or a watch event into
 * the object store, for one resource: decode it, put it unless the store
 * already holds the same (k8s_*_equal), delete it, and after a complete
 * list delete what the list did not name.
 *
 * An object equal to the stored one still replaces it (newer metadata,
 * same content) but marks nothing, so a relist of an unchanged cluster
 * costs no translation.  The Node goes to the store's node slot, and only
 * when it is the node asked for.
 */
#ifndef K8S_WATCH_APPLY_H
#define K8S_WATCH_APPLY_H

#include <cjson/cJSON.h>

#include "decode.h"
#include "nsmap.h"
#include "reflector.h"
#include "store.h"

/* What one object did. */
enum k8s_apply_result {
	K8S_APPLY_SAME,      /* nothing that matters changed (or not ours) */
	K8S_APPLY_CHANGED,   /* the store changed: an object put or deleted */
	K8S_APPLY_REJECTED,  /* the decoder refused it (reported); the store
				keeps the last good version */
};

struct k8s_apply {
	struct k8s_store *store;     /* where objects go */
	enum k8s_resource res;       /* which kind they are */
	const char *node_name;       /* K8S_RES_NODE: the one node kept */
	struct k8s_decode_log *log;  /* rejected objects; may be NULL */
	struct k8s_nsmap *seen;      /* during a list: the keys it named (values
					NULL); NULL during a watch */
};

/*
 * Decode @obj (ADDED, MODIFIED, a list item) and put it.  With a seen map
 * its namespace/name is recorded first, even when the decoder then
 * rejects it, so the end of the list does not delete its last good
 * version.  Returns a K8S_APPLY_* or -ENOMEM.
 */
int k8s_apply_put(const struct k8s_apply *a, const cJSON *obj);

/*
 * Delete the object @obj names (a DELETED event).  Only its metadata is
 * read, so an object the decoder would refuse is still deleted.  Returns
 * K8S_APPLY_CHANGED, K8S_APPLY_SAME (not in the store), K8S_APPLY_REJECTED
 * (no name: reported) or -ENOMEM.
 */
int k8s_apply_del(const struct k8s_apply *a, const cJSON *obj);

/*
 * A list is complete: delete what its seen map lacks.  Returns the number
 * of objects deleted, or -ENOMEM (some may be gone; the rest goes at the
 * next relist).
 */
int k8s_apply_retain(const struct k8s_apply *a);

#endif
