/*
 * agent/buf.c - a growable text buffer and the number and time formats
 * the HTTP answers share.
 */
#include "buf.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void agent_buf_init(struct agent_buf *b)
{
	memset(b, 0, sizeof(*b));
}

void agent_buf_fini(struct agent_buf *b)
{
	free(b->p);
	agent_buf_init(b);
}

char *agent_buf_take(struct agent_buf *b, size_t *len)
{
	char *p = b->p;

	if (b->oom) {
		agent_buf_fini(b);
		return NULL;
	}
	if (!p)
		p = calloc(1, 1);
	if (len)
		*len = b->len;
	agent_buf_init(b);
	return p;
}

/* Room for @n more bytes and a NUL; 0, or -1 (sticky oom). */
static int grow(struct agent_buf *b, size_t n)
{
	size_t cap = b->cap ? b->cap : 256;
	char *p;

	if (b->oom)
		return -1;
	if (b->len + n + 1 <= b->cap)
		return 0;
	while (cap < b->len + n + 1)
		cap *= 2;
	if (!(p = realloc(b->p, cap))) {
		b->oom = 1;
		return -1;
	}
	b->p = p;
	b->cap = cap;
	return 0;
}

void agent_buf_put(struct agent_buf *b, const char *s, size_t n)
{
	if (grow(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void agent_buf_puts(struct agent_buf *b, const char *s)
{
	agent_buf_put(b, s, strlen(s));
}

void agent_buf_putc(struct agent_buf *b, char c)
{
	agent_buf_put(b, &c, 1);
}

void agent_buf_printf(struct agent_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || grow(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void agent_buf_json_str(struct agent_buf *b, const char *s)
{
	const char *run;
	char esc[8];

	if (!s) {
		agent_buf_puts(b, "null");
		return;
	}
	agent_buf_putc(b, '"');
	for (run = s; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		agent_buf_put(b, run, (size_t)(s - run));
		run = s + 1;
		if (c == '"' || c == '\\')
			snprintf(esc, sizeof(esc), "\\%c", c);
		else if (c == '\n')
			snprintf(esc, sizeof(esc), "\\n");
		else if (c == '\t')
			snprintf(esc, sizeof(esc), "\\t");
		else
			snprintf(esc, sizeof(esc), "\\u%04x", c);
		agent_buf_puts(b, esc);
	}
	agent_buf_put(b, run, (size_t)(s - run));
	agent_buf_putc(b, '"');
}

void agent_buf_json_num(struct agent_buf *b, double v)
{
	char num[32];

	agent_buf_puts(b, isfinite(v) ? agent_fmt_double(v, num, sizeof(num))
				      : "null");
}

char *agent_fmt_double(double v, char *out, size_t len)
{
	int prec;

	if (isnan(v))
		snprintf(out, len, "NaN");
	else if (isinf(v))
		snprintf(out, len, v > 0 ? "+Inf" : "-Inf");
	else if (v == floor(v) && fabs(v) < 1e15)
		snprintf(out, len, "%.0f", v);   /* counters: 12345, not 1.2345e+04 */
	else
		/* The fewest digits that read back exactly: at most 17. */
		for (prec = 1; prec <= 17; prec++) {
			snprintf(out, len, "%.*g", prec, v);
			if (strtod(out, NULL) == v)
				break;
		}
	return out;
}

char *agent_fmt_time(double t, char *out, size_t len)
{
	struct tm tm;
	time_t sec;
	long usec;
	char frac[24];
	size_t n;

	if (!(t > 0)) {
		snprintf(out, len, "0001-01-01T00:00:00Z");   /* Go's zero time */
		return out;
	}
	sec = (time_t)floor(t);
	usec = lround((t - (double)sec) * 1e6);
	if (usec >= 1000000) {
		sec++;
		usec -= 1000000;
	}
	gmtime_r(&sec, &tm);
	frac[0] = '\0';
	if (usec) {
		snprintf(frac, sizeof(frac), ".%06ld", usec);
		for (n = strlen(frac); frac[n - 1] == '0'; n--)
			frac[n - 1] = '\0';
	}
	snprintf(out, len, "%04d-%02d-%02dT%02d:%02d:%02d%sZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
	return out;
}
