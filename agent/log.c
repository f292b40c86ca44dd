/*
 * agent/log.c - klog-style lines on stderr.
 */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <sys/time.h>
#include <time.h>

int agent_log_verbosity;

static void vlog(char level, const char *fmt, va_list ap)
{
	struct timeval tv;
	struct tm tm;
	char line[1024];

	gettimeofday(&tv, NULL);
	localtime_r(&tv.tv_sec, &tm);
	vsnprintf(line, sizeof(line), fmt, ap);
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
