/*
 * netlink/nl_ipvs_dump.c - read the kernel's whole IPVS table.
 *
 * Two phases.  GET_SERVICE is one dump; the kernel restarts its walk from
 * the first service for every chunk, so the chunks must be large: our
 * reads are NL_IPVS_RX_BUF bytes, and the kernel sizes chunks after them.
 * GET_DEST is a dump per service, and these cannot be pipelined: a socket
 * runs one dump at a time, answers EBUSY to a dump request that arrives
 * while another runs, and IPVS's real-server dump always takes a second
 * round (the chunk, then DONE, which the kernel produces inside our next
 * read).  So one request is in flight, and each service costs exactly one
 * sendmsg() and one recvmmsg(): ipvsadm pays a new socket per service.
 */
#include <errno.h>
#include <linux/ip_vs.h>
#include <stdlib.h>
#include <string.h>

#include "nl_ipvs_msg.h"
#include "nl_ipvs_priv.h"

struct dump {
	struct ipvs_table *t;
	size_t first;       /* first service of this dump in the table */
	int phase;          /* 0: services, 1: real servers */
	int services_only;  /* stop after phase 0 */
	uint32_t seq;       /* sequence number of the request in flight */
	int sent;           /* a request is in flight */
	size_t next;        /* phase 1: next service whose real servers to get */
	/* nl_ipvs_dump_each: each service handed over when complete, its
	 * real servers freed after; NULL: they stay in the table. */
	int (*each)(void *arg, struct ipvs_table_service *ts);
	void *arg;
	struct nl_ipvs_job job;
};

static int queue_dest_dump(struct nl_ipvs *nl, struct dump *d)
{
	struct nl_msg *msg;

	msg = nl_ipvs_msg_new(nl->family, IPVS_CMD_GET_DEST, NLM_F_DUMP);
	if (!msg || nl_ipvs_msg_put_service(msg, &d->t->svcs[d->next].conf, 0)) {
		nlmsg_free(msg);
		return nl_ipvs_fail(nl, -ENOMEM, "building a dump request");
	}
	d->seq = nl_ipvs_queue(nl, msg);
	d->sent = 1;
	nlmsg_free(msg);
	return 1;
}

static int dump_fill(struct nl_ipvs *nl)
{
	struct dump *d = nl->job->ctx;
	struct nl_msg *msg;

	if (d->sent || (d->phase == 1 && d->services_only))
		return 0;
	if (d->phase == 1)
		return d->next < d->t->nsvcs ? queue_dest_dump(nl, d) : 0;
	msg = nl_ipvs_msg_new(nl->family, IPVS_CMD_GET_SERVICE, NLM_F_DUMP);
	if (!msg)
		return nl_ipvs_fail(nl, -ENOMEM, "building a dump request");
	d->seq = nl_ipvs_queue(nl, msg);
	d->sent = 1;
	nlmsg_free(msg);
	return 1;
}

/* After the service dump: the real servers of each new service. */
static int start_dest_phase(struct dump *d)
{
	d->phase = 1;
	d->sent = 0;
	d->next = d->first;
	return 0;
}

static int service_reply(struct nl_ipvs *nl, struct dump *d,
			 struct nlmsghdr *h)
{
	struct ipvs_service s;
	struct ipvs_stats st;
	struct ipvs_table_service *ts;
	struct nlmsgerr *e;

	if (h->nlmsg_type == NLMSG_DONE)
		return start_dest_phase(d);
	if (h->nlmsg_type == NLMSG_ERROR) {
		e = nlmsg_data(h);
		return nl_ipvs_fail(nl, e->error ? e->error : -EIO,
				    "dumping IPVS services");
	}
	if (nl_ipvs_msg_parse_service(h, &s, &st))
		return 0; /* a service we cannot read is left out */
	ts = ipvs_table_add_service(d->t, &s);
	if (!ts)
		return -ENOMEM;
	ts->stats = st;
	return 0;
}

/* One real-server dump finished (DONE) or was refused (ERROR). */
static int dest_dump_end(struct nl_ipvs *nl, struct dump *d, int err)
{
	d->sent = 0;
	if (err == -EBUSY) {
		nl->counters.busy_retries++;
		return 0; /* the same service again */
	}
	/* ESRCH/ENOENT: the service went away since phase 0; keep it empty. */
	err = nl_ipvs_dump_hand_over(d->each, d->arg, &d->t->svcs[d->next++]);
	return err < 0 ? nl_ipvs_fail(nl, err, "storing a dumped service") : 0;
}

