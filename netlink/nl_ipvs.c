/*
 * netlink/nl_ipvs.c - the socket, the transmit queue, the receive loop, and
 * the small synchronous requests (info, timeouts, zero, single changes).
 *
 * libnl builds and parses the messages and resolves the family; the I/O is
 * our own because the point of this client is many requests per sendmsg()
 * with the answers matched back by sequence number, which libnl's
 * request-reply helpers do not do.
 */
#include "nl_ipvs_priv.h"

#include <errno.h>
#include <linux/ip_vs.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/socket.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "nl_ipvs_msg.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif

/* Silence from the kernel this long means something is badly wrong. */
#define NL_IPVS_TIMEOUT_MS 30000

int nl_ipvs_fail(struct nl_ipvs *nl, int err, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(nl->errbuf, sizeof(nl->errbuf), fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < sizeof(nl->errbuf) - 2)
		snprintf(nl->errbuf + n, sizeof(nl->errbuf) - (size_t)n, ": %s",
			 strerror(-err));
	return err;
}

/*
 * Big buffers: a dump's chunks are as large as the kernel thinks our reads
 * are, and every request in flight parks an ACK in the receive queue.
 * SO_RCVBUFFORCE passes net.core.rmem_max as root; without it the plain
 * option is the best we get, and the window still keeps us within it.
 */
static void socket_tune(int fd)
{
	int one = 1, rcv = NL_IPVS_RCVBUF, snd = NL_IPVS_TX_MAX * 4;

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &snd, sizeof(snd)))
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &snd, sizeof(snd));
	/* ACKs without a copy of the request: older kernels may not have it. */
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
}

static int libnl_errno(int nlerr)
{
	switch (-nlerr) {
	case NLE_OBJ_NOTFOUND:
		return -ENOENT;
	case NLE_PERM:
		return -EPERM;
	case NLE_NOMEM:
		return -ENOMEM;
	default:
		return -EIO;
	}
}

static int rx_init(struct nl_ipvs *nl)
{
	size_t i;

	nl->rx = malloc((size_t)NL_IPVS_RX_VEC * NL_IPVS_RX_SLOT);
	nl->rxmsg = calloc(NL_IPVS_RX_VEC, sizeof(*nl->rxmsg));
	nl->rxiov = calloc(NL_IPVS_RX_VEC, sizeof(*nl->rxiov));
	if (!nl->rx || !nl->rxmsg || !nl->rxiov)
		return -1;
	for (i = 0; i < NL_IPVS_RX_VEC; i++) {
		nl->rxiov[i].iov_base = nl->rx + i * NL_IPVS_RX_SLOT;
		nl->rxiov[i].iov_len = NL_IPVS_RX_SLOT;
		nl->rxmsg[i].msg_hdr.msg_iov = &nl->rxiov[i];
		nl->rxmsg[i].msg_hdr.msg_iovlen = 1;
	}
	return 0;
}

int nl_ipvs_open(struct nl_ipvs **out)
{
	struct nl_ipvs *nl = calloc(1, sizeof(*nl));
	int r = -ENOMEM;

	*out = NULL;
	if (!nl || !(nl->sock = nl_socket_alloc()) ||
	    !(nl->tx = malloc(NL_IPVS_TX_MAX)) ||
	    rx_init(nl))
		goto bad;
	if ((r = nl_connect(nl->sock, NETLINK_GENERIC)) < 0) {
		r = libnl_errno(r);
		goto bad;
	}
	nl->family = genl_ctrl_resolve(nl->sock, IPVS_GENL_NAME);
	if (nl->family < 0) {
		r = libnl_errno(nl->family);
		goto bad;
	}
	nl->fd = nl_socket_get_fd(nl->sock);
	nl_socket_set_nonblocking(nl->sock);
	socket_tune(nl->fd);
	nl->seq = 1;
	*out = nl;
	return 0;
bad:
	nl_ipvs_close(nl);
	return r;
}

void nl_ipvs_close(struct nl_ipvs *nl)
{
	if (!nl)
		return;
	if (nl->sock)
		nl_socket_free(nl->sock);
	nl_ipvs_ring_free(nl->ring);
	free(nl->tx);
	free(nl->rx);
	free(nl->rxmsg);
	free(nl->rxiov);
	free(nl);
}

int nl_ipvs_fd(const struct nl_ipvs *nl)
{
	return nl ? nl->fd : -1;
}

const char *nl_ipvs_last_error(const struct nl_ipvs *nl)
{
	return nl ? nl->errbuf : "no IPVS handle";
}

