/*
 * netlink/nl_link.c - the NETLINK_ROUTE socket, the dummy link, and
 * addresses.
 *
 * libnl-route-3 builds the link requests; address requests are built by
 * hand (an rtnl_addr object and two nl_addr per op for a 40-byte message
 * is not worth it when thousands go out at once).  The I/O is our own, as
 * in nl_ipvs.c: many requests per sendmsg(), answers matched back by
 * sequence number, and the kernel's raw errno and extended-ACK message
 * kept (libnl turns errnos into codes of its own, folding some together).
 */
#include "nl_link.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/route/link.h>
#include <netlink/socket.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/* Bytes per sendmsg(). */
#define NL_ROUTE_TX_MAX (64 * 1024)
/* Requests in flight; each parked ACK costs ~1 KiB of receive buffer. */
#define NL_ROUTE_WINDOW 1024
#define NL_ROUTE_RCVBUF (4 * 1024 * 1024)
/* recvmmsg() slots: 32 KiB is the largest datagram the kernel builds, and
 * it sizes a dump's chunks after our reads.  Only touched pages count. */
#define NL_ROUTE_RX_VEC 64
#define NL_ROUTE_RX_SLOT (32 * 1024)
/* Silence from the kernel this long means something is badly wrong. */
#define NL_ROUTE_TIMEOUT_MS 30000

struct nl_route {
	struct nl_sock *sock;      /* libnl socket: connect and fd only */
	int fd;                    /* its descriptor, blocking */
	uint32_t seq;              /* next sequence number */
	uint8_t *tx;               /* requests queued for the next sendmsg */
	size_t txlen;
	uint8_t *rx;               /* NL_ROUTE_RX_VEC slots of NL_ROUTE_RX_SLOT */
	struct mmsghdr *rxmsg;     /* recvmmsg() vector over the slots */
	struct iovec *rxiov;
	struct nl_route_counters counters;
	char errbuf[512];          /* last failure in words */
};

/*
 * One exchange: @n requests, each answered by an ACK (NLMSG_ERROR) or, for
 * a dump, by data messages and then NLMSG_DONE.  A dump is always an
 * exchange of one request.
 */
struct route_xfer {
	size_t n;
	/* Request @i, or NULL with *err (negative) to refuse it locally. */
	struct nl_msg *(*build)(size_t i, void *ctx, int *err);
	/* A data message answering request @i; 0 or -errno. */
	int (*data)(size_t i, struct nlmsghdr *h, void *ctx);
	/* Request @i is finished: @err 0 or -errno, @why the kernel's words
	 * (extended ACK) or NULL. */
	void (*answer)(size_t i, int err, const char *why, void *ctx);
	void *ctx;
	/* The engine's own: */
	uint32_t seq0;             /* sequence number of request 0 */
	size_t next;               /* next request to build */
	size_t answered;           /* requests finished */
	int data_err;              /* first data() failure of the dump, or
				    * -EINTR: the kernel flagged it
				    * inconsistent (changed meanwhile) */
};

static int route_fail(struct nl_route *nr, int err, const char *why,
		      const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Record "<what>: <strerror>[ (kernel: <why>)]"; returns @err. */
static int route_fail(struct nl_route *nr, int err, const char *why,
		      const char *fmt, ...)
{
	size_t len = sizeof(nr->errbuf);
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(nr->errbuf, len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len)
		return err;
	if (why && *why)
		snprintf(nr->errbuf + n, len - (size_t)n, ": %s (kernel: %s)",
			 strerror(-err), why);
	else
		snprintf(nr->errbuf + n, len - (size_t)n, ": %s", strerror(-err));
	return err;
}

/* --- the socket ------------------------------------------------------------ */

static int rx_init(struct nl_route *nr)
{
	size_t i;

	nr->rx = malloc((size_t)NL_ROUTE_RX_VEC * NL_ROUTE_RX_SLOT);
	nr->rxmsg = calloc(NL_ROUTE_RX_VEC, sizeof(*nr->rxmsg));
	nr->rxiov = calloc(NL_ROUTE_RX_VEC, sizeof(*nr->rxiov));
	if (!nr->rx || !nr->rxmsg || !nr->rxiov)
		return -1;
	for (i = 0; i < NL_ROUTE_RX_VEC; i++) {
		nr->rxiov[i].iov_base = nr->rx + i * NL_ROUTE_RX_SLOT;
		nr->rxiov[i].iov_len = NL_ROUTE_RX_SLOT;
		nr->rxmsg[i].msg_hdr.msg_iov = &nr->rxiov[i];
		nr->rxmsg[i].msg_hdr.msg_iovlen = 1;
	}
	return 0;
}

/*
 * A large receive buffer for ACKs in flight; ACKs without a copy of the
 * request; the kernel's error messages; and strict checking, so that the
 * kernel filters dumps by interface itself.  Older kernels may lack the
 * last three: we manage without (dumps are filtered here too).
 */
static void socket_tune(int fd)
{
	int one = 1, rcv = NL_ROUTE_RCVBUF;

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one, sizeof(one));
}

