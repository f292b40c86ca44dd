/*
 * netlink/nl_ipvs.h - the IPVS client: one persistent generic-netlink
 * socket to the kernel's IPVS family.
 *
 * What it promises:
 *  - every change is sent with many requests in flight on one socket and
 *    each result is written back into its own struct ipvs_op, with the
 *    kernel's raw errno (ESRCH and ENOENT stay distinct);
 *  - a dump returns every service with all its real servers, their 64-bit
 *    counters and connection counts;
 *  - the socket is non-blocking: a batch can be driven from an event loop
 *    with nl_ipvs_batch_start() / nl_ipvs_batch_run() when nl_ipvs_fd() is
 *    readable, or run to completion with nl_ipvs_apply();
 *  - bad arguments are refused with -EINVAL before anything is sent.
 *
 * Functions return 0 (or a count) on success and a negative errno on
 * failure; nl_ipvs_last_error() then says what failed in words.
 */
#ifndef NETLINK_NL_IPVS_H
#define NETLINK_NL_IPVS_H

#include <stddef.h>
#include <stdint.h>

#include "ipvs/op.h"
#include "ipvs/table.h"

struct nl_ipvs;

struct nl_ipvs_info {
	uint32_t version;        /* e.g. 0x010201 for 1.2.1 */
	uint32_t conn_tab_size;  /* connection hash table buckets */
};

/* Seconds; 0 in a set call leaves that timeout unchanged. */
struct nl_ipvs_timeouts {
	uint32_t tcp;
	uint32_t tcp_fin;
	uint32_t udp;
};

/* Counters of what the client did, for metrics and benchmarks. */
struct nl_ipvs_counters {
	uint64_t requests;       /* netlink requests sent */
	uint64_t sendmsgs;       /* sendmsg() calls they took */
	uint64_t failed;         /* operations the kernel refused */
	uint64_t busy_retries;   /* dump requests resent after EBUSY */
};

/*
 * Open the socket and resolve the IPVS family.  Fails with -ENOENT when
 * the kernel has no IPVS (module not loaded), -EPERM without
 * CAP_NET_ADMIN.
 */
int nl_ipvs_open(struct nl_ipvs **out);
void nl_ipvs_close(struct nl_ipvs *nl);

/* The socket's descriptor, for an event loop's read watcher. */
int nl_ipvs_fd(const struct nl_ipvs *nl);

/* Human-readable description of the last failure on this handle. */
const char *nl_ipvs_last_error(const struct nl_ipvs *nl);

const struct nl_ipvs_counters *nl_ipvs_counters(const struct nl_ipvs *nl);

int nl_ipvs_get_info(struct nl_ipvs *nl, struct nl_ipvs_info *info);
int nl_ipvs_get_timeouts(struct nl_ipvs *nl, struct nl_ipvs_timeouts *t);
int nl_ipvs_set_timeouts(struct nl_ipvs *nl, const struct nl_ipvs_timeouts *t);

/* Zero the counters of one service, or of everything when @svc is NULL. */
int nl_ipvs_zero(struct nl_ipvs *nl, const struct ipvs_service *svc);

/* Single changes: each is a batch of one.  Returns 0 or -errno. */
int nl_ipvs_add_service(struct nl_ipvs *nl, const struct ipvs_service *svc);
int nl_ipvs_edit_service(struct nl_ipvs *nl, const struct ipvs_service *svc);
int nl_ipvs_del_service(struct nl_ipvs *nl, const struct ipvs_service *svc);
int nl_ipvs_add_dest(struct nl_ipvs *nl, const struct ipvs_service *svc,
		     const struct ipvs_dest *dest);
int nl_ipvs_edit_dest(struct nl_ipvs *nl, const struct ipvs_service *svc,
		      const struct ipvs_dest *dest);
int nl_ipvs_del_dest(struct nl_ipvs *nl, const struct ipvs_service *svc,
		     const struct ipvs_dest *dest);

/*
 * Apply @n operations in order.  Every op's err is set (0 or a positive
 * errno); an invalid op is refused locally with EINVAL and the others
 * still go.  Returns the number of failed ops, or -errno when the socket
 * itself failed (then ops not yet answered carry EIO).
 */
int nl_ipvs_apply(struct nl_ipvs *nl, struct ipvs_op *ops, size_t n);

/*
 * The same, driven by an event loop.  start() takes the array (which must
 * stay valid until run() returns something other than -EAGAIN); run()
 * sends what the window allows and reads what has arrived: it returns
 * -EAGAIN while answers are outstanding (wait for nl_ipvs_fd() to become
 * readable), then the apply result.  One batch or dump at a time.
 */
int nl_ipvs_batch_start(struct nl_ipvs *nl, struct ipvs_op *ops, size_t n);
int nl_ipvs_batch_run(struct nl_ipvs *nl);

/*
 * Dump the whole IPVS table into @out (initialised by the caller; entries
 * are appended).  A service that vanishes between the service dump and its
 * real-server dump appears with no real servers.
 */
int nl_ipvs_dump(struct nl_ipvs *nl, struct ipvs_table *out);

/*
 * The same, handing each service to @each as soon as its real servers
 * are in, and freeing those right after (@each keeps no pointer into
 * @ts): the real servers of a few dozen services are in memory at a
 * time, not the table's 14 MB at 100,000 of them.  Services come in no
 * particular order; @out keeps them without real servers.  @each returns
 * 0, or a negative errno that ends the dump with it.
 */
int nl_ipvs_dump_each(struct nl_ipvs *nl, struct ipvs_table *out,
		      int (*each)(void *arg, struct ipvs_table_service *ts),
		      void *arg);

/*
 * Dumps read real servers over many sockets through io_uring when the
 * kernel allows it, else over this one socket.  @enable 0 forces the
 * latter (tests compare both; operators may distrust io_uring).
 */
void nl_ipvs_set_parallel_dumps(struct nl_ipvs *nl, int enable);

/* Real servers of one service only, appended to @ts. */
int nl_ipvs_dump_dests(struct nl_ipvs *nl, struct ipvs_table_service *ts);

/*
 * Services only, with their counters (STATS64 where the kernel has it),
 * appended to @out; no real servers.  One dump request, so the cost is
 * the service dump's alone: for the traffic metrics, which need no real
 * server.
 */
int nl_ipvs_dump_services(struct nl_ipvs *nl, struct ipvs_table *out);

#endif
