/*
 * netlink/nl_ipvs_ring.c - real-server dumps over many sockets and one
 * io_uring (see the header for why).
 *
 * Each slot is a socket with at most one dump in flight: a SEND linked to a
 * RECV, then one more RECV per chunk until NLMSG_DONE.  One
 * io_uring_submit_and_wait() submits every slot's next step and collects
 * whatever has completed.
 */
#include "nl_ipvs_ring.h"

#include <errno.h>
#include <liburing.h>
#include <linux/ip_vs.h>
#include <linux/netlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "nl_ipvs_msg.h"
#include "nl_ipvs_priv.h"

#define RING_SOCKETS 32
#define RING_REQ_MAX 256   /* a GET_DEST request is under 100 bytes */

struct ring_slot {
	int fd;                     /* its own generic-netlink socket */
	int busy;                   /* a dump is in flight */
	size_t svc;                 /* table index of the service dumped */
	uint32_t seq;
	uint8_t req[RING_REQ_MAX];  /* the request, kept until sent */
	uint8_t *buf;               /* NL_IPVS_RX_SLOT bytes */
};

struct nl_ipvs_ring {
	struct io_uring ring;
	struct ring_slot slot[RING_SOCKETS];
	uint8_t *bufs;
};

/* user_data: slot index, and whether the completion is a RECV. */
#define UD(i, recv) ((uint64_t)(i) << 1 | (recv))

int nl_ipvs_ring_new(struct nl_ipvs_ring **out)
{
	struct nl_ipvs_ring *r = calloc(1, sizeof(*r));
	int i, err;

	*out = NULL;
	if (!r || !(r->bufs = malloc((size_t)RING_SOCKETS * NL_IPVS_RX_SLOT))) {
		free(r);
		return -ENOMEM;
	}
	for (i = 0; i < RING_SOCKETS; i++)
		r->slot[i].fd = -1;
	err = io_uring_queue_init(RING_SOCKETS * 2, &r->ring, 0);
	if (err) {
		free(r->bufs);
		free(r);
		return err;
	}
	for (i = 0; i < RING_SOCKETS; i++) {
		r->slot[i].buf = r->bufs + (size_t)i * NL_IPVS_RX_SLOT;
		r->slot[i].fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC,
				       NETLINK_GENERIC);
		if (r->slot[i].fd < 0) {
			err = -errno;
			nl_ipvs_ring_free(r);
			return err;
		}
	}
	*out = r;
	return 0;
}

void nl_ipvs_ring_free(struct nl_ipvs_ring *r)
{
	int i;

	if (!r)
		return;
	io_uring_queue_exit(&r->ring);
	for (i = 0; i < RING_SOCKETS; i++)
		if (r->slot[i].fd >= 0)
			close(r->slot[i].fd);
	free(r->bufs);
	free(r);
}

static void prep_recv(struct nl_ipvs_ring *r, int i)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&r->ring);

	io_uring_prep_recv(sqe, r->slot[i].fd, r->slot[i].buf, NL_IPVS_RX_SLOT, 0);
	io_uring_sqe_set_data64(sqe, UD(i, 1));
}

/* Queue SEND(GET_DEST for service @svc) -> RECV on slot @i. */
static int slot_start(struct nl_ipvs *nl, struct nl_ipvs_ring *r, int i,
		      const struct ipvs_table *t, size_t svc)
{
	struct ring_slot *s = &r->slot[i];
	struct io_uring_sqe *sqe;
	struct nlmsghdr *h;
	struct nl_msg *msg;

	msg = nl_ipvs_msg_new(nl->family, IPVS_CMD_GET_DEST, NLM_F_DUMP);
	if (!msg || nl_ipvs_msg_put_service(msg, &t->svcs[svc].conf, 0) ||
	    nlmsg_hdr(msg)->nlmsg_len > RING_REQ_MAX) {
		nlmsg_free(msg);
		return nl_ipvs_fail(nl, -ENOMEM, "building a dump request");
	}
	h = nlmsg_hdr(msg);
	h->nlmsg_flags |= NLM_F_REQUEST;
	h->nlmsg_seq = s->seq = nl->seq++;
	memcpy(s->req, h, h->nlmsg_len);
	sqe = io_uring_get_sqe(&r->ring);
	io_uring_prep_send(sqe, s->fd, s->req, h->nlmsg_len, 0);
	io_uring_sqe_set_data64(sqe, UD(i, 0));
	sqe->flags |= IOSQE_IO_LINK;
	nlmsg_free(msg);
	prep_recv(r, i);
	s->svc = svc;
	s->busy = 1;
	nl->counters.requests++;
	return 0;
}