int nl_route_open(struct nl_route **out)
{
	struct nl_route *nr = calloc(1, sizeof(*nr));
	int r = -ENOMEM;

	*out = NULL;
	if (!nr || !(nr->sock = nl_socket_alloc()) ||
	    !(nr->tx = malloc(NL_ROUTE_TX_MAX)) || rx_init(nr))
		goto bad;
	errno = 0;
	if (nl_connect(nr->sock, NETLINK_ROUTE) < 0) {
		r = errno ? -errno : -EIO;
		goto bad;
	}
	nr->fd = nl_socket_get_fd(nr->sock);
	socket_tune(nr->fd);
	nr->seq = 1;
	*out = nr;
	return 0;
bad:
	nl_route_close(nr);
	return r;
}

void nl_route_close(struct nl_route *nr)
{
	if (!nr)
		return;
	if (nr->sock)
		nl_socket_free(nr->sock);
	free(nr->tx);
	free(nr->rx);
	free(nr->rxmsg);
	free(nr->rxiov);
	free(nr);
}

const char *nl_route_last_error(const struct nl_route *nr)
{
	return nr ? nr->errbuf : "no route socket";
}

const struct nl_route_counters *nl_route_counters(const struct nl_route *nr)
{
	return &nr->counters;
}

/* --- the exchange engine --------------------------------------------------- */

/* Send what is queued.  The kernel handles every message of the call, in
 * order, before send() returns. */
static int route_flush(struct nl_route *nr)
{
	ssize_t n;

	if (!nr->txlen)
		return 0;
	do
		n = send(nr->fd, nr->tx, nr->txlen, 0);
	while (n < 0 && errno == EINTR);
	nr->counters.sendmsgs++;
	if (n < 0)
		return route_fail(nr, -errno, NULL, "sending %zu bytes of route requests",
				  nr->txlen);
	nr->txlen = 0;
	return 0;
}

/* Queue requests while the window and the buffer allow. */
static int xfer_fill(struct nl_route *nr, struct route_xfer *x)
{
	struct nlmsghdr *h;
	struct nl_msg *msg;
	int err;

	while (x->next < x->n && x->next - x->answered < NL_ROUTE_WINDOW) {
		err = 0;
		msg = x->build(x->next, x->ctx, &err);
		if (!msg) {
			x->answer(x->next++, err ? err : -ENOMEM, NULL, x->ctx);
			x->answered++;
			continue;
		}
		h = nlmsg_hdr(msg);
		if (nr->txlen + NLMSG_ALIGN(h->nlmsg_len) > NL_ROUTE_TX_MAX) {
			nlmsg_free(msg);
			if (!nr->txlen)
				return route_fail(nr, -EMSGSIZE, NULL,
						  "route request of %u bytes",
						  h->nlmsg_len);
			return 0;   /* built again after this flush */
		}
		h->nlmsg_seq = x->seq0 + (uint32_t)x->next++;
		h->nlmsg_pid = 0;
		h->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
		memcpy(nr->tx + nr->txlen, h, h->nlmsg_len);
		nr->txlen += NLMSG_ALIGN(h->nlmsg_len);
		nr->counters.requests++;
		nlmsg_free(msg);
	}
	return 0;
}

