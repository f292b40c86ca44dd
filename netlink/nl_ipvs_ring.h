/*
 * netlink/nl_ipvs_ring.h - real-server dumps of many services at once.
 *
 * The kernel runs one dump per socket and each real-server dump takes two
 * reads, so on one socket a table of N services costs 2N system calls.
 * Here RING_SOCKETS sockets each run one dump, and io_uring carries all
 * their sends and reads, so a round of system calls serves many services.
 * Where io_uring is missing (old kernels, or disabled by policy) the caller
 * falls back to the one-socket path.
 */
#ifndef NETLINK_NL_IPVS_RING_H
#define NETLINK_NL_IPVS_RING_H

#include <stddef.h>

#include "ipvs/table.h"

struct nl_ipvs;
struct nl_ipvs_ring;

/* -ENOSYS (or another -errno) when io_uring cannot be used here. */
int nl_ipvs_ring_new(struct nl_ipvs_ring **out);
void nl_ipvs_ring_free(struct nl_ipvs_ring *r);

/* Fill in the real servers of services first..nsvcs-1 of @t. */
int nl_ipvs_ring_dump_dests(struct nl_ipvs *nl, struct nl_ipvs_ring *r,
			    struct ipvs_table *t, size_t first,
			    int (*each)(void *arg, struct ipvs_table_service *ts),
			    void *arg);

/* A service's real servers are all in: to @each (if any), then freed
 * (nl_ipvs_dump_each).  @each's return. */
int nl_ipvs_dump_hand_over(int (*each)(void *arg, struct ipvs_table_service *ts),
			   void *arg, struct ipvs_table_service *ts);

#endif
