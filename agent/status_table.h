/*
 * agent/status_table.h - `ipvsagent status` as a person reads it: the
 * agent's health on top, then one row per real server under its Service
 * and virtual server, the way `kubectl get` would show what
 * `ipvsadm -Ln` shows.  Rendered from the /status document (status.h),
 * so it is tested by feeding it JSON.
 */
#ifndef AGENT_STATUS_TABLE_H
#define AGENT_STATUS_TABLE_H

#include <cJSON.h>
#include <stdio.h>

/* Write the table for @doc to @out, with ANSI colours when @color.
 * Returns 0 when the agent says it is healthy, 1 when not (or @doc is
 * not a /status document). */
int agent_status_render(FILE *out, const cJSON *doc, int color);

/* "4s", "3m10s", "2h5m", "3d4h": an age the way kubectl prints one. */
char *agent_status_age(double seconds, char *out, size_t len);

#endif
