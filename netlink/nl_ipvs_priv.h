/*
 * netlink/nl_ipvs_priv.h - what the files of the IPVS client share: the
 * handle, the transmit queue and the receive loop.  Not for other layers.
 */
#ifndef NETLINK_NL_IPVS_PRIV_H
#define NETLINK_NL_IPVS_PRIV_H

#include <linux/netlink.h>
#include <netlink/msg.h>
#include <stdarg.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "nl_ipvs.h"
#include "nl_ipvs_ring.h"

/* Bytes per sendmsg(): below the default socket send buffer. */
#define NL_IPVS_TX_MAX (128 * 1024)

/* Requests in flight.  Each ACK costs ~1 KiB of receive buffer (skb
 * truesize), so this bounds what the kernel may queue towards us. */
#define NL_IPVS_WINDOW 4096

/*
 * Every ACK is a datagram of its own, so reading them one recv() at a time
 * costs a system call per operation.  recvmmsg() takes NL_IPVS_RX_VEC at
 * once.  Each slot holds NL_IPVS_RX_SLOT bytes: the kernel never builds a
 * netlink datagram larger than 32 KiB, and sizes a dump's chunks after our
 * reads, so large slots also make large chunks.  Only touched pages count.
 */
#define NL_IPVS_RX_VEC 256
#define NL_IPVS_RX_SLOT (32 * 1024)
#define NL_IPVS_RCVBUF (32 * 1024 * 1024)

/* The job the socket is busy with: its replies are handed to it. */
struct nl_ipvs_job {
	/* Queue more requests; 0, or -errno to abort. */
	int (*fill)(struct nl_ipvs *nl);
	/* One reply (data, NLMSG_ERROR or NLMSG_DONE); 0 or -errno. */
	int (*reply)(struct nl_ipvs *nl, struct nlmsghdr *h);
	/* True when nothing remains to send or receive. */
	int (*done)(struct nl_ipvs *nl);
	/* Result of the job once done. */
	int (*result)(struct nl_ipvs *nl);
	void *ctx;
};

struct nl_ipvs {
	struct nl_sock *sock;      /* libnl socket, used for setup only */
	int fd;                    /* its descriptor, non-blocking */
	int family;                /* resolved id of the "IPVS" family */
	uint32_t seq;              /* next sequence number */
	uint8_t *tx;               /* requests queued for the next sendmsg */
	size_t txlen;
	uint8_t *rx;               /* NL_IPVS_RX_VEC slots of NL_IPVS_RX_SLOT */
	struct mmsghdr *rxmsg;     /* recvmmsg() vector over the slots */
	struct iovec *rxiov;
	struct nl_ipvs_job *job;   /* NULL when idle */
	struct nl_ipvs_ring *ring; /* parallel dumps, made on first use */
	int ring_unusable;         /* io_uring refused us: do without */
	struct nl_ipvs_counters counters;
	char errbuf[IPVS_FMT_MAX + 128];          /* last failure in words */
};

/* Record a failure in words; returns @err. */
int nl_ipvs_fail(struct nl_ipvs *nl, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Append a built message with the next sequence number; returns it. */
uint32_t nl_ipvs_queue(struct nl_ipvs *nl, struct nl_msg *msg);

/* Room for another request of @len bytes in the transmit queue? */
int nl_ipvs_tx_room(const struct nl_ipvs *nl, size_t len);

/* Send what is queued; 0 or -errno. */
int nl_ipvs_flush(struct nl_ipvs *nl);

/* Drive the current job: fill, send, read until it would block.
 * Returns -EAGAIN while it is unfinished, else its result. */
int nl_ipvs_job_step(struct nl_ipvs *nl);

/* Run @job to completion, waiting in poll(). */
int nl_ipvs_job_wait(struct nl_ipvs *nl, struct nl_ipvs_job *job);

#endif