const struct nl_ipvs_counters *nl_ipvs_counters(const struct nl_ipvs *nl)
{
	return &nl->counters;
}

int nl_ipvs_tx_room(const struct nl_ipvs *nl, size_t len)
{
	return nl->txlen + NLMSG_ALIGN(len) <= NL_IPVS_TX_MAX;
}

uint32_t nl_ipvs_queue(struct nl_ipvs *nl, struct nl_msg *msg)
{
	struct nlmsghdr *h = nlmsg_hdr(msg);
	uint32_t seq = nl->seq++;

	h->nlmsg_seq = seq;
	h->nlmsg_pid = 0;
	h->nlmsg_flags |= NLM_F_REQUEST;
	memcpy(nl->tx + nl->txlen, h, h->nlmsg_len);
	nl->txlen += NLMSG_ALIGN(h->nlmsg_len);
	nl->counters.requests++;
	return seq;
}

int nl_ipvs_flush(struct nl_ipvs *nl)
{
	ssize_t n;

	if (!nl->txlen)
		return 0;
	/* The kernel handles every message of this call, in order, before
	 * send() returns; their answers are then already queued for us. */
	do
		n = send(nl->fd, nl->tx, nl->txlen, 0);
	while (n < 0 && errno == EINTR);
	nl->counters.sendmsgs++;
	if (n < 0)
		return nl_ipvs_fail(nl, -errno, "sending %zu bytes of IPVS requests",
				    nl->txlen);
	nl->txlen = 0;
	return 0;
}

/* Hand every message of one datagram to the job. */
static int rx_datagram(struct nl_ipvs *nl, const struct mmsghdr *m)
{
	struct nlmsghdr *h = m->msg_hdr.msg_iov->iov_base;
	int len = (int)m->msg_len, r;

	if (m->msg_hdr.msg_flags & MSG_TRUNC)
		return nl_ipvs_fail(nl, -EMSGSIZE, "IPVS answer over %d bytes",
				    NL_IPVS_RX_SLOT);
	for (; nlmsg_ok(h, len); h = nlmsg_next(h, &len))
		if ((r = nl->job->reply(nl, h)))
			return r;
	return 0;
}

/* Read what has arrived, many datagrams per call; -EAGAIN if nothing. */
static int rx_once(struct nl_ipvs *nl)
{
	int n, i, r;

	do
		n = recvmmsg(nl->fd, nl->rxmsg, NL_IPVS_RX_VEC, MSG_DONTWAIT, NULL);
	while (n < 0 && errno == EINTR);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return -EAGAIN;
	if (n < 0)
		return nl_ipvs_fail(nl, -errno, "receiving from IPVS (%s)",
				    errno == ENOBUFS ? "answers were dropped" :
						       "socket error");
	for (i = 0; i < n; i++) {
		if ((r = rx_datagram(nl, &nl->rxmsg[i])))
			return r;
	}
	return 0;
}

static int job_finish(struct nl_ipvs *nl, int r)
{
	nl->job = NULL;
	nl->txlen = 0;
	return r;
}

int nl_ipvs_job_step(struct nl_ipvs *nl)
{
	struct nl_ipvs_job *job = nl->job;
	int r, progress;

	if (!job)
		return -EINVAL;
	for (;;) {
		/* Done before fill: a finished job must not send more. */
		if (job->done(nl))
			return job_finish(nl, job->result(nl));
		progress = job->fill(nl);
		if (progress < 0)
			return job_finish(nl, progress);
		if ((r = nl_ipvs_flush(nl)))
			return job_finish(nl, r);
		if (job->done(nl))
			return job_finish(nl, job->result(nl));
		r = rx_once(nl);
		if (r == -EAGAIN && !progress)
			return -EAGAIN;
		if (r && r != -EAGAIN)
			return job_finish(nl, r);
	}
}

int nl_ipvs_job_wait(struct nl_ipvs *nl, struct nl_ipvs_job *job)
{
	struct pollfd pfd = { .fd = nl->fd, .events = POLLIN };
	int r;

	if (nl->job)
		return nl_ipvs_fail(nl, -EBUSY, "IPVS socket busy with a batch");
	nl->job = job;
	while ((r = nl_ipvs_job_step(nl)) == -EAGAIN) {
		r = poll(&pfd, 1, NL_IPVS_TIMEOUT_MS);
		if (r == 0)
			return job_finish(nl, nl_ipvs_fail(nl, -ETIMEDOUT,
							   "waiting for IPVS"));
		if (r < 0 && errno != EINTR)
			return job_finish(nl, -errno);
	}
	return r;
}

