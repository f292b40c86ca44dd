/*
 * agent/daemon.h - the agent: sources, translation, sync and the kernel,
 * wired on one libev loop.
 */
#ifndef AGENT_DAEMON_H
#define AGENT_DAEMON_H

#include "options.h"

/* Run until SIGTERM/SIGINT (exit status 0), or do --cleanup / --dry-run
 * and return.  Returns the process exit status. */
int agent_daemon_run(const struct agent_options *opt);

#endif