/* One datagram for slot @s: 1 when its dump is over, 0 to read on. */
static int slot_data(struct nl_ipvs *nl, struct ring_slot *s,
		     struct ipvs_table *t, int len)
{
	struct ipvs_table_service *ts = &t->svcs[s->svc];
	struct nlmsghdr *h = (struct nlmsghdr *)s->buf;
	struct ipvs_table_dest *td;
	struct ipvs_dest_state st;
	struct ipvs_dest d;
	int left = len;
	size_t n = 0;

	/* Count first: a service's real servers usually come in one chunk. */
	for (; nlmsg_ok(h, left); h = nlmsg_next(h, &left))
		n += h->nlmsg_type >= NLMSG_MIN_TYPE;
	if (ipvs_table_reserve_dests(ts, n))
		return nl_ipvs_fail(nl, -ENOMEM, "storing real servers");
	for (h = (struct nlmsghdr *)s->buf; nlmsg_ok(h, len);
	     h = nlmsg_next(h, &len)) {
		if (h->nlmsg_seq != s->seq)
			continue;
		/* DONE, or an error such as ESRCH for a service that went
		 * away since the service dump: either way, nothing more. */
		if (h->nlmsg_type == NLMSG_ERROR &&
		    ((struct nlmsgerr *)nlmsg_data(h))->error == -EBUSY)
			return nl_ipvs_fail(nl, -EBUSY, "socket busy with another dump");
		if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR)
			return 1;
		if (nl_ipvs_msg_parse_dest(h, ts->conf.key.af, &d, &st))
			continue;
		if (!(td = ipvs_table_add_dest(ts, &d)))
			return nl_ipvs_fail(nl, -ENOMEM, "storing real servers");
		td->state = st;
	}
	return 0;
}

/* Where finished services go (nl_ipvs_dump_each). */
struct ring_each {
	int (*fn)(void *arg, struct ipvs_table_service *ts);
	void *arg;
};

/* Handle one completion; returns 1 when a slot became free, or -errno. */
static int complete(struct nl_ipvs *nl, struct nl_ipvs_ring *r,
		    struct ipvs_table *t, const struct io_uring_cqe *cqe,
		    const struct ring_each *each)
{
	int i = (int)(cqe->user_data >> 1), recv = cqe->user_data & 1, done;
	struct ring_slot *s = &r->slot[i];

	if (!recv)
		return cqe->res < 0 ? nl_ipvs_fail(nl, cqe->res, "sending a dump request") : 0;
	if (cqe->res < 0) {
		s->busy = 0;
		return cqe->res == -ECANCELED ? 1 :
			nl_ipvs_fail(nl, cqe->res, "reading a real-server dump");
	}
	done = slot_data(nl, s, t, cqe->res);
	if (done < 0) {
		s->busy = 0;
		return done;
	}
	if (done) {
		s->busy = 0;
		done = nl_ipvs_dump_hand_over(each->fn, each->arg,
					      &t->svcs[s->svc]);
		if (done < 0)
			return nl_ipvs_fail(nl, done, "storing a dumped service");
		return 1;
	}
	prep_recv(r, i);
	return 0;
}

int nl_ipvs_ring_dump_dests(struct nl_ipvs *nl, struct nl_ipvs_ring *r,
			    struct ipvs_table *t, size_t first,
			    int (*fn)(void *arg, struct ipvs_table_service *ts),
			    void *arg)
{
	const struct ring_each each = { fn, arg };
	struct io_uring_cqe *cqe;
	size_t next = first;
	int i, active = 0, err = 0, c;
	unsigned head, seen;

	for (;;) {
		for (i = 0; i < RING_SOCKETS && !err && next < t->nsvcs; i++)
			if (!r->slot[i].busy) {
				if ((err = slot_start(nl, r, i, t, next++)))
					break;
				active++;
			}
		if (!active)
			return err;
		c = io_uring_submit_and_wait(&r->ring, 1);
		nl->counters.sendmsgs++;
		if (c < 0 && c != -EINTR)
			return nl_ipvs_fail(nl, c, "io_uring");
		seen = 0;
		io_uring_for_each_cqe(&r->ring, head, cqe) {
			c = complete(nl, r, t, cqe, &each);
			if (c < 0 && !err)
				err = c;
			if (c != 0 && !r->slot[cqe->user_data >> 1].busy)
				active--;
			seen++;
		}
		io_uring_cq_advance(&r->ring, seen);
	}
}
