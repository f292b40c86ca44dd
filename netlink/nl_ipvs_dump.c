/*
 * netlink/nl_ipvs_dump.c - read the kernel's whole IPVS table.
 *
 * Two phases.  GET_SERVICE is one dump; the kernel restarts its walk from
 * the first service for every chunk, so the chunks must be large: our
 * reads are NL_IPVS_RX_BUF bytes, and the kernel sizes chunks after them.
 * GET_DEST is a dump per service.  Those are pipelined: a socket runs one
 * dump at a time and answers EBUSY to a dump request that arrives while
 * another is still running, so the window adapts (halves on EBUSY, grows
 * back by one per clean answer) and refused requests are sent again.
 */
#include <errno.h>
#include <linux/ip_vs.h>
#include <stdlib.h>
#include <string.h>

#include "nl_ipvs_msg.h"
#include "nl_ipvs_priv.h"

#define DUMP_WINDOW_MAX 128

struct dump {
	struct ipvs_table *t;
	size_t first;       /* first service of this dump in the table */
	int phase;          /* 0: services, 1: real servers */
	uint32_t svc_seq;   /* the service dump's sequence number */
	int svc_sent, svc_done;
	/* Phase 1: one request per service; the queue holds table indices. */
	size_t *queue;      /* services waiting for their request */
	size_t qhead, qtail, qcap;
	size_t *byseq;      /* request i (seq base + i) is for service byseq[i] */
	size_t nseq, seqcap;
	uint32_t base;
	size_t inflight, window, remaining;
	int err;
	struct nl_ipvs_job job;
};

static int push(size_t **arr, size_t *cap, size_t at, size_t v)
{
	size_t ncap;
	size_t *p;

	if (at >= *cap) {
		ncap = *cap ? *cap * 2 : 256;
		p = realloc(*arr, ncap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		*arr = p;
		*cap = ncap;
	}
	(*arr)[at] = v;
	return 0;
}

static int queue_dest_dump(struct nl_ipvs *nl, struct dump *d, size_t idx)
{
	struct nl_msg *msg;

	msg = nl_ipvs_msg_new(nl->family, IPVS_CMD_GET_DEST, NLM_F_DUMP);
	if (!msg || nl_ipvs_msg_put_service(msg, &d->t->svcs[idx].conf, 0)) {
		nlmsg_free(msg);
		return nl_ipvs_fail(nl, -ENOMEM, "building a dump request");
	}
	if (!nl_ipvs_tx_room(nl, nlmsg_hdr(msg)->nlmsg_len)) {
		nlmsg_free(msg);
		return 0;
	}
	if (d->nseq == 0)
		d->base = nl->seq;
	if (push(&d->byseq, &d->seqcap, d->nseq, idx)) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	nl_ipvs_queue(nl, msg);
	nlmsg_free(msg);
	d->nseq++;
	d->inflight++;
	d->qhead++;
	return 1;
}

static int dump_fill(struct nl_ipvs *nl)
{
	struct dump *d = nl->job->ctx;
	struct nl_msg *msg;
	int r, progress = 0;

	if (d->phase == 0) {
		if (d->svc_sent)
			return 0;
		msg = nl_ipvs_msg_new(nl->family, IPVS_CMD_GET_SERVICE, NLM_F_DUMP);
		if (!msg)
			return nl_ipvs_fail(nl, -ENOMEM, "building a dump request");
		d->svc_seq = nl_ipvs_queue(nl, msg);
		nlmsg_free(msg);
		d->svc_sent = 1;
		return 1;
	}
	while (d->qhead < d->qtail && d->inflight < d->window) {
		r = queue_dest_dump(nl, d, d->queue[d->qhead]);
		if (r <= 0)
			return r < 0 ? r : progress;
		progress = 1;
	}
	return progress;
}

/* After the service dump: queue one real-server dump per service. */
static int start_dest_phase(struct dump *d)
{
	size_t i;

	d->phase = 1;
	d->window = DUMP_WINDOW_MAX;
	for (i = d->first; i < d->t->nsvcs; i++)
		if (push(&d->queue, &d->qcap, d->qtail++, i))
			return -ENOMEM;
	d->remaining = d->qtail;
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
static int dest_dump_end(struct nl_ipvs *nl, struct dump *d, size_t svc,
			 int err)
{
	d->inflight--;
	if (err == -EBUSY) {
		nl->counters.busy_retries++;
		d->window = d->window > 1 ? d->window / 2 : 1;
		return push(&d->queue, &d->qcap, d->qtail++, svc);
	}
	/* ESRCH/ENOENT: the service went away since phase 0; keep it empty. */
	if (d->window < DUMP_WINDOW_MAX)
		d->window++;
	d->remaining--;
	return 0;
}

static int dest_reply(struct nl_ipvs *nl, struct dump *d, struct nlmsghdr *h)
{
	uint32_t k = h->nlmsg_seq - d->base;
	struct ipvs_table_service *ts;
	struct ipvs_dest dest;
	struct ipvs_dest_state st;
	struct ipvs_table_dest *td;

	if (k >= d->nseq)
		return 0;
	ts = &d->t->svcs[d->byseq[k]];
	if (h->nlmsg_type == NLMSG_DONE)
		return dest_dump_end(nl, d, d->byseq[k], 0);
	if (h->nlmsg_type == NLMSG_ERROR)
		return dest_dump_end(nl, d, d->byseq[k],
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

	if (d->phase == 0)
		return h->nlmsg_seq == d->svc_seq ? service_reply(nl, d, h) : 0;
	return dest_reply(nl, d, h);
}

static int dump_done(struct nl_ipvs *nl)
{
	struct dump *d = nl->job->ctx;

	return d->phase == 1 && d->remaining == 0;
}

static int dump_result(struct nl_ipvs *nl)
{
	(void)nl;
	return 0;
}

static int dump_run(struct nl_ipvs *nl, struct dump *d)
{
	int r;

	d->job = (struct nl_ipvs_job){ dump_fill, dump_reply, dump_done,
				       dump_result, d };
	r = nl_ipvs_job_wait(nl, &d->job);
	free(d->queue);
	free(d->byseq);
	return r;
}

int nl_ipvs_dump(struct nl_ipvs *nl, struct ipvs_table *out)
{
	struct dump d;

	if (!nl || !out)
		return -EINVAL;
	memset(&d, 0, sizeof(d));
	d.t = out;
	d.first = out->nsvcs;
	return dump_run(nl, &d);
}

int nl_ipvs_dump_dests(struct nl_ipvs *nl, struct ipvs_table_service *ts)
{
	struct ipvs_table one = { .svcs = ts, .nsvcs = 1, .cap = 1 };
	struct dump d;
	int r;

	if (!nl || !ts)
		return -EINVAL;
	memset(&d, 0, sizeof(d));
	d.t = &one;
	if ((r = start_dest_phase(&d)))
		return r;
	return dump_run(nl, &d);
}