/* --- one request, one answer ---------------------------------------------- */

/* A request whose data replies go to @parse, finished by its ACK. */
struct simple_req {
	struct nl_msg *msg;
	uint32_t seq;
	int sent, acked, err;
	int (*parse)(struct nlmsghdr *h, void *arg);
	void *arg;
};

static int simple_fill(struct nl_ipvs *nl)
{
	struct simple_req *q = nl->job->ctx;

	if (q->sent)
		return 0;
	q->seq = nl_ipvs_queue(nl, q->msg);
	q->sent = 1;
	return 1;
}

static int simple_reply(struct nl_ipvs *nl, struct nlmsghdr *h)
{
	struct simple_req *q = nl->job->ctx;
	struct nlmsgerr *e;

	if (h->nlmsg_seq != q->seq)
		return 0; /* a straggler from an aborted job */
	if (h->nlmsg_type == NLMSG_ERROR) {
		e = nlmsg_data(h);
		q->err = e->error;
		q->acked = 1;
	} else if (h->nlmsg_type == NLMSG_DONE) {
		q->acked = 1;
	} else if (q->parse && !q->err) {
		q->err = q->parse(h, q->arg);
	}
	return 0;
}

static int simple_done(struct nl_ipvs *nl)
{
	return ((struct simple_req *)nl->job->ctx)->acked;
}

static int simple_result(struct nl_ipvs *nl)
{
	return ((struct simple_req *)nl->job->ctx)->err;
}

/* Send @msg (consumed) and wait for its answer; 0 or the kernel's -errno. */
static int simple_request(struct nl_ipvs *nl, struct nl_msg *msg,
			  int (*parse)(struct nlmsghdr *, void *), void *arg)
{
	struct simple_req q = { .msg = msg, .parse = parse, .arg = arg };
	struct nl_ipvs_job job = { simple_fill, simple_reply, simple_done,
				   simple_result, &q };
	int r;

	if (!msg)
		return nl_ipvs_fail(nl, -ENOMEM, "building IPVS request");
	r = nl_ipvs_job_wait(nl, &job);
	nlmsg_free(msg);
	return r;
}

static int parse_info(struct nlmsghdr *h, void *arg)
{
	struct nl_ipvs_info *info = arg;
	struct nlattr *tb[IPVS_INFO_ATTR_MAX + 1];

	if (genlmsg_parse(h, 0, tb, IPVS_INFO_ATTR_MAX, NULL) ||
	    !tb[IPVS_INFO_ATTR_VERSION] || !tb[IPVS_INFO_ATTR_CONN_TAB_SIZE])
		return -EINVAL;
	info->version = nla_get_u32(tb[IPVS_INFO_ATTR_VERSION]);
	info->conn_tab_size = nla_get_u32(tb[IPVS_INFO_ATTR_CONN_TAB_SIZE]);
	return 0;
}

int nl_ipvs_get_info(struct nl_ipvs *nl, struct nl_ipvs_info *info)
{
	int r;

	if (!nl || !info)
		return -EINVAL;
	r = simple_request(nl, nl_ipvs_msg_new(nl->family, IPVS_CMD_GET_INFO,
					       NLM_F_ACK), parse_info, info);
	return r ? nl_ipvs_fail(nl, r, "reading IPVS info") : 0;
}

static int parse_timeouts(struct nlmsghdr *h, void *arg)
{
	struct nl_ipvs_timeouts *t = arg;
	struct nlattr *tb[IPVS_CMD_ATTR_MAX + 1];

	if (genlmsg_parse(h, 0, tb, IPVS_CMD_ATTR_MAX, NULL))
		return -EINVAL;
	t->tcp = tb[IPVS_CMD_ATTR_TIMEOUT_TCP] ?
			 nla_get_u32(tb[IPVS_CMD_ATTR_TIMEOUT_TCP]) : 0;
	t->tcp_fin = tb[IPVS_CMD_ATTR_TIMEOUT_TCP_FIN] ?
			     nla_get_u32(tb[IPVS_CMD_ATTR_TIMEOUT_TCP_FIN]) : 0;
	t->udp = tb[IPVS_CMD_ATTR_TIMEOUT_UDP] ?
			 nla_get_u32(tb[IPVS_CMD_ATTR_TIMEOUT_UDP]) : 0;
	return 0;
}

