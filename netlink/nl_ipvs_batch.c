/*
 * netlink/nl_ipvs_batch.c - apply many operations with many requests in
 * flight on one socket.
 *
 * ipvsadm opens a socket and waits for an answer per operation; here up to
 * NL_IPVS_WINDOW requests are outstanding and each sendmsg() carries up to
 * NL_IPVS_TX_MAX bytes of them.  The kernel handles them in order and
 * answers a request that fails whatever its flags, so only the last
 * request of each sendmsg() asks for an acknowledgement (NLM_F_ACK): an
 * answer to request k says every request before it is done too, and those
 * without an error of their own succeeded.  A failure still lands on its
 * own op and the others go on; the kernel builds, and we read, one answer
 * per sendmsg() instead of one per op (110,000 at a cold start).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nl_ipvs_msg.h"
#include "nl_ipvs_priv.h"

struct batch {
	struct ipvs_op *ops;
	size_t n;
	size_t next;       /* first op not yet sent or refused */
	size_t answered;   /* ops with a final result */
	size_t inflight;   /* sent, not yet answered */
	size_t nsent;      /* requests sent; index into @sent */
	size_t done;       /* requests 0..done-1 are answered */
	uint32_t base;     /* sequence number of the first request */
	size_t *sent;      /* request i was for op sent[i] */
	int failed;        /* ops that ended with an error */
	struct nl_ipvs_job job;
};

/* Refuse an op locally: it never reaches the kernel. */
static void refuse(struct batch *b, struct ipvs_op *op)
{
	op->err = EINVAL;
	b->failed++;
	b->answered++;
}

static int batch_fill(struct nl_ipvs *nl)
{
	struct batch *b = nl->job->ctx;
	struct nl_msg *msg;
	struct ipvs_op *op;
	int progress = 0;
	size_t last = 0;     /* offset in nl->tx of the last request queued */
	int queued = 0;

	while (b->next < b->n && b->inflight < NL_IPVS_WINDOW) {
		op = &b->ops[b->next];
		if (ipvs_op_check(op, NULL, 0)) {
			refuse(b, op);
			b->next++;
			progress = 1;
			continue;
		}
		msg = nl_ipvs_msg_op(nl->family, op);
		if (!msg)
			return nl_ipvs_fail(nl, -ENOMEM, "building IPVS request");
		if (!nl_ipvs_tx_room(nl, nlmsg_hdr(msg)->nlmsg_len)) {
			nlmsg_free(msg);
			break;
		}
		if (b->nsent == 0)
			b->base = nl->seq;
		nlmsg_hdr(msg)->nlmsg_flags &= ~NLM_F_ACK;
		last = nl->txlen;
		queued = 1;
		nl_ipvs_queue(nl, msg);
		nlmsg_free(msg);
		b->sent[b->nsent++] = b->next++;
		b->inflight++;
		progress = 1;
	}
	/* The caller sends what is queued now: its last request answers for
	 * all of them. */
	if (queued)
		((struct nlmsghdr *)(nl->tx + last))->nlmsg_flags |= NLM_F_ACK;
	return progress;
}

static int batch_reply(struct nl_ipvs *nl, struct nlmsghdr *h)
{
	struct batch *b = nl->job->ctx;
	struct nlmsgerr *e;
	struct ipvs_op *op;
	uint32_t k = h->nlmsg_seq - b->base;

	if (h->nlmsg_type != NLMSG_ERROR || k >= b->nsent)
		return 0; /* not an answer to this batch */
	if (k < b->done)
		return 0; /* answered already */
	e = nlmsg_data(h);
	if (e->error) {
		op = &b->ops[b->sent[k]];
		op->err = -e->error;
		b->failed++;
		nl->counters.failed++;
	}
	/* Requests done..k: all handled, the silent ones with success. */
	b->answered += k + 1 - b->done;
	b->inflight -= k + 1 - b->done;
	b->done = k + 1;
	return 0;
}

static int batch_done(struct nl_ipvs *nl)
{
	struct batch *b = nl->job->ctx;

	return b->answered == b->n;
}

static int batch_result(struct nl_ipvs *nl)
{
	return ((struct batch *)nl->job->ctx)->failed;
}

static void batch_free(struct nl_ipvs *nl, struct batch *b)
{
	if (nl->job == &b->job)
		nl->job = NULL;
	free(b->sent);
	free(b);
}

int nl_ipvs_batch_start(struct nl_ipvs *nl, struct ipvs_op *ops, size_t n)
{
	struct batch *b;

	if (!nl || (!ops && n))
		return -EINVAL;
	if (nl->job)
		return nl_ipvs_fail(nl, -EBUSY, "IPVS socket busy");
	b = calloc(1, sizeof(*b));
	if (!b || !(b->sent = malloc((n ? n : 1) * sizeof(*b->sent)))) {
		free(b);
		return nl_ipvs_fail(nl, -ENOMEM, "starting a batch of %zu", n);
	}
	b->ops = ops;
	b->n = n;
	b->job = (struct nl_ipvs_job){ batch_fill, batch_reply, batch_done,
				       batch_result, b };
	for (size_t i = 0; i < n; i++)
		ops[i].err = 0;
	nl->job = &b->job;
	return 0;
}

/* Ops that never got an answer because the socket failed. */
static void batch_abort(struct batch *b)
{
	size_t i;

	/* Answers come in order: the unanswered are the last ones sent. */
	for (i = b->done; i < b->nsent; i++)
		b->ops[b->sent[i]].err = EIO;
	for (i = b->next; i < b->n; i++)
		b->ops[i].err = EIO;
}

int nl_ipvs_batch_run(struct nl_ipvs *nl)
{
	struct batch *b;
	int r;

	if (!nl || !nl->job || nl->job->fill != batch_fill)
		return -EINVAL;
	b = nl->job->ctx;
	r = nl_ipvs_job_step(nl);
	if (r == -EAGAIN)
		return r;
	if (r < 0)
		batch_abort(b);
	batch_free(nl, b);
	return r;
}

int nl_ipvs_apply(struct nl_ipvs *nl, struct ipvs_op *ops, size_t n)
{
	struct batch *b;
	int r;

	if ((r = nl_ipvs_batch_start(nl, ops, n)))
		return r;
	b = nl->job->ctx;
	nl->job = NULL; /* job_wait installs it again */
	r = nl_ipvs_job_wait(nl, &b->job);
	if (r < 0)
		batch_abort(b);
	batch_free(nl, b);
	return r;
}
