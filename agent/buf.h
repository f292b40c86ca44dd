/*
 * agent/buf.h - a growable text buffer, for the HTTP answers (/metrics,
 * /status, /healthz) which are built whole and then handed to the HTTP
 * server.
 *
 * Out of memory is sticky: the first failed growth sets @oom, every later
 * append does nothing, and the caller checks once at the end (an answer
 * is then a 500, never a truncated text that looks whole).
 *
 * Costs: appends are amortised O(length) (the buffer doubles); a
 * 10,000-Service /status is 12 MB, built in one piece (buffers this large
 * are mmap'ed, so freeing one gives the memory back at once).
 */
#ifndef AGENT_BUF_H
#define AGENT_BUF_H

#include <stddef.h>

struct agent_buf {
	char *p;       /* the text, NUL-terminated when len > 0 */
	size_t len;    /* bytes of text */
	size_t cap;    /* bytes allocated */
	int oom;       /* an append failed: the text is incomplete */
};

void agent_buf_init(struct agent_buf *b);
void agent_buf_fini(struct agent_buf *b);
/* Hand the text over (the caller frees it); the buffer is empty again.
 * NULL when out of memory was hit. */
char *agent_buf_take(struct agent_buf *b, size_t *len);

void agent_buf_put(struct agent_buf *b, const char *s, size_t n);
void agent_buf_puts(struct agent_buf *b, const char *s);
void agent_buf_putc(struct agent_buf *b, char c);
void agent_buf_printf(struct agent_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A JSON string literal, quotes included; NULL writes null.  Control
 * characters are escaped; bytes >= 0x80 pass through (UTF-8 in, UTF-8
 * out: Kubernetes names are ASCII, log lines may not be). */
void agent_buf_json_str(struct agent_buf *b, const char *s);
/* A JSON number; NaN and infinities (not JSON) become null. */
void agent_buf_json_num(struct agent_buf *b, double v);

/* The shortest decimal text that reads back as @v ("0.25", "1e-06",
 * "+Inf", "NaN"): Prometheus and JSON numbers.  Returns @out. */
char *agent_fmt_double(double v, char *out, size_t len);

/* RFC 3339 in UTC with up to microseconds, trailing zeros dropped, as Go
 * marshals a time.Time: "2026-11-21T22:10:01.25Z".  Returns @out. */
char *agent_fmt_time(double unix_seconds, char *out, size_t len);

#endif