int nl_ipvs_get_timeouts(struct nl_ipvs *nl, struct nl_ipvs_timeouts *t)
{
	int r;

	if (!nl || !t)
		return -EINVAL;
	r = simple_request(nl, nl_ipvs_msg_new(nl->family, IPVS_CMD_GET_CONFIG,
					       NLM_F_ACK), parse_timeouts, t);
	return r ? nl_ipvs_fail(nl, r, "reading IPVS timeouts") : 0;
}

int nl_ipvs_set_timeouts(struct nl_ipvs *nl, const struct nl_ipvs_timeouts *t)
{
	struct nl_msg *msg;
	int r;

	if (!nl || !t)
		return -EINVAL;
	msg = nl_ipvs_msg_new(nl->family, IPVS_CMD_SET_CONFIG, NLM_F_ACK);
	/* The kernel leaves a timeout alone when its attribute is absent. */
	if (msg && ((t->tcp && nla_put_u32(msg, IPVS_CMD_ATTR_TIMEOUT_TCP, t->tcp)) ||
		    (t->tcp_fin && nla_put_u32(msg, IPVS_CMD_ATTR_TIMEOUT_TCP_FIN,
					       t->tcp_fin)) ||
		    (t->udp && nla_put_u32(msg, IPVS_CMD_ATTR_TIMEOUT_UDP, t->udp)))) {
		nlmsg_free(msg);
		msg = NULL;
	}
	r = simple_request(nl, msg, NULL, NULL);
	return r ? nl_ipvs_fail(nl, r, "setting IPVS timeouts") : 0;
}

int nl_ipvs_zero(struct nl_ipvs *nl, const struct ipvs_service *svc)
{
	char why[128], key[IPVS_FMT_MAX];
	struct nl_msg *msg;
	int r;

	if (!nl)
		return -EINVAL;
	if (svc && ipvs_service_check(svc, why, sizeof(why)))
		return nl_ipvs_fail(nl, -EINVAL, "zero: %s", why);
	msg = nl_ipvs_msg_new(nl->family, IPVS_CMD_ZERO, NLM_F_ACK);
	if (msg && svc && nl_ipvs_msg_put_service(msg, svc, 0)) {
		nlmsg_free(msg);
		msg = NULL;
	}
	r = simple_request(nl, msg, NULL, NULL);
	if (r)
		return nl_ipvs_fail(nl, r, "-Z %s", svc ?
				    ipvs_service_key_fmt(&svc->key, key, sizeof(key)) : "");
	return 0;
}

/* --- single changes: a batch of one --------------------------------------- */

static int apply_one(struct nl_ipvs *nl, enum ipvs_op_kind kind,
		     const struct ipvs_service *svc, const struct ipvs_dest *dest)
{
	struct ipvs_op op;
	int r;

	if (!nl || !svc || (ipvs_op_is_dest(kind) && !dest))
		return nl ? nl_ipvs_fail(nl, -EINVAL, "missing service or real server")
			  : -EINVAL;
	memset(&op, 0, sizeof(op));
	op.kind = kind;
	op.svc = *svc;
	if (dest)
		op.dest = *dest;
	r = nl_ipvs_apply(nl, &op, 1);
	if (r < 0)
		return r;
	if (op.err)
		ipvs_op_strerror(&op, nl->errbuf, sizeof(nl->errbuf));
	return -op.err;
}

int nl_ipvs_add_service(struct nl_ipvs *nl, const struct ipvs_service *svc)
{
	return apply_one(nl, IPVS_OP_ADD_SERVICE, svc, NULL);
}

int nl_ipvs_edit_service(struct nl_ipvs *nl, const struct ipvs_service *svc)
{
	return apply_one(nl, IPVS_OP_EDIT_SERVICE, svc, NULL);
}

int nl_ipvs_del_service(struct nl_ipvs *nl, const struct ipvs_service *svc)
{
	return apply_one(nl, IPVS_OP_DEL_SERVICE, svc, NULL);
}

int nl_ipvs_add_dest(struct nl_ipvs *nl, const struct ipvs_service *svc,
		     const struct ipvs_dest *dest)
{
	return apply_one(nl, IPVS_OP_ADD_DEST, svc, dest);
}

int nl_ipvs_edit_dest(struct nl_ipvs *nl, const struct ipvs_service *svc,
		      const struct ipvs_dest *dest)
{
	return apply_one(nl, IPVS_OP_EDIT_DEST, svc, dest);
}

int nl_ipvs_del_dest(struct nl_ipvs *nl, const struct ipvs_service *svc,
		     const struct ipvs_dest *dest)
{
	return apply_one(nl, IPVS_OP_DEL_DEST, svc, dest);
}