static int dest_reply(struct nl_ipvs *nl, struct dump *d, struct nlmsghdr *h)
{
	struct ipvs_table_service *ts = &d->t->svcs[d->next];
	struct ipvs_dest dest;
	struct ipvs_dest_state st;
	struct ipvs_table_dest *td;

	if (h->nlmsg_type == NLMSG_DONE)
		return dest_dump_end(nl, d, 0);
	if (h->nlmsg_type == NLMSG_ERROR)
		return dest_dump_end(nl, d,
				     ((struct nlmsgerr *)nlmsg_data(h))->error);
	if (nl_ipvs_msg_parse_dest(h, ts->conf.key.af, &dest, &st))
		return 0;
	td = ipvs_table_add_dest(ts, &dest);
	if (!td)
		return -ENOMEM;
	td->state = st;
	return 0;
}

static int dump_reply(struct nl_ipvs *nl, struct nlmsghdr *h)
{
	struct dump *d = nl->job->ctx;

	if (!d->sent || h->nlmsg_seq != d->seq)
		return 0; /* a straggler from an aborted job */
	if (d->phase == 0)
		return service_reply(nl, d, h);
	return dest_reply(nl, d, h);
}

static int dump_done(struct nl_ipvs *nl)
{
	struct dump *d = nl->job->ctx;

	return d->phase == 1 && (d->services_only || d->next == d->t->nsvcs);
}

static int dump_result(struct nl_ipvs *nl)
{
	(void)nl;
	return 0;
}

static int dump_run(struct nl_ipvs *nl, struct dump *d)
{
	d->job = (struct nl_ipvs_job){ dump_fill, dump_reply, dump_done,
				       dump_result, d };
	return nl_ipvs_job_wait(nl, &d->job);
}

void nl_ipvs_set_parallel_dumps(struct nl_ipvs *nl, int enable)
{
	nl->ring_unusable = !enable;
	if (!enable) {
		nl_ipvs_ring_free(nl->ring);
		nl->ring = NULL;
	}
}

int nl_ipvs_dump_hand_over(int (*each)(void *arg, struct ipvs_table_service *ts),
			   void *arg, struct ipvs_table_service *ts)
{
	int r;

	if (!each)
		return 0;
	r = each(arg, ts);
	free(ts->dests);
	ts->dests = NULL;
	ts->ndests = ts->cap = 0;
	return r;
}

/* Phase 1 over io_uring when we can: -ENOSYS sends us the slow way. */
static int ring_dests(struct nl_ipvs *nl, struct dump *d)
{
	struct ipvs_table *t = d->t;
	size_t first = d->first;
	int r;

	if (nl->ring_unusable)
		return -ENOSYS;
	if (!nl->ring && nl_ipvs_ring_new(&nl->ring)) {
		nl->ring_unusable = 1;
		return -ENOSYS;
	}
	r = nl_ipvs_ring_dump_dests(nl, nl->ring, t, first, d->each, d->arg);
	if (r) {
		/* Sockets may be left mid-dump: start afresh next time. */
		nl_ipvs_ring_free(nl->ring);
		nl->ring = NULL;
	}
	return r;
}

int nl_ipvs_dump_each(struct nl_ipvs *nl, struct ipvs_table *out,
		      int (*each)(void *arg, struct ipvs_table_service *ts),
		      void *arg)
{
	struct dump d;
	int r;

	if (!nl || !out)
		return -EINVAL;
	memset(&d, 0, sizeof(d));
	d.t = out;
	d.first = out->nsvcs;
	d.each = each;
	d.arg = arg;
	d.services_only = !nl->ring_unusable;
	if ((r = dump_run(nl, &d)) || !d.services_only)
		return r;
	r = ring_dests(nl, &d);
	if (r != -ENOSYS)
		return r;
	start_dest_phase(&d);
	d.services_only = 0;
	return dump_run(nl, &d);
}

int nl_ipvs_dump(struct nl_ipvs *nl, struct ipvs_table *out)
{
	return nl_ipvs_dump_each(nl, out, NULL, NULL);
}

int nl_ipvs_dump_dests(struct nl_ipvs *nl, struct ipvs_table_service *ts)
{
	struct ipvs_table one = { .svcs = ts, .nsvcs = 1, .cap = 1 };
	struct dump d;

	if (!nl || !ts)
		return -EINVAL;
	memset(&d, 0, sizeof(d));
	d.t = &one;
	start_dest_phase(&d);
	return dump_run(nl, &d);
}

int nl_ipvs_dump_services(struct nl_ipvs *nl, struct ipvs_table *out)
{
	struct dump d;

	if (!nl || !out)
		return -EINVAL;
	memset(&d, 0, sizeof(d));
	d.t = out;
	d.first = out->nsvcs;
	d.services_only = 1;
	return dump_run(nl, &d);
}