/* The kernel's message in an extended ACK, or NULL. */
static const char *ack_why(const struct nlmsghdr *h)
{
	const struct nlmsgerr *e = nlmsg_data(h);
	const struct nlattr *a;
	size_t off = sizeof(*e);
	int len, rem;

	if (!(h->nlmsg_flags & NLM_F_ACK_TLVS))
		return NULL;
	if (!(h->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	if (NLMSG_HDRLEN + off >= h->nlmsg_len)
		return NULL;
	len = (int)(h->nlmsg_len - NLMSG_HDRLEN - off);
	nla_for_each_attr(a, (const struct nlattr *)((const char *)e + off), len, rem)
		if (nla_type(a) == NLMSGERR_ATTR_MSG && nla_len(a) > 0 &&
		    ((const char *)nla_data(a))[nla_len(a) - 1] == '\0')
			return nla_data(a);
	return NULL;
}

static void xfer_reply(struct route_xfer *x, struct nlmsghdr *h)
{
	size_t i = (size_t)(h->nlmsg_seq - x->seq0);
	int err;

	if (i >= x->next)
		return;     /* a straggler from an exchange that failed */
	if ((h->nlmsg_flags & NLM_F_DUMP_INTR) && !x->data_err)
		x->data_err = -EINTR;
	switch (h->nlmsg_type) {
	case NLMSG_ERROR:
		err = ((struct nlmsgerr *)nlmsg_data(h))->error;
		x->answer(i, err ? err : x->data_err, err ? ack_why(h) : NULL, x->ctx);
		x->answered++;
		break;
	case NLMSG_DONE:
		err = nlmsg_datalen(h) >= (int)sizeof(int) ? *(int *)nlmsg_data(h) : 0;
		x->answer(i, err < 0 ? err : x->data_err, NULL, x->ctx);
		x->answered++;
		break;
	case NLMSG_NOOP:
	case NLMSG_OVERRUN:
		break;
	default:
		if (x->data && !x->data_err)
			x->data_err = x->data(i, h, x->ctx);
	}
}

/* Wait for answers, read what has arrived. */
static int xfer_read(struct nl_route *nr, struct route_xfer *x)
{
	struct pollfd pfd = { .fd = nr->fd, .events = POLLIN };
	struct nlmsghdr *h;
	int n, i, len, r;

	do
		r = poll(&pfd, 1, NL_ROUTE_TIMEOUT_MS);
	while (r < 0 && errno == EINTR);
	if (r == 0)
		return route_fail(nr, -ETIMEDOUT, NULL, "waiting for the kernel's answers");
	do
		n = recvmmsg(nr->fd, nr->rxmsg, NL_ROUTE_RX_VEC, MSG_DONTWAIT, NULL);
	while (n < 0 && errno == EINTR);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	if (n < 0)
		return route_fail(nr, -errno, NULL, "receiving route answers (%s)",
				  errno == ENOBUFS ? "answers were dropped" : "socket error");
	for (i = 0; i < n; i++) {
		if (nr->rxmsg[i].msg_hdr.msg_flags & MSG_TRUNC)
			return route_fail(nr, -EMSGSIZE, NULL, "route answer over %d bytes",
					  NL_ROUTE_RX_SLOT);
		h = nr->rxiov[i].iov_base;
		len = (int)nr->rxmsg[i].msg_len;
		for (; nlmsg_ok(h, len); h = nlmsg_next(h, &len))
			xfer_reply(x, h);
	}
	return 0;
}

/* Run @x to the end.  0 when every request was answered (each with its own
 * result), -errno when the socket failed (some may be unanswered). */
static int route_run(struct nl_route *nr, struct route_xfer *x)
{
	int r;

	x->seq0 = nr->seq;
	nr->seq += (uint32_t)x->n;
	x->next = x->answered = 0;
	x->data_err = 0;
	nr->txlen = 0;
	while (x->answered < x->n) {
		if ((r = xfer_fill(nr, x)) || (r = route_flush(nr)))
			return r;
		if (x->answered < x->n && (r = xfer_read(nr, x)))
			return r;
	}
	return 0;
}

/* --- one request ----------------------------------------------------------- */

struct single {
	struct nl_msg *msg;        /* the request, until sent */
	int (*data)(struct nlmsghdr *h, void *arg);
	void *arg;
	int err;                   /* the answer */
	char why[256];             /* the kernel's words, if any */
};

static struct nl_msg *single_build(size_t i, void *ctx, int *err)
{
	struct single *s = ctx;
	struct nl_msg *msg = s->msg;

	(void)i;
	s->msg = NULL;
	*err = -ENOMEM;
	return msg;
}

static int single_data(size_t i, struct nlmsghdr *h, void *ctx)
{
	struct single *s = ctx;

	(void)i;
	return s->data ? s->data(h, s->arg) : 0;
}

static void single_answer(size_t i, int err, const char *why, void *ctx)
{
	struct single *s = ctx;

	(void)i;
	s->err = err;
	snprintf(s->why, sizeof(s->why), "%s", why ? why : "");
}

/*
 * Send @msg (consumed; NULL means building it failed) and wait for its
 * answer, handing data replies to @data.  0, or -errno with @what and the
 * kernel's words in the handle's error.
 */
static int route_request(struct nl_route *nr, struct nl_msg *msg,
			 int (*data)(struct nlmsghdr *, void *), void *arg,
			 const char *what)
{
	struct single s = { .msg = msg, .data = data, .arg = arg, .err = -EIO };
	struct route_xfer x = { .n = 1, .build = single_build, .data = single_data,
				.answer = single_answer, .ctx = &s };
	int r;

	if (!msg)
		return route_fail(nr, -ENOMEM, NULL, "%s", what);
	r = route_run(nr, &x);
	nlmsg_free(s.msg);      /* only if it was never sent */
	if (r)
		return r;
	return s.err ? route_fail(nr, s.err, s.why, "%s", what) : 0;
}

/* --- links ----------------------------------------------------------------- */

static int parse_link(struct nlmsghdr *h, void *arg)
{
	struct nl_link *l = arg;
	struct nlattr *tb[IFLA_MAX + 1], *info[IFLA_INFO_MAX + 1];
	struct ifinfomsg *ifi = nlmsg_data(h);

	if (h->nlmsg_type != RTM_NEWLINK ||
	    nlmsg_parse(h, sizeof(*ifi), tb, IFLA_MAX, NULL) < 0 || !tb[IFLA_IFNAME])
		return -EBADMSG;
	memset(l, 0, sizeof(*l));
	l->ifindex = ifi->ifi_index;
	l->flags = ifi->ifi_flags;
	nla_strlcpy(l->name, tb[IFLA_IFNAME], sizeof(l->name));
	if (tb[IFLA_LINKINFO] &&
	    nla_parse_nested(info, IFLA_INFO_MAX, tb[IFLA_LINKINFO], NULL) == 0 &&
	    info[IFLA_INFO_KIND])
		nla_strlcpy(l->kind, info[IFLA_INFO_KIND], sizeof(l->kind));
	l->owned = tb[IFLA_IFALIAS] && nla_strcmp(tb[IFLA_IFALIAS], NL_LINK_ALIAS) == 0;
	return 0;
}

static int name_ok(const char *name)
{
	return name && *name && strlen(name) < IF_NAMESIZE;
}

int nl_link_get(struct nl_route *nr, const char *name, struct nl_link *out)
{
	struct nl_msg *msg = NULL;
	char what[64];

	if (!nr || !out || !name_ok(name))
		return -EINVAL;
	snprintf(what, sizeof(what), "looking up link %s", name);
	out->ifindex = 0;
	if (rtnl_link_build_get_request(0, name, &msg) < 0)
		msg = NULL;
	return route_request(nr, msg, parse_link, out, what);
}

/* Create a dummy @name, down; -EEXIST if the name is taken. */
static int link_create_dummy(struct nl_route *nr, const char *name)
{
	struct rtnl_link *link = rtnl_link_alloc();
	struct nl_msg *msg = NULL;
	char what[64];

	snprintf(what, sizeof(what), "creating dummy link %s", name);
	if (link) {
		rtnl_link_set_name(link, name);
		if (rtnl_link_set_type(link, "dummy") < 0 ||
		    rtnl_link_build_add_request(link, NLM_F_CREATE | NLM_F_EXCL,
						&msg) < 0)
			msg = NULL;
		rtnl_link_put(link);
	}
	return route_request(nr, msg, NULL, NULL, what);
}

/*
 * Mark @l ours.  The kernel ignores IFLA_IFALIAS when it creates a link, so
 * this is a second request: a crash in between leaves an unmarked dummy,
 * which a restart adopts but --cleanup leaves alone.
 */
static int link_mark_owned(struct nl_route *nr, struct nl_link *l)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = l->ifindex };
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_SETLINK, 0);
	char what[64];
	int r;

	snprintf(what, sizeof(what), "setting the alias of link %s", l->name);
	if (msg && (nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
		    nla_put_string(msg, IFLA_IFALIAS, NL_LINK_ALIAS) < 0)) {
		nlmsg_free(msg);
		msg = NULL;
	}
	if ((r = route_request(nr, msg, NULL, NULL, what)))
		return r;
	l->owned = 1;
	return 0;
}

