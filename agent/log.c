/*
 * agent/log.c - klog-style lines on stderr.
 */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

int agent_log_verbosity;

static struct agent_log_entry recent[AGENT_LOG_RECENT];
static size_t nrecent;   /* lines ever kept; the ring holds the last */

static void keep(char level, const struct timeval *tv, const char *line)
{
	struct agent_log_entry *e = &recent[nrecent++ % AGENT_LOG_RECENT];
	size_t n = strnlen(line, sizeof(e->msg) - 1);

	e->time = (double)tv->tv_sec + (double)tv->tv_usec / 1e6;
	e->level = level;
	memcpy(e->msg, line, n);   /* cut, on purpose */
	e->msg[n] = '\0';
}

void agent_log_recent(void (*fn)(void *arg, const struct agent_log_entry *e),
		      void *arg)
{
	size_t i = nrecent > AGENT_LOG_RECENT ? nrecent - AGENT_LOG_RECENT : 0;

	for (; i < nrecent; i++)
		fn(arg, &recent[i % AGENT_LOG_RECENT]);
}

static void vlog(char level, const char *fmt, va_list ap)
{
	struct timeval tv;
	struct tm tm;
	char line[1024];

	gettimeofday(&tv, NULL);
	localtime_r(&tv.tv_sec, &tm);
	vsnprintf(line, sizeof(line), fmt, ap);
	if (level == AGENT_LOG_ERROR || level == AGENT_LOG_WARN)
		keep(level, &tv, line);
	/* One fprintf per line so concurrent writers do not interleave. */
	fprintf(stderr, "%c%02d%02d %02d:%02d:%02d.%06ld %s\n", level,
		tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		(long)tv.tv_usec, line);
}

void agent_log(enum agent_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog((char)level, fmt, ap);
	va_end(ap);
}

void agent_logv(int v, const char *fmt, ...)
{
	va_list ap;

	if (v > agent_log_verbosity)
		return;
	va_start(ap, fmt);
	vlog('I', fmt, ap);
	va_end(ap);
}
