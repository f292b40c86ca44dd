/*
 * agent/log.h - logging to stderr, one line per event, klog-like:
 *   I1121 19:30:00.123456 sync: applied 12 operations in 1.2ms
 */
#ifndef AGENT_LOG_H
#define AGENT_LOG_H

enum agent_log_level {
	AGENT_LOG_ERROR = 'E',
	AGENT_LOG_WARN = 'W',
	AGENT_LOG_INFO = 'I',
};

/* Lines at verbosity above this are dropped (--v). */
extern int agent_log_verbosity;

void agent_log(enum agent_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Only when --v >= @v. */
void agent_logv(int v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The last AGENT_LOG_RECENT warnings and errors, kept for /status (the
 * on-call's first question is "what went wrong lately?").  Cost: one
 * copy of the line per warning or error, 16 x 256 bytes of memory. */
#define AGENT_LOG_RECENT 16
#define AGENT_LOG_RECENT_LEN 256

struct agent_log_entry {
	double time;                        /* seconds since the epoch */
	char level;                         /* 'E' or 'W' */
	char msg[AGENT_LOG_RECENT_LEN];     /* the line, cut if longer */
};

/* Call @fn for each, oldest first. */
void agent_log_recent(void (*fn)(void *arg, const struct agent_log_entry *e),
		      void *arg);

#endif