int nl_link_ensure_dummy(struct nl_route *nr, const char *name,
			 struct nl_link *out)
{
	int r, created = 0;

	if (!nr || !out || !name_ok(name))
		return -EINVAL;
	r = nl_link_get(nr, name, out);
	if (r == -ENODEV) {
		r = link_create_dummy(nr, name);
		created = r == 0;
		/* Someone else made it meanwhile: adopt theirs. */
		if (r == 0 || r == -EEXIST)
			r = nl_link_get(nr, name, out);
	}
	if (r)
		return r;
	if (strcmp(out->kind, "dummy") != 0)
		return route_fail(nr, -EEXIST, NULL,
				  "link %s is a %s, not a dummy: not using it", name,
				  *out->kind ? out->kind : "device of no kind");
	if (created && (r = link_mark_owned(nr, out))) {
		/* Unmarked, it would never be ours to delete: undo. */
		char why[sizeof(nr->errbuf)];

		memcpy(why, nr->errbuf, sizeof(why));
		nl_link_delete(nr, out);
		memcpy(nr->errbuf, why, sizeof(why));
		return r;
	}
	out->created = created;
	return 0;
}

int nl_link_delete(struct nl_route *nr, const struct nl_link *link)
{
	struct rtnl_link *l;
	struct nl_msg *msg = NULL;
	char what[64];

	if (!nr || !link || link->ifindex <= 0)
		return -EINVAL;
	snprintf(what, sizeof(what), "deleting link %s", link->name);
	if ((l = rtnl_link_alloc())) {
		rtnl_link_set_ifindex(l, link->ifindex);
		if (rtnl_link_build_delete_request(l, &msg) < 0)
			msg = NULL;
		rtnl_link_put(l);
	}
	return route_request(nr, msg, NULL, NULL, what);
}

