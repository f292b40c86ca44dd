/*
 * k8s/watch_lines.c - the newline splitter of watch streams.  O(bytes)
 * per chunk: memchr finds the newlines, and only the pieces of lines cut
 * by chunk boundaries are copied.
 */
#include "watch_lines.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void k8s_watch_lines_init(struct k8s_watch_lines *wl, size_t max)
{
	memset(wl, 0, sizeof(*wl));
	wl->max = max ? max : 1;
}

void k8s_watch_lines_fini(struct k8s_watch_lines *wl)
{
	free(wl->buf);
	memset(wl, 0, sizeof(*wl));
}

/* Forget the gathered bytes; give a big buffer back. */
static void lines_clear(struct k8s_watch_lines *wl)
{
	wl->len = 0;
	if (wl->cap > K8S_WATCH_LINES_KEEP) {
		free(wl->buf);
		wl->buf = NULL;
		wl->cap = 0;
	}
}

size_t k8s_watch_lines_reset(struct k8s_watch_lines *wl)
{
	size_t n = wl->len;

	lines_clear(wl);
	wl->skipping = 0;
	return n;
}

/* Hand one complete line over, without its "\r"; empty lines are not. */
static int lines_emit(const struct k8s_watch_lines_cb *cb, const char *p,
		      size_t n)
{
	if (n && p[n - 1] == '\r')
		n--;
	return n ? cb->line(cb->arg, p, n) : 0;
}

/* Start skipping the current line: it is too long. */
static void lines_skip(struct k8s_watch_lines *wl,
		       const struct k8s_watch_lines_cb *cb)
{
	lines_clear(wl);
	wl->skipping = 1;
	if (cb->oversized)
		cb->oversized(cb->arg);
}

/* Keep @n bytes of a line that goes on in the next chunk.  The buffer
 * doubles, so gathering a line of L bytes costs O(L) copies. */
static int lines_keep(struct k8s_watch_lines *wl, const char *p, size_t n)
{
	size_t cap = wl->cap ? wl->cap : 256;
	char *b;

	while (cap < wl->len + n)
		cap *= 2;
	if (cap != wl->cap) {
		b = realloc(wl->buf, cap);
		if (!b)
			return -ENOMEM;
		wl->buf = b;
		wl->cap = cap;
	}
	memcpy(wl->buf + wl->len, p, n);
	wl->len += n;
	return 0;
}

/* A newline after @n more bytes of the line: hand the line over, from the
 * chunk itself when nothing was gathered. */
static int lines_end(struct k8s_watch_lines *wl, const char *p, size_t n,
		     const struct k8s_watch_lines_cb *cb)
{
	int rc;

	if (wl->skipping) {
		wl->skipping = 0;
		return 0;
	}
	if (wl->len + n > wl->max) {
		lines_skip(wl, cb);
		wl->skipping = 0;
		return 0;
	}
	if (!wl->len)
		return lines_emit(cb, p, n);
	rc = lines_keep(wl, p, n);
	if (!rc)
		rc = lines_emit(cb, wl->buf, wl->len);
	lines_clear(wl);
	return rc;
}

/* The rest of a chunk, with no newline: keep it, or skip a long line. */
static int lines_rest(struct k8s_watch_lines *wl, const char *p, size_t n,
		      const struct k8s_watch_lines_cb *cb)
{
	if (wl->skipping || !n)
		return 0;
	if (wl->len + n > wl->max) {
		lines_skip(wl, cb);
		return 0;
	}
	if (lines_keep(wl, p, n)) {
		lines_clear(wl);
		wl->skipping = 1;
		return -ENOMEM;
	}
	return 0;
}

int k8s_watch_lines_feed(struct k8s_watch_lines *wl, const char *data,
			 size_t len, const struct k8s_watch_lines_cb *cb)
{
	const char *p = data, *end = data + len, *nl;
	int rc;

	while (p < end && (nl = memchr(p, '\n', (size_t)(end - p)))) {
		rc = lines_end(wl, p, (size_t)(nl - p), cb);
		p = nl + 1;
		if (rc)
			return rc;
	}
	return lines_rest(wl, p, (size_t)(end - p), cb);
}
