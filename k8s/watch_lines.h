/*
 * k8s/watch_lines.h - cut a watch stream into lines, whatever the
 * chunking: one chunk may hold several events, one event may span many
 * chunks.
 *
 * Costs: a line that lies whole inside one chunk is handed over in place,
 * never copied; only a line cut by a chunk boundary is gathered in a
 * buffer, which grows to the longest such line and is given back when it
 * held more than K8S_WATCH_LINES_KEEP.  A line longer than the maximum is
 * not buffered at all: its bytes are skipped up to the next newline and
 * the caller is told once.
 *
 * A trailing "\r" is cut off (CRLF lines); empty lines are skipped.
 */
#ifndef K8S_WATCH_LINES_H
#define K8S_WATCH_LINES_H

#include <stddef.h>

/* A buffer larger than this is freed once its line is out. */
#define K8S_WATCH_LINES_KEEP (64u << 10)

struct k8s_watch_lines {
	char *buf;        /* the start of a line cut by a chunk boundary */
	size_t len;       /* bytes in buf */
	size_t cap;       /* bytes allocated for buf */
	size_t max;       /* longest line kept (without its newline) */
	int skipping;     /* inside an over-long line: drop up to a newline */
};

/* Where lines go.  line() returns 0 to go on, non-zero to stop the feed
 * (returned by k8s_watch_lines_feed; the rest of that chunk is lost). */
struct k8s_watch_lines_cb {
	int (*line)(void *arg, const char *line, size_t len);
	/* A line longer than max is being skipped; called once per line, as
	 * soon as it is known to be too long.  May be NULL. */
	void (*oversized)(void *arg);
	void *arg;
};

/* Lines up to @max bytes (at least 1), a "\r" before the newline
 * included. */
void k8s_watch_lines_init(struct k8s_watch_lines *wl, size_t max);
void k8s_watch_lines_fini(struct k8s_watch_lines *wl);

/*
 * Feed @len bytes of the stream.  Returns 0, the non-zero value a line()
 * returned, or -ENOMEM (the partial line could not be kept: it is then
 * skipped like an over-long one, and oversized() is not called).
 */
int k8s_watch_lines_feed(struct k8s_watch_lines *wl, const char *data,
			 size_t len, const struct k8s_watch_lines_cb *cb);

/*
 * The stream ended (or a new one begins): forget any partial line, which
 * is never handed over.  Returns the number of bytes forgotten (0 when
 * the stream ended on a line boundary, or inside a skipped line).
 */
size_t k8s_watch_lines_reset(struct k8s_watch_lines *wl);

#endif