/* --- address sets ---------------------------------------------------------- */

static int addr_cmp(int fa, const union ipvs_addr *a, int fb,
		    const union ipvs_addr *b)
{
	if (fa != fb)
		return fa < fb ? -1 : 1;
	return ipvs_addr_cmp(fa, a, b);
}

static int addr_qcmp(const void *pa, const void *pb)
{
	const struct nl_addr *a = pa, *b = pb;

	return addr_cmp(a->family, &a->addr, b->family, &b->addr);
}

/* 1 and its index if present, else 0 and where it would go. */
static int set_find(const struct nl_addr_set *s, int family,
		    const union ipvs_addr *a, size_t *pos)
{
	size_t lo = 0, hi = s->n, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = addr_cmp(s->v[mid].family, &s->v[mid].addr, family, a);
		if (c == 0) {
			*pos = mid;
			return 1;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*pos = lo;
	return 0;
}

void nl_addr_set_init(struct nl_addr_set *s)
{
	memset(s, 0, sizeof(*s));
}

void nl_addr_set_fini(struct nl_addr_set *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

int nl_addr_set_has(const struct nl_addr_set *s, int family,
		    const union ipvs_addr *a)
{
	union ipvs_addr key = { 0 };
	size_t pos, len = ipvs_addr_len(family);

	if (!len)
		return 0;
	memcpy(key.raw, a->raw, len);
	return set_find(s, family, &key, &pos);
}

/* @e normalised (unused bytes zero), or -EINVAL for a bad family. */
static int addr_make(struct nl_addr *e, int family, const union ipvs_addr *a,
		     uint8_t prefixlen)
{
	size_t len = ipvs_addr_len(family);

	if (!len || !a)
		return -EINVAL;
	memset(e, 0, sizeof(*e));
	e->family = family;
	memcpy(e->addr.raw, a->raw, len);
	e->prefixlen = prefixlen;
	return 0;
}

static int set_grow(struct nl_addr_set *s)
{
	size_t cap = s->cap ? s->cap * 2 : 64;
	struct nl_addr *v;

	if (s->n < s->cap)
		return 0;
	if (!(v = realloc(s->v, cap * sizeof(*v))))
		return -ENOMEM;
	s->v = v;
	s->cap = cap;
	return 0;
}

static int set_append(struct nl_addr_set *s, const struct nl_addr *e)
{
	if (set_grow(s))
		return -ENOMEM;
	s->v[s->n++] = *e;
	return 0;
}

int nl_addr_set_append(struct nl_addr_set *s, int family,
		       const union ipvs_addr *a)
{
	struct nl_addr e;

	if (addr_make(&e, family, a, 0))
		return -EINVAL;
	return set_append(s, &e);
}

int nl_addr_set_add(struct nl_addr_set *s, int family, const union ipvs_addr *a)
{
	struct nl_addr e;
	size_t pos;

	if (addr_make(&e, family, a, 0))
		return -EINVAL;
	if (set_find(s, family, &e.addr, &pos))
		return 0;
	if (set_grow(s))
		return -ENOMEM;
	memmove(&s->v[pos + 1], &s->v[pos], (s->n - pos) * sizeof(*s->v));
	s->v[pos] = e;
	s->n++;
	return 0;
}

void nl_addr_set_sort(struct nl_addr_set *s)
{
	size_t i, n = 0;

	if (!s->n)
		return;
	qsort(s->v, s->n, sizeof(*s->v), addr_qcmp);
	for (i = 1; i < s->n; i++)
		if (addr_qcmp(&s->v[n], &s->v[i]) != 0)
			s->v[++n] = s->v[i];
	s->n = n + 1;
}

/* --- address messages ------------------------------------------------------ */

static uint8_t host_len(int family)
{
	return family == AF_INET ? 32 : 128;
}

static int addr_ok(const struct nl_addr *a)
{
	return ipvs_addr_len(a->family) && a->prefixlen <= host_len(a->family);
}

/*
 * RTM_NEWADDR or RTM_DELADDR for @a on @ifindex, the way `ip addr add
 * ADDR/32 dev kube-ipvs0` (and kube-proxy) says it: IFA_LOCAL and
 * IFA_ADDRESS both the address, scope global, no broadcast.
 */
static struct nl_msg *addr_msg(int type, int flags, int ifindex,
			       const struct nl_addr *a)
{
	struct ifaddrmsg ifa = {
		.ifa_family = (uint8_t)a->family,
		.ifa_prefixlen = a->prefixlen ? a->prefixlen : host_len(a->family),
		.ifa_scope = RT_SCOPE_UNIVERSE,
		.ifa_index = (uint32_t)ifindex,
	};
	int len = (int)ipvs_addr_len(a->family);
	struct nl_msg *msg;

	/* No duplicate address detection: usable at once. */
	if (type == RTM_NEWADDR && a->family == AF_INET6)
		ifa.ifa_flags = IFA_F_NODAD;
	msg = nlmsg_alloc_simple(type, flags);
	if (msg && (nlmsg_append(msg, &ifa, sizeof(ifa), NLMSG_ALIGNTO) < 0 ||
		    nla_put(msg, IFA_LOCAL, len, a->addr.raw) < 0 ||
		    nla_put(msg, IFA_ADDRESS, len, a->addr.raw) < 0)) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return msg;
}

/* "10.96.0.1/32" */
static const char *addr_fmt(const struct nl_addr *a, char *buf, size_t len)
{
	char host[INET6_ADDRSTRLEN];

	if (!ipvs_addr_len(a->family))
		snprintf(buf, len, "(address of family %d)", a->family);
	else
		snprintf(buf, len, "%s/%u",
			 ipvs_addr_fmt(a->family, &a->addr, host, sizeof(host)),
			 a->prefixlen ? a->prefixlen : host_len(a->family));
	return buf;
}

/* --- binding and unbinding ------------------------------------------------- */

struct addr_batch {
	const struct nl_link *link;
	struct nl_addr_op *ops;
	size_t failed;             /* ops answered with an error */
	size_t first;              /* the lowest of them, told in words */
	char why[256];             /* the kernel's words about it */
};

static struct nl_msg *batch_build(size_t i, void *ctx, int *err)
{
	struct addr_batch *b = ctx;
	const struct nl_addr_op *op = &b->ops[i];

	if (!addr_ok(&op->a) ||
	    (op->kind != NL_ADDR_BIND && op->kind != NL_ADDR_UNBIND)) {
		*err = -EINVAL;
		return NULL;
	}
	*err = -ENOMEM;
	if (op->kind == NL_ADDR_BIND)
		return addr_msg(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL,
				b->link->ifindex, &op->a);
	return addr_msg(RTM_DELADDR, 0, b->link->ifindex, &op->a);
}

static void batch_answer(size_t i, int err, const char *why, void *ctx)
{
	struct addr_batch *b = ctx;

	b->ops[i].err = -err;
	if (!err)
		return;
	b->failed++;
	/* Local refusals are answered before the kernel's: keep the order. */
	if (i < b->first) {
		b->first = i;
		snprintf(b->why, sizeof(b->why), "%s", why ? why : "");
	}
}

int nl_addr_apply(struct nl_route *nr, const struct nl_link *link,
		  struct nl_addr_op *ops, size_t n)
{
	struct addr_batch b = { .link = link, .ops = ops, .first = n };
	struct route_xfer x = { .n = n, .build = batch_build,
				.answer = batch_answer, .ctx = &b };
	struct nl_addr_op *op;
	char a[INET6_ADDRSTRLEN + 8];
	size_t i;
	int r;

	if (!nr || !link || link->ifindex <= 0 || (n && !ops))
		return -EINVAL;
	for (i = 0; i < n; i++)
		ops[i].err = EIO;       /* until answered */
	if ((r = route_run(nr, &x)))
		return r;
	if (b.failed) {
		op = &ops[b.first];
		route_fail(nr, -op->err, b.why, "%s %s %s %s",
			   op->kind == NL_ADDR_UNBIND ? "unbinding" : "binding",
			   addr_fmt(&op->a, a, sizeof(a)),
			   op->kind == NL_ADDR_UNBIND ? "from" : "to", link->name);
	}
	return (int)b.failed;
}

static int addr_one(struct nl_route *nr, const struct nl_link *link,
		    enum nl_addr_op_kind kind, int family,
		    const union ipvs_addr *a)
{
	struct nl_addr_op op = { .kind = kind };
	int r;

	if (addr_make(&op.a, family, a, 0))
		return -EINVAL;
	r = nl_addr_apply(nr, link, &op, 1);
	return r < 0 ? r : -op.err;
}

int nl_addr_bind(struct nl_route *nr, const struct nl_link *link, int family,
		 const union ipvs_addr *a)
{
	return addr_one(nr, link, NL_ADDR_BIND, family, a);
}

int nl_addr_unbind(struct nl_route *nr, const struct nl_link *link,
		   int family, const union ipvs_addr *a)
{
	return addr_one(nr, link, NL_ADDR_UNBIND, family, a);
}

/* --- address dumps --------------------------------------------------------- */

/* One RTM_NEWADDR of a dump: 0 and @out filled, 1 to skip (not IP). */
static int parse_addr(struct nlmsghdr *h, struct nl_addr_local *out)
{
	struct ifaddrmsg *ifa = nlmsg_data(h);
	struct nlattr *tb[IFA_MAX + 1], *a;
	size_t len;

	if (h->nlmsg_type != RTM_NEWADDR ||
	    nlmsg_parse(h, sizeof(*ifa), tb, IFA_MAX, NULL) < 0)
		return -EBADMSG;
	if (!(len = ipvs_addr_len(ifa->ifa_family)))
		return 1;
	/* IFA_LOCAL is the address itself where there is a peer (IFA_ADDRESS). */
	a = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (!a || (size_t)nla_len(a) != len)
		return -EBADMSG;
	memset(out, 0, sizeof(*out));
	out->ifindex = (int)ifa->ifa_index;
	out->family = ifa->ifa_family;
	memcpy(out->addr.raw, nla_data(a), len);
	out->prefixlen = ifa->ifa_prefixlen;
	return 0;
}

/* What a dump does with each address, and how it starts over. */
struct addr_dump {
	int (*each)(const struct nl_addr_local *l, void *arg);
	void (*reset)(void *arg);
	void *arg;
};

static int addr_dump_data(struct nlmsghdr *h, void *ctx)
{
	struct addr_dump *d = ctx;
	struct nl_addr_local l;
	int r;

	if ((r = parse_addr(h, &l)))
		return r > 0 ? 0 : r;
	return d->each(&l, d->arg);
}

/*
 * Dump the addresses of @family on @ifindex (0: every link) into @d.  With
 * strict checking the kernel filters by link itself.  A dump that the
 * kernel flags as inconsistent (addresses changed meanwhile) is repeated.
 */
static int addr_dump(struct nl_route *nr, int family, int ifindex,
		     struct addr_dump *d, const char *what)
{
	struct ifaddrmsg ifa = { .ifa_family = (uint8_t)family,
				 .ifa_index = (uint32_t)ifindex };
	struct nl_msg *msg;
	int r, tries = 0;

	do {
		d->reset(d->arg);
		msg = nlmsg_alloc_simple(RTM_GETADDR, NLM_F_DUMP);
		if (msg && nlmsg_append(msg, &ifa, sizeof(ifa), NLMSG_ALIGNTO) < 0) {
			nlmsg_free(msg);
			msg = NULL;
		}
		r = route_request(nr, msg, addr_dump_data, d, what);
	} while (r == -EINTR && ++tries < 5);
	return r;
}

struct list_ctx {
	int ifindex;
	struct nl_addr_set *out;
};

static void list_reset(void *arg)
{
	((struct list_ctx *)arg)->out->n = 0;
}

static int list_each(const struct nl_addr_local *l, void *arg)
{
	struct list_ctx *c = arg;
	struct nl_addr e;

	if (l->ifindex != c->ifindex)
		return 0;       /* a kernel without strict checking */
	addr_make(&e, l->family, &l->addr, l->prefixlen);
	return set_append(c->out, &e);
}

int nl_addr_list(struct nl_route *nr, const struct nl_link *link,
		 struct nl_addr_set *out)
{
	struct list_ctx c = { .out = out };
	struct addr_dump d = { list_each, list_reset, &c };
	char what[64];
	int r;

	if (!nr || !link || link->ifindex <= 0 || !out)
		return -EINVAL;
	c.ifindex = link->ifindex;
	snprintf(what, sizeof(what), "listing the addresses of %s", link->name);
	if ((r = addr_dump(nr, AF_UNSPEC, link->ifindex, &d, what)))
		return r;
	nl_addr_set_sort(out);
	return 0;
}

/* --- the node's addresses -------------------------------------------------- */

int nl_addr_cidr_contains(const struct nl_addr_cidr *c, int family,
			  const union ipvs_addr *a)
{
	unsigned int full = c->prefixlen / 8, rest = c->prefixlen % 8;
	uint8_t mask = (uint8_t)(0xff << (8 - rest));

	if (family != c->family || c->prefixlen > host_len(family))
		return 0;
	if (memcmp(c->addr.raw, a->raw, full))
		return 0;
	return !rest || ((c->addr.raw[full] ^ a->raw[full]) & mask) == 0;
}

int nl_addr_cidr_parse(const char *s, struct nl_addr_cidr *out)
{
	char buf[INET6_ADDRSTRLEN];
	const char *slash, *p;
	unsigned int len = 0, i;
	size_t n;

	if (!s || !out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	slash = strchr(s, '/');
	n = slash ? (size_t)(slash - s) : strlen(s);
	if (!n || n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (ipvs_addr_parse(buf, &out->family, &out->addr))
		return -EINVAL;
	if (!slash) {
		out->prefixlen = host_len(out->family);
		return 0;
	}
	/* Digits only, at most three, no sign, no space. */
	for (p = slash + 1; *p >= '0' && *p <= '9' && p - slash <= 3; p++)
		len = len * 10 + (unsigned int)(*p - '0');
	if (p == slash + 1 || *p || len > host_len(out->family))
		return -EINVAL;
	out->prefixlen = (uint8_t)len;
	for (i = 0; i < sizeof(out->addr.raw); i++) {
		if (len >= 8)
			len -= 8;
		else {
			out->addr.raw[i] &= (uint8_t)(0xff << (8 - len));
			len = 0;
		}
	}
	return 0;
}

void nl_addr_locals_init(struct nl_addr_locals *l)
{
	memset(l, 0, sizeof(*l));
}

void nl_addr_locals_fini(struct nl_addr_locals *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int is_loopback(int family, const union ipvs_addr *a)
{
	if (family == AF_INET)
		return (ntohl(a->v4.s_addr) >> 24) == 127;
	return IN6_IS_ADDR_LOOPBACK(&a->v6);
}

/* kube-proxy's rules; see the header. */
static int local_wanted(const struct nl_addr_filter *f,
			const struct nl_addr_local *l)
{
	size_t i;

	if (f->family != AF_UNSPEC && l->family != f->family)
		return 0;
	if ((f->exclude_ifindex && l->ifindex == f->exclude_ifindex) ||
	    is_loopback(l->family, &l->addr))
		return 0;
	if (!f->ncidrs)
		return !(l->family == AF_INET6 && IN6_IS_ADDR_LINKLOCAL(&l->addr.v6));
	for (i = 0; i < f->ncidrs; i++)
		if (nl_addr_cidr_contains(&f->cidrs[i], l->family, &l->addr))
			return 1;
	return 0;
}

struct locals_ctx {
	const struct nl_addr_filter *f;
	struct nl_addr_locals *out;
};

static void locals_reset(void *arg)
{
	((struct locals_ctx *)arg)->out->n = 0;
}

static int locals_each(const struct nl_addr_local *l, void *arg)
{
	struct locals_ctx *c = arg;
	struct nl_addr_locals *o = c->out;
	struct nl_addr_local *v;
	size_t cap;

	if (!local_wanted(c->f, l))
		return 0;
	if (o->n == o->cap) {
		cap = o->cap ? o->cap * 2 : 16;
		if (!(v = realloc(o->v, cap * sizeof(*v))))
			return -ENOMEM;
		o->v = v;
		o->cap = cap;
	}
	o->v[o->n++] = *l;
	return 0;
}

int nl_addr_list_local(struct nl_route *nr, const struct nl_addr_filter *f,
		       struct nl_addr_locals *out)
{
	struct locals_ctx c = { .f = f, .out = out };
	struct addr_dump d = { locals_each, locals_reset, &c };

	if (!nr || !f || !out || (f->ncidrs && !f->cidrs) ||
	    (f->family != AF_UNSPEC && !ipvs_addr_len(f->family)))
		return -EINVAL;
	return addr_dump(nr, f->family, 0, &d, "listing the node's addresses");
}
