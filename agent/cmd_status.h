/*
 * agent/cmd_status.h - `ipvsagent status`: ask a running agent what it
 * has programmed (GET /status on its metrics address) and show it.
 *
 *   ipvsagent status [--address HOST:PORT] [--json] [--service NS/NAME]
 *
 * Exit status: 0 the agent is healthy, 1 it is not (or --service names
 * no Service it translated), 2 it cannot be reached or answers nonsense.
 */
#ifndef AGENT_CMD_STATUS_H
#define AGENT_CMD_STATUS_H

/* @argv[0] is "status". */
int cmd_status(int argc, char **argv);

#endif
