/*
 * ipvs/diff.h - the operations that turn one IPVS state into another.
 *
 * The list is minimal and ordered so the kernel accepts it as it comes:
 * a service is added before its real servers; a configuration change of a
 * service or real server with the same key is one edit in place (never a
 * delete and re-add, which would cut connections); a removed service is one
 * delete (the kernel takes its real servers with it).  Pure C, no I/O.
 *
 * The order, deterministic for given states (walk orders: see state.h):
 *   1. DEL_SERVICE for each service of @have that @want lacks, in @have's
 *      order (frees kernel memory before asking for more);
 *   2. for each service of @want, in its order, that service's ops in one
 *      contiguous run:
 *        missing in @have: ADD_SERVICE, then ADD_DEST per real server;
 *        in both: EDIT_SERVICE (conf differs), then DEL_DEST (in @have's
 *        order: frees thresholds and slots first), then ADD_DEST, then
 *        EDIT_DEST (both in @want's order).
 * Every op except DEL_SERVICE carries @want's service conf in op->svc
 * (DEL_SERVICE carries @have's); DEL_DEST carries @have's real server.
 * Equal states give no ops.
 */
#ifndef IPVS_DIFF_H
#define IPVS_DIFF_H

#include <stddef.h>

#include "op.h"
#include "state.h"

/* A growable array of operations. */
struct ipvs_ops {
	struct ipvs_op *v;
	size_t n;
	size_t cap;
};

void ipvs_ops_init(struct ipvs_ops *ops);
void ipvs_ops_fini(struct ipvs_ops *ops);
void ipvs_ops_clear(struct ipvs_ops *ops);
/* Append a copy of @svc and @dest (NULL for service ops: zeroed), err 0;
 * NULL when out of memory.  The pointer is valid until the next push. */
struct ipvs_op *ipvs_ops_push(struct ipvs_ops *ops, enum ipvs_op_kind kind,
			      const struct ipvs_service *svc,
			      const struct ipvs_dest *dest);

/*
 * Append the ops that make @have (what the kernel has for one key, or NULL)
 * into @want (what it should have, or NULL).  Both, if present, have the
 * same key.  0, or -ENOMEM, in which case @out is as it was (all or
 * nothing; the same holds for ipvs_diff).
 */
int ipvs_diff_service(const struct ipvs_state_service *want,
		      const struct ipvs_state_service *have,
		      struct ipvs_ops *out);

/*
 * Append the ops that make @have equal @want, for every service key in
 * either for which @keep returns true (@keep NULL: every key).  A NULL
 * state counts as empty.  @keep is called at most twice per key.  The agent
 * passes its ownership test as @keep, so foreign services are never
 * touched.  Cost O(services + real servers).  0, or -ENOMEM.
 */
int ipvs_diff(const struct ipvs_state *want, const struct ipvs_state *have,
	      int (*keep)(const struct ipvs_service_key *k, void *arg),
	      void *arg, struct ipvs_ops *out);

#endif
