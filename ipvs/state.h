/*
 * ipvs/state.h - IPVS state as a keyed table: virtual services by key, each
 * with its real servers by key.  The agent keeps two: what it wants (from
 * Services and EndpointSlices) and what the kernel has (from dumps and the
 * acknowledgements of applied operations).  ipvs_diff() compares them.
 *
 * Lookups, inserts and removals are O(1) on average for services and for
 * the real servers of a service, so a change costs in proportion to
 * itself, not to the cluster.  Pure C, no I/O.
 */
#ifndef IPVS_STATE_H
#define IPVS_STATE_H

#include <stddef.h>

#include "op.h"
#include "table.h"

struct ipvs_state;
struct ipvs_state_service;

/* A real server: configuration plus what the kernel last reported. */
struct ipvs_state_dest {
	struct ipvs_dest conf;
	struct ipvs_dest_state st;
};

struct ipvs_state *ipvs_state_new(void);
void ipvs_state_free(struct ipvs_state *s);
void ipvs_state_clear(struct ipvs_state *s);

size_t ipvs_state_nservices(const struct ipvs_state *s);
size_t ipvs_state_ndests(const struct ipvs_state *s);   /* all services */

struct ipvs_state_service *ipvs_state_find(const struct ipvs_state *s,
					   const struct ipvs_service_key *k);
/* Insert, or replace the configuration of, a service (its real servers are
 * kept).  NULL when out of memory. */
struct ipvs_state_service *ipvs_state_put(struct ipvs_state *s,
					  const struct ipvs_service *conf);
/* Remove a service and its real servers; 0, or -ENOENT. */
int ipvs_state_remove(struct ipvs_state *s, const struct ipvs_service_key *k);

const struct ipvs_service *ipvs_state_service_conf(const struct ipvs_state_service *ss);
struct ipvs_stats *ipvs_state_service_stats(struct ipvs_state_service *ss);
size_t ipvs_state_service_ndests(const struct ipvs_state_service *ss);

struct ipvs_state_dest *ipvs_state_dest_find(const struct ipvs_state_service *ss,
					     const struct ipvs_dest *key);
/* Insert or replace a real server by its key (af, addr, port). */
struct ipvs_state_dest *ipvs_state_dest_put(struct ipvs_state_service *ss,
					    const struct ipvs_dest *conf);
int ipvs_state_dest_remove(struct ipvs_state_service *ss,
			   const struct ipvs_dest *key);

/*
 * Iteration in unspecified order.  The callback must not add or remove
 * entries of the collection being walked.  A non-zero return stops the
 * walk and is returned.
 */
int ipvs_state_foreach(const struct ipvs_state *s,
		       int (*fn)(struct ipvs_state_service *ss, void *arg),
		       void *arg);
int ipvs_state_dest_foreach(const struct ipvs_state_service *ss,
			    int (*fn)(struct ipvs_state_dest *sd, void *arg),
			    void *arg);

/* Replace the whole content with a dump's.  0 or -ENOMEM. */
int ipvs_state_load(struct ipvs_state *s, const struct ipvs_table *t);

/*
 * Record an operation the kernel acknowledged (op->err == 0), so the cache
 * follows the kernel without a dump.  Ops with err != 0 change nothing.
 * 0, or -ENOMEM.
 */
int ipvs_state_apply_op(struct ipvs_state *s, const struct ipvs_op *op);

#endif
