/*
 * ipvs/diff.h - the operations that turn one IPVS state into another.
 *
 * The list is minimal and ordered so the kernel accepts it as it comes:
 * a service is added before its real servers; a configuration change of a
 * service or real server with the same key is one edit in place (never a
 * delete and re-add, which would cut connections); a removed service is one
 * delete (the kernel takes its real servers with it).  Pure C, no I/O.
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
/* Append; NULL when out of memory. */
struct ipvs_op *ipvs_ops_push(struct ipvs_ops *ops, enum ipvs_op_kind kind,
			      const struct ipvs_service *svc,
			      const struct ipvs_dest *dest);

/*
 * Append the ops that make @have (what the kernel has for one key, or NULL)
 * into @want (what it should have, or NULL).  Both, if present, have the
 * same key.  0, or -ENOMEM.
 */
int ipvs_diff_service(const struct ipvs_state_service *want,
		      const struct ipvs_state_service *have,
		      struct ipvs_ops *out);

/*
 * Append the ops that make @have equal @want, for every service key in
 * either for which @keep returns true (@keep NULL: every key).  The agent
 * passes its ownership test as @keep, so foreign services are never
 * touched.  Cost O(services + real servers).  0, or -ENOMEM.
 */
int ipvs_diff(const struct ipvs_state *want, const struct ipvs_state *have,
	      int (*keep)(const struct ipvs_service_key *k, void *arg),
	      void *arg, struct ipvs_ops *out);

#endif
