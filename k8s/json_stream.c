/*
 * k8s/json_stream.c - the buffer, and values parsed from it.
 *
 * cJSON finds where a value ends (it parses from the buffer's current
 * position and says how far it got), so nothing scans for item
 * boundaries; k8s_json_error() then checks that value's bytes strictly.
 * A value cut by the end of what has been read fails in cJSON; the strict
 * scanner tells that case (an error at the very end: "unexpected end of
 * input") from a real error before it.
 */
#include "json_stream.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "json_error.h"

/* The first buffer, and each read's size at most: a few dozen reads for
 * a file of 10,000 Services. */
#define JSON_IN_CHUNK (256 * 1024)

/* Trees: a block holds several items' (an EndpointSlice of 10 endpoints
 * is ~10 KB of nodes); a bigger item chains more. */
#define JSON_BLOCK (64 * 1024)

struct k8s_json_block {
	struct k8s_json_block *next; /* older blocks, freed by the next drop */
	size_t used;
	size_t cap;
	max_align_t data[];
};

/* cJSON's hooks take no argument: the reader whose parse is running. */
static struct k8s_json_in *parsing;

static void *tree_alloc(size_t n)
{
	struct k8s_json_block *b = parsing->trees, *nb;
	size_t cap;
	void *p;

	n = (n + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
	if (!b || b->cap - b->used < n) {
		cap = n > JSON_BLOCK ? n : JSON_BLOCK;
		if (!(nb = malloc(sizeof(*nb) + cap)))
			return NULL;
		nb->next = b;
		nb->used = 0;
		nb->cap = cap;
		parsing->trees = b = nb;
	}
	p = (char *)b->data + b->used;
	b->used += n;
	return p;
}

static void tree_free(void *p)
{
	(void)p; /* all at once, in k8s_json_in_drop() */
}

void k8s_json_in_drop(struct k8s_json_in *in)
{
	struct k8s_json_block *b = in->trees, *next;

	if (!b)
		return;
	/* Keep the newest block (one block is the common case), free the
	 * others: a huge item does not keep its memory. */
	for (next = b->next; next; next = b->next) {
		b->next = next->next;
		free(next);
	}
	if (b->cap > JSON_BLOCK) {
		free(b);
		in->trees = NULL;
		return;
	}
	b->used = 0;
}

/* cJSON with its allocations in @in's blocks. */
static cJSON *tree_parse(struct k8s_json_in *in, size_t len, const char **stop)
{
	cJSON_Hooks hooks = { tree_alloc, tree_free };
	cJSON *j;

	parsing = in;
	cJSON_InitHooks(&hooks);
	j = cJSON_ParseWithLengthOpts(in->buf + in->pos, len, stop, 0);
	cJSON_InitHooks(NULL);
	parsing = NULL;
	return j;
}

void k8s_json_in_init(struct k8s_json_in *in,
		      ssize_t (*read)(void *arg, char *buf, size_t len),
		      void *arg)
{
	memset(in, 0, sizeof(*in));
	in->read = read;
	in->arg = arg;
}

void k8s_json_in_fini(struct k8s_json_in *in)
{
	k8s_json_in_drop(in);
	free(in->trees);
	in->trees = NULL;
	free(in->buf);
	in->buf = NULL;
	in->cap = in->pos = in->end = 0;
}

/* Move the unused bytes to the front, make room for @need of them (and
 * for a read), and read: once, or until @need bytes are unused (reads
 * may be short; a value is not parsed again before it has twice the
 * bytes).  0, or a negative errno (in->err). */
static int in_fill(struct k8s_json_in *in, size_t need)
{
	size_t avail = in->end - in->pos, cap = in->cap;
	ssize_t n;
	char *p;

	if (in->err || in->eof)
		return in->err;
	if (in->pos) {
		memmove(in->buf, in->buf + in->pos, avail);
		in->pos = 0;
		in->end = avail;
	}
	if (cap < JSON_IN_CHUNK)
		cap = JSON_IN_CHUNK;
	while (cap < need || cap == avail)
		cap *= 2;
	if (cap != in->cap) {
		if (!(p = realloc(in->buf, cap)))
			return in->err = -ENOMEM;
		in->buf = p;
		in->cap = cap;
	}
	do {
		n = in->read(in->arg, in->buf + in->end, in->cap - in->end);
		if (n == -EINTR)
			continue;
		if (n < 0)
			return in->err = (int)n;
		if (n == 0)
			in->eof = 1;
		in->end += (size_t)n;
	} while (!in->eof && in->end < need);
	return 0;
}

int k8s_json_in_peek(struct k8s_json_in *in)
{
	char c;

	for (;;) {
		while (in->pos < in->end) {
			c = in->buf[in->pos];
			if (c != ' ' && c != '\t' && c != '\r' && c != '\n')
				return (unsigned char)c;
			in->pos++;
		}
		if (in->eof || in->err || in_fill(in, 0))
			return -1;
	}
}

void k8s_json_in_take(struct k8s_json_in *in)
{
	if (in->pos < in->end)
		in->pos++;
}

/* The strict scanner looks ahead: the escape \ud83d is only wrong
 * without its low half (\ude00) after it, so an error this close to the
 * end of what was read may be the end of what was read. */
#define JSON_LOOKAHEAD 16

/* cJSON refused the @avail bytes at the position: -EINVAL for bad text
 * within them, -ENOMEM when they are valid (cJSON ran out of memory), 1
 * when they may only be cut short. */
static int in_refused(const struct k8s_json_in *in, size_t avail)
{
	char what[128];
	size_t at;

	if (!k8s_json_error(in->buf + in->pos, avail, &at, what, sizeof(what)))
		return -ENOMEM;
	return in->eof || at + JSON_LOOKAHEAD < avail ? -EINVAL : 1;
}

cJSON *k8s_json_in_value(struct k8s_json_in *in, int *rc)
{
	size_t avail, used, at;
	const char *stop;
	char what[128];
	cJSON *j;

	if (k8s_json_in_peek(in) < 0) {
		*rc = in->err ? in->err : -EINVAL;
		return NULL;
	}
	for (;;) {
		avail = in->end - in->pos;
		j = tree_parse(in, avail, &stop);
		used = j ? (size_t)(stop - (in->buf + in->pos)) : 0;
		/* A number that ends with the buffer may go on in the next
		 * bytes: only the end of the input ends it for sure. */
		if (j && (used < avail || in->eof)) {
			if (k8s_json_error(in->buf + in->pos, used, &at, what,
					   sizeof(what))) {
				*rc = -EINVAL;
				return NULL;
			}
			in->pos += used;
			return j;
		}
		if (!j && (*rc = in_refused(in, avail)) < 0)
			return NULL;
		if ((*rc = in_fill(in, 2 * avail)) < 0)
			return NULL;
		if (in->eof && in->end - in->pos == avail && !j) {
			*rc = -EINVAL; /* cut short by the end of the input */
			return NULL;
		}
	}
}
