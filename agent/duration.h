/*
 * agent/duration.h - durations written as kube-proxy (Go) writes them:
 * "30s", "1m", "500ms", "1h30m", "2.5s", "0".
 */
#ifndef AGENT_DURATION_H
#define AGENT_DURATION_H

/* Parse into seconds; 0 or -EINVAL.  Negative durations are refused. */
int agent_duration_parse(const char *s, double *seconds);

/* Format like Go's Duration.String(): "30s", "1m0s", "500ms".  Returns
 * @buf (32 bytes are enough for any duration under a year). */
char *agent_duration_fmt(double seconds, char *buf, unsigned len);

#endif
